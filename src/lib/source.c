/*
 * Events from a source beside the backend: the exec enforcer's denials,
 * delivered on the handle's thread and numbered with the backend's events.
 */
#include <errno.h>
#include "handle.h"
#include "loop.h"

/* The start time of the live process pid, or of the latest of that pid to
 * exit; 0 when neither is known. */
static uint64_t start_of(pn_handle *h, uint32_t pid)
{
	struct pn__proc *p = pn__pt_find_pid(&h->table, pid);

	if (p)
		return p->start_ns;
	for (unsigned i = 1; i <= PN__GONE; i++) {
		const struct pn__gone *g = &h->gone[(h->gone_next - i) % PN__GONE];

		if (g->pid == pid)
			return g->start_ns;
	}
	return 0;
}

/* A denial names its process and parent by pid: their keys come from the
 * table, which has seen their forks (the denial may arrive after the exit
 * of a refused child: the last exits are remembered for that). */
static void keys_from_table(pn_handle *h, pn_event *ev)
{
	uint64_t start = start_of(h, ev->pid);
	uint64_t pstart = (ev->have & PN_HAVE_PARENT) ? start_of(h, ev->ppid) : 0;

	if (start) {
		ev->key = (pn_key){ h->dctx.boot, start, ev->pid, h->dctx.os };
		ev->have |= PN_HAVE_START;
	}
	ev->have &= ~(uint32_t)PN_HAVE_PARENT; /* ppid goes with its key, never alone */
	if (pstart) {
		ev->parent_key = (pn_key){ h->dctx.boot, pstart, ev->ppid, h->dctx.os };
		ev->have |= PN_HAVE_PARENT;
	}
}

void pn__deliver(pn_handle *h, pn_event *ev)
{
	if (ev->type == PN_EVENT_DENY)
		keys_from_table(h, ev);
	pn__dispatch(h, ev);
}

int pn__add_source(pn_handle *h, const struct pn__source *src)
{
	int err;

	if (h->src.close)
		return -EBUSY;
	if ((err = pn__add_fd(h->epfd, src->fd)))
		return err;
	h->src = *src;
	return 0;
}

void *pn__source_state(pn_handle *h, void (*close_fn)(void *state))
{
	return h->src.close == close_fn ? h->src.state : NULL;
}

const char *const *pn__source_syscalls(pn_handle *h)
{
	return h->src.close ? h->src.syscalls : NULL;
}


void pn__note_gone(pn_handle *h, const struct pn__proc *p)
{
	if (h->src.close)
		h->gone[h->gone_next++ % PN__GONE] = (struct pn__gone){ p->pid, p->start_ns };
}
