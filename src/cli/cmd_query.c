/* `procnotify query`: events from the activity log, printed as the live monitor prints them. */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "names.h"
#include "query.h"
#include "procnotify/csv.h"

#define OFF(field) offsetof(struct query_opts, field)

/* The row's filter field: one term per value given (query.h). */
static const struct {
	const char *opt;
	enum pn_store_where_field field;
} term_rows[] = {
	{ "pid", PN_WHERE_PID }, { "ppid", PN_WHERE_PPID }, { "uid", PN_WHERE_UID },
	{ "user", PN_WHERE_UID }, { "name", PN_WHERE_NAME }, { "image", PN_WHERE_IMAGE },
	{ "argv", PN_WHERE_ARGV }, { "exit-code", PN_WHERE_EXIT_CODE },
	{ "container", PN_WHERE_CONTAINER },
};

static int add_term(struct pn_opt_call *c, pn_store_term t)
{
	struct query_opts *q = c->opts;

	for (size_t i = 0; i < sizeof(term_rows) / sizeof(term_rows[0]); i++)
		if (!strcmp(term_rows[i].opt, c->row->name))
			t.field = term_rows[i].field;
	if (q->w.nterms == QUERY_MAX_TERMS) {
		snprintf(c->why, sizeof(c->why), "more than %d filter values", QUERY_MAX_TERMS);
		return -1;
	}
	q->terms[q->w.nterms++] = t;
	return 0;
}

/* A number, range-checked by the row as pn_opt_u32() does. */
static int parse_number(struct pn_opt_call *c, uint32_t *v)
{
	struct pn_opt_call n = *c;

	n.dest = v;
	if (pn_opt_u32(&n)) {
		memcpy(c->why, n.why, sizeof(c->why));
		return -1;
	}
	return 0;
}

static int term_number(struct pn_opt_call *c)
{
	uint32_t v;

	return parse_number(c, &v) ? -1 : add_term(c, (pn_store_term){ 0, NULL, v });
}

/* An exit code as the outputs write it, unsigned (a Windows status such
 * as 3221225477, 0xC0000005); the filter takes it as the event's int. */
static int term_exit_code(struct pn_opt_call *c)
{
	uint32_t v;

	return parse_number(c, &v) ? -1 : add_term(c, (pn_store_term){ 0, NULL, (int32_t)v });
}

static int term_string(struct pn_opt_call *c)
{
	return add_term(c, (pn_store_term){ 0, c->arg, 0 });
}

static int term_user(struct pn_opt_call *c)
{
	uint32_t uid;

	if (names_parse_user(c->arg, &uid)) {
		snprintf(c->why, sizeof(c->why), "no such user");
		return -1;
	}
	return add_term(c, (pn_store_term){ 0, NULL, uid });
}

#define TERM_NUMBER .parse = term_number
#define TERM_STRING .parse = term_string

