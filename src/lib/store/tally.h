/*
 * Counts by key for `procnotify report` (report.c): an open-addressing
 * hash of byte-string keys, each with a few counters. SQLite's GROUP BY
 * sorts every row of a window in a temporary b-tree first (half a second
 * for a day of a million events); counting into a hash as the rows go by
 * touches each row once.
 */
#ifndef PN_STORE_TALLY_H
#define PN_STORE_TALLY_H
#include <stddef.h>
#include <stdint.h>

#define PN__TALLY_N 5

struct pn__tally_entry {
	unsigned char *key;      /* its bytes, owned */
	size_t len;
	uint64_t n[PN__TALLY_N];  /* counters; what each means is the caller's */
	int64_t first;           /* the earliest time seen, or INT64_MAX */
	int flag;                /* the caller's */
};

struct pn__tally {
	struct pn__tally_entry *e;
	size_t n, cap;
	uint32_t *slot;          /* index + 1 into e, 0 free */
	size_t nslot;            /* a power of two, at least twice n */
};

/* The entry of key, made (counters 0, first INT64_MAX) when new; NULL
 * without memory. */
struct pn__tally_entry *pn__tally_get(struct pn__tally *t, const void *key, size_t len);
/* The entry of key, or NULL when there is none. */
struct pn__tally_entry *pn__tally_find(const struct pn__tally *t, const void *key, size_t len);
void pn__tally_free(struct pn__tally *t);

/* The entries that pass keep (all when keep is NULL), sorted by cmp, the
 * first limit of them (0: all); *n of them, of *total that passed. The
 * array is the caller's to free; NULL without memory. */
struct pn__tally_entry **pn__tally_sorted(const struct pn__tally *t,
					  int (*keep)(const struct pn__tally_entry *),
					  int (*cmp)(const void *, const void *), size_t limit,
					  size_t *n, size_t *total);
/* Orders keys as memcmp does, a shorter prefix first: for ties. */
int pn__tally_key_cmp(const struct pn__tally_entry *a, const struct pn__tally_entry *b);
#endif
