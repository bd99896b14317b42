/* Snapshot events, and the start's snapshot kept until the first delivery (snapshot.h). */
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include "handle.h"
#include "procfs.h"
#include "snapshot.h"

/* One kept process: this header, its record, its arguments, 8-aligned. */
struct kept {
	uint32_t rec_size, argv_len;
	int32_t argv_read, truncated;
};

#define ALIGN8(n) (((n) + 7) & ~(size_t)7)

static int reserve(struct pn__snapkeep *k, size_t n)
{
	size_t cap = k->cap ? k->cap : 65536;
	char *p;

	while (cap - k->len < n)
		cap *= 2;
	if (cap == k->cap)
		return 0;
	p = realloc(k->buf, cap);
	if (!p)
		return -1;
	k->buf = p;
	k->cap = cap;
	return 0;
}

void pn__snapkeep_add(struct pn__snapkeep *k, const void *rec, size_t size, uint32_t pid)
{
	size_t need = sizeof(struct kept) + ALIGN8(size) + PN_ARGV_MAX;
	struct kept *e;
	char *argv;
	ssize_t n;
	int truncated = 0;

	if (reserve(k, need))
		return;
	e = (struct kept *)(k->buf + k->len);
	memcpy(e + 1, rec, size);
	argv = (char *)(e + 1) + ALIGN8(size);
	n = pn__procfs_read(pid, "cmdline", argv, PN_ARGV_MAX, &truncated);
	*e = (struct kept){ (uint32_t)size, n > 0 ? (uint32_t)n : 0, n > 0, truncated };
	k->len += sizeof(*e) + ALIGN8(size) + ALIGN8(e->argv_len);
}

void pn__snapkeep_replay(struct pn__snapkeep *k, pn__snapkeep_fn fn, void *ctx)
{
	size_t off = 0;

	while (off < k->len) {
		const struct kept *e = (const struct kept *)(k->buf + off);
		const char *rec = (const char *)(e + 1);
		pn_str argv = { rec + ALIGN8(e->rec_size), e->argv_len };

		if (fn)
			fn(ctx, rec, e->rec_size, e->argv_read ? &argv : NULL, e->truncated);
		off += sizeof(*e) + ALIGN8(e->rec_size) + ALIGN8(e->argv_len);
	}
	free(k->buf);
	*k = (struct pn__snapkeep){ 0 };
}

/* A process alive at a snapshot, to those who asked: what the record
 * carries, and its arguments as /proc showed them (NULL: unknown), read
 * after the fact (best_effort). */
static void dispatch_snapshot(pn_handle *h, pn_event *ev, const pn_str *argv, int truncated)
{
	ev->flags |= PN_EV_BEST_EFFORT;
	if (argv) {
		ev->argv = *argv;
		ev->argc = 0;
		for (size_t i = 0; i < argv->len; i++)
			ev->argc += !argv->ptr[i];
		ev->have |= PN_HAVE_ARGV;
		ev->flags |= truncated ? PN_EV_ARGV_TRUNCATED : 0;
	}
	pn__dispatch(h, ev);
}

void pn__snapshot_record(pn_handle *h, pn_event *ev, const void *rec, size_t size)
{
	struct pn__snapshots *s = &h->snap;
	int truncated = 0;
	ssize_t n;
	pn_str argv;

	if (s->keep) {
		pn__snapkeep_add(&s->kept, rec, size, ev->pid);
		return;
	}
	if (!s->live)
		return; /* a compaction of the table: no news */
	n = pn__procfs_read(ev->pid, "cmdline", s->argv, sizeof(s->argv), &truncated);
	argv = (pn_str){ s->argv, n > 0 ? (size_t)n : 0 };
	dispatch_snapshot(h, ev, n > 0 ? &argv : NULL, truncated);
}

static void replay_one(void *ctx, const void *rec, size_t size, const pn_str *argv, int truncated)
{
	pn_handle *h = ctx;
	pn_event ev;

	if (pn__decode(rec, size, &h->dctx, &ev) == 0)
		dispatch_snapshot(h, &ev, argv, truncated);
}

void pn__snapshot_replay(pn_handle *h)
{
	h->snap.replayed = 1;
	pn__snapkeep_replay(&h->snap.kept, replay_one, h);
}
