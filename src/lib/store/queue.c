/*
 * The writer's queue: entries of [size][pn_event][strings] in a ring of
 * bytes. An entry never wraps: when it does not fit before the end, the
 * rest of the ring is skipped (a size of 0 marks it) and it starts at 0.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "columns.h"
#include "queue.h"

struct entry {
	uint64_t size;              /* bytes of the entry; 0: skip to the ring's start */
	pn_event ev;
};

#define ALIGN8(n) (((n) + 7) & ~(size_t)7)

size_t pn__queue_min_bytes(void)
{
	return ALIGN8(sizeof(struct entry) + PN_HOST_MAX);
}

int pn__queue_init(struct pn__queue *q, size_t cap, uint32_t reason)
{
	memset(q, 0, sizeof(*q));
	if (cap < pn__queue_min_bytes())
		return -EINVAL;
	q->reason = reason;
	q->cap = ALIGN8(cap);
	q->ring = malloc(q->cap);
	return q->ring ? 0 : -ENOMEM;
}

void pn__queue_free(struct pn__queue *q)
{
	free(q->ring);
	q->ring = NULL;
}

static size_t entry_size(const pn_event *ev)
{
	size_t n = sizeof(struct entry);

	for (unsigned i = 0; i < pn__event_nstr; i++)
		n += pn__event_str((pn_event *)ev, i)->len;
	return ALIGN8(n);
}

static char *put_str(char *p, pn_str *v)
{
	if (v->len)
		memcpy(p, v->ptr, v->len);
	v->ptr = p;
	return p + v->len;
}

/* Where an entry of n bytes goes, counting the end of the ring it skips
 * in *skip; -ENOSPC when it does not fit. */
static int place(struct pn__queue *q, size_t n, size_t *at, size_t *skip)
{
	size_t tail = (q->head + q->used) % q->cap;

	*skip = 0;
	if (q->used && tail <= q->head) /* wrapped: the room is [tail, head) */
		return q->head - tail >= n ? (*at = tail, 0) : -ENOSPC;
	if (q->cap - tail >= n) {
		*at = tail;
		return 0;
	}
	*skip = q->cap - tail; /* the room is [tail, cap) and [0, head) */
	*at = 0;
	return q->used ? (q->head >= n ? 0 : -ENOSPC) : (q->cap >= n ? 0 : -ENOSPC);
}

int pn__queue_push(struct pn__queue *q, const pn_event *ev)
{
	size_t n = entry_size(ev), at, skip;
	struct entry *e;
	char *p;

	if (!q->used)
		q->head = 0; /* empty: start over, the most room in one piece */
	if (place(q, n, &at, &skip))
		return -ENOSPC;
	if (skip)
		((struct entry *)(q->ring + q->cap - skip))->size = 0;
	e = (struct entry *)(q->ring + at);
	e->size = n;
	e->ev = *ev;
	p = (char *)(e + 1);
	for (unsigned i = 0; i < pn__event_nstr; i++)
		p = put_str(p, pn__event_str(&e->ev, i));
	q->used += skip + n;
	return 0;
}

void pn__queue_copy_host(pn_event *dst, char *room, const pn_event *src)
{
	size_t n = src->host.len;

	if (!(src->have & PN_HAVE_HOST) || n > PN_HOST_MAX)
		return;
	memcpy(room, src->host.ptr, n);
	dst->host = (pn_str){ room, n };
	dst->have |= PN_HAVE_HOST;
}

void pn__queue_count_gap(struct pn__queue *q, const pn_event *ev)
{
	pn_event *g = &q->gap;

	if (!g->lost_count) {
		memset(g, 0, sizeof(*g));
		g->type = PN_EVENT_LOST;
		g->seq = ev->seq;           /* the place of the gap */
		g->time_ns = ev->time_ns;
		g->duration_ns = -1;
		g->lost_count_known = 1;
		g->lost_reason = q->reason;
		pn__queue_copy_host(g, q->gap_host, ev);
	}
	g->lost_count++;
	if ((unsigned)ev->type < PN_LOST_SLOTS)
		g->lost_by_type[ev->type]++;
}

int pn__queue_close_gap(struct pn__queue *q)
{
	pn_event *r = &q->report;
	const pn_event *g = &q->gap;

	if (pn__queue_push(q, g))
		return -ENOSPC;
	if (!r->lost_count) {
		*r = *g;
		pn__queue_copy_host(r, q->report_host, g);
	} else {
		r->lost_count += g->lost_count;
		for (int t = 0; t < PN_LOST_SLOTS; t++)
			r->lost_by_type[t] += g->lost_by_type[t];
	}
	q->gap.lost_count = 0;
	return 0;
}

int pn__queue_offer(struct pn__queue *q, const pn_event *ev)
{
	int rc = q->gap.lost_count ? pn__queue_close_gap(q) : 0;

	if (!rc)
		rc = pn__queue_push(q, ev);
	if (rc)
		pn__queue_count_gap(q, ev);
	return rc;
}

int pn__queue_take_report(struct pn__queue *q, pn_event *ev)
{
	if (!q->report.lost_count)
		return 0;
	*ev = q->report;
	memset(&q->report, 0, sizeof(q->report));
	return 1;
}

const pn_event *pn__queue_at(const struct pn__queue *q, size_t off, size_t *len)
{
	const struct entry *e = (const struct entry *)(q->ring + off);

	/* The end of the ring was skipped (or is too short for an entry). */
	if (q->cap - off < sizeof(*e) || !e->size) {
		*len = q->cap - off;
		e = (const struct entry *)q->ring;
		*len += e->size;
		return &e->ev;
	}
	*len = e->size;
	return &e->ev;
}

void pn__queue_release(struct pn__queue *q, size_t n)
{
	q->head = (q->head + n) % q->cap;
	q->used -= n;
}
