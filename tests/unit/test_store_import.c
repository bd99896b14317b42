/*
 * `procnotify import` below the CLI: JSON lines read back
 * (pn__json_read_event) and added to a log (pn__store_import), which
 * adds each event once: the same host, time, seq, type and pid is the
 * same event, whether it waits in the open batch, was written in it, or
 * committed before the log was opened again. Hosts are counted apart,
 * also two whose names share a slot of the writer's cache of host ids.
 * Only the public reading side checks the result (scoped counts).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "check.h"
#include "store_open.h"
#include "testdir.h"
#include "jsonlog.h"
#include "procnotify.h"
#include "procnotify/decode.h"
#include "procnotify/store.h"

static char dir[] = "/tmp/pn-test-import-XXXXXX";
static char path[256];

/* One event; host NULL: a line without one. */
static int import(pn_store *s, unsigned seq, const char *type, int sec, const char *host,
		  unsigned pid)
{
	char h[300] = "";

	if (host)
		snprintf(h, sizeof(h), ",\"host\":\"%s\"", host);
	return import_line(s, "{\"seq\":%u,\"type\":\"%s\",\"time\":\"2026-01-02T03:04:%02dZ\"%s%s%u}",
			   seq, type, sec, h, strcmp(type, "lost") ? ",\"pid\":" : ",\"count\":", pid);
}

/* The events the log holds for a host (NULL: every host). */
static int64_t count(pn_store *s, const char *host)
{
	pn_store_where w = { 0 };
	uint64_t n = 0;

	if (pn__store_scope_host(s, host) || pn__store_count(s, &w, &n))
		return -1;
	return (int64_t)n;
}

struct row {
	unsigned seq;
	const char *type;
	int sec;
	const char *host;
	unsigned pid;
};

/* Each row differs from the first in one member only: each is new. */
static const struct row rows[] = {
	{ 1, "fork", 1, "a", 10 },
	{ 1, "fork", 1, "a", 11 },      /* another pid */
	{ 1, "exit", 1, "a", 10 },      /* another type */
	{ 2, "fork", 1, "a", 10 },      /* another seq */
	{ 1, "fork", 2, "a", 10 },      /* another time */
	{ 1, "fork", 1, "b", 10 },      /* another host */
	{ 1, "fork", 1, NULL, 10 },     /* no host */
	{ 3, "lost", 1, "a", 5 },       /* a loss: no pid, its count is no key */
};
#define NROWS (sizeof(rows) / sizeof(rows[0]))

static int import_rows(pn_store *s, int want)
{
	int bad = 0;

	for (size_t i = 0; i < NROWS; i++) {
		int rc = import(s, rows[i].seq, rows[i].type, rows[i].sec, rows[i].host, rows[i].pid);

		CHECK(rc == want);
		bad += rc != want;
	}
	return bad;
}

/* Every event once, wherever its first copy is. */
static void dedup(void)
{
	pn_store *s = store_open(path, PN_STORE_WRITE, NULL);

	if (!s)
		return;
	CHECK(import_rows(s, 1) == 0);
	CHECK(import_rows(s, 0) == 0);            /* in the open batch */
	/* The same loss with another count is the same gap. */
	CHECK(import(s, 3, "lost", 1, "a", 6) == 0);
	/* Past a batch of rows (64): the first ones are found in SQLite. */
	for (unsigned seq = 100; seq < 200; seq++)
		CHECK(import(s, seq, "exec", 3, "a", 10) == 1);
	CHECK(import_rows(s, 0) == 0);
	CHECK(import(s, 150, "exec", 3, "a", 10) == 0);
	CHECK(pn_store_commit(s) == 0);
	CHECK(import_rows(s, 0) == 0);            /* committed */
	CHECK(pn_store_close(s) == 0);

	s = store_open(path, PN_STORE_WRITE, NULL);             /* a new run, statements anew */
	if (!s)
		return;
	CHECK(import_rows(s, 0) == 0);
	CHECK(import(s, 199, "exec", 3, "a", 10) == 0);
	CHECK(import(s, 200, "exec", 3, "a", 10) == 1);
	CHECK(pn_store_close(s) == 0);

	s = store_open(path, PN_STORE_READ, NULL);
	if (!s)
		return;
	/* a: 5 rows, the loss and 101 execs; b: one; no host: one (each
	 * run was closed: no gap recorded between them). */
	CHECK(count(s, "a") == 5 + 1 + 101);
	CHECK(count(s, "b") == 1);
	CHECK(count(s, "c") == 0);
	CHECK(count(s, NULL) == 5 + 1 + 101 + 1 + 1);
	pn_store_close(s);
}

