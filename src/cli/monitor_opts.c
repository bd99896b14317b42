/* The live monitor's options: their table (help, config file and command
 * line alike), the parsers of their values, and the order in which the
 * config file and the command line are read. */
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "procnotify/output.h"

static int parse_age(struct pn_opt_call *c)
{
	if (pn_store_parse_duration(c->arg, c->dest) || !*(int64_t *)c->dest) {
		snprintf(c->why, sizeof(c->why), "expected a number and s, m, h, d or w, above 0");
		return -1;
	}
	return 0;
}

static int parse_size(struct pn_opt_call *c)
{
	if (pn_store_parse_size(c->arg, c->dest) || !*(uint64_t *)c->dest) {
		snprintf(c->why, sizeof(c->why), "expected a number above 0 (K, M, G suffixes)");
		return -1;
	}
	return 0;
}

/* No value: the local syslog daemon's socket. */
static int parse_syslog(struct pn_opt_call *c)
{
	if (!*c->arg)
		c->arg = "unix:/dev/log";
	if (pn__syslog_check_target(c->arg, c->why, sizeof(c->why)))
		return -1;
	*(const char **)c->dest = c->arg;
	return 0;
}

/* No value: journald's own socket. */
static int parse_journal(struct pn_opt_call *c)
{
	if (!*c->arg)
		c->arg = PN_JOURNAL_SOCKET;
	if (c->arg[0] != '/' || strlen(c->arg) > 107) {
		snprintf(c->why, sizeof(c->why), "expected an absolute socket path of at most 107 bytes");
		return -1;
	}
	*(const char **)c->dest = c->arg;
	return 0;
}

static int parse_priority(struct pn_opt_call *c)
{
	struct monitor_opts *o = c->opts;

	if (pn__syslog_parse_priority(c->arg, &o->syslog_facility, &o->syslog_severity)) {
		snprintf(c->why, sizeof(c->why), "expected FACILITY.SEVERITY, as authpriv.info");
		return -1;
	}
	return 0;
}

/* pn_opt_enum stores the index of the word: the words are in enum order. */
_Static_assert(PN_BACKEND_AUTO == 0 && PN_BACKEND_BPF == 1 && PN_BACKEND_NETLINK == 2 &&
	       sizeof(enum pn_backend_kind) == sizeof(int), "backend words follow the enum");

#define OFF(field) offsetof(struct monitor_opts, field)