static const struct pn_opt query_rows[] = {
	{ .name = "db", .arg = "FILE", .help = "the activity log to read",
	  .parse = pn_opt_string, .off = OFF(db), .flags = PN_OPT_FILE },
	{ .help = "Filters (a filter given again adds a value it may match):" },
	{ .name = "host", .arg = "NAME", .help = "events of the host NAME (their \"host\"), lost\n"
		  "records included; given once",
	  .parse = pn_opt_string, .off = OFF(host), .flags = PN_OPT_ONCE },
	{ .name = "pid", .arg = "PID", .help = "events of processes with this pid", TERM_NUMBER },
	{ .name = "ppid", .arg = "PID", .help = "events whose parent pid is PID", TERM_NUMBER },
	{ .name = "name", .arg = "GLOB", .help = "comm or the image's file name matches GLOB",
	  TERM_STRING },
	{ .name = "image", .arg = "GLOB", .help = "the image path matches GLOB (e.g. '/usr/bin/*')",
	  TERM_STRING },
	{ .name = "argv", .arg = "TEXT", .help = "the arguments, joined by spaces, contain TEXT",
	  TERM_STRING },
	{ .name = "uid", .arg = "UID", .help = "the real user id", TERM_NUMBER },
	{ .name = "user", .arg = "USER", .help = "the real user, by name or uid (one value\n"
						 "of the same filter as --uid)",
	  .parse = term_user },
	{ .name = "container", .arg = "ID", .help = "in this container: its id, the start of it\n"
						    "(docker ps shows 12 digits), or its name\n"
						    "(systemd-nspawn, LXC)", TERM_STRING },
	CLI_WINDOW_ROWS(OFF(win)),
	{ .name = "types", .key = 't', .arg = "LIST", .alias = "type",
	  .help = "fork,exec,exit,snapshot... (lost records are always\n"
		  "shown); given twice, the lists add up",
	  .parse = pn_cli_opt_types, .off = OFF(w.types), .words = pn_cli_type_words },
	{ .name = "signaled", .help = "exits caused by a signal",
	  .parse = pn_opt_flag, .off = OFF(w.signaled) },
	{ .name = "exit-code", .arg = "N", .help = "exits with status N (Windows': as JSON\n"
		  "writes it, 3221225477 for 0xC0000005)",
	  .parse = term_exit_code },
	CLI_WHERE_ROW(OFF(where)),
	{ .help = "Output:" },
	{ .name = "json", .key = 'j', .help = "JSON Lines, as procnotify --json",
	  .parse = pn_cli_opt_json, .off = OFF(format) },
	{ .name = "format", .arg = "FORMAT",
	  .help = "table, json (as --json), csv (RFC 4180, a header\n"
		  "row, cells safe to open in a spreadsheet) or ecs\n"
		  "(Elastic Common Schema documents, one a line)",
	  .parse = pn_cli_opt_format, .off = OFF(format), .values = "table json csv ecs" },
	{ .name = "no-header", .help = "no header row (table, csv)",
	  .parse = pn_opt_flag, .off = OFF(no_header) },
	{ .name = "count", .help = "print only the number of matching events",
	  .parse = pn_opt_flag, .off = OFF(count) },
	CLI_ZONE_ROWS(OFF(win)),
	{ .name = "follow", .key = 'f', .help = "then print new matching events as the monitor\n"
						  "logs them, until interrupted (as tail -f)",
	  .parse = pn_opt_flag, .off = OFF(follow) },
	{ .name = "numeric", .help = "ids without user and group names (JSON: the\n"
				     "monitor's very lines)",
	  .parse = pn_opt_flag, .off = OFF(numeric) },
	PN_OPT_ROWS_VERSION_HELP,
	{ 0 },
};

_Static_assert(sizeof(enum pn_out_format) == sizeof(int), "--format is parsed as an int");

const struct pn_cmd pn_cli_query_cmd = {
	.name = "procnotify query",
	.usage = "Usage: procnotify query --db FILE [FILTERS] [--json|--format FORMAT]\n"
		 "Prints the events of the activity log that match the filters, oldest\n"
		 "first, as a table (date and time, user and group), JSON Lines or CSV.\n"
		 "Different filters must all match; the values of one filter given more\n"
		 "than once are alternatives (--name ls --name sleep --uid 0: an ls or a\n"
		 "sleep, run by root). Lost records (gaps in the history) are shown\n"
		 "whatever the process filters.\n"
		 "\n",
	.epilog = "\n"
		  "Example: procnotify query --db log.db --name 'curl*' --since 1h --json\n"
		  "         procnotify query --db log.db --user alice --follow\n"
		  "Exit status: 0 when an event matched, 1 when none did (as grep) or the\n"
		  "log cannot be read (then one line on standard error says why), 2 for\n"
		  "bad usage. A lost record shown counts as a match.\n",
	.opts = query_rows,
};

