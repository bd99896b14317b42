/* Command-line options of the live monitor. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

void pn_cli_usage(FILE *f)
{
	fputs("Usage: procnotify [OPTIONS]\n"
	      "Reports every process fork, exec and exit on this machine, as the\n"
	      "kernel sees it, with parent, arguments, exit status and lifetime.\n"
	      "\n"
	      "Options:\n"
	      "  -j, --json             JSON Lines, one object per event\n"
	      "  -t, --types LIST       event types to show: fork,exec,exit, and with the\n"
	      "                         netlink backend comm,setuid,setgid,setsid,ptrace,\n"
	      "                         coredump (default: all; lost is always shown)\n"
	      "  -o, --output FILE      write events to FILE instead of standard output\n"
	      "  -d, --duration SECS    stop after SECS seconds\n"
	      "      --no-header        no table header\n"
	      "      --backend NAME     auto (default), bpf or netlink\n"
	      "      --ring-size BYTES  kernel ring buffer size, a power of two (default 16M)\n"
	      "      --flush-ms MS      longest wait before an event is delivered (default 50)\n"
	      "      --netlink-rcvbuf BYTES  netlink socket receive buffer (default 16M);\n"
	      "                         smaller loses events sooner (for tests)\n"
	      "      --db FILE          also keep every event in the activity log FILE\n"
	      "                         (SQLite, created mode 0600, appended to)\n"
	      "      --db-max-age AGE   forget logged history older than AGE (30m, 12h, 7d)\n"
	      "      --db-max-size SIZE keep the log under SIZE bytes (K, M, G suffixes)\n"
	      "  -h, --help             this help\n"
	      "\n"
	      "Subcommands:\n"
	      "  procnotify query --db FILE [FILTERS]   events from the activity log\n"
	      "  procnotify tree --db FILE PID|KEY      a process with its ancestors and\n"
	      "                                         descendants, from the log\n"
	      "  (procnotify query --help, procnotify tree --help)\n"
	      "\n"
	      "Examples:\n"
	      "  sudo procnotify                      live table of all process events\n"
	      "  sudo procnotify --json -t exec       JSON Lines of every exec\n"
	      "  sudo procnotify --json -o log.jsonl  keep a log while a build runs\n"
	      "  sudo procnotify --db /var/log/procnotify.db --db-max-age 7d\n"
	      "                                       a week of queryable history\n"
	      "\n"
	      "Strings from processes are escaped: C-style in the table, and in JSON\n"
	      "bytes that are not UTF-8 become \\udcXX (see README).\n"
	      "Exit status: 0 on success or after SIGINT/SIGTERM, 1 when monitoring\n"
	      "cannot start (privilege, kernel support), 2 for bad usage.\n",
	      f);
}

int pn_cli_parse_types(const char *s, uint32_t *mask)
{
	char *copy = strdup(s), *save = NULL, *tok;
	int rc = 0;

	if (!copy)
		return -ENOMEM;
	*mask = PN_MASK(PN_EVENT_LOST);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		uint32_t bit = 0;

		for (int t = PN_EVENT_FORK; t < PN_EVENT_TYPE_MAX; t++) {
			const char *name = pn_event_type_name((enum pn_event_type)t);

			if (strcmp(name, "unknown") && !strcmp(tok, name))
				bit = PN_MASK(t);
		}
		*mask |= bit;
		if (!bit)
			rc = -EINVAL;
	}
	free(copy);
	return rc;
}

int pn_cli_parse_u32(const char *s, uint32_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (*end == 'K' || *end == 'k')
		v <<= 10, end++;
	else if (*end == 'M' || *end == 'm')
		v <<= 20, end++;
	if (errno || end == s || *end || v > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

static int parse_backend(const char *s, enum pn_backend_kind *b)
{
	if (!strcmp(s, "auto"))
		*b = PN_BACKEND_AUTO;
	else if (!strcmp(s, "bpf"))
		*b = PN_BACKEND_BPF;
	else if (!strcmp(s, "netlink"))
		*b = PN_BACKEND_NETLINK;
	else
		return -EINVAL;
	return 0;
}

int pn_cli_usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "procnotify: %s '%s'\n", what, arg);
	fputs("Try 'procnotify --help' for more information.\n", stderr);
	return PN_EXIT_USAGE;
}

int pn_cli_parse_monitor(int argc, char **argv, struct monitor_opts *o)
{
	enum { OPT_NO_HEADER = 256, OPT_BACKEND, OPT_RING, OPT_FLUSH, OPT_RCVBUF, OPT_DB,
	       OPT_DB_AGE, OPT_DB_SIZE };
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "types", required_argument, NULL, 't' },
		{ "output", required_argument, NULL, 'o' },
		{ "duration", required_argument, NULL, 'd' },
		{ "no-header", no_argument, NULL, OPT_NO_HEADER },
		{ "backend", required_argument, NULL, OPT_BACKEND },
		{ "ring-size", required_argument, NULL, OPT_RING },
		{ "flush-ms", required_argument, NULL, OPT_FLUSH },
		{ "netlink-rcvbuf", required_argument, NULL, OPT_RCVBUF },
		{ "db", required_argument, NULL, OPT_DB },
		{ "db-max-age", required_argument, NULL, OPT_DB_AGE },
		{ "db-max-size", required_argument, NULL, OPT_DB_SIZE },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	char *end;
	int c;

	memset(o, 0, sizeof(*o));
	o->types = PN_MASK_ALL;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jt:o:d:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': o->format = PN_OUT_JSON; break;
		case 't':
			if (pn_cli_parse_types(optarg, &o->types))
				return pn_cli_usage_error("bad event type list", optarg);
			break;
		case 'o': o->output = optarg; break;
		case 'd':
			o->duration_s = strtod(optarg, &end);
			if (*end || end == optarg || o->duration_s <= 0)
				return pn_cli_usage_error("bad duration", optarg);
			break;
		case OPT_NO_HEADER: o->no_header = 1; break;
		case OPT_BACKEND:
			if (parse_backend(optarg, &o->lib.backend))
				return pn_cli_usage_error("unknown backend", optarg);
			break;
		case OPT_RING:
			if (pn_cli_parse_u32(optarg, &o->lib.ring_bytes))
				return pn_cli_usage_error("bad ring size", optarg);
			break;
		case OPT_FLUSH:
			if (pn_cli_parse_u32(optarg, &o->lib.flush_ms) || !o->lib.flush_ms)
				return pn_cli_usage_error("bad flush interval", optarg);
			break;
		case OPT_DB: o->db = optarg; break;
		case OPT_DB_AGE:
			if (pn_store_parse_duration(optarg, &o->db_opt.max_age_ns) ||
			    !o->db_opt.max_age_ns)
				return pn_cli_usage_error("bad age", optarg);
			break;
		case OPT_DB_SIZE:
			if (pn_store_parse_size(optarg, &o->db_opt.max_size) || !o->db_opt.max_size)
				return pn_cli_usage_error("bad size", optarg);
			break;
		case OPT_RCVBUF:
			if (pn_cli_parse_u32(optarg, &o->lib.netlink_rcvbuf) || !o->lib.netlink_rcvbuf)
				return pn_cli_usage_error("bad receive buffer size", optarg);
			break;
		case 'h': pn_cli_usage(stdout); return -1;
		case ':': return pn_cli_usage_error("missing argument for", argv[optind - 1]);
		default: return pn_cli_usage_error("unknown option", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return pn_cli_usage_error("unexpected argument", argv[optind]);
	if (!o->db && (o->db_opt.max_age_ns || o->db_opt.max_size))
		return pn_cli_usage_error("retention needs a log:", "--db");
	return 0;
}