/* Three names in one slot of the writer's cache of host ids (256 slots,
 * by the top byte of the name's hash), two of them of one length: each
 * keeps its own id, whichever holds the slot when its event comes. */
static void hosts_sharing_a_slot(void)
{
	char x[16] = "host-1000", y[16] = "", z[16] = "", c[16];
	const char *names[3] = { x, y, z };
	uint64_t hx = pn__hash64(x, strlen(x)) >> 56;
	pn_store *s;

	for (int i = 1001; i < 100000 && !(y[0] && z[0]); i++) {
		snprintf(c, sizeof(c), "host-%d", i);
		if (pn__hash64(c, strlen(c)) >> 56 == hx)
			memcpy(i < 10000 ? y : z, c, sizeof(c));
	}
	CHECK(y[0] && z[0]);
	snprintf(path, sizeof(path), "%s/slots.db", dir);
	s = store_open(path, PN_STORE_WRITE, NULL);
	if (!s)
		return;
	for (unsigned seq = 1; seq <= 9; seq++)
		CHECK(import(s, seq, "fork", 1, names[seq % 3], seq) == 1);
	for (unsigned seq = 1; seq <= 9; seq++)
		CHECK(import(s, seq, "fork", 1, names[seq % 3], seq) == 0);
	/* Another host's copy of an event is another event. */
	CHECK(import(s, 1, "fork", 1, x, 1) == 1);
	/* An empty host name is no host: the same event as one without. */
	CHECK(import(s, 50, "fork", 1, "", 1) == 1);
	CHECK(import(s, 50, "fork", 1, NULL, 1) == 0);
	CHECK(pn_store_close(s) == 0);
	s = store_open(path, PN_STORE_READ, NULL);
	if (!s)
		return;
	CHECK(count(s, x) == 4);
	CHECK(count(s, y) == 3);
	CHECK(count(s, z) == 3);
	CHECK(count(s, NULL) == 11);
	pn_store_close(s);
}


/* Two hosts whose names are longer than any event's (PN_HOST_MAX): the
 * second one's event must not be taken for the first's. Either the line
 * is refused, or the hosts are kept apart. (Fails: both become "no
 * host", and the second event is dropped as already in the log.) */
static void long_host_names(void)
{
	char a[300], b[300];
	int first, second;
	pn_store *s;

	memset(a, 'a', sizeof(a) - 1);
	a[sizeof(a) - 1] = 0;
	memcpy(b, a, sizeof(a));
	b[0] = 'b';
	snprintf(path, sizeof(path), "%s/longhost.db", dir);
	s = store_open(path, PN_STORE_WRITE, NULL);
	if (!s)
		return;
	first = import_line(s, "{\"seq\":1,\"type\":\"fork\",\"time\":\"2026-01-02T00:00:00Z\","
			    "\"host\":\"%s\",\"pid\":5}", a);
	second = import_line(s, "{\"seq\":1,\"type\":\"fork\",\"time\":\"2026-01-02T00:00:00Z\","
			     "\"host\":\"%s\",\"pid\":5}", b);
	CHECK((first == -1000 && second == -1000) || (first == 1 && second == 1));
	pn_store_close(s);
}

int main(void)
{
	if (testdir_make(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/import.db", dir);
	dedup();
	hosts_sharing_a_slot();
	long_host_names();
	testdir_remove(dir);
	return pn_test_done("test_store_import");
}
