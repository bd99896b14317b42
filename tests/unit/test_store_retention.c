/*
 * Retention, step by step, on logs written through import (on the
 * caller's thread: no writer thread runs a step of its own between the
 * test's): a log over its size bound loses the older half of its events
 * at each step but never its last one; an empty log over its bound loses
 * nothing and fails nothing; an age bound that cuts further than the size
 * bound is the one that applies; without a bound a step removes nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "check.h"
#include "store_open.h"
#include "testdir.h"
#include "jsonlog.h"
#include "procnotify.h"
#include "procnotify/store.h"

#define NS 1000000000LL

static char dir[] = "/tmp/pn-test-retention-XXXXXX";
static char path[256];

static pn_store *open_log(const char *name, const pn_store_options *o)
{
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return store_open(path, PN_STORE_WRITE, o);
}

/* n forks, one a second from 2020-01-01T00:00:00Z, each a process. */
static void add_forks(pn_store *s, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		CHECK(import_line(s, "{\"seq\":%u,\"type\":\"fork\",\"time\":\"2020-01-01T00:%02u:%02uZ\","
				  "\"pid\":%u,\"key\":\"L:0000000000000001:%u:%u\","
				  "\"comm\":\"p%u\",\"image\":\"/bin/p%u\"}",
				  i + 1, i / 60, i % 60, 100 + i, i + 1, 100 + i, i, i) == 1);
}

/* The events in the log at path, read as another reader would. */
static int64_t events(void)
{
	pn_store_where w = { 0 };
	pn_store *r = NULL;
	uint64_t n = 0;
	int rc = pn_store_open(&r, path, PN_STORE_READ, NULL, NULL, 0);

	if (!rc)
		rc = pn__store_count(r, &w, &n);
	pn_store_close(r);
	return rc ? -1 : (int64_t)n;
}

static void size_bound_halves(void)
{
	pn_store_options o = { .max_size = 1 };
	static const int64_t after[] = { 5, 3, 2, 1, 1 };
	pn_store *s = open_log("size.db", &o);

	if (!s)
		return;
	add_forks(s, 10);
	CHECK(pn_store_commit(s) == 0 && events() == 10);
	for (size_t i = 0; i < sizeof(after) / sizeof(after[0]); i++) {
		CHECK(pn_store_tick(s) == 0);
		CHECK(events() == after[i]);
	}
	CHECK(pn_store_failed(s) == 0);
	CHECK(pn_store_close(s) == 0);
}

static void empty_log(void)
{
	pn_store_options o = { .max_size = 1, .max_age_ns = NS };
	pn_store *s = open_log("empty.db", &o);

	if (!s)
		return;
	CHECK(pn_store_tick(s) == 0 && pn_store_tick(s) == 0);
	CHECK(pn_store_failed(s) == 0);
	CHECK(pn_store_close(s) == 0);
	CHECK(events() == 0);
}

/* Every event is years old: a day's bound takes them all in one step,
 * where the size bound alone takes half. */
static void age_beats_size(void)
{
	pn_store_options o = { .max_size = 1, .max_age_ns = 86400 * NS };
	pn_store *s = open_log("age.db", &o);

	if (!s)
		return;
	add_forks(s, 100);
	CHECK(pn_store_tick(s) == 0 && events() == 0);
	CHECK(pn_store_tick(s) == 0 && events() == 0);
	/* Gone is gone: importing the first three again adds them. */
	add_forks(s, 3);
	CHECK(pn_store_commit(s) == 0 && events() == 3);
	CHECK(pn_store_close(s) == 0);
}

/* No bound: a step removes nothing. */
static void no_bound(void)
{
	pn_store_options o = { 0 };
	pn_store *s = open_log("none.db", &o);

	if (!s)
		return;
	add_forks(s, 4);
	CHECK(pn_store_tick(s) == 0);
	CHECK(pn_store_close(s) == 0);
	CHECK(events() == 4);
}

int main(void)
{
	if (testdir_make(dir))
		return 1;
	size_bound_halves();
	empty_log();
	age_beats_size();
	no_bound();
	testdir_remove(dir);
	return pn_test_done("test_store_retention");
}
