/*
 * The driver's event queue: a bounded byte ring of whole wire records
 * (include/procnotify/record.h) with drop counters. Drops are reported in
 * the stream itself, as PN_REC_LOST records with their count by type.
 *
 * Portable C with no locking and no allocation, so that the same file is
 * compiled into the Windows driver (which wraps every call in its spin lock)
 * and into a Linux unit test that exercises wrap-around and loss.
 */
#ifndef PN_RING_H
#define PN_RING_H
#include "procnotify/record.h"

struct pn_ring {
	unsigned char *buf;
	pn_u32 size;        /* capacity in bytes */
	pn_u32 head;        /* offset of the oldest record */
	pn_u32 used;        /* bytes of records waiting */
	pn_u64 drops_total; /* records lost since load; never reset (records carry it) */
	pn_u64 drops_by_type[PN_REC_LOST_SLOTS]; /* drops_total by pn_rec_type */
	pn_u64 unreported;  /* drops no lost record in the ring has reported yet */
	pn_u64 unreported_by_type[PN_REC_LOST_SLOTS];
	pn_u64 queued;      /* records accepted since the last counter reset */
	pn_u64 dropped;     /* records lost since the last counter reset */
	pn_u64 read;        /* records handed out since the last counter reset */
};

/* Uses buf (size bytes) as the empty ring's storage. */
void pn_ring_init(struct pn_ring *r, void *buf, pn_u32 size);

/*
 * Appends the record rec (rec->size bytes), first setting rec->drops to the
 * ring's drop total, and preceded by a lost record when drops are not yet
 * reported. Returns 0, or -1 when it does not fit (or is malformed): then
 * it is counted as dropped.
 */
int pn_ring_push(struct pn_ring *r, struct pn_rec_hdr *rec);

/* Counts one record of type (enum pn_rec_type) that the producer lost
 * before it reached the ring. */
void pn_ring_drop(struct pn_ring *r, pn_u16 type);

/* Size of the oldest record, 0 when the ring is empty. */
pn_u32 pn_ring_next_size(const struct pn_ring *r);

/*
 * Moves as many whole records as fit in cap bytes to out; returns the bytes
 * moved. When that empties the ring and drops are still unreported, a lost
 * record stamped now_ns (with hdr_flags flags) follows, room permitting.
 */
pn_u32 pn_ring_pop(struct pn_ring *r, void *out, pn_u32 cap, pn_u64 now_ns, pn_u8 flags);

/* Zeroes queued, dropped and read; drops_total stays. */
void pn_ring_reset_counters(struct pn_ring *r);
#endif
