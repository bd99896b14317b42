/*
 * The activity log at scale (make bench-store; issue 16, item 3): writes a
 * log of EVENTS events of realistic shapes through pn_store_event(), then
 * times what a user asks of it, warm (best of 5) and cold (the page cache
 * dropped before each of 3 runs; root only), and a day of retention.
 *
 * The shapes, over DAYS days that end now: some 40 long-lived daemons that
 * start at the first instant and never end; cron, which every minute runs
 * sh -c run-parts and two jobs; interactive sessions (sshd -> sshd -> bash
 * -> ls, git, grep, vim, a few seconds apart); and build storms, each in a
 * session: make -j4 -> sh -c "gcc ..." -> gcc -> cc1, then as, and ld at
 * the end, every file's arguments its own. One build, in the middle of the
 * time span, has a subtree of 10,000 processes, for `tree`.
 *
 * Usage: store_scale [-n EVENTS] [-d DAYS] [-o PATH] [-k] [-w]
 *        store_scale -r [-o PATH]
 *   default 10,000,000 events over 7 days in /var/tmp/pn-store-scale.db;
 *   -k keeps the file; -w times warm runs only (dropping the page cache
 *   slows every other program on the machine); -r only times the
 *   retention of the oldest day of the log at PATH, which it changes.
 *   Prints one line per figure.
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "procnotify.h"
#include "procnotify/format.h"
#include "procnotify/store.h"

#define NS 1000000000LL
#define MS 1000000LL
#define BOOT 0x5c645282e5804455ULL
#define BIG_FILES 2500 /* 4 processes a file: the 10,000-process subtree */
#define WARM_RUNS 5
#define COLD_RUNS 3

struct proc {
	uint32_t pid;
	uint64_t start;              /* boot clock, ns */
	const char *comm, *image;    /* after its exec */
};

/* One job's events, sorted by time before they are written. */
struct job {
	pn_event *ev;
	size_t n, cap;
	char *text;                  /* the job's strings */
	size_t used, text_cap;
};