static const struct pn_opt monitor_rows[] = {
	{ .name = "json", .key = 'j', .help = "JSON Lines, one object per event",
	  .parse = pn_cli_opt_json, .off = OFF(format), .example = "false" },
	{ .name = "format", .arg = "FORMAT",
	  .help = "table (default), json (as --json) or ecs (Elastic\n"
		  "Common Schema documents, one a line)",
	  .parse = pn_cli_opt_format, .off = OFF(format), .values = "table json ecs",
	  .example = "json" },
	{ .name = "types", .key = 't', .arg = "LIST", .alias = "type",
	  .help = "event types to show: fork,exec,exit, and with the\n"
		  "netlink backend comm,setuid,setgid,setsid,ptrace,\n"
		  "coredump (default: all; lost is always shown);\n"
		  "snapshot, when named: the processes running at start",
	  .parse = pn_cli_opt_types, .off = OFF(types), .words = pn_cli_type_words,
	  .example = "fork,exec,exit" },
	{ .name = "rule", .arg = "RULE",
	  .help = "keep, drop or tag events, e.g. 'drop comm=cron', or\n"
		  "deny execs; repeatable, in order (procnotify-rules(7))",
	  .parse = pn_cli_opt_rule, .example = "tag odd-exit: type=exit and not exit_code=0" },
	{ .name = "rules", .arg = "FILE",
	  .help = "rules from FILE, one a line, '#' comments; SIGHUP\n"
		  "reads it again",
	  .parse = pn_cli_opt_rules_file, .flags = PN_OPT_FILE,
	  .example = "/etc/procnotify/rules" },
	{ .name = "deny-deadline", .arg = "MS",
	  .help = "allow an exec that deny rules have not decided within\n"
		  "MS milliseconds (default 100; README, Exec enforcement)",
	  .parse = pn_opt_u32, .off = OFF(deny_deadline_ms), .min = 1, .max = 60000,
	  .example = "100" },
	{ .name = "output", .key = 'o', .arg = "FILE",
	  .help = "append events to FILE (created mode 0600) instead of\nstandard output; SIGHUP reopens it",
	  .parse = pn_opt_string, .off = OFF(output), .flags = PN_OPT_FILE,
	  .example = "/var/log/procnotify/events.jsonl" },
	/* The loop waits in int milliseconds. */
	{ .name = "duration", .key = 'd', .arg = "SECS", .help = "stop after SECS seconds",
	  .parse = pn_opt_seconds, .off = OFF(duration_s), .max = INT_MAX / 1000,
	  .example = "3600" },
	{ .name = "no-header", .help = "no table header",
	  .parse = pn_opt_flag, .off = OFF(no_header), .example = "false" },
	{ .name = "backend", .arg = "NAME", .help = "auto (default), bpf or netlink",
	  .parse = pn_opt_enum, .off = OFF(lib.backend), .values = "auto bpf netlink",
	  .example = "auto" },
	/* The kernel's ring is a power of two pages; ring_bytes is 32 bits. */
	{ .name = "ring-size", .arg = "BYTES",
	  .help = "kernel ring buffer size, a power of two (default 16M)",
	  .parse = pn_opt_pow2, .off = OFF(lib.ring_bytes), .max = 1u << 31, .example = "16M" },
	{ .name = "flush-ms", .arg = "MS",
	  .help = "longest wait before an event is delivered (default 50)",
	  .parse = pn_opt_u32, .off = OFF(lib.flush_ms), .min = 1, .max = 3600 * 1000,
	  .example = "50" },
	/* The kernel doubles the value in an int, and clamps what would not fit. */
	{ .name = "netlink-rcvbuf", .arg = "BYTES",
	  .help = "netlink socket receive buffer (default 16M);\n"
		  "smaller loses events sooner (for tests)",
	  .parse = pn_opt_bytes, .off = OFF(lib.netlink_rcvbuf), .min = 4096, .max = INT_MAX / 2,
	  .example = "16M" },
	{ .name = "hostname", .arg = "NAME",
	  .help = "the host name every event carries as \"host\"\n"
		  "(default: the kernel's node name, uname -n)",
	  .parse = pn_cli_opt_hostname, .off = OFF(lib.host), .example = "web-1.example.org" },
	{ .name = "db", .arg = "FILE",
	  .help = "also keep every event in the activity log FILE\n"
		  "(SQLite, created mode 0600, appended to)",
	  .parse = pn_opt_string, .off = OFF(db), .flags = PN_OPT_FILE,
	  .example = "/var/lib/procnotify/activity.db" },
	{ .name = "db-max-age", .arg = "AGE",
	  .help = "forget logged history older than AGE (30m, 12h, 7d)",
	  .parse = parse_age, .off = OFF(db_opt.max_age_ns), .example = "30d" },
	{ .name = "db-max-size", .arg = "SIZE",
	  .help = "keep the log under SIZE bytes (K, M, G suffixes)",
	  .parse = parse_size, .off = OFF(db_opt.max_size), .example = "2G" },
	{ .name = "syslog", .arg = "TARGET",
	  .help = "also send every event shown to syslog (RFC 5424):\n"
		  "unix:PATH (default unix:/dev/log), udp://HOST[:PORT]\n"
		  "or tcp://HOST[:PORT] (port 514); see README, Fleet",
	  .parse = parse_syslog, .off = OFF(syslog), .flags = PN_OPT_OPTIONAL,
	  .example = "unix:/dev/log" },
	{ .name = "journal", .arg = "PATH",
	  .help = "also send every event shown to journald (its native\n"
		  "protocol, PROCNOTIFY_* fields) at the socket PATH\n"
		  "(default " PN_JOURNAL_SOCKET ")",
	  .parse = parse_journal, .off = OFF(journal), .flags = PN_OPT_OPTIONAL | PN_OPT_FILE,
	  .example = PN_JOURNAL_SOCKET },
	{ .name = "syslog-priority", .arg = "FAC.SEV",
	  .help = "syslog facility and severity of events, also\n"
		  "journald's (default authpriv.info; lost records at\n"
		  "warning)",
	  .parse = parse_priority, .off = OFF(syslog_facility),
	  .example = "authpriv.info" },
	{ .name = "output-queue", .arg = "BYTES",
	  .help = "queue of each output (--syslog, --journal) before\n"
		  "it loses events (default 8M)",
	  .parse = pn_opt_bytes, .off = OFF(output_queue), .min = 65536, .max = 1u << 30,
	  .example = "8M" },
	{ .name = "no-sandbox",
	  .help = "keep every privilege after start-up (debugging;\n"
		  "see README, Privilege)",
	  .parse = pn_opt_flag, .off = OFF(no_sandbox), .example = "false" },
	{ .name = "config", .arg = "FILE",
	  .help = "read options from FILE, `key = value` a line (default\n"
		  PN_CLI_CONFIG ", if it exists);\n"
		  "the command line overrides it",
	  .parse = pn_opt_string, .off = OFF(config), .flags = PN_OPT_CLI_ONLY | PN_OPT_FILE },
	{ .name = "check-config", .help = "check the config file and options, then exit",
	  .parse = pn_opt_flag, .off = OFF(check_config), .flags = PN_OPT_CLI_ONLY },
	PN_OPT_ROWS_VERSION_HELP,
	{ 0 },
};

