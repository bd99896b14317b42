/*
 * Record decoding: wire record (include/procnotify/record.h) -> pn_event.
 * Portable C: the Windows client compiles it too.
 */
#ifndef PN_DECODE_H
#define PN_DECODE_H
#include <stddef.h>
#include "procnotify.h"
#include "procnotify/record.h"

struct pn__decode_ctx {
	int64_t mono_to_wall_ns; /* added to times that are not PN_HDR_WALLCLOCK */
	uint64_t boot;           /* pn_key.boot for this producer's host */
	uint32_t os;             /* pn_key.os */
};

/* Checks the header of a record of size bytes; returns its type or -EINVAL. */
int pn__rec_check(const void *rec, size_t size);

/* Fills ev (all of it) from a checked record. Returns 0 or -EINVAL when a
 * string reference points outside the record. Strings point into rec. */
int pn__decode(const void *rec, size_t size, const struct pn__decode_ctx *c, pn_event *ev);

/* FNV-1a, for boot ids and table hashing. */
uint64_t pn__hash64(const void *p, size_t n);
#endif
