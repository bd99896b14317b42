/*
 * The trigram index of --argv (str_fts) merges its segments when the
 * writer asks, never on its own (schema 14): FTS5's automerge is off in a
 * new log (a log migrated from 13 is test_store_faults'), commits that
 * each add strings leave few segments, and what retention removed is
 * found neither by --argv nor by the index.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "check.h"
#include "store_open.h"
#include "testdir.h"
#include "jsonlog.h"
#include "sqlite_int.h"
#include "procnotify.h"
#include "procnotify/store.h"

#define NS 1000000000LL
#define COMMITS 60
/* Segments of str_fts after COMMITS commits. Each commit's strings make
 * one, which the next commit's merges see (4 of a level go into one of
 * the next): 3 here. FTS5's automerge left 15 (it merged level 0 at 16
 * segments), and no merge at all would leave 60. */
#define MAX_SEGMENTS 8

static char dir[] = "/tmp/pn-test-fts-XXXXXX";
static char path[256];

/* An exec of pid whose arguments are "run needle-<pid>", in 2020. */
static void add_exec(pn_store *s, unsigned pid)
{
	CHECK(import_line(s, "{\"seq\":%u,\"type\":\"exec\",\"time\":\"2020-01-01T00:%02u:%02uZ\","
			  "\"pid\":%u,\"comm\":\"run\",\"image\":\"/bin/run\","
			  "\"argv\":[\"run\",\"needle-%u\"]}",
			  pid, pid / 60 % 60, pid % 60, pid, pid) == 1);
}

static int count_row(const pn_event *ev, void *user)
{
	(void)ev;
	++*(int *)user;
	return 0;
}

/* Events whose arguments hold text, as query --argv finds them. */
static int argv_events(const char *text)
{
	pn_store_filter f = { .argv = text };
	pn_store *r = NULL;
	int n = 0;

	if (pn_store_open(&r, path, PN_STORE_READ, NULL, NULL, 0))
		return -1;
	if (pn_store_query(r, &f, count_row, &n) < 0)
		n = -1;
	pn_store_close(r);
	return n;
}

static void merged_on_commit(void)
{
	pn_store *s;

	snprintf(path, sizeof(path), "%s/log.db", dir);
	s = store_open(path, PN_STORE_WRITE, NULL);
	if (!s)
		return;
	CHECK(sql_int(path, "SELECT v FROM str_fts_config WHERE k = 'automerge'") == 0);
	/* Each commit adds three strings to the index: a segment. */
	for (unsigned i = 0; i < COMMITS; i++) {
		add_exec(s, 1000 + 3 * i);
		add_exec(s, 1001 + 3 * i);
		add_exec(s, 1002 + 3 * i);
		CHECK(pn_store_commit(s) == 0);
	}
	CHECK(pn_store_close(s) == 0);
	CHECK(sql_int(path, "SELECT count(DISTINCT segid) FROM str_fts_idx") <= MAX_SEGMENTS);
	CHECK(argv_events("needle-1000") == 1);
	CHECK(argv_events("needle-1") == 3 * COMMITS);
}

/* Every event is years old: a day's bound removes them all, and their
 * strings; the index, merged since, has none of their words. */
static void forgotten_words(void)
{
	pn_store_options o = { .max_age_ns = 86400 * NS };
	pn_store *s = store_open(path, PN_STORE_WRITE, &o);

	if (!s)
		return;
	for (int i = 0; i < 20; i++)
		CHECK(pn_store_tick(s) == 0);
	CHECK(pn_store_close(s) == 0);
	CHECK(sql_int(path, "SELECT count(*) FROM event") == 0);
	CHECK(argv_events("needle-1000") == 0);
	CHECK(argv_events("needle") == 0);
	CHECK(sql_int(path, "SELECT count(*) FROM str_fts WHERE str_fts MATCH"
			  " '\"nee\" \"eed\" \"edl\" \"dle\"'") == 0);
	CHECK(sql_int(path, "SELECT count(DISTINCT segid) FROM str_fts_idx") <= MAX_SEGMENTS);
}

int main(void)
{
	if (testdir_make(dir))
		return 1;
	merged_on_commit();
	forgotten_words();
	testdir_remove(dir);
	return pn_test_done("test_store_fts");
}