struct gen {
	pn_store *s;
	uint64_t seq, events, procs;
	uint32_t next_pid;
	int64_t t0, t_end, boot_wall; /* wall clock, ns */
	uint64_t target;
	struct job job;
	unsigned rnd;
	struct proc init, cron, sshd;
	uint32_t big_make_pid;       /* found by the queries */
	uint64_t big_make_start;
	uint32_t some_pid;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned rnd(struct gen *g, unsigned n)
{
	g->rnd = g->rnd * 1103515245u + 12345u;
	return (g->rnd >> 8) % n;
}

static void die(const char *what)
{
	fprintf(stderr, "store_scale: %s\n", what);
	exit(1);
}

/* A copy of n bytes in the job's text; pointers stay valid until the job
 * is written (the text is preallocated large enough for any job). */
static const char *keep(struct job *j, const char *p, size_t n)
{
	char *q;

	if (j->used + n > j->text_cap)
		die("a job's strings outgrew their buffer");
	q = j->text + j->used;
	memcpy(q, p, n);
	j->used += n;
	return q;
}

static pn_event *add(struct job *j)
{
	if (j->n == j->cap) {
		j->cap = j->cap ? j->cap * 2 : 4096;
		j->ev = realloc(j->ev, j->cap * sizeof(*j->ev));
		if (!j->ev)
			die("out of memory");
	}
	memset(&j->ev[j->n], 0, sizeof(*j->ev));
	return &j->ev[j->n++];
}

static pn_str str(const char *p)
{
	return (pn_str){ p, strlen(p) };
}

/* The fields every event of process p (child of parent) has. */
static void base(struct gen *g, pn_event *ev, const struct proc *p, const struct proc *parent,
		 int64_t t, enum pn_event_type type)
{
	ev->type = type;
	ev->time_ns = t;
	ev->have = PN_HAVE_PARENT | PN_HAVE_START | PN_HAVE_TID | PN_HAVE_UID | PN_HAVE_COMM |
		   PN_HAVE_IMAGE;
	ev->pid = ev->tid = p->pid;
	ev->ppid = parent->pid;
	ev->uid = ev->euid = ev->gid = parent->pid == 1 ? 0 : 1000;
	ev->key = (pn_key){ BOOT, p->start, p->pid, 'L' };
	ev->parent_key = (pn_key){ BOOT, parent->start, parent->pid, 'L' };
	ev->duration_ns = -1;
	(void)g;
}

/* Process p, a child of parent, forks at t and execs image with argv
 * (n bytes, each argument NUL-terminated) in cwd; it exits after life ns
 * (never when life < 0). */
static struct proc spawn(struct gen *g, const struct proc *parent, int64_t t, const char *comm,
			 const char *image, const char *argv, size_t n, const char *cwd, int64_t life)
{
	struct job *j = &g->job;
	struct proc p = { g->next_pid, (uint64_t)(t - g->boot_wall), comm, image };
	pn_event *ev;
	int argc = 0;

	g->next_pid = g->next_pid >= 4000000 ? 300 : g->next_pid + 1;
	g->procs++;
	for (size_t i = 0; i < n; i++)
		argc += argv[i] == 0;
	ev = add(j);
	base(g, ev, &p, parent, t, PN_EVENT_FORK);
	ev->comm = str(parent->comm);
	ev->image = str(parent->image);
	ev = add(j);
	base(g, ev, &p, parent, t + 300000, PN_EVENT_EXEC);
	ev->have |= PN_HAVE_ARGV | PN_HAVE_CWD | PN_HAVE_FILENAME | PN_HAVE_SID | PN_HAVE_TTY |
		    PN_HAVE_IMAGE_ID | PN_HAVE_NS;
	ev->comm = str(comm);
	ev->image = ev->filename = str(image);
	ev->argv = (pn_str){ keep(j, argv, n), n };
	ev->argc = (uint32_t)argc;
	ev->cwd = str(cwd);
	ev->sid = parent->pid;
	ev->old_tid = p.pid;
	ev->image_dev = (pn_dev){ 259, 1 };
	ev->image_ino = 100000 + strlen(image) * 7919 + (unsigned char)image[strlen(image) - 1];
	ev->mnt_ns = 4026531841u;
	ev->pid_ns = 4026531836u;
	if (life < 0)
		return p;
	ev = add(j);
	base(g, ev, &p, parent, t + life, PN_EVENT_EXIT);
	ev->comm = str(comm);
	ev->image = str(image);
	ev->exit_code = rnd(g, 20) ? 0 : 1;
	ev->duration_ns = life;
	return p;
}

static int by_time(const void *a, const void *b)
{
	const pn_event *x = a, *y = b;

	return (x->time_ns > y->time_ns) - (x->time_ns < y->time_ns);
}

/* Writes the job's events in time order, waiting for the writer every
 * batch so that the queue never overflows. */
static void flush(struct gen *g)
{
	struct job *j = &g->job;

	qsort(j->ev, j->n, sizeof(*j->ev), by_time);
	for (size_t i = 0; i < j->n; i++) {
		j->ev[i].seq = ++g->seq;
		pn_store_event(&j->ev[i], g->s);
		if (++g->events % PN_STORE_BATCH_EVENTS == 0 && pn_store_commit(g->s))
			die(pn_store_errmsg(g->s));
	}
	j->n = 0;
	j->used = 0;
}

#define SPAWN(g, parent, t, comm, image, argv, cwd, life) \
	spawn(g, parent, t, comm, image, argv, sizeof(argv) - 1, cwd, life)

static void daemons(struct gen *g)
{
	static const char *const names[] = { "systemd-journal", "systemd-udevd", "dbus-daemon",
					     "rsyslogd", "NetworkManager", "polkitd", "chronyd",
					     "containerd", "dockerd", "postgres", "nginx", "redis-server" };
	struct proc root = { 0, 0, "swapper", "" };
	char image[64], argv[64];
	int n;

	g->init = SPAWN(g, &root, g->t0, "systemd", "/usr/lib/systemd/systemd", "/sbin/init\0",
			"/", -1);
	g->cron = SPAWN(g, &g->init, g->t0 + MS, "cron", "/usr/sbin/cron", "/usr/sbin/cron\0-f\0",
			"/", -1);
	g->sshd = SPAWN(g, &g->init, g->t0 + 2 * MS, "sshd", "/usr/sbin/sshd", "sshd: /usr/sbin/sshd"
			" -D [listener] 0 of 10-100 startups\0", "/", -1);
	for (int i = 0; i < 40; i++) {
		const char *name = names[i % 12];

		snprintf(image, sizeof(image), "/usr/sbin/%s", name);
		n = snprintf(argv, sizeof(argv), "%s%c--instance=%d%c", image, 0, i, 0);
		spawn(g, &g->init, g->t0 + (3 + i) * MS, name, keep(&g->job, image, strlen(image) + 1),
		      argv, (size_t)n, "/", -1);
	}
	flush(g);
}

/* Every minute: cron -> sh -c "run-parts ..." -> two jobs. */
static void cron_minute(struct gen *g, int64_t t)
{
	struct proc sh = SPAWN(g, &g->cron, t, "sh", "/usr/bin/dash",
			       "/bin/sh\0-c\0cd / && run-parts --report /etc/cron.minutely\0", "/",
			       900 * MS);

	SPAWN(g, &sh, t + 5 * MS, "logrotate", "/usr/sbin/logrotate",
	      "/usr/sbin/logrotate\0/etc/logrotate.conf\0", "/", 300 * MS);
	SPAWN(g, &sh, t + 400 * MS, "sa1", "/usr/lib/sysstat/sa1", "/usr/lib/sysstat/sa1\0" "1\0" "1\0",
	      "/", 200 * MS);
	flush(g);
}

/* make -j4 of files sources in dir, under the shell; returns its end. */
static int64_t build(struct gen *g, const struct proc *shell, int64_t t, const char *dir, int files)
{
	static const int64_t unit = 120 * MS; /* one file's compile */
	struct proc make = SPAWN(g, shell, t, "make", "/usr/bin/make", "make\0-j4\0", dir,
				 (files / 4 + 2) * unit + 50 * MS);
	char argv[256];
	int n;

	if (files == BIG_FILES) {
		g->big_make_pid = make.pid;
		g->big_make_start = make.start;
	}
	for (int f = 0; f < files; f++) {
		int64_t u = t + MS + (f / 4) * unit;
		struct proc sh, gcc;

		n = snprintf(argv, sizeof(argv), "/bin/sh%c-c%cgcc -O2 -c src/m%d/f%d.c -o obj/f%d.o", 0,
			     0, f % 17, f, f) + 1;
		sh = spawn(g, &make, u, "sh", "/usr/bin/dash", argv, (size_t)n, dir, unit - MS);
		n = snprintf(argv, sizeof(argv), "gcc%c-O2%c-c%csrc/m%d/f%d.c%c-o%cobj/f%d.o%c", 0, 0, 0,
			     f % 17, f, 0, 0, f, 0);
		gcc = spawn(g, &sh, u + MS, "gcc", "/usr/bin/x86_64-linux-gnu-gcc-12", argv, (size_t)n,
			    dir, unit - 3 * MS);
		n = snprintf(argv, sizeof(argv), "/usr/libexec/gcc/x86_64-linux-gnu/12/cc1%c-quiet%c"
			     "src/m%d/f%d.c%c-O2%c-o%c/tmp/cc%05d.s%c", 0, 0, f % 17, f, 0, 0, 0,
			     rnd(g, 100000), 0);
		spawn(g, &gcc, u + 2 * MS, "cc1", "/usr/libexec/gcc/x86_64-linux-gnu/12/cc1", argv,
		      (size_t)n, dir, unit * 7 / 10);
		n = snprintf(argv, sizeof(argv), "as%c--64%c-o%cobj/f%d.o%c/tmp/cc%05d.s%c", 0, 0, 0, f,
			     0, rnd(g, 100000), 0);
		spawn(g, &gcc, u + unit * 8 / 10, "as", "/usr/bin/x86_64-linux-gnu-as", argv, (size_t)n,
		      dir, unit / 10);
		if (f == files / 2)
			g->some_pid = gcc.pid;
	}
	SPAWN(g, &make, t + (files / 4 + 1) * unit, "ld", "/usr/bin/x86_64-linux-gnu-ld.bfd",
	      "ld\0-o\0app\0obj/*.o\0", dir, unit / 2);
	return t + (files / 4 + 2) * unit + 100 * MS;
}

/* An interactive session: a few commands, a build of files when > 0. */
static int64_t session(struct gen *g, int64_t t, int files)
{
	static const char *const cmds[][3] = {
		{ "ls", "/usr/bin/ls", "ls\0--color=auto\0-la\0" },
		{ "git", "/usr/bin/git", "git\0status\0" },
		{ "grep", "/usr/bin/grep", "grep\0-rn\0TODO\0src\0" },
		{ "vim", "/usr/bin/vim.basic", "vim\0src/main.c\0" },
		{ "cat", "/usr/bin/cat", "cat\0README.md\0" },
	};
	char dir[64];
	const char *cwd;
	int64_t end = t + (20 + files / 4) * NS;
	struct proc priv = SPAWN(g, &g->sshd, t, "sshd", "/usr/sbin/sshd", "sshd: dev [priv]\0", "/",
				 end - t + 20 * MS);
	struct proc bash;
	int ncmd = 3 + (int)rnd(g, 8);

	snprintf(dir, sizeof(dir), "/home/dev/proj%u", rnd(g, 50));
	cwd = keep(&g->job, dir, strlen(dir) + 1);
	bash = spawn(g, &priv, t + 10 * MS, "bash", "/usr/bin/bash", "-bash", 6, cwd, end - t);
	for (int c = 0; c < ncmd; c++) {
		const char *const *cmd = cmds[rnd(g, 5)];
		size_t n = 0;

		while (cmd[2][n] || cmd[2][n + 1])
			n++;
		spawn(g, &bash, t + (1 + c) * NS, cmd[0], cmd[1], cmd[2], n + 2, cwd,
		      200 * MS + rnd(g, 500) * MS);
	}
	if (files)
		build(g, &bash, t + (1 + ncmd) * NS, cwd, files);
	flush(g);
	return end;
}

/* Sessions and builds until the log has g->target events, spread over
 * [t0, t_end]; cron every minute in between; the big build half way. */
static void generate(struct gen *g)
{
	int64_t t = g->t0 + NS, next_minute = g->t0 + 60 * NS;
	int big_done = 0;

	daemons(g);
	while (g->events < g->target) {
		/* Where this many events would be if they came evenly. */
		int64_t due = g->t0 + (int64_t)((double)g->events / g->target * (g->t_end - g->t0));
		int files;

		if (due > t)
			t = due;
		while (next_minute <= t) {
			cron_minute(g, next_minute);
			next_minute += 60 * NS;
		}
		files = rnd(g, 3) ? 0 : 20 + (int)rnd(g, 400);
		if (!big_done && g->events >= g->target / 2) {
			files = BIG_FILES;
			big_done = 1;
		}
		t = session(g, t, files);
	}
}

/* ---------------------------------------------------------------- queries */

static int render_row(const pn_event *ev, void *user)
{
	pn_fmt_table_row(user, ev);
	return 0;
}

struct tree_out {
	pn_fmt_tree fmt;
	long nodes;
};

static int tree_enter(const pn_proc_node *n, unsigned depth, int selected, void *user)
{
	struct tree_out *t = user;

	pn_fmt_tree_enter(&t->fmt, n, depth, selected);
	t->nodes++;
	return 0;
}

static int tree_leave(unsigned depth, void *user)
{
	pn_fmt_tree_leave(&((struct tree_out *)user)->fmt, depth);
	return 0;
}

struct ask {
	const char *what;
	pn_store_filter f;
	char tree[96];              /* a tree's key, or "" for a query */
	long rows;
};

/* One run of a query or a tree, rendered as the CLI would, from a fresh
 * connection (a command opens the file each time). */
static double run_once(const char *path, struct ask *a)
{
	static const pn_store_tree_visitor v = { tree_enter, tree_leave };
	pn_buf out = { 0 };
	struct tree_out ft = { { &out, 0, 0 }, 0 };
	char err[256];
	pn_store *s;
	double t = now_s();
	int rc;

	if (pn_store_open(&s, path, PN_STORE_READ, NULL, err, sizeof(err)))
		die(err);
	rc = a->tree[0] ? pn_store_tree(s, a->tree, &v, &ft, NULL)
			: pn_store_query(s, &a->f, render_row, &out);
	if (rc < 0)
		die(pn_store_errmsg(s));
	pn_store_close(s);
	t = now_s() - t;
	a->rows = a->tree[0] ? ft.nodes : rc;
	pn_buf_free(&out);
	return t;
}

static int drop_caches(void)
{
	FILE *f = fopen("/proc/sys/vm/drop_caches", "w");
	int ok;

	sync();
	if (!f)
		return 0;
	ok = fputs("3\n", f) >= 0;
	return fclose(f) == 0 && ok;
}

static void time_ask(const char *path, struct ask *a, int cold_ok)
{
	double warm = 1e9, cold = 1e9;

	run_once(path, a); /* the first run warms the cache */
	for (int r = 0; r < WARM_RUNS; r++) {
		double t = run_once(path, a);

		warm = t < warm ? t : warm;
	}
	for (int r = 0; cold_ok && r < COLD_RUNS; r++) {
		double t;

		drop_caches();
		t = run_once(path, a);
		cold = t < cold ? t : cold;
	}
	printf("%-34s %9.1f ms %9s  %8.1f ms %9s   (%ld %s)\n", a->what, warm * 1e3, "< 100 ms",
	       cold_ok ? cold * 1e3 : 0.0, cold_ok ? "< 1000 ms" : "not run", a->rows,
	       a->tree[0] ? "processes" : "events");
}

/* Events older than cut, counted by a reader of its own. */
static uint64_t older_than(const char *path, int64_t cut)
{
	pn_store_where w = { .until_ns = cut - 1 };
	uint64_t n = 0;
	pn_store *r;

	if (pn_store_open(&r, path, PN_STORE_READ, NULL, NULL, 0) || pn__store_count(r, &w, &n))
		die("counting the events retention is to remove");
	pn_store_close(r);
	return n;
}

/* The oldest event's wall clock time. */
static int stop_at_first(const pn_event *ev, void *user)
{
	*(int64_t *)user = ev->time_ns;
	return -ECANCELED;
}

static int64_t oldest_event(const char *path)
{
	pn_store_filter f = { 0 };
	int64_t t = 0;
	pn_store *r;

	if (pn_store_open(&r, path, PN_STORE_READ, NULL, NULL, 0) ||
	    pn_store_query(r, &f, stop_at_first, &t) != -ECANCELED)
		die("reading the oldest event");
	pn_store_close(r);
	return t;
}

/* The trigram index's segments and bytes: --argv reads every segment. */
static void print_index(const char *path, const char *what)
{
	sqlite3_stmt *st;
	sqlite3 *db;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "SELECT (SELECT count(DISTINCT segid) FROM str_fts_idx),"
			       " (SELECT sum(length(block)) FROM str_fts_data)", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			printf("%-34s %9lld segments, %.1f MB\n", what,
			       (long long)sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1) / 1e6);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
}

