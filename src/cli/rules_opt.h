/* The monitor's --rule and --rules (rules_opt.c). */
#ifndef PN_CLI_RULES_OPT_H
#define PN_CLI_RULES_OPT_H
#include "opt.h"
#include "procnotify/rules.h"

/* One source of rules: a line (--rule, the rule key) or a file. */
struct pn_cli_rule_src {
	const char *text;        /* the line, or the file's path */
	int is_file;
	pn_rules_origin at;      /* a line's place, for messages */
};

struct pn_cli_rules {
	struct pn_cli_rule_src *v;
	unsigned n, cap;
	unsigned ncli;           /* --rule options seen on the command line */
	int from_cli;            /* the command line gave some: the file's are gone */
};

struct monitor_opts;

/* Row parsers: --rule LINE and --rules FILE, each adding a source. */
int pn_cli_opt_rule(struct pn_opt_call *c);
int pn_cli_opt_rules_file(struct pn_opt_call *c);
/* Compiles the sources into o->rules (NULL when there are none). 0, or an
 * exit code after printing the error, "FILE:LINE:COL: message". */
int pn_cli_rules_compile(struct monitor_opts *o);
void pn_cli_rules_free(struct monitor_opts *o);
#endif
