/*
 * --where EXPR: the events a rule expression matches, compiled by the
 * engine the live rules use (src/lib/rules), so that `query` and `report`
 * select what a live rule would have kept.
 */
#ifndef PN_CLI_WHERE_H
#define PN_CLI_WHERE_H
#include <stddef.h>
#include "cli.h"
#include "procnotify/rules.h"

struct cli_where {
	const char *expr;        /* as given, or NULL */
	pn_rules *rules;         /* compiled from it */
};

/* The option row of a struct cli_where at offset at of the options. */
#define CLI_WHERE_ROW(at)                                                             \
	{ .name = "where", .arg = "EXPR",                                              \
	  .help = "events the rule expression EXPR matches, as a live\n"               \
		  "rule would ('image=/usr/bin/* and uid=0'; see\n"                    \
		  "procnotify-rules(7))",                                              \
	  .parse = pn_opt_string, .off = (at) + offsetof(struct cli_where, expr),     \
	  .flags = PN_OPT_ONCE }

/* Compiles the expression: 0, or PN_EXIT_USAGE after one line saying where
 * it is wrong. */
int cli_where_read(struct cli_where *w);

/* 1 when the event passes (always without --where); lost records always
 * do, as they pass every process filter and as no live rule can drop one.
 * s answers the expression's questions about ancestors. */
int cli_where_matches(pn_store *s, const struct cli_where *w, const pn_event *ev);

void cli_where_free(struct cli_where *w);
#endif
