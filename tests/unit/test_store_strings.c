/*
 * Strings in the log, read back exactly: one longer than the writer's
 * cache of strings holds (4 KiB) is stored whole every time it comes,
 * and one repeated beside it is not confused with it; the empty string
 * is a value, not an unknown one; bytes that are not UTF-8 and NULs
 * inside arguments survive. In a damaged log, an id the strings table
 * lacks is an unknown string and a value that is no BLOB reads as its
 * text, whichever way the reader fetched the strings before it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sqlite3.h>
#include "check.h"
#include "testdir.h"
#include "jsonlog.h"
#include "procnotify.h"
#include "procnotify/store.h"

static char dir[] = "/tmp/pn-test-strings-XXXXXX";
static char path[256];
static char big[6000];       /* "xxx...x" and the pid, as argv[1] */

struct seen {
	int n, ok;
};

/* Each exec's argv is "run\0<big><pid / 2>\0", its cwd "" for odd pids. */
static int check_event(const pn_event *ev, void *user)
{
	struct seen *s = user;
	char want[sizeof(big) + 32];
	int n;

	if (ev->type != PN_EVENT_EXEC)
		return 0;
	s->n++;
	n = snprintf(want, sizeof(want), "run%c%s%u%c", 0, big, ev->pid / 2, 0);
	s->ok += ev->argv.len == (size_t)n && !memcmp(ev->argv.ptr, want, (size_t)n) &&
		 ev->argc == 2 && (ev->have & PN_HAVE_CWD) &&
		 ev->cwd.len == (ev->pid % 2 ? 0 : 4) && (ev->pid % 2 || !memcmp(ev->cwd.ptr, "/tmp", 4)) &&
		 ev->image.len == 7 && !memcmp(ev->image.ptr, "/bin/\xff\x01", 7);
	return 0;
}

/* The damage of damage(): comm "run" gone, cwd "/tmp" the integer 42. */
static int check_damaged(const pn_event *ev, void *user)
{
	struct seen *s = user;

	if (ev->type != PN_EVENT_EXEC)
		return 0;
	s->n++;
	s->ok += !ev->comm.ptr && !ev->comm.len && ev->image.len == 7 &&
		 ev->cwd.len == (ev->pid % 2 ? 0 : 2) && (ev->pid % 2 || !memcmp(ev->cwd.ptr, "42", 2));
	return 0;
}

static int damage(void)
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open(path, &db);

	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "DELETE FROM str WHERE value = CAST('run' AS BLOB);"
				  "UPDATE str SET value = 42 WHERE value = CAST('/tmp' AS BLOB)",
				  NULL, NULL, NULL);
	sqlite3_close(db);
	return rc;
}

int main(void)
{
	char err[256] = "";
	pn_store *s = NULL;
	struct seen seen = { 0 };

	if (testdir_make(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/log.db", dir);
	memset(big, 'x', sizeof(big) - 1);
	CHECK(pn_store_open(&s, path, PN_STORE_WRITE, NULL, err, sizeof(err)) == 0 && s);
	/* Pids 10 to 15, each long argument twice (10 and 11, ...): too long
	 * for the cache, it is stored again, never taken for another. */
	for (unsigned i = 0; s && i < 6; i++) {
		unsigned pid = 10 + i;

		CHECK(import_line(s, "{\"seq\":%u,\"type\":\"exec\",\"time\":\"2026-01-02T00:00:%02uZ\","
				  "\"pid\":%u,\"comm\":\"run\",\"image\":\"/bin/\\udcff\\u0001\","
				  "\"argv\":[\"run\",\"%s%u\"],\"cwd\":\"%s\"}",
				  i + 1, i, pid, big, pid / 2, pid % 2 ? "" : "/tmp") == 1);
	}
	CHECK(s && pn_store_close(s) == 0);
	s = NULL;
	CHECK(pn_store_open(&s, path, PN_STORE_READ, NULL, err, sizeof(err)) == 0 && s);
	CHECK(s && pn_store_query(s, &(pn_store_filter){ 0 }, check_event, &seen) == 6);
	CHECK(seen.n == 6 && seen.ok == 6);
	pn_store_close(s);
	s = NULL;
	CHECK(damage() == SQLITE_OK);
	seen = (struct seen){ 0 };
	CHECK(pn_store_open(&s, path, PN_STORE_READ, NULL, err, sizeof(err)) == 0 && s);
	CHECK(s && pn_store_query(s, &(pn_store_filter){ 0 }, check_damaged, &seen) == 6);
	CHECK(seen.n == 6 && seen.ok == 6);
	pn_store_close(s);
	testdir_remove(dir);
	return pn_test_done("test_store_strings");
}
