/* Live rules on a handle (pn_set_rules): the core asks for each event's
 * verdict before numbering it. */
#ifndef PN_RULES_LIVE_H
#define PN_RULES_LIVE_H
#include "procnotify/rules.h"
#include "proctable.h"

struct pn__live_rules {
	pn_rules *rules;   /* a reference, or NULL */
	char tags[PN_RULES_MAX_TAGS * 66]; /* the last kept event's pn_event.rules */
};

/* Replaces the rules (a new reference to r; the old one is dropped). */
void pn__live_rules_set(struct pn__live_rules *lr, pn_rules *r);
/* 0: a rule drops ev; 1: keep it, with ev->rules set to its tags. */
int pn__live_rules_apply(struct pn__live_rules *lr, struct pn__proctable *table, pn_event *ev);
#endif
