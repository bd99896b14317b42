/*
 * The Windows driver's event ring (windows/common/pn_ring.c), run on Linux:
 * whole records only, wrap-around at the end of the buffer, the drop
 * counters, and records that carry the drop total at the time they were
 * queued. mk/windows.mk links the ring's source into this test.
 */
#include <stdint.h>
#include "check.h"
#include "pn_ring.h"

/* A create record of total size n whose pid marks it. */
static struct pn_rec_hdr *make_rec(unsigned char *mem, uint32_t n, uint32_t pid)
{
	struct pn_rec_create *c = (void *)mem;

	memset(mem, 0xab, n);
	memset(c, 0, sizeof(*c));
	c->hdr.type = PN_REC_CREATE;
	c->hdr.version = PN_REC_VERSION;
	c->hdr.size = n;
	c->task.pid = pid;
	return &c->hdr;
}

static uint32_t pid_at(const unsigned char *p)
{
	return ((const struct pn_rec_create *)p)->task.pid;
}

static const struct pn_rec_lost *as_lost(const unsigned char *p)
{
	return (const struct pn_rec_lost *)p;
}

static void test_fill_and_drop(void)
{
	unsigned char storage[500], rec[200], out[1000];
	struct pn_ring r;
	const struct pn_rec_lost *l = as_lost(out + 200);

	pn_ring_init(&r, storage, sizeof(storage));
	CHECK(pn_ring_next_size(&r) == 0);
	CHECK(pn_ring_pop(&r, out, sizeof(out), 1, 0) == 0);
	CHECK(pn_ring_push(&r, make_rec(rec, 200, 1)) == 0);
	CHECK(pn_ring_push(&r, make_rec(rec, 200, 2)) == 0);
	/* 400 of 500 bytes used: a third record of 200 is lost and counted. */
	CHECK(pn_ring_push(&r, make_rec(rec, 200, 3)) == -1);
	CHECK(r.drops_total == 1 && r.dropped == 1 && r.queued == 2);
	/* A record shorter than its header is malformed and never queued. */
	CHECK(pn_ring_push(&r, make_rec(rec, 8, 9)) == -1);
	CHECK(r.drops_total == 2 && r.drops_by_type[PN_REC_CREATE] == 2);
	/* A record the driver could not even build is counted under its type. */
	pn_ring_drop(&r, PN_REC_EXIT);
	CHECK(r.drops_total == 3 && r.drops_by_type[PN_REC_EXIT] == 1);
	/* 50 bytes free: a record that fits alone but not behind the lost
	 * record it must follow is dropped too. */
	CHECK(pn_ring_push(&r, make_rec(rec, 88, 5)) == -1 && r.unreported == 4);
	/* Only whole records: 399 bytes hold one 200-byte record, not two. */
	CHECK(pn_ring_next_size(&r) == 200);
	CHECK(pn_ring_pop(&r, out, 399, 1, 0) == 200);
	CHECK(pid_at(out) == 1 && ((struct pn_rec_hdr *)out)->drops == 0);
	CHECK(pn_ring_pop(&r, out, 199, 1, 0) == 0);
	/* The read that empties the ring ends with the lost record, stamped now. */
	CHECK(pn_ring_pop(&r, out, sizeof(out), 77, PN_HDR_WALLCLOCK) == 200 + sizeof(*l));
	CHECK(pid_at(out) == 2 && l->hdr.type == PN_REC_LOST && l->hdr.time_ns == 77 &&
	      l->hdr.hdr_flags == PN_HDR_WALLCLOCK && l->count == 4 && l->count_known == 1 &&
	      l->by_type[PN_REC_CREATE] == 3 && l->by_type[PN_REC_EXIT] == 1);
	CHECK(r.read == 2 && r.used == 0 && r.unreported == 0);
	CHECK(pn_ring_pop(&r, out, sizeof(out), 1, 0) == 0); /* reported once */
	/* Drops then a record: the lost record goes in front of it, with its time. */
	pn_ring_drop(&r, PN_REC_EXIT);
	CHECK(pn_ring_push(&r, make_rec(rec, 100, 4)) == 0);
	CHECK(pn_ring_pop(&r, out, sizeof(out), 1, 0) == sizeof(*l) + 100);
	l = as_lost(out);
	CHECK(l->hdr.type == PN_REC_LOST && l->count == 1 && l->by_type[PN_REC_EXIT] == 1);
	CHECK(pid_at(out + sizeof(*l)) == 4 && ((struct pn_rec_hdr *)(out + sizeof(*l)))->drops == 5);
	pn_ring_reset_counters(&r);
	CHECK(r.queued == 0 && r.dropped == 0 && r.read == 0 && r.drops_total == 5 &&
	      r.drops_by_type[PN_REC_CREATE] == 3);
}

/* Records of odd sizes walk around a small ring many times; every byte must survive. */
static void test_wrap(void)
{
	unsigned char storage[301], rec[120], out[120];
	struct pn_ring r;
	int bad = 0;

	pn_ring_init(&r, storage, sizeof(storage));
	for (uint32_t i = 0; i < 1000; i++) {
		uint32_t n = 24 + 40 + (i * 7) % 56;
		struct pn_rec_hdr *h = make_rec(rec, n, i);

		if (n > sizeof(struct pn_rec_create))
			rec[n - 1] = (unsigned char)i;
		if (pn_ring_push(&r, h) != 0 || pn_ring_pop(&r, out, sizeof(out), 1, 0) != n ||
		    pid_at(out) != i || memcmp(out + 24, rec + 24, n - 24) != 0)
			bad++;
	}
	CHECK(bad == 0);
	CHECK(r.head != 0 && r.used == 0 && r.drops_total == 0 && r.read == 1000);
}

int main(void)
{
	test_fill_and_drop();
	test_wrap();
	return pn_test_done("test_win_ring");
}
