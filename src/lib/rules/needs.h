/* What a set's rules of one action read (needs.c): PN_NEED_* bits. */
#ifndef PN_RULES_NEEDS_H
#define PN_RULES_NEEDS_H
#include <stdint.h>
#include "procnotify/rules.h"

uint32_t pn__rules_needs(const pn_rules *r, enum pn_rule_action action);
#endif
