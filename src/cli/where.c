/* --where EXPR for query and report: see where.h. */
#include "where.h"

int cli_where_read(struct cli_where *w)
{
	pn_rules_origin at = { "--where", 1, 1 };
	char err[512];

	if (!w->expr || !pn_rules_compile_expr(&w->rules, w->expr, &at, err, sizeof(err)))
		return 0;
	fprintf(stderr, "%s\n", err);
	return PN_EXIT_USAGE;
}

int cli_where_matches(pn_store *s, const struct cli_where *w, const pn_event *ev)
{
	pn_rules_input in = { ev, NULL, pn__store_ancestor, s };
	pn_rules_verdict v;

	if (!w->rules)
		return 1;
	pn__store_ancestry_begin(s, ev);
	return pn_rules_eval(w->rules, &in, PN_RULES_OUTPUT, &v) == 0 && v.keep;
}

void cli_where_free(struct cli_where *w)
{
	pn_rules_free(w->rules);
	w->rules = NULL;
}
