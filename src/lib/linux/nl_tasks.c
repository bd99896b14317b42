/*
 * Open addressing with linear probing and backward-shift deletion, so a
 * table that sees millions of short-lived tasks never fills with tombstones.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "nl_tasks.h"

#define MIN_CAP 1024

static size_t home(const struct pn__nt *t, uint32_t tid)
{
	return (tid * 2654435761u) & (t->cap - 1);
}

int pn__nt_init(struct pn__nt *t, size_t max)
{
	memset(t, 0, sizeof(*t));
	t->cap = MIN_CAP;
	t->max = max ? max : 1048576;
	t->slots = calloc(t->cap, sizeof(*t->slots));
	return t->slots ? 0 : -ENOMEM;
}

void pn__nt_free(struct pn__nt *t)
{
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

void pn__nt_clear(struct pn__nt *t)
{
	memset(t->slots, 0, t->cap * sizeof(*t->slots));
	t->used = 0;
}

/* The slot of tid, or the empty slot where it would go. */
static struct pn__nt_entry *slot(struct pn__nt *t, uint32_t tid)
{
	size_t i = home(t, tid);

	while (t->slots[i].tid && t->slots[i].tid != tid)
		i = (i + 1) & (t->cap - 1);
	return &t->slots[i];
}

static struct pn__nt_entry *find(struct pn__nt *t, uint32_t tid)
{
	struct pn__nt_entry *e = slot(t, tid);

	return e->tid ? e : NULL;
}

static int grow(struct pn__nt *t)
{
	struct pn__nt old = *t;

	t->slots = calloc(old.cap * 2, sizeof(*t->slots));
	if (!t->slots) {
		t->slots = old.slots;
		return -ENOMEM;
	}
	t->cap = old.cap * 2;
	for (size_t i = 0; i < old.cap; i++)
		if (old.slots[i].tid)
			*slot(t, old.slots[i].tid) = old.slots[i];
	free(old.slots);
	return 0;
}

/* The entry of tid, existing or new and zeroed; NULL at the bound. */
static struct pn__nt_entry *insert(struct pn__nt *t, uint32_t tid)
{
	struct pn__nt_entry *e = slot(t, tid);

	if (e->tid)
		return e;
	if (t->used >= t->max)
		return NULL;
	if ((t->used + 1) * 2 > t->cap) {
		if (grow(t))
			return NULL;
		e = slot(t, tid);
	}
	memset(e, 0, sizeof(*e));
	e->tid = tid;
	t->used++;
	return e;
}

void pn__nt_forget(struct pn__nt *t, uint32_t tid)
{
	size_t mask = t->cap - 1, i = (size_t)(slot(t, tid) - t->slots), j = i;

	if (!t->slots[i].tid)
		return;
	/* Move back each later entry of the run whose home is not in (i, j]. */
	for (j = (j + 1) & mask; t->slots[j].tid; j = (j + 1) & mask) {
		size_t k = home(t, t->slots[j].tid);

		if (((j - k) & mask) >= ((j - i) & mask)) {
			t->slots[i] = t->slots[j];
			i = j;
		}
	}
	t->slots[i].tid = 0;
	t->used--;
}

struct pn__nt_entry *pn__nt_proc(struct pn__nt *t, uint32_t tgid)
{
	struct pn__nt_entry *e = find(t, tgid);

	return (e && e->tgid == tgid) ? e : NULL;
}

struct pn__nt_entry *pn__nt_add_proc(struct pn__nt *t, uint32_t tgid, int has_start,
				     uint64_t start_ns, int leader_live)
{
	struct pn__nt_entry *e = insert(t, tgid);

	if (!e)
		return NULL;
	/* An unknown start time never contradicts a known one. */
	if (e->tgid == tgid && (!has_start || !e->has_start || e->start_ns == start_ns)) {
		if (has_start && !e->has_start) {
			e->has_start = 1;
			e->start_ns = start_ns;
		}
		return e;
	}
	/* A new owner of this pid: a fresh generation orphans the threads of
	 * any earlier one. */
	memset(e, 0, sizeof(*e));
	e->tid = e->tgid = tgid;
	e->gen = ++t->next_gen;
	e->has_start = !!has_start;
	e->start_ns = start_ns;
	e->leader_live = !!leader_live;
	e->nthreads = e->leader_live;
	return e;
}

void pn__nt_add_thread(struct pn__nt *t, uint32_t tid, uint32_t tgid)
{
	struct pn__nt_entry *p = pn__nt_proc(t, tgid), *e;
	uint32_t gen;

	if (!p || tid == tgid)
		return;
	gen = p->gen;
	e = insert(t, tid);
	if (!e || (e->tgid == tgid && e->gen == gen))
		return;
	e->tgid = tgid;
	e->gen = gen;
	/* insert() may have moved the table: find the process again. */
	pn__nt_proc(t, tgid)->nthreads++;
}

void pn__nt_exec(struct pn__nt *t, struct pn__nt_entry *p)
{
	p->gen = ++t->next_gen;
	p->nthreads = 1;
	p->leader_live = 1;
}

int pn__nt_task_exit(struct pn__nt *t, uint32_t tid, uint32_t tgid)
{
	struct pn__nt_entry *p = pn__nt_proc(t, tgid), *e;
	int counted = 0;

	if (tid == tgid) {
		if (!p)
			return -ENOENT;
		counted = p->leader_live;
		p->leader_live = 0;
	} else {
		e = find(t, tid);
		if (e && e->tgid == tgid && e->tid != tgid) {
			counted = p && e->gen == p->gen;
			pn__nt_forget(t, tid);
		}
		p = pn__nt_proc(t, tgid);
		if (!p)
			return -ENOENT;
	}
	if (counted && p->nthreads)
		p->nthreads--;
	return p->nthreads == 0;
}
