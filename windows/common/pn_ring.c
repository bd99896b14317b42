/*
 * Bounded ring of whole records. A record may wrap around the end of the
 * buffer; the copy helpers split it in two, so no space is wasted and a
 * reader always receives it contiguous.
 */
#include <string.h>
#include "pn_ring.h"

void pn_ring_init(struct pn_ring *r, void *buf, pn_u32 size)
{
	memset(r, 0, sizeof(*r));
	r->buf = buf;
	r->size = size;
}

static void copy_in(struct pn_ring *r, pn_u32 pos, const void *src, pn_u32 n)
{
	pn_u32 first = r->size - pos < n ? r->size - pos : n;

	memcpy(r->buf + pos, src, first);
	memcpy(r->buf, (const unsigned char *)src + first, n - first);
}

static void copy_out(const struct pn_ring *r, pn_u32 pos, void *dst, pn_u32 n)
{
	pn_u32 first = r->size - pos < n ? r->size - pos : n;

	memcpy(dst, r->buf + pos, first);
	memcpy((unsigned char *)dst + first, r->buf, n - first);
}

void pn_ring_drop(struct pn_ring *r, pn_u16 type)
{
	r->drops_total++;
	r->dropped++;
	if (type < PN_REC_LOST_SLOTS)
		r->drops_by_type[type]++;
}

int pn_ring_push(struct pn_ring *r, struct pn_rec_hdr *rec)
{
	pn_u32 n = rec->size;

	if (n < sizeof(*rec) || n > r->size - r->used) {
		pn_ring_drop(r, rec->type);
		return -1;
	}
	rec->drops = r->drops_total;
	copy_in(r, (r->head + r->used) % r->size, rec, n);
	r->used += n;
	r->queued++;
	return 0;
}

pn_u32 pn_ring_next_size(const struct pn_ring *r)
{
	struct pn_rec_hdr h;

	if (r->used == 0)
		return 0;
	copy_out(r, r->head, &h, sizeof(h));
	return h.size;
}

pn_u32 pn_ring_pop(struct pn_ring *r, void *out, pn_u32 cap)
{
	pn_u32 moved = 0, n;

	while ((n = pn_ring_next_size(r)) != 0 && n <= cap - moved) {
		copy_out(r, r->head, (unsigned char *)out + moved, n);
		r->head = (r->head + n) % r->size;
		r->used -= n;
		moved += n;
		r->read++;
	}
	return moved;
}

void pn_ring_reset_counters(struct pn_ring *r)
{
	r->queued = 0;
	r->dropped = 0;
	r->read = 0;
}
