/* `procnotify query`: events from the activity log, printed as the live monitor prints them. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"

static void query_usage(FILE *f)
{
	fputs("Usage: procnotify query --db FILE [FILTERS] [--json]\n"
	      "Prints the events of the activity log that match every filter given,\n"
	      "oldest first, as the live table or JSON Lines. Lost records (gaps in\n"
	      "the history) are shown whatever the process filters.\n"
	      "\n"
	      "Filters:\n"
	      "      --pid PID          events of processes with this pid\n"
	      "      --ppid PID         events whose parent pid is PID\n"
	      "      --name GLOB        comm or the image's file name matches GLOB\n"
	      "      --image GLOB       the image path matches GLOB (e.g. '/usr/bin/*')\n"
	      "      --argv TEXT        the arguments, joined by spaces, contain TEXT\n"
	      "      --uid UID          the real user id\n"
	      "      --since TIME       at or after TIME: RFC 3339 (2026-05-01T02:00:00Z,\n"
	      "                         2026-05-01) or a time ago (10m, 2h, 7d)\n"
	      "      --until TIME       at or before TIME\n"
	      "  -t, --type LIST        fork,exec,exit (lost records are always shown)\n"
	      "      --signaled         exits caused by a signal\n"
	      "      --exit-code N      exits with status N\n"
	      "Output:\n"
	      "  -j, --json             JSON Lines, as procnotify --json\n"
	      "      --no-header        no table header\n"
	      "\n"
	      "Example: procnotify query --db log.db --name 'curl*' --since 1h --json\n"
	      "Exit status: 0 on success, 1 when the log cannot be read, 2 for bad usage.\n",
	      f);
}

pn_store *pn_cli_open_log(const char *path)
{
	pn_store *s;
	char err[256];

	if (!path) {
		pn_cli_usage_error("an activity log is needed:", "--db FILE");
		return NULL;
	}
	if (pn_store_open(&s, path, PN_STORE_READ, NULL, err, sizeof(err))) {
		fprintf(stderr, "procnotify: %s: %s\n", path, err);
		return NULL;
	}
	return s;
}

struct query_opts {
	const char *db;
	pn_store_filter f;
	enum pn_out_format format;
	int no_header;
};

enum { Q_PID = 256, Q_PPID, Q_NAME, Q_IMAGE, Q_ARGV, Q_UID, Q_SINCE, Q_UNTIL, Q_SIGNALED,
       Q_EXIT, Q_DB, Q_NO_HEADER };

static const struct option query_longopts[] = {
	{ "db", required_argument, NULL, Q_DB },
	{ "pid", required_argument, NULL, Q_PID },
	{ "ppid", required_argument, NULL, Q_PPID },
	{ "name", required_argument, NULL, Q_NAME },
	{ "image", required_argument, NULL, Q_IMAGE },
	{ "argv", required_argument, NULL, Q_ARGV },
	{ "uid", required_argument, NULL, Q_UID },
	{ "since", required_argument, NULL, Q_SINCE },
	{ "until", required_argument, NULL, Q_UNTIL },
	{ "type", required_argument, NULL, 't' },
	{ "signaled", no_argument, NULL, Q_SIGNALED },
	{ "exit-code", required_argument, NULL, Q_EXIT },
	{ "json", no_argument, NULL, 'j' },
	{ "no-header", no_argument, NULL, Q_NO_HEADER },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

/* A number filter: sets *have, or returns the usage error's exit code. */
static int number(const char *arg, uint32_t *v, int *have, const char *what)
{
	if (pn_cli_parse_u32(arg, v))
		return pn_cli_usage_error(what, arg);
	*have = 1;
	return 0;
}

static int time_arg(const char *arg, int64_t *out, const char *what)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (pn_store_parse_time(arg, (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec, out))
		return pn_cli_usage_error(what, arg);
	return 0;
}

/* One option; 0 to go on, -1 for --help, or an exit code. */
static int query_option(int c, const char *arg, struct query_opts *q)
{
	pn_store_filter *f = &q->f;
	uint32_t code;

	switch (c) {
	case Q_DB: q->db = arg; return 0;
	case Q_PID: return number(arg, &f->pid, &f->have_pid, "bad pid");
	case Q_PPID: return number(arg, &f->ppid, &f->have_ppid, "bad parent pid");
	case Q_UID: return number(arg, &f->uid, &f->have_uid, "bad uid");
	case Q_EXIT:
		if (number(arg, &code, &f->have_exit_code, "bad exit code") || code > 255)
			return pn_cli_usage_error("bad exit code", arg);
		f->exit_code = (int)code;
		return 0;
	case Q_NAME: f->name = arg; return 0;
	case Q_IMAGE: f->image = arg; return 0;
	case Q_ARGV: f->argv = arg; return 0;
	case Q_SINCE: return time_arg(arg, &f->since_ns, "bad time for --since:");
	case Q_UNTIL: return time_arg(arg, &f->until_ns, "bad time for --until:");
	case Q_SIGNALED: f->signaled = 1; return 0;
	case 't':
		return pn_cli_parse_types(arg, &f->types) ? pn_cli_usage_error("bad event type list", arg)
							   : 0;
	case 'j': q->format = PN_OUT_JSON; return 0;
	case Q_NO_HEADER: q->no_header = 1; return 0;
	case 'h': query_usage(stdout); return -1;
	}
	return PN_EXIT_USAGE;
}

static int parse_query(int argc, char **argv, struct query_opts *q)
{
	int c, rc;

	memset(q, 0, sizeof(*q));
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":jt:h", query_longopts, NULL)) != -1) {
		if (c == ':')
			return pn_cli_usage_error("missing argument for", argv[optind - 1]);
		if (c == '?')
			return pn_cli_usage_error("unknown option", argv[optind - 1]);
		rc = query_option(c, optarg, q);
		if (rc)
			return rc;
	}
	if (optind < argc)
		return pn_cli_usage_error("unexpected argument", argv[optind]);
	return 0;
}

static int query_event(const pn_event *ev, void *user)
{
	sink_event(ev, user);
	return 0;
}

int pn_cli_query(int argc, char **argv)
{
	struct query_opts q;
	struct sink sink;
	pn_store *s;
	int rc = parse_query(argc, argv, &q);

	if (rc)
		return rc < 0 ? PN_EXIT_OK : rc;
	s = pn_cli_open_log(q.db);
	if (!s)
		return q.db ? PN_EXIT_FAIL : PN_EXIT_USAGE;
	signal(SIGPIPE, SIG_IGN);
	sink_init(&sink, STDOUT_FILENO, q.format);
	if (q.format == PN_OUT_TABLE && !q.no_header)
		pn_fmt_table_header(&sink.buf);
	rc = pn_store_query(s, &q.f, query_event, &sink);
	sink_flush(&sink);
	if (rc < 0)
		fprintf(stderr, "procnotify: %s: %s\n", q.db, pn_store_errmsg(s));
	pn_store_close(s);
	sink_free(&sink);
	return rc < 0 || (sink.failed && sink.failed != EPIPE) ? PN_EXIT_FAIL : PN_EXIT_OK;
}
