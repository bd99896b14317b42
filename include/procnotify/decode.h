/*
 * The wire decoder: a record (procnotify/record.h) to a pn_event, every
 * length and reference checked against the record first. Its one
 * implementation, src/lib/decode.c, is portable C: libprocnotify and the
 * Windows client (windows/client) both compile it and call it through this
 * interface. Internal (pn__ names, not exported by the shared library): the
 * record layout is not a stable API.
 */
#ifndef PROCNOTIFY_DECODE_H
#define PROCNOTIFY_DECODE_H
#include <stddef.h>
#include <stdint.h>
#include "procnotify.h"
#include "record.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What a record does not say about its producer. */
struct pn__decode_ctx {
	int64_t mono_to_wall_ns; /* added to times that are not PN_HDR_WALLCLOCK */
	uint64_t boot;           /* pn_key.boot for this producer's host */
	uint32_t os;             /* pn_key.os */
	uint32_t host_mnt_ns;    /* the host's mount namespace (init's), 0 when unknown */
};

/* Checks the header of a record of size bytes; returns its type or -EINVAL. */
int pn__rec_check(const void *rec, size_t size);

/* Fills ev (all of it) from a checked record. Returns 0 or -EINVAL when a
 * string reference points outside the record. Strings point into rec. */
int pn__decode(const void *rec, size_t size, const struct pn__decode_ctx *c, pn_event *ev);

/* FNV-1a, for boot ids and table hashing. */
uint64_t pn__hash64(const void *p, size_t n);

#ifdef __cplusplus
}
#endif
#endif
