/* The live monitor: its options, then open the library, register the sink,
 * loop until told to stop. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "clock.h"
#include "notify.h"
#include "outfile.h"
#include "outputs.h"
#include "reload.h"
#include "enforce.h"
#include "procnotify/sandbox.h"

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

static volatile sig_atomic_t stop_signal, reload_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

static void on_reload(int sig)
{
	reload_signal = sig;
}

/* No SA_RESTART: the signal must interrupt the wait in pn_poll(). */
static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_reload;
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static double now_s(void)
{
	return (double)pn__clock_ns(CLOCK_MONOTONIC) / PN_NS_PER_SEC;
}

/* "procnotify: N events: fork N, exec N, exit N; lost N (fork N, exec N,
 * exit N)", and any other type with a count after exit; then the losses of
 * unknown count, if any. */
static void print_summary(pn_handle *h)
{
	pn_stats st = PN_STATS_INIT;
	pn_buf b = { 0 };
	uint64_t total = 0, by_type[PN_EVENT_TYPE_MAX] = { 0 };

	if (pn_get_stats(h, &st))
		return;
	memcpy(by_type, st.delivered, sizeof(st.delivered));
	by_type[PN_EVENT_DENY] = st.delivered_deny;
	for (int t = 0; t < PN_EVENT_TYPE_MAX; t++)
		total += by_type[t];
	pn_buf_printf(&b, "procnotify: %llu events: ", (unsigned long long)total);
	pn_fmt_type_counts(&b, by_type, PN_EVENT_TYPE_MAX);
	pn_buf_printf(&b, "; lost %llu (", (unsigned long long)st.lost);
	pn_fmt_type_counts(&b, st.lost_by_type, PN_LOST_SLOTS);
	pn_buf_putc(&b, ')');
	/* The netlink connector says that it lost, never how much: each loss
	 * of unknown count is one record or more. */
	if (st.lost_unknown)
		pn_buf_printf(&b, " and %llu losses of unknown count, at least %llu records",
			      (unsigned long long)st.lost_unknown,
			      (unsigned long long)(st.lost + st.lost_unknown));
	/* Not lost: the rules asked for it (README, Rules). */
	if (st.dropped)
		pn_buf_printf(&b, "; dropped by rules %llu", (unsigned long long)st.dropped);
	pn_buf_putc(&b, '\n');
	if (!b.oom)
		fputs(b.data, stderr);
	pn_buf_free(&b);
}

/* What the loop feeds: the output sink and, with --db, the activity log. */
struct consumers {
	struct sink sink;
	pn_store *store;
	struct pn_cli_outputs outs;
	struct pn_outfile *out;  /* the sink's file with -o, to reopen */
	const struct monitor_opts *o;
	uint32_t types;          /* the sink's mask: o->types, or the last reload's */
	int argc;                /* the command line, to read the options again */
	char **argv;
};

static int consumers_ok(const struct consumers *c)
{
	return !c->sink.failed && !(c->store && pn_store_failed(c->store));
}

/* The events the log or an output missed (it fell behind), as a lost
 * record in the other streams too; at the end, once the log has written
 * what it could. */
static void losses_to_streams(struct consumers *c, int final)
{
	pn_event lost;

	pn_cli_outputs_losses(&c->outs, &c->sink, c->store);
	if (!c->store)
		return;
	if (final)
		pn_store_commit(c->store);
	if (pn_store_take_lost(c->store, &lost)) {
		sink_event(&lost, &c->sink);
		pn_cli_outputs_event(&c->outs, &lost, NULL);
	}
}

/* Writes out what the last delivery produced. The log writes on its own
 * thread and commits a batch every PN_STORE_BATCH_MS. */
static void consumers_flush(struct consumers *c)
{
	losses_to_streams(c, 0);
	sink_flush(&c->sink);
}

/* The options read again; only the types shown change live (reload.c). */
static void reload_config(pn_handle *h, struct consumers *c)
{
	struct monitor_opts fresh;

	if (pn_cli_parse_monitor(c->argc, c->argv, &fresh)) {
		fprintf(stderr, "procnotify: reload: keeping the running options\n");
		return;
	}
	pn_cli_reload_fixed(c->o, &fresh);
	/* Between two deliveries: every event sees the old set or the new. */
	pn_set_rules(h, fresh.rules);
	pn_cli_enforce_reload(h, fresh.rules);
	if (fresh.rule_srcs.n)
		fprintf(stderr, "procnotify: reload: %u rules\n", pn_rules_count(fresh.rules, 0));
	if (fresh.types != c->types) {
		pn_unregister(h, sink_event, &c->sink);
		pn_register(h, fresh.types, sink_event, &c->sink);
		pn_cli_outputs_unregister(&c->outs, h);
		pn_cli_outputs_register(&c->outs, h, fresh.types);
		c->types = fresh.types;
	}
	pn_cli_monitor_opts_free(&fresh);
}

