/* Open addressing with linear probing, keyed by pid. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "proctable.h"

static size_t slot_of(const struct pn__proctable *pt, uint32_t pid)
{
	return (pid * 2654435761u) & (pt->cap - 1);
}

int pn__pt_init(struct pn__proctable *pt, size_t max)
{
	memset(pt, 0, sizeof(*pt));
	pt->cap = 1024;
	pt->max = max ? max : 1048576;
	pt->slots = calloc(pt->cap, sizeof(*pt->slots));
	return pt->slots ? 0 : -ENOMEM;
}

static void clear(struct pn__proc *p)
{
	free(p->image);
	memset(p, 0, sizeof(*p));
}

void pn__pt_free(struct pn__proctable *pt)
{
	for (size_t i = 0; i < pt->cap && pt->slots; i++)
		free(pt->slots[i].image);
	free(pt->slots);
	memset(pt, 0, sizeof(*pt));
}

/* The slot holding pid, or the first free slot its probe reaches. */
static struct pn__proc *probe(struct pn__proctable *pt, uint32_t pid)
{
	struct pn__proc *tomb = NULL;

	for (size_t i = slot_of(pt, pid);; i = (i + 1) & (pt->cap - 1)) {
		struct pn__proc *p = &pt->slots[i];

		if (p->state == 1 && p->pid == pid)
			return p;
		if (p->state == 2 && !tomb)
			tomb = p;
		if (p->state == 0)
			return tomb ? tomb : p;
	}
}

static int grow(struct pn__proctable *pt)
{
	struct pn__proctable old = *pt;
	size_t cap = (pt->used * 4 > pt->cap) ? pt->cap * 2 : pt->cap;

	pt->slots = calloc(cap, sizeof(*pt->slots));
	if (!pt->slots) {
		*pt = old;
		return -ENOMEM;
	}
	pt->cap = cap;
	pt->deleted = 0;
	for (size_t i = 0; i < old.cap; i++)
		if (old.slots[i].state == 1)
			*probe(pt, old.slots[i].pid) = old.slots[i];
	free(old.slots);
	return 0;
}

struct pn__proc *pn__pt_find(struct pn__proctable *pt, uint32_t pid, uint64_t start_ns)
{
	struct pn__proc *p = probe(pt, pid);

	return (p->state == 1 && p->start_ns == start_ns) ? p : NULL;
}

struct pn__proc *pn__pt_find_pid(struct pn__proctable *pt, uint32_t pid)
{
	struct pn__proc *p = probe(pt, pid);

	return p->state == 1 ? p : NULL;
}

struct pn__proc *pn__pt_put(struct pn__proctable *pt, uint32_t pid, uint64_t start_ns)
{
	struct pn__proc *p = probe(pt, pid);

	if (p->state == 1) {
		if (p->start_ns != start_ns) {
			clear(p); /* the pid was reused: forget its last owner */
			p->state = 1;
			p->pid = pid;
			p->start_ns = start_ns;
		}
		p->mark = pt->mark;
		return p;
	}
	if (pt->used >= pt->max) {
		pt->evicted++;
		return NULL;
	}
	if ((pt->used + pt->deleted + 1) * 2 > pt->cap) {
		if (grow(pt))
			return NULL;
		p = probe(pt, pid);
	}
	if (p->state == 2)
		pt->deleted--;
	memset(p, 0, sizeof(*p));
	p->state = 1;
	p->pid = pid;
	p->start_ns = start_ns;
	p->mark = pt->mark;
	pt->used++;
	return p;
}

int pn__pt_set_image(struct pn__proc *p, const char *image, size_t len)
{
	char *copy = NULL;

	if (len) {
		copy = malloc(len);
		if (!copy)
			return -ENOMEM;
		memcpy(copy, image, len);
	}
	free(p->image);
	p->image = copy;
	p->image_len = (uint32_t)len;
	return 0;
}

void pn__pt_set_comm(struct pn__proc *p, const pn_str *comm)
{
	size_t n = comm->len < sizeof(p->comm) ? comm->len : sizeof(p->comm) - 1;

	memcpy(p->comm, comm->ptr, n);
	p->comm[n] = 0;
}

void pn__pt_set_parent(struct pn__proc *p, uint32_t ppid, uint64_t start_ns)
{
	p->ppid = ppid;
	p->parent_start_ns = start_ns;
	p->has_parent = 1;
}

void pn__pt_remove(struct pn__proctable *pt, struct pn__proc *p)
{
	clear(p);
	p->state = 2;
	pt->used--;
	pt->deleted++;
}

void pn__pt_begin_mark(struct pn__proctable *pt)
{
	pt->mark++;
}

size_t pn__pt_sweep(struct pn__proctable *pt)
{
	size_t n = 0;

	for (size_t i = 0; i < pt->cap; i++) {
		struct pn__proc *p = &pt->slots[i];

		if (p->state == 1 && p->mark != pt->mark) {
			pn__pt_remove(pt, p);
			n++;
		}
	}
	return n;
}