const struct pn_cmd pn_cli_monitor_cmd = {
	.name = "procnotify",
	.usage = "Usage: procnotify [OPTIONS]\n"
		 "Reports every process fork, exec and exit on this machine, as the\n"
		 "kernel sees it, with parent, arguments, exit status and lifetime.\n"
		 "\n"
		 "Options:\n",
	.epilog = "\n"
		  "Subcommands:\n"
		  "  procnotify query --db FILE [FILTERS]   events from the activity log\n"
		  "  procnotify tree --db FILE PID|KEY      a process with its ancestors and\n"
		  "                                         descendants, from the log\n"
		  "  procnotify import --db FILE FILE...    JSON Lines of many hosts into one\n"
		  "                                         log\n"
		  "  (procnotify query --help, procnotify tree --help, ...)\n"
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
	.opts = monitor_rows,
};

static void monitor_defaults(struct monitor_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->lib.size = sizeof(o->lib); /* this build's layout: host is in it */
	o->types = PN_MASK_ALL;
	/* Arguments may hold secrets (passwords, tokens): authpriv is the
	 * facility Debian and Red Hat keep out of world-readable files. */
	o->syslog_facility = 10;
	o->syslog_severity = 6;
	o->deny_deadline_ms = 100;
}

/* The command line is read twice: first on its own, to learn which config
 * file to read (and to stop at its errors, --help or --version), then over
 * what the file set, so that it overrides the file. */
int pn_cli_parse_monitor(int argc, char **argv, struct monitor_opts *o)
{
	const struct pn_cmd *cmd = &pn_cli_monitor_cmd;
	const char *config;
	int rc;

	monitor_defaults(o);
	rc = pn_opt_parse_argv(cmd, argc, argv, o, NULL);
	if (rc) {
		pn_cli_rules_free(o); /* the --rule options read before the stop */
		return rc;
	}
	config = o->config;
	pn_cli_rules_free(o);
	monitor_defaults(o);
	rc = pn_opt_parse_file(cmd, config ? config : PN_CLI_CONFIG, config != NULL, o,
			       &o->config_text);
	if (!rc)
		rc = pn_opt_parse_argv(cmd, argc, argv, o, NULL);
	if (!rc && !o->db && (o->db_opt.max_age_ns || o->db_opt.max_size))
		rc = pn_opt_usage_error(cmd, "retention needs a log:", "--db");
	if (!rc)
		rc = pn_cli_rules_compile(o);
	if (rc)
		pn_cli_monitor_opts_free(o);
	return rc;
}

void pn_cli_monitor_opts_free(struct monitor_opts *o)
{
	free(o->config_text);
	o->config_text = NULL;
	pn_cli_rules_free(o);
}