/* SIGHUP, between two deliveries: everything rendered so far is written to
 * the old file, everything after goes to the new one, so a rotation loses
 * and repeats nothing. A file that cannot be reopened leaves the old one in
 * use (the reason is on stderr). Then the config is read again. */
static void reload(pn_handle *h, struct consumers *c)
{
	pn_cli_notify("RELOADING=1");
	if (c->out->dirfd >= 0 && pn_cli_outfile_reopen(c->out) == 0 &&
	    c->o->format == PN_OUT_TABLE && !c->o->no_header) {
		pn_fmt_table_header(&c->sink.buf);
		sink_flush(&c->sink);
	}
	reload_config(h, c);
	pn_cli_notify("READY=1");
}

/* The shorter of two waits, where -1 is forever. */
static int min_wait(int a, int b)
{
	return a < 0 ? b : b < 0 ? a : a < b ? a : b;
}

static int run_loop(pn_handle *h, struct consumers *c, double duration_s)
{
	double end = duration_s > 0 ? now_s() + duration_s : 0;
	int rc = 0;

	while (!stop_signal && consumers_ok(c)) {
		int timeout = end ? (int)((end - now_s()) * 1000) : -1;

		if (end && timeout <= 0)
			break;
		/* An idle monitor sleeps in pn_poll(): wake for the watchdog. */
		timeout = min_wait(timeout, pn_cli_notify_watchdog());
		rc = pn_poll(h, timeout);
		if (rc == -EINTR)
			rc = 0;
		if (rc < 0)
			break;
		rc = 0;
		consumers_flush(c);
		if (reload_signal) {
			reload_signal = 0;
			reload(h, c);
		}
	}
	/* Deliver what the kernel produced before we stopped. */
	if (rc == 0 && pn_flush(h) >= 0)
		consumers_flush(c);
	return rc;
}

/* Opens the log before monitoring starts, so a bad file stops us early. */
static int open_store(const struct monitor_opts *o, pn_store **out)
{
	char err[256];
	int rc;

	*out = NULL;
	if (!o->db)
		return 0;
	rc = pn_store_open(out, o->db, PN_STORE_WRITE, &o->db_opt, err, sizeof(err));
	if (rc)
		fprintf(stderr, "procnotify: %s: %s\n", o->db, err);
	return rc;
}

/* Commits the last batch and says what went wrong with the log, if anything. */
static int close_store(pn_store *store, const char *path)
{
	int rc;

	if (!store)
		return 0;
	rc = pn_store_failed(store);
	if (rc)
		fprintf(stderr, "procnotify: %s: %s\n", path, pn_store_errmsg(store));
	if (pn_store_close(store) && !rc) {
		fprintf(stderr, "procnotify: %s: the last events could not be saved\n", path);
		rc = -EIO;
	}
	return rc;
}

static void register_consumers(pn_handle *h, const struct monitor_opts *o, struct consumers *c)
{
	pn_register(h, o->types, sink_event, &c->sink);
	/* The log keeps every event, whatever --types shows. */
	if (c->store)
		pn_register(h, PN_MASK_ALL | PN_MASK(PN_EVENT_SNAPSHOT), pn_store_event, c->store);
	pn_cli_outputs_register(&c->outs, h, o->types);
	if (o->format == PN_OUT_TABLE && !o->no_header) {
		pn_fmt_table_header(&c->sink.buf);
		sink_flush(&c->sink);
	}
}

/* Everything that needs privilege is done: the backend is attached, the
 * start-up snapshot taken, the outputs, the log and the notify socket are
 * open. */
static int enter_sandbox(const struct monitor_opts *o, pn_handle *h)
{
	char err[256];

	if (o->no_sandbox || !pn_sandbox(h, err, sizeof(err)))
		return 0;
	fprintf(stderr, "procnotify: %s\n", err);
	return -1;
}

