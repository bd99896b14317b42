/* `procnotify query`: events from the activity log, printed as the live monitor prints them. */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "procnotify/csv.h"

struct query_opts {
	const char *db;
	pn_store_filter f;
	enum pn_out_format format;
	int no_header;
	int count;               /* --count: the number of events only */
};

static int parse_time(struct pn_opt_call *c)
{
	struct timespec ts;
	int rc;

	clock_gettime(CLOCK_REALTIME, &ts);
	rc = pn_store_parse_time(c->arg, (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec, c->dest);
	if (rc == -ERANGE)
		snprintf(c->why, sizeof(c->why), "out of range: from 1677-09-21T00:12:44Z "
			 "to 2262-04-11T23:47:16Z");
	else if (rc)
		snprintf(c->why, sizeof(c->why),
			 "expected RFC 3339 (2026-05-01T02:00:00Z, 2026-05-01) or a time ago (10m)");
	return rc ? -1 : 0;
}

#define OFF(field) offsetof(struct query_opts, field)
/* A filter on a number: its value and the flag that says it was given. */
#define NUMBER(field) .parse = pn_opt_u32, .off = OFF(f.field), \
	.have_off = OFF(f.have_##field), .flags = PN_OPT_ONCE | PN_OPT_HAVE

static const struct pn_opt query_rows[] = {
	{ .name = "db", .arg = "FILE", .help = "the activity log to read",
	  .parse = pn_opt_string, .off = OFF(db), .flags = PN_OPT_FILE },
	{ .help = "Filters:" },
	{ .name = "pid", .arg = "PID", .help = "events of processes with this pid", NUMBER(pid) },
	{ .name = "ppid", .arg = "PID", .help = "events whose parent pid is PID", NUMBER(ppid) },
	{ .name = "name", .arg = "GLOB", .help = "comm or the image's file name matches GLOB",
	  .parse = pn_opt_string, .off = OFF(f.name), .flags = PN_OPT_ONCE },
	{ .name = "image", .arg = "GLOB", .help = "the image path matches GLOB (e.g. '/usr/bin/*')",
	  .parse = pn_opt_string, .off = OFF(f.image), .flags = PN_OPT_ONCE },
	{ .name = "argv", .arg = "TEXT", .help = "the arguments, joined by spaces, contain TEXT",
	  .parse = pn_opt_string, .off = OFF(f.argv), .flags = PN_OPT_ONCE },
	{ .name = "uid", .arg = "UID", .help = "the real user id", NUMBER(uid) },
	{ .name = "since", .arg = "TIME",
	  .help = "at or after TIME: RFC 3339 (2026-05-01T02:00:00Z,\n"
		  "2026-05-01) or a time ago (10m, 2h, 7d)",
	  .parse = parse_time, .off = OFF(f.since_ns), .flags = PN_OPT_ONCE },
	{ .name = "until", .arg = "TIME", .help = "at or before TIME",
	  .parse = parse_time, .off = OFF(f.until_ns), .flags = PN_OPT_ONCE },
	{ .name = "types", .key = 't', .arg = "LIST", .alias = "type",
	  .help = "fork,exec,exit (lost records are always shown);\n"
		  "given twice, the lists add up",
	  .parse = pn_cli_opt_types, .off = OFF(f.types), .words = pn_cli_type_words },
	{ .name = "signaled", .help = "exits caused by a signal",
	  .parse = pn_opt_flag, .off = OFF(f.signaled) },
	{ .name = "exit-code", .arg = "N", .help = "exits with status N",
	  .max = 255, NUMBER(exit_code) },
	{ .help = "Output:" },
	{ .name = "json", .key = 'j', .help = "JSON Lines, as procnotify --json",
	  .parse = pn_cli_opt_json, .off = OFF(format) },
	{ .name = "format", .arg = "FORMAT",
	  .help = "table, json (as --json) or csv (RFC 4180, a header\n"
		  "row, cells safe to open in a spreadsheet)",
	  .parse = pn_opt_enum, .off = OFF(format), .values = "table json csv" },
	{ .name = "no-header", .help = "no header row (table, csv)",
	  .parse = pn_opt_flag, .off = OFF(no_header) },
	{ .name = "count", .help = "print only the number of matching events",
	  .parse = pn_opt_flag, .off = OFF(count) },
	PN_OPT_ROWS_VERSION_HELP,
	{ 0 },
};

_Static_assert(sizeof(enum pn_out_format) == sizeof(int), "--format is parsed as an int");
_Static_assert(sizeof(((pn_store_filter *)0)->exit_code) == sizeof(uint32_t),
	       "--exit-code is parsed as a uint32_t");

const struct pn_cmd pn_cli_query_cmd = {
	.name = "procnotify query",
	.usage = "Usage: procnotify query --db FILE [FILTERS] [--json|--format FORMAT]\n"
		 "Prints the events of the activity log that match every filter given,\n"
		 "oldest first, as the live table, JSON Lines or CSV. Lost records (gaps in\n"
		 "the history) are shown whatever the process filters. A filter may be\n"
		 "given once.\n"
		 "\n",
	.epilog = "\n"
		  "Example: procnotify query --db log.db --name 'curl*' --since 1h --json\n"
		  "Exit status: 0 when an event matched, 1 when none did (as grep) or the\n"
		  "log cannot be read (then one line on standard error says why), 2 for\n"
		  "bad usage. A lost record shown counts as a match.\n",
	.opts = query_rows,
};

struct query_run {
	struct sink sink;
	uint64_t matched;        /* events printed or counted: the exit status */
};

/* Stops the query as soon as the output is gone (`query | head -1`). */
static int query_event(const pn_event *ev, void *user)
{
	struct query_run *run = user;

	run->matched++;
	sink_event(ev, &run->sink);
	return run->sink.failed ? -run->sink.failed : 0;
}

/* The events, or with --count their number (SQLite counts: nothing is
 * rebuilt or formatted). Returns 0 or -errno. */
static int query_run(pn_store *s, const struct query_opts *q, struct query_run *run)
{
	struct sink *sink = &run->sink;
	int rc;

	if (q->count) {
		rc = pn__store_count(s, &q->f, &run->matched);
		if (!rc)
			pn_buf_printf(&sink->buf, "%llu\n", (unsigned long long)run->matched);
		return rc;
	}
	if (q->format == PN_OUT_TABLE && !q->no_header)
		pn_fmt_table_header(&sink->buf);
	if (q->format == PN_OUT_CSV && !q->no_header)
		pn__fmt_csv_header(&sink->buf);
	rc = pn_store_query(s, &q->f, query_event, run);
	return rc < 0 ? rc : 0;
}

int pn_cli_query(int argc, char **argv)
{
	struct query_opts q = { 0 };
	struct query_run run = { 0 };
	struct sink *sink = &run.sink;
	pn_store *s;
	int rc = pn_opt_parse_argv(&pn_cli_query_cmd, argc, argv, &q, NULL);

	if (rc)
		return rc < 0 ? PN_EXIT_OK : rc;
	s = pn_cli_open_log(&pn_cli_query_cmd, q.db);
	if (!s)
		return q.db ? PN_EXIT_FAIL : PN_EXIT_USAGE;
	signal(SIGPIPE, SIG_IGN);
	sink_init(sink, STDOUT_FILENO, q.format);
	rc = query_run(s, &q, &run);
	sink_flush(sink);
	if (rc < 0 && !sink->failed)
		fprintf(stderr, "procnotify: %s: %s\n", q.db, pn_store_errmsg(s));
	pn_store_close(s);
	sink_free(sink);
	if (sink->failed)
		return sink->failed == EPIPE ? PN_EXIT_OK : PN_EXIT_FAIL;
	if (rc < 0)
		return PN_EXIT_FAIL;
	return run.matched ? PN_EXIT_OK : PN_EXIT_FAIL;
}
