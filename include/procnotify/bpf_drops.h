/*
 * The BPF programs' count of the records they could not put in the ring, as
 * the library reads it: one entry per possible CPU of an mmapped array map.
 *
 * Counting per CPU keeps a storm that overflows the ring from also making
 * every CPU fight over one counter's cache line; an entry is a whole number
 * of cache lines so neighbours never share one. The library sums by_type;
 * total only tells a CPU's handlers that it has grown since the last mark.
 * Same header rules as record.h: fixed-width types, no holes.
 */
#ifndef PROCNOTIFY_BPF_DROPS_H
#define PROCNOTIFY_BPF_DROPS_H

#include "procnotify/record.h"

struct pn_cpu_drops {
	pn_u64 total;                     /* records this CPU lost */
	pn_u64 marked;                    /* total when a record last carried PN_HDR_AFTER_LOSS */
	pn_u64 by_type[PN_REC_TYPE_MAX];  /* total split by the lost record's type */
	pn_u64 pad[8 - (2 + PN_REC_TYPE_MAX) % 8]; /* to the next whole cache line */
};

PN_STATIC_ASSERT(sizeof(struct pn_cpu_drops) % 64 == 0, "pn_cpu_drops must fill whole cache lines");

#endif