static int parse_query(struct query_opts *q, int argc, char **argv)
{
	int rc = pn_opt_parse_argv(&pn_cli_query_cmd, argc, argv, q, NULL);

	if (rc)
		return rc < 0 ? -1 : rc;
	if (q->follow && q->count)
		return pn_opt_usage_error(&pn_cli_query_cmd, "a count has no end to follow:",
					  "--follow --count");
	q->w.terms = q->terms;
	rc = cli_window_read(&pn_cli_query_cmd, &q->win);
	q->w.since_ns = q->win.since_ns;
	q->w.until_ns = q->win.until_ns;
	return rc ? rc : cli_where_read(&q->where);
}

/* Stops the query as soon as the output is gone (`query | head -1`). */
static int query_event(const pn_event *ev, void *user)
{
	struct query_run *run = user;

	if (!cli_where_matches(run->store, &run->q->where, ev))
		return 0;
	run->matched++;
	if (run->q->count)
		return 0;
	query_print(run, ev);
	sink_flush_big(&run->sink);
	return run->sink.failed ? -run->sink.failed : 0;
}

/* The events, or with --count their number (SQLite counts: nothing is
 * rebuilt or formatted, unless --where must see each event), and with
 * --follow the new ones. Returns 0 or
 * -errno. */
static int query_run(pn_store *s, struct query_run *run)
{
	const struct query_opts *q = run->q;
	struct sink *sink = &run->sink;
	pn_store_where w = q->w;
	int rc = pn__store_scope_host(s, q->host);

	if (rc)
		return rc;
	if (q->count) {
		rc = q->where.rules ? pn_store_query_where(s, &q->w, query_event, run)
				    : pn__store_count(s, &q->w, &run->matched);
		if (rc >= 0)
			pn_buf_printf(&sink->buf, "%llu\n", (unsigned long long)run->matched);
		return rc < 0 ? rc : 0;
	}
	if (q->format == PN_OUT_TABLE && !q->no_header)
		pn_fmt_table_header_dated(&sink->buf, q->win.utc ? "UTC" : "local");
	if (q->format == PN_OUT_CSV && !q->no_header)
		pn__fmt_csv_header(&sink->buf);
	/* A follower prints up to the newest row now, then from there on. */
	if (q->follow && (rc = pn_store_last_id(s, &run->last_id)))
		return rc;
	w.upto_id = run->last_id;
	rc = pn_store_query_where(s, &w, query_event, run);
	if (rc >= 0 && q->follow && !(rc = sink_flush(sink)))
		rc = query_follow(s, run, query_event);
	return rc < 0 ? rc : 0;
}

int pn_cli_query(int argc, char **argv)
{
	struct query_opts q = { 0 };
	struct query_run run = { .q = &q };
	struct sink *sink = &run.sink;
	pn_store *s;
	int rc = parse_query(&q, argc, argv);

	if (rc)
		return rc < 0 ? PN_EXIT_OK : rc;
	s = pn_cli_open_log(&pn_cli_query_cmd, q.db);
	if (!s) {
		cli_where_free(&q.where);
		return q.db ? PN_EXIT_FAIL : PN_EXIT_USAGE;
	}
	run.store = s;
	signal(SIGPIPE, SIG_IGN);
	sink_init(sink, STDOUT_FILENO, q.format);
	rc = query_run(s, &run);
	sink_flush(sink);
	if (rc < 0 && !sink->failed)
		fprintf(stderr, "procnotify: %s: %s\n", q.db, pn_store_errmsg(s));
	pn_store_close(s);
	cli_where_free(&q.where);
	sink_free(sink);
	names_free(&run.names);
	if (sink->failed)
		return sink->failed == EPIPE ? PN_EXIT_OK : PN_EXIT_FAIL;
	if (rc < 0)
		return PN_EXIT_FAIL;
	return run.matched ? PN_EXIT_OK : PN_EXIT_FAIL;
}
