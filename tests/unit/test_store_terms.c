/*
 * A query with filters on two fields reads the events of the field that
 * names few processes, not of the one that names many: counted by the
 * bytes the process reads (/proc/self/io, rchar). `query --argv ARG --name
 * gcc` on 10 million events took 3.3 s: SQLite read every gcc process's
 * events and kept those of the 3 processes whose arguments held ARG, where
 * it could read those 3 alone; `--pid` beside `--name` could go the same
 * way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "check.h"
#include "store_open.h"
#include "rchar.h"
#include "testdir.h"
#include "procnotify.h"
#include "procnotify/store.h"

#define PROCS 40000
#define RARE 777 /* the one process whose arguments are its own */
#define CC1 888  /* the one cc1 */
#define AS(i) ((i) >= 10000 && (i) < 12000) /* 2,000 processes named as */
#define ASES (PROCS / 20)
#define BOOT 0x5c645282e5804455ULL
#define T0 (1767225600LL * 1000000000)
#define WALL(i) (T0 + (int64_t)(i) * 1000) /* process i's events */

static char dir[] = "/tmp/pn-test-terms-XXXXXX";
static char path[256];

/* Every process but one cc1 and 2,000 as a gcc: an exec, each with
 * arguments of its own (all with "gcc" and "-c"), and an exit. */
static void write_log(void)
{
	pn_store_options o = { .queue_bytes = 512u << 20 };
	char args[64];
	pn_store *s = store_open(path, PN_STORE_WRITE, &o);

	for (uint32_t i = 0; s && i < PROCS; i++) {
		pn_event ev = { 0 };
		int n = i == RARE ? snprintf(args, sizeof(args), "gcc%c-c%cneedle.c", 0, 0)
				  : snprintf(args, sizeof(args), "gcc%c-c%cfile%u.c", 0, 0, i);

		ev.seq = 2 * i + 1;
		ev.type = PN_EVENT_EXEC;
		ev.time_ns = WALL(i);
		ev.pid = 1000 + i;
		ev.ppid = 1;
		ev.key = (pn_key){ BOOT, 1000000 + i, ev.pid, 'L' };
		ev.parent_key = (pn_key){ BOOT, 1, 1, 'L' };
		ev.have = PN_HAVE_START | PN_HAVE_PARENT | PN_HAVE_IMAGE | PN_HAVE_ARGV;
		ev.comm = i == CC1  ? (pn_str){ "cc1", 3 }
			  : AS(i) ? (pn_str){ "as", 2 }
				  : (pn_str){ "gcc", 3 };
		ev.image = i == CC1  ? (pn_str){ "/usr/lib/cc1", 12 }
			   : AS(i) ? (pn_str){ "/usr/bin/as", 11 }
				   : (pn_str){ "/usr/bin/gcc", 12 };
		ev.argv = (pn_str){ args, (size_t)n };
		ev.argc = 3;
		ev.duration_ns = -1;
		pn_store_event(&ev, s);
		ev.seq++;
		ev.type = PN_EVENT_EXIT;
		ev.have &= ~(unsigned)PN_HAVE_ARGV;
		ev.duration_ns = 1000;
		pn_store_event(&ev, s);
	}
	CHECK(s && pn_store_close(s) == 0);
}

/* The events of where, counted by a reader of its own; *read, the bytes
 * that took. */
static uint64_t ask(const pn_store_term *t, size_t nterms, int64_t since, long long *read)
{
	pn_store_where w = { .terms = t, .nterms = nterms, .since_ns = since };
	pn_store *r = NULL;
	uint64_t n = 0;
	long long before;

	r = store_open(path, PN_STORE_READ, NULL);
	before = rchar();
	CHECK(before >= 0 && r && pn__store_count(r, &w, &n) == 0);
	*read = rchar() - before;
	if (r)
		pn_store_close(r);
	return n;
}

/* A filter on a field that names many processes, beside one that names
 * few, reads about what the latter alone reads: at most half as much
 * again (the other's own strings), or slack times, when the index's list
 * of a common trigram is read up to where it says "common". Reading the
 * many processes' events took 1.8 to 5.3 times as much here, the
 * strings of a common --argv 25 times, and beside a window the events of
 * every process of that --argv 57 times. */
