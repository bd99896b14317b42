/*
 * Activity log benchmark (make bench-store).
 *
 * 1. Throughput: a recorded-like stream of fork/exec/exit events, built in
 *    memory first, replayed through pn_store_event() into a fresh log file
 *    on one core, commits and the final close included. Target: 300,000
 *    events/s, so the log is never what limits capture in a storm.
 * 2. Latency: over a 10,000-process history, a query by pid, a query by
 *    name glob and the tree of the root (every process under it), each
 *    rendered through the real formatters. Target: under 50 ms each.
 *
 * Usage: store_bench [DIR [PROCS]]   (DIR for the temporary logs, default
 * /tmp; PROCS processes in the throughput stream, default 200,000)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "procnotify.h"
#include "procnotify/format.h"
#include "procnotify/store.h"

#define THROUGHPUT_PROCS 200000
#define HISTORY_PROCS 10000
#define REPEAT 20
#define START0 1000000000000ULL /* boot clock, ns: the first process started at 1000 s */

/* The strings of one synthetic process; events point into them. */
struct strings {
	char comm[16], image[64], argv[96], cwd[32];
	size_t argv_len;
};

static double clock_s(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double now_s(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

/* CPU time of this (single-threaded) process, user and system: the cost
 * on one core, whatever else the machine is running. */
static double cpu_s(void)
{
	return clock_s(CLOCK_PROCESS_CPUTIME_ID);
}

/* The system part of it: SQLite's write() and pwrite() of WAL frames and
 * checkpoints, which instruction counts of the library do not show. */
static double sys_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void make_strings(struct strings *s, size_t i)
{
	int n;

	snprintf(s->comm, sizeof(s->comm), "worker-%zu", i % 100);
	snprintf(s->image, sizeof(s->image), "/usr/lib/toolchain/bin/tool-%zu", i % 37);
	n = snprintf(s->argv, sizeof(s->argv), "tool-%zu%c--input%c/srv/data/file-%zu.dat%c-v%c",
		     i % 37, 0, 0, i, 0, 0);
	s->argv_len = (size_t)n;
	snprintf(s->cwd, sizeof(s->cwd), "/home/build/src");
}

static pn_str str(const char *p, size_t n)
{
	return (pn_str){ p, n };
}

/* Process i: pid reused every 30,000 processes, start times increasing
 * as the kernel's boot clock does, parent chosen so the history is a tree
 * a few levels deep under process 0. */
static void make_events(pn_event *ev, const struct strings *s, size_t i, int64_t t0)
{
	size_t parent = i ? (i - 1) / 4 : 0;
	pn_event base;

	memset(&base, 0, sizeof(base));
	base.have = PN_HAVE_UID | PN_HAVE_PARENT | PN_HAVE_START | PN_HAVE_TID | PN_HAVE_COMM |
		    PN_HAVE_IMAGE;
	base.pid = base.tid = 1000 + (uint32_t)(i % 30000);
	base.ppid = 1000 + (uint32_t)(parent % 30000);
	base.uid = base.euid = base.gid = 1000;
	base.key = (pn_key){ 0x5c645282e5804455ULL, START0 + (uint64_t)i * 3000, base.pid, 'L' };
	base.parent_key = (pn_key){ base.key.boot, START0 + (uint64_t)parent * 3000, base.ppid, 'L' };
	base.comm = str(s->comm, strlen(s->comm));
	base.image = str(s->image, strlen(s->image));
	base.duration_ns = -1;
	if (i == 0)
		base.have &= ~PN_HAVE_PARENT; /* the root: its parent is not in the history */
	ev[0] = ev[1] = ev[2] = base;
	ev[0].type = PN_EVENT_FORK;
	ev[0].time_ns = t0 + (int64_t)i * 3000;
	ev[1].type = PN_EVENT_EXEC;
	ev[1].time_ns = ev[0].time_ns + 1000;
	ev[1].have |= PN_HAVE_ARGV | PN_HAVE_CWD | PN_HAVE_FILENAME | PN_HAVE_SID;
	ev[1].argv = str(s->argv, s->argv_len);
	ev[1].argc = 4;
	ev[1].cwd = str(s->cwd, strlen(s->cwd));
	ev[1].filename = ev[1].image;
	ev[2].type = PN_EVENT_EXIT;
	ev[2].time_ns = ev[0].time_ns + 2000;
	ev[2].signal = i % 10 == 0 ? 9 : 0;
	ev[2].exit_code = ev[2].signal ? -1 : (int)(i % 3);
	ev[2].duration_ns = 2000;
}

struct stream {
	pn_event *ev;
	struct strings *s;
	size_t n;
};

static int build_stream(struct stream *st, size_t procs)
{
	int64_t t0 = 1800000000LL * 1000000000LL;

	st->n = procs * 3;
	st->ev = calloc(st->n, sizeof(*st->ev));
	st->s = calloc(procs, sizeof(*st->s));
	if (!st->ev || !st->s)
		return -ENOMEM;
	for (size_t i = 0; i < procs; i++) {
		make_strings(&st->s[i], i);
		make_events(&st->ev[i * 3], &st->s[i], i, t0);
	}
	for (size_t i = 0; i < st->n; i++)
		st->ev[i].seq = i + 1;
	return 0;
}

static void free_stream(struct stream *st)
{
	free(st->ev);
	free(st->s);
}

struct cost {
	double wall, cpu, sys; /* seconds */
};

/* The log at path and SQLite's two files beside it. */
static void remove_log(const char *path)
{
	char side[4096 + 8]; /* main's path and a suffix */

	unlink(path);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
}

/* Replays the stream into a new log at path and says what it took. */
static void replay(const char *path, const struct stream *st, struct cost *c)
{
	char err[256];
	pn_store *s;

	remove_log(path);
	if (pn_store_open(&s, path, PN_STORE_WRITE, NULL, err, sizeof(err))) {
		fprintf(stderr, "store_bench: %s: %s\n", path, err);
		exit(1);
	}
	c->wall = now_s();
	c->cpu = cpu_s();
	c->sys = sys_s();
	/* The replay is faster than any writer: it waits for the writer
	 * thread once a batch's worth is queued, so nothing is dropped. */
	for (size_t i = 0; i < st->n; i++) {
		pn_store_event(&st->ev[i], s);
		if (i % PN_STORE_BATCH_EVENTS == PN_STORE_BATCH_EVENTS - 1)
			pn_store_commit(s);
	}
	if (pn_store_close(s)) {
		fprintf(stderr, "store_bench: writing %s failed\n", path);
		exit(1);
	}
	c->wall = now_s() - c->wall;
	c->cpu = cpu_s() - c->cpu;
	c->sys = sys_s() - c->sys;
}

static int format_row(const pn_event *ev, void *user)
{
	pn_fmt_table_row(user, ev);
	return 0;
}

struct timing {
	const char *what;
	double best, worst;
	size_t out_bytes;
};

static int run_query(pn_store *s, const pn_store_filter *f, pn_buf *out)
{
	return pn_store_query(s, f, format_row, out) < 0;
}

static int run_tree(pn_store *s, const char *spec, pn_buf *out)
{
	pn_fmt_tree fmt = { out, 0, 0 };

	return pn_store_tree_fmt(s, spec, &fmt, NULL) != 0;
}

/* Times REPEAT runs of one query or tree, rendered to a buffer. */
static void time_it(struct timing *tm, pn_store *s, const pn_store_filter *f, const char *spec)
{
	pn_buf out = { 0 };

	tm->best = 1e9;
	tm->worst = 0;
	for (int r = 0; r < REPEAT; r++) {
		double t = now_s();
		int failed;

		pn_buf_reset(&out);
		failed = f ? run_query(s, f, &out) : run_tree(s, spec, &out);
		t = now_s() - t;
		if (failed) {
			fprintf(stderr, "store_bench: %s failed: %s\n", tm->what, pn_store_errmsg(s));
			exit(1);
		}
		tm->best = t < tm->best ? t : tm->best;
		tm->worst = t > tm->worst ? t : tm->worst;
	}
	tm->out_bytes = out.len;
	pn_buf_free(&out);
}

static void latency(const char *path, struct timing tm[3])
{
	pn_store_filter by_pid = { .have_pid = 1, .pid = 1000 + 4321 };
	pn_store_filter by_name = { .name = "worker-4*" };
	char err[256];
	pn_store *s;

	if (pn_store_open(&s, path, PN_STORE_READ, NULL, err, sizeof(err))) {
		fprintf(stderr, "store_bench: %s: %s\n", path, err);
		exit(1);
	}
	tm[0].what = "query --pid";
	time_it(&tm[0], s, &by_pid, NULL);
	tm[1].what = "query --name 'worker-4*'";
	time_it(&tm[1], s, &by_name, NULL);
	tm[2].what = "tree of the root (10,000 processes)";
	time_it(&tm[2], s, NULL, "L:5c645282e5804455:1000000000000:1000");
	pn_store_close(s);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	size_t procs = argc > 2 ? strtoul(argv[2], NULL, 10) : THROUGHPUT_PROCS;
	char path[4096];
	struct stream big, hist;
	struct timing tm[3];
	struct cost big_cost, hist_cost;
	struct stat sb;
	double big_bytes;

	if (!procs || build_stream(&big, procs) || build_stream(&hist, HISTORY_PROCS)) {
		fprintf(stderr, "store_bench: out of memory\n");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/pn-store-bench-%d.db", dir, (int)getpid());
	replay(path, &big, &big_cost);
	big_bytes = stat(path, &sb) ? 0 : (double)sb.st_size;
	replay(path, &hist, &hist_cost);
	latency(path, tm);
	remove_log(path);
	printf("%-40s %14s %10s\n", "activity log benchmark", "result", "target");
	snprintf(path, sizeof(path), "store throughput (%zu events)", big.n);
	printf("%-40s %9.0f ev/s %10s  (CPU time, %.0f%% of it system; %.0f ev/s by the wall"
	       " clock)\n", path, big.n / big_cost.cpu, ">= 300000",
	       100 * big_cost.sys / big_cost.cpu, big.n / big_cost.wall);
	printf("%-40s %9.1f B/ev %10s  (%.1f MB file)\n", "log size per event", big_bytes / big.n,
	       "<= 100", big_bytes / 1e6);
	for (int i = 0; i < 3; i++)
		printf("%-40s %8.2f ms   %10s  (worst %.2f ms, %zu bytes out)\n", tm[i].what,
		       tm[i].best * 1e3, "< 50 ms", tm[i].worst * 1e3, tm[i].out_bytes);
	free_stream(&big);
	free_stream(&hist);
	return 0;
}
