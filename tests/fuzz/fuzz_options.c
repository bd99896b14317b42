/*
 * Option parsing, as a careless administrator or a hostile config file
 * could feed it: the input, split at its NUL bytes, is the command line of
 * the monitor, of `query` and of `tree`; the whole input is also the
 * monitor's config file (--config). Every value is refused with a message
 * or stored in range: the monitor's numbers are checked here against the
 * bounds the option table promises.
 */
#include <limits.h>
#include <sys/mman.h>
#include <unistd.h>
#include "cli.h"
#include "opt.h"
#include "query.h"
#include "fuzz.h"

#define MAX_ARGS 64

static int config_fd = -1;
static char config_path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	config_fd = memfd_create("pn-fuzz-config", 0);
	if (config_fd < 0)
		abort();
	snprintf(config_path, sizeof(config_path), "/proc/self/fd/%d", config_fd);
	return 0;
}

/* argv[first..] from the input's NUL-separated words; returns argc. */
static int split(char *s, size_t size, char **argv, int first)
{
	int argc = first;

	for (size_t i = 0; i < size && argc < MAX_ARGS; i++) {
		argv[argc++] = s + i;
		i += strlen(s + i);
	}
	argv[argc] = NULL;
	return argc;
}

static void monitor_case(char *words, size_t size)
{
	char *argv[MAX_ARGS + 1] = { "procnotify", "--config", config_path };
	int argc = split(words, size, argv, 3);
	struct monitor_opts o;

	if (pn_cli_parse_monitor(argc, argv, &o) != 0)
		return;
	FUZZ_ASSERT(o.duration_s >= 0 && o.duration_s <= INT_MAX / 1000);
	FUZZ_ASSERT(o.lib.flush_ms <= 3600 * 1000);
	FUZZ_ASSERT(!o.lib.ring_bytes || !(o.lib.ring_bytes & (o.lib.ring_bytes - 1)));
	FUZZ_ASSERT(!o.lib.netlink_rcvbuf || o.lib.netlink_rcvbuf >= 4096);
	pn_cli_monitor_opts_free(&o);
}

/* query and tree keep their options in structs of their own: the parsers
 * write only inside them, at the offsets of the rows (query's parsers of
 * filter values append to its list of terms). */
static void subcommand_case(const struct pn_cmd *cmd, char *words, size_t size)
{
	char *argv[MAX_ARGS + 1] = { (char *)cmd->name };
	int argc = split(words, size, argv, 1), first;
	static _Alignas(16) unsigned char opts[sizeof(struct query_opts) + 4096];

	memset(opts, 0, sizeof(opts));
	(void)pn_opt_parse_argv(cmd, argc, argv, opts, &first);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *words = malloc(size + 1);

	if (ftruncate(config_fd, 0) || pwrite(config_fd, data, size, 0) != (ssize_t)size)
		abort();
	memcpy(words, data, size);
	words[size] = 0;
	monitor_case(words, size);
	memcpy(words, data, size);
	subcommand_case(&pn_cli_query_cmd, words, size);
	memcpy(words, data, size);
	subcommand_case(&pn_cli_tree_cmd, words, size);
	free(words);
	return 0;
}
