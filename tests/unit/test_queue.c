/*
 * The queue between the monitor's thread and a writer (the log's, each
 * output's): events copied in with their strings, read back in order,
 * across the end of the ring; refused when full and counted in a gap
 * whose lost record goes in once there is room, with the count, the
 * types, the reason and the host of the first event refused; an event
 * bigger than the whole ring refused even when it is empty.
 */
#include <errno.h>
#include <stdlib.h>
#include "check.h"
#include "store/queue.h"

/* An entry's head: its size and the pn_event (528 bytes on x86-64);
 * the ring's size is set from it so that the entries land where each
 * case needs them. */
#define H ((8 + sizeof(pn_event) + 7) & ~(size_t)7)
#define CAP (3 * H + 488)

static char filler[4096];

/* A fork of pid with comm "sh" and argv making n bytes of strings, on
 * host: an entry of H + n bytes (n a multiple of 8; n = 0: comm alone,
 * H + 8), and the host's bytes rounded up to 8. */
static pn_event ev_of(uint32_t pid, size_t n, const char *host)
{
	pn_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = PN_EVENT_FORK;
	ev.seq = pid;
	ev.time_ns = pid * 1000;
	ev.pid = pid;
	ev.comm = (pn_str){ "sh", 2 };
	ev.have = PN_HAVE_COMM;
	if (n) {
		ev.argv = (pn_str){ filler, n - 2 };
		ev.have |= PN_HAVE_ARGV;
	}
	if (host) {
		ev.host = (pn_str){ host, strlen(host) };
		ev.have |= PN_HAVE_HOST;
	}
	return ev;
}

/* Reads the entry at *off: its pid (0 for a lost record: its count),
 * its strings checked against what went in; *off moves past it. */
static uint64_t take(struct pn__queue *q, size_t *off, size_t *len)
{
	const pn_event *ev = pn__queue_at(q, *off, len);
	const unsigned char *lo = q->ring, *hi = q->ring + q->cap;

	*off = (*off + *len) % q->cap;
	if (ev->type == PN_EVENT_LOST)
		return ev->lost_count;
	CHECK(ev->comm.len == 2 && !memcmp(ev->comm.ptr, "sh", 2));
	CHECK((const unsigned char *)ev->comm.ptr > lo && (const unsigned char *)ev->comm.ptr < hi);
	CHECK(!ev->argv.len || !memcmp(ev->argv.ptr, filler, ev->argv.len));
	return ev->pid;
}

/* In order, through the end of the ring: once by a skip marker (the
 * rest of the ring could hold an entry head), once by a rest too short
 * for one. */
static void wraps(void)
{
	struct pn__queue q;
	pn_event a = ev_of(1, 272, NULL), b = ev_of(2, 0, NULL), c = ev_of(3, 216, NULL);
	size_t off = 0, len;

	CHECK(pn__queue_init(&q, CAP, PN_LOST_STORE) == 0 && q.cap == CAP);
	CHECK(pn__queue_push(&q, &a) == 0 && q.used == H + 272);
	CHECK(pn__queue_push(&q, &b) == 0 && q.used == 2 * H + 280);
	/* H + 208 bytes left at the end, C needs H + 216: it goes to the
	 * start, which A still holds. */
	CHECK(pn__queue_push(&q, &c) == -ENOSPC);
	CHECK(take(&q, &off, &len) == 1 && len == H + 272);
	pn__queue_release(&q, len);
	CHECK(pn__queue_push(&q, &c) == 0 && q.used == (H + 8) + (H + 208) + (H + 216));
	/* Wrapped: the room is what lies between C's end and B. */
	CHECK(pn__queue_push(&q, &b) == -ENOSPC);
	CHECK(take(&q, &off, &len) == 2 && len == H + 8);
	pn__queue_release(&q, len);
	CHECK(take(&q, &off, &len) == 3 && len == (H + 208) + (H + 216) && off == H + 216);
	pn__queue_release(&q, len);
	CHECK(q.used == 0);

	/* Three of H + 8 leave 464 bytes at the end: less than a head. */
	for (uint32_t pid = 10; pid < 13; pid++) {
		b = ev_of(pid, 0, NULL);
		CHECK(pn__queue_push(&q, &b) == 0);
	}
	off = q.head;
	CHECK(q.head == 0 && take(&q, &off, &len) == 10);
	pn__queue_release(&q, len);
	b = ev_of(13, 0, NULL);
	CHECK(pn__queue_push(&q, &b) == 0);
	CHECK(take(&q, &off, &len) == 11 && take(&q, &off, &len) == 12);
	pn__queue_release(&q, 2 * (H + 8));
	CHECK(take(&q, &off, &len) == 13 && len == 464 + H + 8);
	pn__queue_release(&q, len);
	CHECK(q.used == 0);
	pn__queue_free(&q);
}

