/*
 * The monitor's rules: `--rule LINE` and `--rules FILE` (and their config
 * keys rule and rules), collected in order and compiled into one set once
 * the options are read. The command line's rules replace the config
 * file's, as any option given on both does. A rules file is read again on
 * every compile, so SIGHUP picks up its edits.
 */
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "rules_opt.h"

/* The next source, or NULL without memory. */
static struct pn_cli_rule_src *add_src(struct pn_opt_call *c)
{
	struct monitor_opts *o = c->opts;
	struct pn_cli_rules *rs = &o->rule_srcs;

	/* The first rule of the command line drops the file's. */
	if (!c->where && !rs->from_cli) {
		rs->n = 0;
		rs->from_cli = 1;
	}
	if (rs->n == rs->cap) {
		unsigned cap = rs->cap ? 2 * rs->cap : 8;
		struct pn_cli_rule_src *v = realloc(rs->v, cap * sizeof(*v));

		if (!v) {
			snprintf(c->why, sizeof(c->why), "out of memory");
			return NULL;
		}
		rs->v = v;
		rs->cap = cap;
	}
	return &rs->v[rs->n++];
}

static int add_rule_src(struct pn_opt_call *c, int is_file)
{
	struct monitor_opts *o = c->opts;
	struct pn_cli_rule_src *src = add_src(c);

	if (!src)
		return -1;
	src->text = c->arg;
	src->is_file = is_file;
	if (c->where) {
		src->at = (pn_rules_origin){ c->where->file, c->where->line, c->where->col };
	} else if (!is_file) {
		/* --rule:N:COL, N counting the --rule options given. */
		src->at = (pn_rules_origin){ "--rule", ++o->rule_srcs.ncli, 1 };
	}
	return 0;
}

int pn_cli_opt_rule(struct pn_opt_call *c)
{
	return add_rule_src(c, 0);
}

int pn_cli_opt_rules_file(struct pn_opt_call *c)
{
	return add_rule_src(c, 1);
}

int pn_cli_rules_compile(struct monitor_opts *o)
{
	const struct pn_cli_rules *rs = &o->rule_srcs;
	char err[512];
	int rc = 0;

	o->rules = NULL;
	if (!rs->n)
		return 0;
	if (pn_rules_new(&o->rules)) {
		fprintf(stderr, "procnotify: out of memory\n");
		return PN_EXIT_FAIL;
	}
	for (unsigned i = 0; !rc && i < rs->n; i++) {
		const struct pn_cli_rule_src *s = &rs->v[i];

		rc = s->is_file ? pn_rules_add_file(o->rules, s->text, err, sizeof(err))
				: pn_rules_add(o->rules, s->text, strlen(s->text), &s->at, err,
					       sizeof(err));
	}
	if (!rc)
		return 0;
	fprintf(stderr, "%s\n", err);
	pn_rules_free(o->rules);
	o->rules = NULL;
	return PN_EXIT_USAGE;
}

void pn_cli_rules_free(struct monitor_opts *o)
{
	free(o->rule_srcs.v);
	memset(&o->rule_srcs, 0, sizeof(o->rule_srcs));
	pn_rules_free(o->rules);
	o->rules = NULL;
}