/* How long the writer stood still: its commits or its retention steps. */
static void print_stalls(pn_store *s, const char *what, int steps)
{
	pn__store_stalls st;

	if (pn_store_commit(s))
		die(pn_store_errmsg(s));
	pn__store_stalls_get(s, &st);
	if (steps)
		printf("%-34s %9llu steps, %llu over 50 ms, the longest %.1f ms\n", what,
		       (unsigned long long)st.steps, (unsigned long long)st.steps_over,
		       st.longest_step_ns / 1e6);
	else
		printf("%-34s %9llu commits, %llu over 50 ms, the longest %.1f ms\n", what,
		       (unsigned long long)st.commits, (unsigned long long)st.commits_over,
		       st.longest_commit_ns / 1e6);
	printf("%-34s %9llu merges, the longest %.1f ms\n", "  the trigram index's merges",
	       (unsigned long long)st.merges, st.longest_merge_ns / 1e6);
}

/* A day of retention: a writer told to keep all but the oldest day runs
 * its steps until nothing older is left, as fast as it goes; each step,
 * with its commits, is how long the writer stood still (target: 50 ms at
 * most). The writer thread runs them, as a monitor's does. */
static void retention(const char *path)
{
	struct timespec ts;
	pn_store_options o = { 0 };
	char err[256];
	pn_store *s;
	double t0 = now_s();
	uint64_t left, gone;
	int64_t age;
	int ticks = 0;

	/* A log of an older schema is migrated first, as a monitor's first
	 * open would, since readers refuse it; not timed. */
	if (pn_store_open(&s, path, PN_STORE_WRITE, NULL, err, sizeof(err)))
		die(err);
	pn_store_close(s);
	t0 = now_s();
	clock_gettime(CLOCK_REALTIME, &ts);
	age = ts.tv_sec * NS + ts.tv_nsec - (oldest_event(path) + 86400 * NS);
	o.max_age_ns = age;
	gone = older_than(path, ts.tv_sec * NS + ts.tv_nsec - age);
	if (pn_store_open(&s, path, PN_STORE_WRITE, &o, err, sizeof(err)))
		die(err);
	if (pn_store_start(s))
		die(pn_store_errmsg(s));
	do {
		for (int i = 0; i < 50; i++, ticks++)
			if (pn_store_tick(s))
				die(pn_store_errmsg(s));
		clock_gettime(CLOCK_REALTIME, &ts);
		left = older_than(path, ts.tv_sec * NS + ts.tv_nsec - age);
	} while (left && ticks < 1000000);
	printf("%-34s %9.1f s    (%llu events)\n", "retention of a day", now_s() - t0,
	       (unsigned long long)gone);
	print_stalls(s, "  its steps (target <= 50 ms)", 1);
	pn_store_close(s);
	print_index(path, "  the trigram index after");
}