/* Refused events make a gap: its lost record goes in ahead of the next
 * event that fits, and into the report the owner takes, summed over gaps. */
static void gaps(void)
{
	char longhost[PN_HOST_MAX + 2];
	struct pn__queue q;
	pn_event ev, big = ev_of(99, 4000, "big"), lost;
	size_t off = 0, len;
	uint64_t got[8];
	int n = 0;

	memset(longhost, 'h', sizeof(longhost) - 1);
	longhost[sizeof(longhost) - 1] = 0;
	CHECK(pn__queue_init(&q, CAP, PN_LOST_OUTPUT) == 0);
	/* Bigger than the ring: refused even when it is empty. */
	CHECK(pn__queue_push(&q, &big) == -ENOSPC && q.used == 0);
	CHECK(pn__queue_offer(&q, &big) == -ENOSPC);
	for (uint32_t pid = 2; pid < 5; pid++) {
		ev = ev_of(pid, 0, pid == 4 ? "zzz" : NULL);
		CHECK(pn__queue_offer(&q, &ev) == (pid < 4 ? 0 : -ENOSPC));
	}
	/* The first gap's record went in before pid 2; pid 4 began a second,
	 * whose record does not fit either. */
	ev = ev_of(5, 0, NULL);
	ev.type = PN_EVENT_DENY;    /* a type lost records do not count by */
	CHECK(pn__queue_offer(&q, &ev) == -ENOSPC);
	CHECK(q.gap.lost_count == 2 && q.gap.seq == 4 && (q.gap.have & PN_HAVE_HOST) &&
	      q.gap.host.len == 3 && !memcmp(q.gap.host.ptr, "zzz", 3));
	CHECK(q.gap.lost_by_type[PN_EVENT_FORK] == 1);
	for (int t = 0; t < PN_LOST_SLOTS; t++)
		CHECK(t == PN_EVENT_FORK || q.gap.lost_by_type[t] == 0);
	while (q.used) {
		const pn_event *e = pn__queue_at(&q, off, &len);

		if (e->type == PN_EVENT_LOST) {
			CHECK(e->lost_count == 1 && e->lost_count_known && e->seq == 99 &&
			      e->lost_reason == PN_LOST_OUTPUT && e->lost_by_type[PN_EVENT_FORK] == 1);
			CHECK((e->have & PN_HAVE_HOST) && e->host.len == 3 && !memcmp(e->host.ptr, "big", 3));
		}
		got[n++] = take(&q, &off, &len);
		pn__queue_release(&q, len);
	}
	CHECK(n == 3 && got[0] == 1 && got[1] == 2 && got[2] == 3);
	/* Room again: the second gap's record, then the event. */
	ev = ev_of(6, 0, longhost);
	CHECK(pn__queue_offer(&q, &ev) == 0);
	lost = *pn__queue_at(&q, q.head, &len);
	CHECK(lost.type == PN_EVENT_LOST && lost.lost_count == 2 && lost.seq == 4);
	/* The report sums both gaps, with the first one's seq and host;
	 * taken once. */
	CHECK(pn__queue_take_report(&q, &lost) == 1);
	CHECK(lost.lost_count == 3 && lost.lost_by_type[PN_EVENT_FORK] == 2 &&
	      lost.lost_reason == PN_LOST_OUTPUT && lost.seq == 99);
	CHECK((lost.have & PN_HAVE_HOST) && lost.host.len == 3 && !memcmp(lost.host.ptr, "big", 3));
	CHECK(pn__queue_take_report(&q, &lost) == 0);
	/* A host too long for any event is not copied into a lost record. */
	pn__queue_release(&q, q.used);
	for (uint32_t pid = 7; pid < 10; pid++) {
		ev = ev_of(pid, 0, longhost);
		(void)pn__queue_offer(&q, &ev);
	}
	CHECK(q.gap.lost_count == 1 && !(q.gap.have & PN_HAVE_HOST));
	pn__queue_free(&q);
}

int main(void)
{
	memset(filler, 'a', sizeof(filler));
	wraps();
	gaps();
	return pn_test_done("test_queue");
}
