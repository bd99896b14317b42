/* `procnotify tree`: a process from the activity log with its ancestors and descendants. */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "names.h"
#include "procnotify/html.h"

struct tree_opts {
	const char *db;
	const char *host;        /* --host: the process is on this host */
	enum pn_out_format format;
	const char *html;        /* --html FILE: the page instead of the text */
};

#define OFF(field) offsetof(struct tree_opts, field)

static const struct pn_opt tree_rows[] = {
	{ .name = "db", .arg = "FILE", .help = "the activity log to read",
	  .parse = pn_opt_string, .off = OFF(db), .flags = PN_OPT_FILE },
	{ .name = "host", .arg = "NAME",
	  .help = "the process ran on the host NAME (a log of many\nhosts, see import)",
	  .parse = pn_opt_string, .off = OFF(host), .flags = PN_OPT_ONCE },
	{ .name = "json", .key = 'j', .help = "one nested JSON object (\"children\" arrays)",
	  .parse = pn_cli_opt_json, .off = OFF(format) },
	{ .name = "html", .arg = "FILE",
	  .help = "write the tree to FILE as one self-contained HTML\n"
		  "page (- for standard output): collapsible, with a\n"
		  "timeline of the processes' lifetimes",
	  .parse = pn_opt_string, .off = OFF(html), .flags = PN_OPT_FILE | PN_OPT_ONCE },
	PN_OPT_ROWS_VERSION_HELP,
	{ 0 },
};

const struct pn_cmd pn_cli_tree_cmd = {
	.name = "procnotify tree",
	.usage = "Usage: procnotify tree --db FILE [--host NAME] [--json|--html FILE] PID|KEY\n"
		 "Prints a process from the activity log under its known ancestors, with\n"
		 "every descendant indented below its parent: pid, image, arguments,\n"
		 "exit status and key. A KEY (L:...) picks one process exactly; a PID\n"
		 "picks the most recent process that had it, and says so on stderr.\n"
		 "\n",
	.epilog = "\n"
		  "Example: procnotify tree --db log.db 4242\n"
		  "         procnotify tree --db log.db --html tree.html 1\n"
		  "Exit status: 0 on success, 1 when the log cannot be read or has no\n"
		  "such process, 2 for bad usage.\n",
	.opts = tree_rows,
	.max_args = 1,
};

static void tree_error(int rc, const char *spec, const char *db, pn_store *s)
{
	if (rc == -ENOENT)
		fprintf(stderr, "procnotify: no process %s in %s\n", spec, db);
	else if (rc == -EINVAL)
		pn_opt_usage_error(&pn_cli_tree_cmd, "not a pid or a process key:", spec);
	else
		fprintf(stderr, "procnotify: %s: %s\n", db, pn_store_errmsg(s));
}

/* The tree streams out through a sink as the walk visits it. */
struct tree_out {
	pn_fmt_tree fmt;
	pn_fmt_html_tree html;
	int is_html;
	struct names names;
	struct sink sink;
};

static int out_enter(const pn_proc_node *n, unsigned depth, int selected, void *user)
{
	struct tree_out *o = user;

	if (o->is_html)
		pn__fmt_html_tree_node(&o->html, n, depth, selected, (n->have & PN_HAVE_UID) ?
				       names_get(&o->names, 0, n->uid) : NULL);
	else
		pn_fmt_tree_enter(&o->fmt, n, depth, selected);
	return sink_flush_big(&o->sink);
}

static int out_leave(unsigned depth, void *user)
{
	struct tree_out *o = user;

	if (!o->is_html)
		pn_fmt_tree_leave(&o->fmt, depth);
	return sink_flush_big(&o->sink);
}

static const pn_store_tree_visitor tree_visitor = { out_enter, out_leave };

/* The walk into the output; the page's head and end around it. */
static int tree_run(pn_store *s, const char *spec, struct tree_out *o, pn_buf *note)
{
	int rc;

	if (o->is_html) {
		pn_buf title = { 0 };

		pn_buf_printf(&title, "procnotify tree %s", spec);
		pn__fmt_html_tree_begin(&o->html, title.oom ? "procnotify tree" : title.data);
		pn_buf_free(&title);
	}
	rc = pn_store_tree(s, spec, &tree_visitor, o, note);
	if (!rc && o->is_html)
		pn__fmt_html_tree_end(&o->html);
	return rc;
}

int pn_cli_tree(int argc, char **argv)
{
	struct tree_opts t = { 0 };
	const char *db, *spec;
	struct tree_out o = { 0 };
	pn_buf note = { 0 };
	pn_store *s;
	int fd = STDOUT_FILENO, first, rc = pn_opt_parse_argv(&pn_cli_tree_cmd, argc, argv, &t, &first);

	if (rc)
		return rc < 0 ? PN_EXIT_OK : rc;
	if (first != argc - 1)
		return pn_opt_usage_error(&pn_cli_tree_cmd, "one PID or KEY is needed", "");
	if (t.html && t.format == PN_OUT_JSON)
		return pn_opt_usage_error(&pn_cli_tree_cmd, "one output at a time:", "--json --html");
	spec = argv[first];
	db = t.db;
	s = pn_cli_open_log(&pn_cli_tree_cmd, db);
	if (!s)
		return db ? PN_EXIT_FAIL : PN_EXIT_USAGE;
	if (t.html && (fd = pn_cli_open_page(t.html)) < 0) {
		pn_store_close(s);
		return PN_EXIT_FAIL;
	}
	sink_init(&o.sink, fd, t.format);
	o.is_html = t.html != NULL;
	o.fmt = (pn_fmt_tree){ &o.sink.buf, t.format == PN_OUT_JSON, 0 };
	o.html.out = &o.sink.buf;
	rc = pn__store_scope_host(s, t.host);
	if (!rc)
		rc = tree_run(s, spec, &o, &note);
	if (note.len)
		fprintf(stderr, "procnotify: %s\n", note.data);
	if (!rc)
		rc = sink_flush(&o.sink);
	else if (!o.sink.failed)
		tree_error(rc, spec, db, s);
	rc = pn_cli_close_page(t.html, fd, rc);
	pn_store_close(s);
	sink_free(&o.sink);
	pn__fmt_html_tree_free(&o.html);
	names_free(&o.names);
	pn_buf_free(&note);
	if (rc == -EINVAL)
		return PN_EXIT_USAGE;
	return rc ? PN_EXIT_FAIL : PN_EXIT_OK;
}