static void beside(const char *what, const pn_store_term *alone, const pn_store_term *t,
		   size_t nterms, int64_t since, uint64_t want, int slack)
{
	long long base, read, most;
	uint64_t n;

	CHECK(ask(alone, alone ? 1 : 0, since, &base) >= want);
	most = slack ? base * slack : base + base / 2;
	n = ask(t, nterms, since, &read);
	CHECK(n == want);
	CHECK(read <= most);
	if (n != want || read > most)
		fprintf(stderr, "  %s: %llu events, %lld bytes read, %lld by its first term alone\n",
			what, (unsigned long long)n, read, base);
}

/* An --argv too short for the trigram index ("e.", in the one needle.c)
 * reads every string; beside a name of many processes that is less than
 * their events, which it once read (--argv -j --name make on 10 million
 * events: 2.8 s, now 0.42), and alone than every event, which it read
 * too (--argv -j: 2.8 s, now 0.53). */
static void short_argv(void)
{
	const pn_store_term scan_name[] = { { PN_WHERE_ARGV, "e.", 0 }, { PN_WHERE_NAME, "gcc", 0 } };
	long long events, read;

	CHECK(ask(&scan_name[1], 1, 0, &events) == 2 * (PROCS - 1 - ASES));
	CHECK(ask(scan_name, 2, 0, &read) == 1);
	CHECK(read * 3 < events);
	CHECK(ask(scan_name, 1, 0, &read) == 1);
	CHECK(read * 3 < events);
	if (read * 3 >= events)
		fprintf(stderr, "  --argv e.: %lld bytes read, the events %lld\n", read, events);
}

int main(void)
{
	const pn_store_term argv_name[] = { { PN_WHERE_ARGV, "needle.c", 0 },
					    { PN_WHERE_NAME, "gcc", 0 } };
	const pn_store_term pid_name[] = { { PN_WHERE_PID, NULL, 1000 + RARE },
					   { PN_WHERE_NAME, "gc*", 0 } };
	const pn_store_term argv_names[] = { { PN_WHERE_ARGV, "needle.c", 0 },
					     { PN_WHERE_NAME, "gcc", 0 },
					     { PN_WHERE_NAME, "cc1", 0 } };
	const pn_store_term name_argv[] = { { PN_WHERE_NAME, "cc1", 0 },
					    { PN_WHERE_ARGV, "gcc", 0 } };
	const pn_store_term name_scan[] = { { PN_WHERE_NAME, "cc1", 0 },
					    { PN_WHERE_ARGV, "e.", 0 } };
	const pn_store_term many_scan[] = { { PN_WHERE_NAME, "as", 0 },
					    { PN_WHERE_ARGV, "-c", 0 } };
	struct stat st;

	if (testdir_make(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/log.db", dir);
	write_log();
	CHECK(stat(path, &st) == 0 && st.st_size > 1 << 20);
	/* The exec only: its arguments are the exec's. */
	beside("--argv needle.c --name gcc", argv_name, argv_name, 2, 0, 1, 0);
	beside("--pid --name 'gc*'", pid_name, pid_name, 2, 0, 2, 0);
	beside("--argv needle.c --name gcc --name cc1", argv_names, argv_names, 3, 0, 1, 0);
	/* Arguments every process has do not find the candidates. */
	beside("--name cc1 --argv gcc", name_argv, name_argv, 2, 0, 1, 3);
	/* Nor beside a window: its last 50 processes' execs. */
	beside("--argv gcc --since", NULL, &name_argv[1], 1, WALL(PROCS - 50), 50, 5);
	/* Too short for the index: a name of few processes finds the
	 * candidates, as a window does. */
	short_argv();
	beside("--name cc1 --argv e.", name_scan, name_scan, 2, 0, 0, 0);
	beside("--argv e. --since", NULL, &name_scan[1], 1, WALL(PROCS - 50), 0, 5);
	/* Nor when every string holds it ("-c"), beside a name of more
	 * processes than the strings are worth: reading every process's
	 * events costs more than the name's (--argv -c --name bash on 10
	 * million events: 8.2 s against 0.25). */
	beside("--name as --argv -c", many_scan, many_scan, 2, 0, ASES, 3);
	testdir_remove(dir);
	return pn_test_done("test_store_terms");
}