/* The log and the outputs, before the library: a bad file or target stops
 * us early. */
static int open_consumers(const struct monitor_opts *o, struct consumers *c)
{
	if (open_store(o, &c->store))
		return -1;
	if (pn_cli_outputs_open(&c->outs, o) == 0)
		return 0;
	pn_cli_outputs_close(&c->outs);
	close_store(c->store, o->db);
	return -1;
}

/* After the drop: the writer threads start with what is left. */
static int start_consumers(struct consumers *c)
{
	if (c->store && pn_store_start(c->store))
		return -1;
	return pn_cli_outputs_start(&c->outs);
}

/* The outputs write what they can, and every stream learns what the log
 * and the outputs missed, before the summary. */
static void finish_consumers(struct consumers *c)
{
	pn_cli_outputs_drain(&c->outs);
	losses_to_streams(c, 1);
	sink_flush(&c->sink);
}

static int monitor(const struct monitor_opts *o, struct pn_outfile *out, int argc, char **argv)
{
	struct monitor_opts opts = *o;
	struct consumers c;
	pn_handle *h = NULL;
	int rc, store_rc;

	if (open_consumers(o, &c))
		return PN_EXIT_FAIL;
	rc = pn_open(&h, &opts.lib);
	if (rc) {
		fprintf(stderr, "procnotify: %s\n", opts.lib.errmsg);
		pn_cli_outputs_close(&c.outs);
		close_store(c.store, o->db);
		return PN_EXIT_FAIL;
	}
	sink_init(&c.sink, out->fd, o->format);
	c.sink.ecs.host_id = pn_cli_machine_id();
	c.out = out;
	c.o = o;
	c.types = o->types;
	c.argc = argc;
	c.argv = argv;
	pn_set_rules(h, o->rules);
	register_consumers(h, o, &c);
	if ((rc = pn_cli_enforce_start(h, o))) {
		pn_close(h);
		pn_cli_outputs_close(&c.outs);
		close_store(c.store, o->db);
		sink_free(&c.sink);
		return rc;
	}
	rc = enter_sandbox(o, h);
	if (rc == 0)
		rc = start_consumers(&c);
	if (rc == 0) {
		fprintf(stderr, "procnotify: ready (backend %s)\n", pn_backend_name(h));
		pn_cli_notify("READY=1");
		rc = run_loop(h, &c, o->duration_s);
		pn_cli_notify("STOPPING=1");
	}
	if (rc < 0)
		fprintf(stderr, "procnotify: %s\n", pn_strerror(rc));
	if (c.sink.failed && c.sink.failed != EPIPE)
		fprintf(stderr, "procnotify: writing events: %s\n", strerror(c.sink.failed));
	finish_consumers(&c);
	print_summary(h);
	pn_cli_enforce_summary(h);
	pn_cli_outputs_summary(&c.outs);
	pn_close(h);
	pn_cli_outputs_close(&c.outs);
	store_rc = close_store(c.store, o->db);
	sink_free(&c.sink);
	return rc < 0 || store_rc || (c.sink.failed && c.sink.failed != EPIPE) ? PN_EXIT_FAIL
										   : PN_EXIT_OK;
}

/* Opens what the monitor writes, refusing files it must not, then runs it. */
static int open_and_monitor(const struct monitor_opts *o, struct pn_outfile *out, int argc,
			    char **argv)
{
	int rc;

	if (o->output && pn_cli_outfile_open(out, o->output) < 0)
		return PN_EXIT_FAIL;
	/* The log is opened by the store; its file gets the same checks first. */
	if (o->db && pn_cli_check_private(o->db))
		return PN_EXIT_FAIL;
	install_signals();
	pn_cli_notify_open();
	rc = monitor(o, out, argc, argv);
	pn_cli_notify_close();
	return rc;
}

int pn_cli_monitor(int argc, char **argv)
{
	struct monitor_opts o;
	struct pn_outfile out = { .fd = STDOUT_FILENO, .dirfd = -1 };
	int rc = pn_cli_parse_monitor(argc, argv, &o);

	if (rc)
		return rc < 0 ? PN_EXIT_OK : rc;
	rc = o.check_config ? PN_EXIT_OK : open_and_monitor(&o, &out, argc, argv);
	if (o.output)
		pn_cli_outfile_close(&out);
	pn_cli_monitor_opts_free(&o);
	return rc;
}
