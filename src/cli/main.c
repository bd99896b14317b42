/*
 * procnotify: the command. The first argument may name a subcommand; with
 * none, it runs the live monitor.
 */
#include <string.h>
#include "cli.h"
#include "outfile.h"

struct subcommand {
	const char *name;
	int (*run)(int argc, char **argv);
	const struct pn_cmd *cmd;
};

static const struct subcommand subcommands[] = {
	{ "monitor", pn_cli_monitor, &pn_cli_monitor_cmd },
	{ "query", pn_cli_query, &pn_cli_query_cmd },
	{ "tree", pn_cli_tree, &pn_cli_tree_cmd },
	{ "report", pn_cli_report, &pn_cli_report_cmd },
	{ "import", pn_cli_import, &pn_cli_import_cmd },
};
#define N_SUBCOMMANDS (sizeof(subcommands) / sizeof(subcommands[0]))

static const char config_intro[] =
	"# " PN_CLI_CONFIG ": options of the procnotify monitor.\n"
	"# Made from the program's option table by `procnotify --generate config`.\n"
	"#\n"
	"# Every long option of `procnotify --help` is a key here, as `key = value`\n"
	"# on a line of its own (flags take true or false, or yes and no); lines\n"
	"# starting with # are comments. The command line overrides this file.\n"
	"# `procnotify --config FILE` reads another file, `procnotify --check-config`\n"
	"# checks one. See procnotify.conf(5). The values below are examples: a key\n"
	"# left out keeps the default its help names.\n"
	"#\n"
	"# procnotify.service runs the monitor with the stream and the activity log\n"
	"# on its command line (-o, --db); everything else can be set here. After an\n"
	"# edit, `systemctl reload procnotify` applies what can change while running\n"
	"# (see SIGNALS in procnotify(8)); the rest needs a restart.\n";

/* The files made from the option tables (packaging/ keeps a copy of each;
 * a test compares them): not an option of any subcommand. */
static int generate(const char *what)
{
	const char *names[N_SUBCOMMANDS];
	const struct pn_cmd *cmds[N_SUBCOMMANDS];

	for (size_t i = 0; i < N_SUBCOMMANDS; i++)
		names[i] = subcommands[i].name, cmds[i] = subcommands[i].cmd;
	if (what && !strcmp(what, "bash-completion"))
		pn_opt_bash_completion(names, cmds, N_SUBCOMMANDS, stdout);
	else if (what && !strcmp(what, "config"))
		pn_opt_config_example(&pn_cli_monitor_cmd, config_intro, stdout);
	else
		return pn_opt_usage_error(&pn_cli_monitor_cmd, "--generate takes",
					  "bash-completion or config");
	return fflush(stdout) ? PN_EXIT_FAIL : PN_EXIT_OK;
}

int main(int argc, char **argv)
{
	pn_cli_guard_stdio();
	if (argc > 1 && !strcmp(argv[1], "--generate"))
		return generate(argv[2]);
	if (argc > 1) {
		for (size_t i = 0; i < N_SUBCOMMANDS; i++)
			if (!strcmp(argv[1], subcommands[i].name))
				return subcommands[i].run(argc - 1, argv + 1);
	}
	return pn_cli_monitor(argc, argv);
}
