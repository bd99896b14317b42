/* Counts by key: see tally.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "tally.h"

/* Eight bytes a step (a multiply and a shift each): the keys of a report
 * are hashed once per row, a million times for a day. */
static uint64_t hash(const unsigned char *p, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n, w;

	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, p, n);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 29);
}

static int same(const struct pn__tally_entry *e, const void *key, size_t len)
{
	return e->len == len && !memcmp(e->key, key, len);
}

/* The slot that holds key, or the free slot where it would go. */
static size_t probe(const struct pn__tally *t, const void *key, size_t len)
{
	size_t mask = t->nslot - 1, i = (size_t)hash(key, len) & mask;

	while (t->slot[i] && !same(&t->e[t->slot[i] - 1], key, len))
		i = (i + 1) & mask;
	return i;
}

static int grow_slots(struct pn__tally *t)
{
	size_t nslot = t->nslot ? t->nslot * 2 : 256;
	uint32_t *slot = calloc(nslot, sizeof(*slot));

	if (!slot)
		return -ENOMEM;
	free(t->slot);
	t->slot = slot;
	t->nslot = nslot;
	for (size_t i = 0; i < t->n; i++)
		t->slot[probe(t, t->e[i].key, t->e[i].len)] = (uint32_t)i + 1;
	return 0;
}

static struct pn__tally_entry *add(struct pn__tally *t, size_t at, const void *key, size_t len)
{
	struct pn__tally_entry *e;

	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;

		if (!(e = realloc(t->e, cap * sizeof(*e))))
			return NULL;
		t->e = e;
		t->cap = cap;
	}
	e = &t->e[t->n];
	memset(e, 0, sizeof(*e));
	if (!(e->key = malloc(len ? len : 1)))
		return NULL;
	memcpy(e->key, key, len);
	e->len = len;
	e->first = INT64_MAX;
	t->slot[at] = (uint32_t)++t->n;
	return e;
}

struct pn__tally_entry *pn__tally_get(struct pn__tally *t, const void *key, size_t len)
{
	size_t i;

	if ((t->n + 1) * 2 > t->nslot && (t->n >= UINT32_MAX / 2 || grow_slots(t)))
		return NULL;
	i = probe(t, key, len);
	return t->slot[i] ? &t->e[t->slot[i] - 1] : add(t, i, key, len);
}

struct pn__tally_entry *pn__tally_find(const struct pn__tally *t, const void *key, size_t len)
{
	size_t i;

	if (!t->nslot)
		return NULL;
	i = probe(t, key, len);
	return t->slot[i] ? &t->e[t->slot[i] - 1] : NULL;
}

void pn__tally_free(struct pn__tally *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->e[i].key);
	free(t->e);
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

/* Keeps the best limit entries of v[0..*n) in order, by insertion: a
 * report shows ten of a few hundred thousand parents, and most entries
 * fail the first comparison with the last kept. */
static void select_best(struct pn__tally_entry **v, size_t *n, size_t limit,
			int (*cmp)(const void *, const void *))
{
	size_t kept = 0;

	for (size_t i = 0; i < *n; i++) {
		struct pn__tally_entry *e = v[i];
		size_t j;

		if (kept == limit && cmp(&e, &v[kept - 1]) >= 0)
			continue;
		j = kept < limit ? kept++ : kept - 1;
		for (; j > 0 && cmp(&e, &v[j - 1]) < 0; j--)
			v[j] = v[j - 1];
		v[j] = e;
	}
	*n = kept;
}

struct pn__tally_entry **pn__tally_sorted(const struct pn__tally *t,
					  int (*keep)(const struct pn__tally_entry *),
					  int (*cmp)(const void *, const void *), size_t limit,
					  size_t *n, size_t *total)
{
	struct pn__tally_entry **v = malloc((t->n ? t->n : 1) * sizeof(*v));

	*n = 0;
	if (!v)
		return NULL;
	for (size_t i = 0; i < t->n; i++)
		if (!keep || keep(&t->e[i]))
			v[(*n)++] = &t->e[i];
	*total = *n;
	if (limit && limit < *n)
		select_best(v, n, limit, cmp);
	else
		qsort(v, *n, sizeof(*v), cmp);
	return v;
}

int pn__tally_key_cmp(const struct pn__tally_entry *a, const struct pn__tally_entry *b)
{
	int c = memcmp(a->key, b->key, a->len < b->len ? a->len : b->len);

	return c ? c : (a->len > b->len) - (a->len < b->len);
}
