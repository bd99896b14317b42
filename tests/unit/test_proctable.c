/* The process table: PID reuse, unknown exits, resync sweep, the bound. */
#include "proctable.h"
#include "check.h"

static void reuse(void)
{
	struct pn__proctable pt;
	struct pn__proc *p;
	pn_str comm = { "old", 3 };

	CHECK(pn__pt_init(&pt, 0) == 0);
	p = pn__pt_put(&pt, 100, 1111);
	CHECK(p && pn__pt_set_image(p, "/bin/old", 8) == 0);
	pn__pt_set_comm(p, &comm);
	CHECK(pn__pt_find(&pt, 100, 1111) == p);
	/* Same pid, new start time: a different process owns the pid now. */
	p = pn__pt_put(&pt, 100, 2222);
	CHECK(p && p->image == NULL && p->comm[0] == 0);
	CHECK(pn__pt_find(&pt, 100, 1111) == NULL);
	CHECK(pn__pt_find(&pt, 100, 2222) == p);
	CHECK(pt.used == 1);
	/* An exit of a process never seen finds nothing, and breaks nothing. */
	CHECK(pn__pt_find(&pt, 555, 1) == NULL);
	pn__pt_free(&pt);
}

static void many_and_sweep(void)
{
	struct pn__proctable pt;
	size_t alive = 0;

	CHECK(pn__pt_init(&pt, 0) == 0);
	for (uint32_t pid = 1; pid <= 50000; pid++)
		pn__pt_put(&pt, pid, pid * 10ULL);
	CHECK(pt.used == 50000);
	for (uint32_t pid = 1; pid <= 50000; pid += 2)
		pn__pt_remove(&pt, pn__pt_find(&pt, pid, pid * 10ULL));
	CHECK(pt.used == 25000);
	/* Resync: only multiples of 4 are seen alive again. */
	pn__pt_begin_mark(&pt);
	for (uint32_t pid = 4; pid <= 50000; pid += 4)
		pn__pt_put(&pt, pid, pid * 10ULL);
	CHECK(pn__pt_sweep(&pt) == 12500);
	for (uint32_t pid = 1; pid <= 50000; pid++)
		alive += pn__pt_find(&pt, pid, pid * 10ULL) != NULL;
	CHECK(alive == 12500 && pt.used == 12500);
	pn__pt_free(&pt);
}

static void bound(void)
{
	struct pn__proctable pt;

	CHECK(pn__pt_init(&pt, 100) == 0);
	for (uint32_t pid = 1; pid <= 150; pid++)
		pn__pt_put(&pt, pid, 1);
	CHECK(pt.used == 100 && pt.evicted == 50);
	/* Updating a known process still works at the bound. */
	CHECK(pn__pt_put(&pt, 5, 1) != NULL);
	pn__pt_free(&pt);
}

int main(void)
{
	reuse();
	many_and_sweep();
	bound();
	return pn_test_done("test_proctable");
}
