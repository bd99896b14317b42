/*
 * The netlink backend's task table: growth past its first size, deletion
 * inside a run of colliding entries (and one that wraps past the end),
 * the bound, and the counting of threads across exec and PID reuse.
 */
#include <errno.h>
#include "linux/nl_tasks.h"
#include "check.h"

#define FIRST_CAP 1024 /* MIN_CAP in nl_tasks.c */

static size_t home(uint32_t tid, size_t cap)
{
	return (tid * 2654435761u) & (cap - 1);
}

/* n task ids whose home slot is h in a table of FIRST_CAP slots. */
static void colliding(uint32_t *out, int n, size_t h)
{
	for (uint32_t tid = 1; n > 0; tid++)
		if (home(tid, FIRST_CAP) == h)
			*out++ = tid, n--;
}

/* 1 when exactly the tids whose bit is not in gone are found. */
static int found_but(struct pn__nt *t, const uint32_t *tids, int n, unsigned gone)
{
	for (int i = 0; i < n; i++)
		if (!pn__nt_proc(t, tids[i]) != !!(gone & 1u << i))
			return 0;
	return 1;
}

static void growth(void)
{
	struct pn__nt t;
	int added = 0, found = 0;

	CHECK(pn__nt_init(&t, 0) == 0);
	for (uint32_t pid = 1; pid <= 5000; pid++)
		added += pn__nt_add_proc(&t, pid, 1, pid * 7ULL, 1) != NULL;
	CHECK(added == 5000 && t.used == 5000 && t.cap >= 10000);
	for (uint32_t pid = 1; pid <= 5000; pid++) {
		struct pn__nt_entry *e = pn__nt_proc(&t, pid);

		found += e && e->start_ns == pid * 7ULL && e->nthreads == 1;
	}
	CHECK(found == 5000);
	pn__nt_clear(&t);
	CHECK(t.used == 0 && !pn__nt_proc(&t, 1));
	pn__nt_free(&t);
}

/* Backward-shift deletion: removing an entry from the middle of a run must
 * leave every later entry of the run findable, including entries whose
 * home is after the hole, and runs that wrap from the last slot to 0. */
static void deletion(void)
{
	uint32_t run[9], wrap[6], h200[2], abc[3];
	struct pn__nt t;

	CHECK(pn__nt_init(&t, 0) == 0);
	colliding(run, 8, 100);
	/* The last one's home is inside the run, so it is placed after it. */
	colliding(&run[8], 1, 103);
	for (int i = 0; i < 9; i++)
		pn__nt_add_proc(&t, run[i], 1, i, 1);
	CHECK(found_but(&t, run, 9, 0));
	pn__nt_forget(&t, run[2]);
	CHECK(found_but(&t, run, 9, 1u << 2));
	pn__nt_forget(&t, run[5]);
	CHECK(found_but(&t, run, 9, 1u << 2 | 1u << 5));
	CHECK(t.used == 7);
	pn__nt_forget(&t, run[2]); /* gone already: nothing changes */
	CHECK(t.used == 7 && found_but(&t, run, 9, 1u << 2 | 1u << 5));

	/* An entry at its own home just after the hole stays there: 200 holds
	 * a, 201 b (home 201), 202 c (home 200); a goes, c moves, b does not. */
	colliding(h200, 2, 200);
	abc[0] = h200[0];
	colliding(&abc[1], 1, 201);
	abc[2] = h200[1];
	for (int i = 0; i < 3; i++)
		pn__nt_add_proc(&t, abc[i], 1, i, 1);
	pn__nt_forget(&t, abc[0]);
	CHECK(found_but(&t, abc, 3, 1u << 0));

	colliding(wrap, 6, FIRST_CAP - 2);
	for (int i = 0; i < 6; i++)
		pn__nt_add_proc(&t, wrap[i], 1, i, 1);
	pn__nt_forget(&t, wrap[0]);
	CHECK(found_but(&t, wrap, 6, 1u << 0));
	pn__nt_forget(&t, wrap[3]);
	CHECK(found_but(&t, wrap, 6, 1u << 0 | 1u << 3));
	pn__nt_free(&t);
}

