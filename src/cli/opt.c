/*
 * The option engine: command line (getopt_long, built from the rows), help
 * text and config file, all from one table per subcommand.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "procnotify/version.h"

/* The help column: an option's explanation starts here. */
#define HELP_COL 25

int pn_opt_is_end(const struct pn_opt *r)
{
	return !r->name && !r->help;
}

size_t pn_opt_count(const struct pn_cmd *cmd)
{
	size_t n = 0;

	while (!pn_opt_is_end(&cmd->opts[n]))
		n++;
	return n;
}

void pn_opt_error(const char *prefix, const char *what, const char *arg, const char *why)
{
	pn_buf b = { 0 };

	pn_esc_table(&b, arg, strlen(arg), 0);
	fprintf(stderr, "%s%s '%.*s'%s%s\n", prefix, what, (int)b.len, b.data ? b.data : "",
		why ? ": " : "", why ? why : "");
	pn_buf_free(&b);
}

int pn_opt_usage_error(const struct pn_cmd *cmd, const char *what, const char *arg)
{
	pn_opt_error("procnotify: ", what, arg, NULL);
	fprintf(stderr, "Try '%s --help' for more information.\n", cmd->name);
	return PN_EXIT_USAGE;
}

int pn_opt_apply(const struct pn_cmd *cmd, size_t i, const char *arg, void *opts,
		 unsigned char *seen, const char *prefix, const char *name,
		 const struct pn_opt_where *where)
{
	const struct pn_opt *r = &cmd->opts[i];
	struct pn_opt_call c = { .row = r, .arg = arg, .opts = opts,
				 .dest = (char *)opts + r->off, .again = seen[i], .where = where };
	int rc;

	if (r->flags & PN_OPT_ONCE && seen[i]) {
		pn_opt_error(prefix, name, arg, "given twice: this filter takes one value");
		return -1;
	}
	rc = r->parse(&c);
	if (rc < 0) {
		pn_opt_error(prefix, name, arg, c.why);
		return -1;
	}
	if (r->flags & PN_OPT_HAVE)
		*(int *)((char *)opts + r->have_off) = 1;
	seen[i] = 1;
	return rc;
}

/* getopt_long's tables for the rows: long options (aliases too) return
 * 256 + the row's index; short ones return their letter. */
static struct option *build_getopt(const struct pn_cmd *cmd, size_t n, char *shorts)
{
	struct option *lo = calloc(2 * n + 1, sizeof(*lo));
	size_t k = 0, s = 0;

	if (!lo)
		return NULL;
	shorts[s++] = ':';
	for (size_t i = 0; i < n; i++) {
		const struct pn_opt *r = &cmd->opts[i];
		int has_arg = !r->arg ? no_argument : r->flags & PN_OPT_OPTIONAL ? optional_argument
										: required_argument;

		if (!r->name)
			continue;
		lo[k++] = (struct option){ r->name, has_arg, NULL, 256 + (int)i };
		if (r->alias)
			lo[k++] = (struct option){ r->alias, has_arg, NULL, 256 + (int)i };
		if (r->key) {
			shorts[s++] = r->key;
			if (r->arg)
				shorts[s++] = ':';
			if (r->arg && r->flags & PN_OPT_OPTIONAL)
				shorts[s++] = ':';
		}
	}
	shorts[s] = 0;
	return lo;
}

static size_t row_of_key(const struct pn_cmd *cmd, size_t n, int c)
{
	if (c >= 256)
		return (size_t)(c - 256);
	for (size_t i = 0; i < n; i++)
		if (cmd->opts[i].name && cmd->opts[i].key == c)
			return i;
	return n;
}

static int getopt_loop(const struct pn_cmd *cmd, size_t n, const struct option *lo,
		       const char *shorts, int argc, char **argv, void *opts)
{
	unsigned char seen[n];
	int c;

	memset(seen, 0, n);
	opterr = 0;
	optind = 0; /* GNU: start afresh, also after an earlier parse */
	while ((c = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
		size_t i = row_of_key(cmd, n, c);
		char name[64];
		int rc;

		if (c == ':')
			return pn_opt_usage_error(cmd, "missing argument for", argv[optind - 1]);
		if (i >= n)
			return pn_opt_usage_error(cmd, "unknown option", argv[optind - 1]);
		snprintf(name, sizeof(name), "--%s", cmd->opts[i].name);
		rc = pn_opt_apply(cmd, i, !cmd->opts[i].arg ? "true" : optarg ? optarg : "", opts,
				  seen, "procnotify: ", name, NULL);
		if (rc < 0)
			return PN_EXIT_USAGE;
		if (rc == PN_OPT_STOP_HELP)
			pn_opt_help(cmd, stdout);
		else if (rc == PN_OPT_STOP_VERSION)
			printf("procnotify %s\n", PN_VERSION_STRING);
		if (rc)
			return -1;
	}
	return 0;
}

int pn_opt_parse_argv(const struct pn_cmd *cmd, int argc, char **argv, void *opts,
		      int *first_arg)
{
	size_t n = pn_opt_count(cmd);
	char shorts[2 * n + 2];
	struct option *lo = build_getopt(cmd, n, shorts);
	int rc;

	if (!lo) {
		fprintf(stderr, "procnotify: out of memory\n");
		return PN_EXIT_FAIL;
	}
	rc = getopt_loop(cmd, n, lo, shorts, argc, argv, opts);
	free(lo);
	if (rc)
		return rc;
	if (argc - optind > cmd->max_args)
		return pn_opt_usage_error(cmd, "unexpected argument", argv[optind + cmd->max_args]);
	if (first_arg)
		*first_arg = optind;
	return 0;
}

static void help_row(const struct pn_opt *r, FILE *f)
{
	char left[64];
	const char *line = r->help, *nl;
	int opt = r->arg && r->flags & PN_OPT_OPTIONAL;
	int len;

	len = snprintf(left, sizeof(left), "  %c%c%s--%s%s%s%s", r->key ? '-' : ' ',
		       r->key ? r->key : ' ', r->key ? ", " : "  ", r->name,
		       !r->arg ? "" : opt ? "[=" : " ", r->arg ? r->arg : "", opt ? "]" : "");
	fprintf(f, "%s%*s", left, len < HELP_COL ? HELP_COL - len : 2, "");
	while ((nl = strchr(line, '\n'))) {
		fprintf(f, "%.*s\n%*s", (int)(nl - line), line, HELP_COL, "");
		line = nl + 1;
	}
	fprintf(f, "%s\n", line);
}

void pn_opt_help(const struct pn_cmd *cmd, FILE *f)
{
	fputs(cmd->usage, f);
	for (const struct pn_opt *r = cmd->opts; !pn_opt_is_end(r); r++) {
		if (r->name)
			help_row(r, f);
		else
			fprintf(f, "%s\n", r->help);
	}
	fputs(cmd->epilog, f);
}
