/*
 * Live rules on a handle's stream: the verdict of each event before it is
 * numbered and dispatched, its ancestors read from the process table.
 */
#include <errno.h>
#include <string.h>
#include "live.h"
#include "rules_internal.h"

/* A walk up the process table, one step per depth. */
struct walk {
	struct pn__proctable *table;
	const pn_event *ev;
	unsigned depth;            /* of cur */
	const struct pn__proc *cur;
};

static int walk_ancestor(void *user, unsigned depth, pn_str *image)
{
	struct walk *w = user;

	if (depth == 1) {
		w->cur = (w->ev->have & PN_HAVE_PARENT)
				 ? pn__pt_find(w->table, w->ev->ppid, w->ev->parent_key.start_ns)
				 : NULL;
	} else if (depth == w->depth + 1 && w->cur) {
		w->cur = w->cur->has_parent
				 ? pn__pt_find(w->table, w->cur->ppid, w->cur->parent_start_ns)
				 : NULL;
	} else {
		w->cur = NULL; /* the engine walks in order: this is a misuse */
	}
	w->depth = depth;
	if (!w->cur)
		return -ENOENT;
	if (!w->cur->image)
		return 1;
	*image = (pn_str){ w->cur->image, w->cur->image_len };
	return 0;
}

void pn__live_rules_set(struct pn__live_rules *lr, pn_rules *r)
{
	pn_rules *old = lr->rules;

	lr->rules = pn_rules_ref(r);
	pn_rules_free(old);
}

int pn__live_rules_apply(struct pn__live_rules *lr, struct pn__proctable *table, pn_event *ev)
{
	struct walk w = { table, ev, 0, NULL };
	pn_rules_input in = { ev, NULL, walk_ancestor, &w };
	pn_rules_verdict v;
	size_t first;

	if (!lr->rules || pn_rules_eval(lr->rules, &in, PN_RULES_OUTPUT, &v))
		return 1;
	if (!v.keep && !(PN_MASK(ev->type) & PN__RULES_UNDROPPABLE))
		return 0;
	if (!v.ntags)
		return 1;
	/* A denial comes with the deny rule's name: it stays first. */
	first = ev->type == PN_EVENT_DENY && ev->rules.len < sizeof(lr->tags) / 2 ? ev->rules.len
										  : 0;
	memmove(lr->tags, ev->rules.ptr, first);
	ev->rules.ptr = lr->tags;
	ev->rules.len = first + pn_rules_tags_join(&v, lr->tags + first, sizeof(lr->tags) - first);
	return 1;
}
