/*
 * The open batch in memory: copies of the events waiting for a multi-row
 * insert, and one merged record per process the batch's events touched.
 *
 * A process of a storm forks, execs and exits within milliseconds, so its
 * three events fall in one batch; merging them here turns an insert and two
 * updates of its row into one insert at commit.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "store_internal.h"

/* Strings of a batch live in blocks of this size (a longer string gets a
 * block of its own); pointers into a block stay valid until the batch ends.
 * The blocks are kept for the next batches: each is a mapping of its own,
 * and faulting fresh pages in for every batch would cost more than the copy. */
#define ARENA_BLOCK (256u << 10)

struct pn__arena_blk {
	struct pn__arena_blk *next;
	size_t cap, used;
	char data[];
};

static struct pn__arena_blk *arena_grow(struct pn__arena *a, size_t n)
{
	size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;
	struct pn__arena_blk *b = malloc(sizeof(*b) + cap);

	if (!b)
		return NULL;
	b->cap = cap;
	b->used = 0;
	b->next = a->cur ? a->cur->next : a->head;
	if (a->cur)
		a->cur->next = b;
	else
		a->head = b;
	return b;
}

static void *arena_alloc(struct pn__arena *a, size_t n)
{
	struct pn__arena_blk *b = a->cur;

	while (b && b->cap - b->used < n)
		b = b->next;
	if (!b)
		b = arena_grow(a, n);
	if (!b)
		return NULL;
	a->cur = b;
	a->bytes += n;
	b->used += n;
	return b->data + b->used - n;
}

static void arena_reset(struct pn__arena *a)
{
	for (struct pn__arena_blk *b = a->head; b; b = b->next)
		b->used = 0;
	a->cur = a->head;
	a->bytes = 0;
}

static void arena_free(struct pn__arena *a)
{
	struct pn__arena_blk *b = a->head;

	while (b) {
		struct pn__arena_blk *next = b->next;

		free(b);
		b = next;
	}
}

/* A copy of v in the batch's arena; an empty string needs no room. */
static int arena_str(struct pn__arena *a, pn_str *v)
{
	char *p;

	if (!v->len)
		return 0;
	p = arena_alloc(a, v->len);
	if (!p)
		return -ENOMEM;
	memcpy(p, v->ptr, v->len);
	v->ptr = p;
	return 0;
}

int pn__batch_init(struct pn__store_batch *b)
{
	memset(b, 0, sizeof(*b));
	b->procs = calloc(PN_STORE_BATCH_EVENTS, sizeof(*b->procs));
	b->map = calloc(2 * PN_STORE_BATCH_EVENTS, sizeof(*b->map));
	return b->procs && b->map ? 0 : -ENOMEM;
}

void pn__batch_reset(struct pn__store_batch *b)
{
	arena_reset(&b->arena);
	memset(b->map, 0, 2 * PN_STORE_BATCH_EVENTS * sizeof(*b->map));
	b->nprocs = 0;
	b->nev = 0;
}

void pn__batch_free(struct pn__store_batch *b)
{
	arena_free(&b->arena);
	free(b->procs);
	free(b->map);
}

/* Keeps a copy of ev, its strings included, for the next multi-row insert;
 * *copy is it. Its strings stay valid until the batch ends, so the record
 * of its process can point at them. Its row id is set by the caller. */
int pn__batch_queue_event(struct pn__store_batch *b, const pn_event *ev, const pn_event **copy)
{
	pn_event *c = &b->ev[b->nev];
	int rc = 0;

	*c = *ev;
	for (unsigned i = 0; !rc && i < pn__event_nstr; i++)
		rc = arena_str(&b->arena, pn__event_str(c, i));
	if (rc)
		return rc;
	b->process[b->nev++] = 0;
	*copy = c;
	return 0;
}

static int same_proc(const struct pn__store_proc *p, const pn_key *b, int64_t host)
{
	const pn_key *a = &p->key;

	return a->pid == b->pid && a->start_ns == b->start_ns && a->boot == b->boot &&
	       a->os == b->os && p->host == host;
}

