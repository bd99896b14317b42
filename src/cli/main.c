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
};

static const struct subcommand subcommands[] = {
	{ "monitor", pn_cli_monitor },
	{ "query", pn_cli_query },
	{ "tree", pn_cli_tree },
};

int main(int argc, char **argv)
{
	pn_cli_guard_stdio();
	if (argc > 1) {
		for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
			if (!strcmp(argv[1], subcommands[i].name))
				return subcommands[i].run(argc - 1, argv + 1);
	}
	return pn_cli_monitor(argc, argv);
}