static void bound(void)
{
	struct pn__nt t;

	CHECK(pn__nt_init(&t, 10) == 0);
	for (uint32_t pid = 1; pid <= 10; pid++)
		CHECK(pn__nt_add_proc(&t, pid, 1, pid, 1) != NULL);
	CHECK(pn__nt_add_proc(&t, 11, 1, 11, 1) == NULL);
	pn__nt_add_thread(&t, 12, 1); /* no room: not counted */
	CHECK(pn__nt_proc(&t, 1)->nthreads == 1);
	CHECK(pn__nt_add_proc(&t, 5, 1, 5, 1) != NULL); /* a known one still is */
	pn__nt_free(&t);
}

static void threads(void)
{
	struct pn__nt t;
	struct pn__nt_entry *p;

	CHECK(pn__nt_init(&t, 0) == 0);
	p = pn__nt_add_proc(&t, 100, 1, 1000, 1);
	pn__nt_add_thread(&t, 101, 100);
	pn__nt_add_thread(&t, 101, 100); /* the snapshot and a queued fork both saw it */
	pn__nt_add_thread(&t, 100, 100); /* the leader is no thread of its own */
	pn__nt_add_thread(&t, 102, 999); /* of a process never seen */
	p = pn__nt_proc(&t, 100);
	CHECK(p && p->nthreads == 2);
	CHECK(pn__nt_task_exit(&t, 101, 100) == 0);
	CHECK(pn__nt_task_exit(&t, 101, 100) == 0); /* twice: counted once */
	CHECK(pn__nt_task_exit(&t, 100, 100) == 1);
	CHECK(pn__nt_task_exit(&t, 555, 555) == -ENOENT);
	CHECK(pn__nt_task_exit(&t, 556, 555) == -ENOENT);

	/* exec: the threads from before no longer count, whenever they exit. */
	p = pn__nt_add_proc(&t, 200, 1, 2000, 1);
	pn__nt_add_thread(&t, 201, 200);
	pn__nt_add_thread(&t, 202, 200);
	pn__nt_exec(&t, pn__nt_proc(&t, 200));
	CHECK(pn__nt_task_exit(&t, 201, 200) == 0);
	CHECK(pn__nt_task_exit(&t, 200, 200) == 1);
	CHECK(pn__nt_task_exit(&t, 202, 200) == 1);

	/* PID reuse: a new start time is a new process; the old one's threads
	 * are orphans. An unknown start contradicts nothing. */
	pn__nt_add_proc(&t, 300, 1, 3000, 1);
	pn__nt_add_thread(&t, 301, 300);
	p = pn__nt_add_proc(&t, 300, 1, 3001, 1);
	CHECK(p->nthreads == 1 && p->start_ns == 3001);
	CHECK(pn__nt_add_proc(&t, 300, 0, 0, 1) == p && p->start_ns == 3001);
	CHECK(pn__nt_task_exit(&t, 301, 300) == 0);
	p = pn__nt_add_proc(&t, 400, 0, 0, 1);
	CHECK(pn__nt_add_proc(&t, 400, 1, 4000, 1) == p && p->has_start && p->start_ns == 4000);

	/* A zombie leader from the snapshot: its live threads keep it. */
	p = pn__nt_add_proc(&t, 500, 1, 5000, 0);
	CHECK(p->nthreads == 0 && !p->leader_live);
	pn__nt_add_thread(&t, 501, 500);
	CHECK(pn__nt_task_exit(&t, 500, 500) == 0);
	CHECK(pn__nt_task_exit(&t, 501, 500) == 1);
	pn__nt_free(&t);
}

int main(void)
{
	growth();
	deletion();
	bound();
	threads();
	return pn_test_done("test_nl_tasks");
}
