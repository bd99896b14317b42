/*
 * Bounded ring of whole records. A record may wrap around the end of the
 * buffer; the copy helpers split it in two, so no space is wasted and a
 * reader always receives it contiguous.
 *
 * Loss is a record too: after drops, the ring puts a PN_REC_LOST record
 * with their count by type in front of the next record it accepts, or at
 * the end of a read that empties it, so every drop is reported once, in
 * its place in the stream, with its types.
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
	r->unreported++;
	if (type < PN_REC_LOST_SLOTS) {
		r->drops_by_type[type]++;
		r->unreported_by_type[type]++;
	}
}

/* The lost record of the drops not reported yet, stamped like rec. */
static void take_lost(struct pn_ring *r, struct pn_rec_lost *l, pn_u64 time_ns, pn_u8 flags)
{
	memset(l, 0, sizeof(*l));
	l->hdr.type = PN_REC_LOST;
	l->hdr.version = PN_REC_VERSION;
	l->hdr.hdr_flags = flags;
	l->hdr.size = sizeof(*l);
	l->hdr.time_ns = time_ns;
	l->hdr.drops = r->drops_total;
	l->count = r->unreported;
	l->count_known = 1;
	memcpy(l->by_type, r->unreported_by_type, sizeof(l->by_type));
	r->unreported = 0;
	memset(r->unreported_by_type, 0, sizeof(r->unreported_by_type));
}

static void put(struct pn_ring *r, const struct pn_rec_hdr *rec)
{
	copy_in(r, (r->head + r->used) % r->size, rec, rec->size);
	r->used += rec->size;
	r->queued++;
}

int pn_ring_push(struct pn_ring *r, struct pn_rec_hdr *rec)
{
	pn_u32 n = rec->size, need = n + (r->unreported ? (pn_u32)sizeof(struct pn_rec_lost) : 0);
	struct pn_rec_lost lost;

	if (n < sizeof(*rec) || n > r->size || need > r->size - r->used) {
		pn_ring_drop(r, rec->type);
		return -1;
	}
	if (r->unreported) {
		take_lost(r, &lost, rec->time_ns, rec->hdr_flags);
		put(r, &lost.hdr);
	}
	rec->drops = r->drops_total;
	put(r, rec);
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

pn_u32 pn_ring_pop(struct pn_ring *r, void *out, pn_u32 cap, pn_u64 now_ns, pn_u8 flags)
{
	pn_u32 moved = 0, n;
	struct pn_rec_lost lost;

	while ((n = pn_ring_next_size(r)) != 0 && n <= cap - moved) {
		copy_out(r, r->head, (unsigned char *)out + moved, n);
		r->head = (r->head + n) % r->size;
		r->used -= n;
		moved += n;
		r->read++;
	}
	/* Drops after the last record queued: reported once the reader has the rest. */
	if (r->used == 0 && r->unreported && cap - moved >= sizeof(lost)) {
		take_lost(r, &lost, now_ns, flags);
		memcpy((unsigned char *)out + moved, &lost, sizeof(lost));
		moved += sizeof(lost);
	}
	return moved;
}

void pn_ring_reset_counters(struct pn_ring *r)
{
	r->queued = 0;
	r->dropped = 0;
	r->read = 0;
}
