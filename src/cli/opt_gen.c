/*
 * Files made from the option tables, so they list exactly the options the
 * program takes: bash completion and the example config file. Both are
 * kept in packaging/ and a test compares them with what this prints.
 */
#include <string.h>
#include "cli.h"

/* "--name|--alias|-k" */
static void option_pattern(const struct pn_opt *r, FILE *f)
{
	fprintf(f, "--%s", r->name);
	if (r->alias)
		fprintf(f, "|--%s", r->alias);
	if (r->key)
		fprintf(f, "|-%c", r->key);
}

/* What follows an option that takes a value: files or words; 0 when
 * nothing can be offered. */
static int value_case(const struct pn_opt *r, FILE *f)
{
	pn_buf words = { 0 };

	/* An optional value is attached (--name=VALUE): the next word is not it. */
	if ((!(r->flags & PN_OPT_FILE) && !r->values && !r->words) || r->flags & PN_OPT_OPTIONAL)
		return 0;
	fputs("\t\t", f);
	option_pattern(r, f);
	if (r->flags & PN_OPT_FILE) {
		fputs(") COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n", f);
	} else if (r->values) {
		fprintf(f, ") COMPREPLY=($(compgen -W '%s' -- \"$cur\")); return ;;\n", r->values);
	} else {
		r->words(&words);
		fprintf(f, ") _procnotify_list '%.*s'; return ;;\n", (int)words.len, words.data);
	}
	pn_buf_free(&words);
	return 1;
}

/* The case of one subcommand, but its closing ";;". */
static void command_case(const char *label, const struct pn_cmd *cmd, FILE *f)
{
	const struct pn_opt *r;
	const char *sep = "\t\t";

	fprintf(f, "\t%s)\n\t\tcase $prev in\n", label);
	for (r = cmd->opts; !pn_opt_is_end(r); r++)
		if (r->name && r->arg)
			value_case(r, f);
	/* Values nobody can guess (numbers, times, globs): offer nothing. */
	for (r = cmd->opts; !pn_opt_is_end(r); r++) {
		if (r->name && r->arg && !(r->flags & (PN_OPT_FILE | PN_OPT_OPTIONAL)) &&
		    !r->values && !r->words) {
			fputs(sep, f);
			option_pattern(r, f);
			sep = "|";
		}
	}
	if (*sep == '|')
		fputs(") return ;;\n", f);
	fputs("\t\tesac\n\t\tCOMPREPLY=($(compgen -W '", f);
	sep = "";
	for (r = cmd->opts; !pn_opt_is_end(r); r++)
		if (r->name)
			fprintf(f, "%s--%s", sep, r->name), sep = " ";
	fputs("' -- \"$cur\"))\n", f);
}

void pn_opt_bash_completion(const char *const *names, const struct pn_cmd *const *cmds,
			    size_t n, FILE *f)
{
	char subs[256] = "";

	for (size_t i = 0; i < n; i++)
		snprintf(subs + strlen(subs), sizeof(subs) - strlen(subs), "%s%s",
			 i ? " " : "", names[i]);
	fprintf(f, "# bash completion for procnotify. Made from the program's option tables\n"
		   "# by `procnotify --generate bash-completion`: do not edit.\n\n"
		   "# A comma-separated list: complete its last item.\n"
		   "_procnotify_list()\n{\n"
		   "\tlocal pre=\n\t[[ $cur == *,* ]] && pre=${cur%%,*},\n"
		   "\tCOMPREPLY=($(compgen -P \"$pre\" -W \"$1\" -- \"${cur##*,}\"))\n}\n\n"
		   "_procnotify()\n{\n"
		   "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd=\n"
		   "\t((COMP_CWORD > 1)) && cmd=${COMP_WORDS[1]}\n"
		   "\tcase $cmd in\n");
	for (size_t i = 1; i < n; i++) {
		command_case(names[i], cmds[i], f);
		fputs("\t\t;;\n", f);
	}
	/* The monitor: with no subcommand word, or before one is typed. */
	command_case("*", cmds[0], f);
	fprintf(f, "\t\t((COMP_CWORD == 1)) && COMPREPLY+=($(compgen -W '%s' -- \"$cur\"))\n"
		   "\t\t;;\n\tesac\n}\n\ncomplete -o filenames -F _procnotify procnotify\n", subs);
}

void pn_opt_config_example(const struct pn_cmd *cmd, const char *intro, FILE *f)
{
	fputs(intro, f);
	for (const struct pn_opt *r = cmd->opts; !pn_opt_is_end(r); r++) {
		const char *line = r->help, *nl;

		if (!r->name || r->flags & PN_OPT_CLI_ONLY)
			continue;
		fputc('\n', f);
		while ((nl = strchr(line, '\n'))) {
			fprintf(f, "# %.*s\n", (int)(nl - line), line);
			line = nl + 1;
		}
		fprintf(f, "# %s\n#%s = %s\n", line, r->name, r->example ? r->example : "");
	}
}