/* The map slot of key on host: where its record's index + 1 is, or 0 to put it. */
static uint32_t *map_slot(struct pn__store_batch *b, const pn_key *k, int64_t host)
{
	uint32_t mask = 2 * PN_STORE_BATCH_EVENTS - 1;
	uint64_t h = (k->start_ns ^ ((uint64_t)k->pid << 32) ^ k->boot) * 0x9e3779b97f4a7c15ULL;

	for (uint32_t i = (uint32_t)(h >> 32) & mask;; i = (i + 1) & mask) {
		uint32_t *slot = &b->map[i];

		if (!*slot || same_proc(&b->procs[*slot - 1], k, host))
			return slot;
	}
}

/* The record of key in this batch; *fresh says it was just made (zeroed
 * but for its key), and the caller gives it an id. A batch has at most
 * PN_STORE_BATCH_EVENTS events, so never more records than that. The
 * same key on two hosts is two processes. */
struct pn__store_proc *pn__batch_proc(struct pn__store_batch *b, const pn_key *k, int64_t host,
				      int *fresh)
{
	uint32_t *slot = map_slot(b, k, host);
	struct pn__store_proc *p;

	*fresh = !*slot;
	if (*slot)
		return &b->procs[*slot - 1];
	p = &b->procs[b->nprocs++];
	memset(p, 0, sizeof(*p));
	p->key = *k;
	p->host = host;
	*slot = b->nprocs;
	return p;
}

/* Replaces *dst by src when known, else forgets it (an exec without
 * arguments leaves the row's arguments NULL, as it was recorded). src is
 * in the batch's arena already. */
static void take_str(struct pn__store_proc *p, pn_str *dst, const pn_str *src, uint32_t bit,
		     int known)
{
	p->known &= ~bit;
	if (!known)
		return;
	*dst = *src;
	p->known |= bit;
}

static void merge_exit(struct pn__store_proc *p, const pn_event *ev)
{
	p->known |= PN__P_EXIT;
	p->end_ns = ev->time_ns;
	p->exit_code = ev->exit_code;
	p->signal = ev->signal;
	p->core_dumped = ev->core_dumped;
}

static void merge_exec(struct pn__store_proc *p, const pn_event *ev)
{
	p->known = (p->known & ~PN__P_SNAP_ARGV) | PN__P_EXEC;
	p->exec_ns = ev->time_ns;
	p->argc = ev->argc;
	take_str(p, &p->argv, &ev->argv, PN_HAVE_ARGV, ev->have & PN_HAVE_ARGV);
	take_str(p, &p->cwd, &ev->cwd, PN_HAVE_CWD, ev->have & PN_HAVE_CWD);
}

/* What ev tells about its process, on top of what the batch knew: the
 * first known parent (an exit after the parent died names the reaper),
 * the latest ids, name and image, the latest exec's arguments, the exit.
 * ev is the batch's copy (pn__batch_queue_event), whose strings it keeps. */
void pn__batch_merge(struct pn__store_proc *p, const pn_event *ev)
{
	uint32_t h = ev->have;

	if (ev->time_ns > p->last_ns)
		p->last_ns = ev->time_ns;
	if ((h & PN_HAVE_PARENT) && !(p->known & PN_HAVE_PARENT)) {
		p->known |= PN_HAVE_PARENT;
		p->ppid = ev->ppid;
		p->parent_start = ev->parent_key.start_ns;
	}
	if (h & PN_HAVE_UID) {
		p->known |= PN_HAVE_UID;
		p->uid = ev->uid;
		p->gid = ev->gid;
		p->euid = ev->euid;
	}
	if (h & PN_HAVE_COMM)
		take_str(p, &p->comm, &ev->comm, PN_HAVE_COMM, 1);
	if (ev->type == PN_EVENT_DENY) /* refused: it goes on with its image and arguments */
		return;
	if (h & PN_HAVE_IMAGE)
		take_str(p, &p->image, &ev->image, PN_HAVE_IMAGE, 1);
	if (pn__store_is_exec(ev))
		merge_exec(p, ev);
	/* A process alive at a snapshot: its arguments as /proc showed them,
	 * unless an exec the batch saw told them first. A row the log had
	 * already keeps its exec's (write.c updates argv only with exec_ns). */
	if (ev->type == PN_EVENT_SNAPSHOT && !(p->known & PN__P_EXEC) && (h & PN_HAVE_ARGV)) {
		p->known |= PN__P_SNAP_ARGV;
		p->argc = ev->argc;
		take_str(p, &p->argv, &ev->argv, PN_HAVE_ARGV, 1);
	}
	if (ev->type == PN_EVENT_EXIT)
		merge_exit(p, ev);
}