static void usage(void)
{
	fputs("usage: store_scale [-n EVENTS] [-d DAYS] [-o PATH] [-k] [-w]\n"
	      "       store_scale -r [-o PATH]\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	struct gen g = { .target = 10000000, .next_pid = 300, .rnd = 1 };
	const char *path = "/var/tmp/pn-store-scale.db";
	char err[256], key[96], wal[4200];
	int days = 7, keep_file = 0, warm_only = 0, retention_only = 0, c, cold_ok;
	struct timespec now;
	struct stat st;
	double t;

	while ((c = getopt(argc, argv, "n:d:o:kwr")) != -1) {
		if (c == 'n')
			g.target = strtoull(optarg, NULL, 10);
		else if (c == 'd')
			days = atoi(optarg);
		else if (c == 'o')
			path = optarg;
		else if (c == 'k')
			keep_file = 1;
		else if (c == 'w')
			warm_only = 1;
		else if (c == 'r')
			retention_only = 1;
		else
			usage();
	}
	if (!g.target || days < 2)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0); /* each figure as it comes, in a log too */
	if (retention_only) {
		retention(path);
		return 0;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	g.t_end = now.tv_sec * NS + now.tv_nsec;
	g.t0 = g.t_end - (int64_t)days * 86400 * NS;
	g.boot_wall = g.t0 - 60 * NS;
	g.job.text_cap = 64u << 20;
	g.job.text = malloc(g.job.text_cap);
	if (!g.job.text)
		die("out of memory");
	unlink(path);
	snprintf(wal, sizeof(wal), "%s-wal", path);
	unlink(wal);
	if (pn_store_open(&g.s, path, PN_STORE_WRITE, NULL, err, sizeof(err)))
		die(err);
	t = now_s();
	generate(&g);
	print_stalls(g.s, "  the writer's commits", 0);
	if (pn_store_close(g.s))
		die("writing the log failed");
	t = now_s() - t;
	stat(path, &st);
	printf("# activity log at scale: %llu events of %llu processes over %d days\n",
	       (unsigned long long)g.events, (unsigned long long)g.procs, days);
	printf("%-34s %9.1f MB   (%.1f bytes per event)\n", "file size", st.st_size / 1e6,
	       (double)st.st_size / g.events);
	printf("%-34s %9.1f s    (%.0f events/s)\n", "time to create", t, g.events / t);
	print_index(path, "the trigram index");
	cold_ok = !warm_only && drop_caches();
	printf("%-34s %12s %9s  %11s %9s\n", "", "warm", "target", "cold", "target");
	{
		struct ask asks[] = {
			{ "query --pid", { .have_pid = 1, .pid = g.some_pid }, "", 0 },
			{ "query --name 'vim*'", { .name = "vim*" }, "", 0 },
			{ "query --argv 'src/m10/f1234.c'", { .argv = "src/m10/f1234.c" }, "", 0 },
			{ "query --since 1h", { .since_ns = g.t_end - 3600 * NS }, "", 0 },
			{ "tree of a 10,000-process subtree", { 0 }, "", 0 },
		};

		snprintf(key, sizeof(key), "L:%016llx:%llu:%u", (unsigned long long)BOOT,
			 (unsigned long long)g.big_make_start, g.big_make_pid);
		snprintf(asks[4].tree, sizeof(asks[4].tree), "%s", key);
		for (size_t i = 0; i < sizeof(asks) / sizeof(asks[0]); i++)
			time_ask(path, &asks[i], cold_ok);
	}
	retention(path);
	if (!keep_file) {
		unlink(path);
		unlink(wal);
	}
	free(g.job.text);
	free(g.job.ev);
	return 0;
}
