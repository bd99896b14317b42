/* `procnotify report`: a summary of the activity log over a time window (aureport). */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "names.h"
#include "where.h"
#include "window.h"
#include "procnotify/report.h"

struct report_opts {
	const char *db;
	const char *host;        /* --host: one host's events */
	struct cli_window win;
	struct cli_where where;
	uint32_t top;
	enum pn_out_format format;
	int numeric;             /* --numeric: no user names */
	const char *html;        /* --html FILE: the page instead of the text */
};

#define OFF(field) offsetof(struct report_opts, field)

static const struct pn_opt report_rows[] = {
	{ .name = "db", .arg = "FILE", .help = "the activity log to read",
	  .parse = pn_opt_string, .off = OFF(db), .flags = PN_OPT_FILE },
	{ .help = "What to count:" },
	{ .name = "host", .arg = "NAME", .help = "events of the host NAME (their \"host\"), lost\n"
						"records included; given once",
	  .parse = pn_opt_string, .off = OFF(host), .flags = PN_OPT_ONCE },
	CLI_WINDOW_ROWS(OFF(win)),
	CLI_WHERE_ROW(OFF(where)),
	{ .help = "Output:" },
	{ .name = "top", .arg = "N", .help = "rows per ranked section (default 10; 0: all)",
	  .parse = pn_opt_u32, .off = OFF(top), .flags = PN_OPT_ONCE },
	{ .name = "json", .key = 'j', .help = "one JSON object",
	  .parse = pn_cli_opt_json, .off = OFF(format) },
	{ .name = "format", .arg = "FORMAT", .help = "table or json (as --json)",
	  .parse = pn_opt_enum, .off = OFF(format), .values = "table json" },
	{ .name = "html", .arg = "FILE",
	  .help = "write the report to FILE as one self-contained\n"
		  "HTML page (- for standard output)",
	  .parse = pn_opt_string, .off = OFF(html), .flags = PN_OPT_FILE | PN_OPT_ONCE },
	CLI_ZONE_ROWS(OFF(win)),
	{ .name = "numeric", .help = "user ids without their names",
	  .parse = pn_opt_flag, .off = OFF(numeric) },
	PN_OPT_ROWS_VERSION_HELP,
	{ 0 },
};

const struct pn_cmd pn_cli_report_cmd = {
	.name = "procnotify report",
	.usage = "Usage: procnotify report --db FILE [--since TIME] [--until TIME]\n"
		 "                         [--json|--html FILE]\n"
		 "Summarises the activity log over a window, as aureport does the audit\n"
		 "log: events per type, the most executed images, the parents that started\n"
		 "the most processes, executions per user, failures (non-zero exits and\n"
		 "signals) per image, images run for the first time in the log, and the\n"
		 "events of each hour.\n"
		 "\n",
	.epilog = "\n"
		  "Example: procnotify report --db log.db --since 1d\n"
		  "Exit status: 0 on success, 1 when the log cannot be read, 2 for bad\n"
		  "usage.\n",
	.opts = report_rows,
};

struct report_out {
	struct report_opts *r;
	pn_store *store;
	pn_fmt_report fmt;
	struct sink sink;
	struct names names;
};

static int out_keep(const pn_event *ev, void *user)
{
	struct report_out *o = user;

	return cli_where_matches(o->store, &o->r->where, ev);
}

static int64_t out_offset(int64_t t_ns, void *user)
{
	struct report_out *o = user;

	return cli_window_offset(&o->r->win, t_ns);
}

static int out_begin(enum pn_report_section s, const pn_report_window *w, void *user)
{
	struct report_out *o = user;

	pn__fmt_report_begin(&o->fmt, s, w);
	return sink_flush_big(&o->sink);
}

static int out_row(enum pn_report_section s, const pn_report_row *r, void *user)
{
	struct report_out *o = user;
	pn_report_row named = *r;

	if (s == PN_REPORT_USERS && !o->r->numeric && (r->have & PN_HAVE_UID))
		named.user_name = names_get(&o->names, 0, r->uid);
	pn__fmt_report_row(&o->fmt, s, &named);
	return sink_flush_big(&o->sink);
}

static int out_end(enum pn_report_section s, uint64_t total, void *user)
{
	struct report_out *o = user;

	pn__fmt_report_end(&o->fmt, s, total);
	return sink_flush_big(&o->sink);
}

static const pn_report_visitor report_visitor = { out_begin, out_row, out_end };

static int parse_report(struct report_opts *r, int argc, char **argv)
{
	int rc = pn_opt_parse_argv(&pn_cli_report_cmd, argc, argv, r, NULL);

	if (rc)
		return rc < 0 ? -1 : rc;
	if (r->html && r->format == PN_OUT_JSON)
		return pn_opt_usage_error(&pn_cli_report_cmd, "one output at a time:", "--json --html");
	rc = cli_window_read(&pn_cli_report_cmd, &r->win);
	return rc ? rc : cli_where_read(&r->where);
}

int pn_cli_report(int argc, char **argv)
{
	struct report_opts r = { .top = 10 };
	struct report_out o = { .r = &r };
	pn_report_scope sc = { 0 };
	pn_store *s;
	int fd = STDOUT_FILENO, rc = parse_report(&r, argc, argv);

	if (rc)
		return rc < 0 ? PN_EXIT_OK : rc;
	s = pn_cli_open_log(&pn_cli_report_cmd, r.db);
	if (!s || (r.html && (fd = pn_cli_open_page(r.html)) < 0)) {
		pn_store_close(s);
		cli_where_free(&r.where);
		return r.db ? PN_EXIT_FAIL : PN_EXIT_USAGE;
	}
	o.store = s;
	signal(SIGPIPE, SIG_IGN);
	sink_init(&o.sink, fd, r.format);
	o.fmt = (pn_fmt_report){ .out = &o.sink.buf, .json = r.format == PN_OUT_JSON,
				 .html = r.html != NULL, .zone = r.win.utc ? "UTC" : "local",
				 .offset = out_offset, .user = &o };
	sc = (pn_report_scope){ r.win.since_ns, r.win.until_ns, r.where.rules ? out_keep : NULL, &o };
	rc = pn__store_scope_host(s, r.host);
	if (!rc)
		rc = pn__store_report(s, &sc, r.top, &report_visitor, &o);
	if (!rc)
		rc = sink_flush(&o.sink);
	else if (!o.sink.failed)
		fprintf(stderr, "procnotify: %s: %s\n", r.db, pn_store_errmsg(s));
	rc = pn_cli_close_page(r.html, fd, rc);
	pn_store_close(s);
	sink_free(&o.sink);
	pn__fmt_report_free(&o.fmt);
	names_free(&o.names);
	cli_where_free(&r.where);
	if (o.sink.failed == EPIPE)
		return PN_EXIT_OK;
	return rc ? PN_EXIT_FAIL : PN_EXIT_OK;
}
