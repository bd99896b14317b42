/*
 * Writes a synthetic activity log for the report and HTML benchmarks
 * (bench/report_bench.py) through the real writer, pn_store_event().
 *
 * Usage: report_gen FILE EVENTS DAYS
 *
 * A day-shaped history of about EVENTS events (fork, exec and exit of
 * EVENTS / 3 processes) spread evenly over DAYS days that end at
 * 2026-12-02T00:00:00Z: 600 images, of which the most used run far more
 * often (a skewed draw), 40 of them only in the last day (new images);
 * 24 users; 1 in 20 exits with a non-zero status and 1 in 100 by a
 * signal; every process the child of one of the 2,000 before it, so the
 * parents section has processes with many children.
 *
 * Usage: report_gen FILE tree N
 *
 * One tree of N processes (the `tree --html` benchmark): a root whose
 * descendants are 4 to a parent, each with arguments, a second of life
 * and an outcome that cycles through exit 0, exit 1 and SIGKILL.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "procnotify.h"
#include "procnotify/store.h"

#define END_NS (1796169600LL * 1000000000LL) /* 2026-12-02T00:00:00Z */
#define DAY_NS (86400LL * 1000000000LL)
#define BOOT 0x5c645282e5804455ULL
#define IMAGES 600
#define NEW_IMAGES 40

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double unit(void)
{
	return (double)(next() >> 11) / (double)(1ULL << 53);
}

struct proc {
	char image[64], comm[16], argv[96];
	size_t argv_len;
	uint32_t pid, uid;
	int64_t start;           /* time of its fork, wall clock */
	int exit_code, signal;
};

static pn_str str(const char *p, size_t n)
{
	return (pn_str){ p, n };
}

static void emit(pn_store *s, uint64_t *seq, pn_event *ev)
{
	ev->seq = ++*seq;
	pn_store_event(ev, s);
	if (*seq % PN_STORE_BATCH_EVENTS == 0)
		pn_store_commit(s);
}

/* Fork, exec and exit of process p, child of parent (NULL: the root). */
static void emit_proc(pn_store *s, uint64_t *seq, const struct proc *p, const struct proc *parent,
		      int64_t life)
{
	pn_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.have = PN_HAVE_UID | PN_HAVE_START | PN_HAVE_TID | PN_HAVE_COMM | PN_HAVE_IMAGE |
		  (parent ? PN_HAVE_PARENT : 0);
	ev.pid = ev.tid = p->pid;
	ev.uid = ev.euid = ev.gid = p->uid;
	ev.key = (pn_key){ BOOT, (uint64_t)p->start, p->pid, 'L' };
	if (parent) {
		ev.ppid = parent->pid;
		ev.parent_key = (pn_key){ BOOT, (uint64_t)parent->start, parent->pid, 'L' };
	}
	ev.comm = str(p->comm, strlen(p->comm));
	ev.image = parent ? str(parent->image, strlen(parent->image)) : str(p->image, strlen(p->image));
	ev.duration_ns = -1;
	ev.type = PN_EVENT_FORK;
	ev.time_ns = p->start;
	emit(s, seq, &ev);
	ev.type = PN_EVENT_EXEC;
	ev.time_ns = p->start + life / 100;
	ev.image = str(p->image, strlen(p->image));
	ev.have |= PN_HAVE_ARGV;
	ev.argv = str(p->argv, p->argv_len);
	ev.argc = 3;
	emit(s, seq, &ev);
	ev.type = PN_EVENT_EXIT;
	ev.have &= ~PN_HAVE_ARGV;
	ev.time_ns = p->start + life;
	ev.exit_code = p->signal ? -1 : p->exit_code;
	ev.signal = p->signal;
	ev.duration_ns = life;
	emit(s, seq, &ev);
}

static void name_proc(struct proc *p, size_t img, size_t i)
{
	snprintf(p->image, sizeof(p->image), "/usr/lib/suite/bin/tool-%zu", img);
	snprintf(p->comm, sizeof(p->comm), "tool-%zu", img);
	p->argv_len = (size_t)snprintf(p->argv, sizeof(p->argv), "tool-%zu%c--job%c%zu%c",
				       img, 0, 0, i, 0);
}

static int day_log(pn_store *s, size_t events, int days)
{
	size_t n = events / 3, window = 2000;
	struct proc *p = calloc(n, sizeof(*p));
	int64_t span = days * DAY_NS, t0 = END_NS - span;
	uint64_t seq = 0;

	if (!p)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		int64_t start = t0 + (int64_t)((double)span * (double)i / (double)n);
		/* A skewed draw: image 0 is the most used. The last NEW_IMAGES
		 * appear only in the last day. */
		size_t img = (size_t)((IMAGES - NEW_IMAGES) * unit() * unit() * unit());

		if (start >= END_NS - DAY_NS && next() % 50 == 0)
			img = IMAGES - NEW_IMAGES + next() % NEW_IMAGES;
		name_proc(&p[i], img, i);
		p[i].pid = 1000 + (uint32_t)(i % 30000);
		p[i].uid = (uint32_t)(next() % 4 ? 1000 + next() % 20 : next() % 2 ? 0 : 33 + next() % 3);
		p[i].start = start;
		p[i].exit_code = next() % 20 == 0 ? 1 + (int)(next() % 3) : 0;
		p[i].signal = next() % 100 == 0 ? 9 : 0;
		emit_proc(s, &seq, &p[i], i ? &p[i - 1 - next() % (i < window ? i : window)] : NULL,
			  1000000);
	}
	free(p);
	return 0;
}

static int tree_log(pn_store *s, size_t n)
{
	struct proc *p = calloc(n, sizeof(*p));
	uint64_t seq = 0;

	if (!p)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		name_proc(&p[i], i % 37, i);
		p[i].pid = 1000 + (uint32_t)i;
		p[i].uid = 1000;
		p[i].start = END_NS - DAY_NS + (int64_t)i * 50000000;
		p[i].exit_code = i % 3 == 1;
		p[i].signal = i % 3 == 2 ? 9 : 0;
		emit_proc(s, &seq, &p[i], i ? &p[(i - 1) / 4] : NULL, 1000000000);
	}
	free(p);
	return 0;
}

int main(int argc, char **argv)
{
	char err[256];
	pn_store *s;
	int rc;

	if (argc != 4) {
		fprintf(stderr, "usage: report_gen FILE EVENTS DAYS | report_gen FILE tree N\n");
		return 2;
	}
	unlink(argv[1]);
	if (pn_store_open(&s, argv[1], PN_STORE_WRITE, NULL, err, sizeof(err))) {
		fprintf(stderr, "report_gen: %s: %s\n", argv[1], err);
		return 1;
	}
	if (!strcmp(argv[2], "tree"))
		rc = tree_log(s, strtoul(argv[3], NULL, 10));
	else
		rc = day_log(s, strtoul(argv[2], NULL, 10), atoi(argv[3]));
	if (pn_store_close(s) || rc) {
		fprintf(stderr, "report_gen: writing %s failed\n", argv[1]);
		return 1;
	}
	return 0;
}
