/* `procnotify tree`: a process from the activity log with its ancestors and descendants. */
#include <errno.h>
#include <getopt.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

static void tree_usage(FILE *f)
{
	fputs("Usage: procnotify tree --db FILE [--json] PID|KEY\n"
	      "Prints a process from the activity log under its known ancestors, with\n"
	      "every descendant indented below its parent: pid, image, arguments,\n"
	      "exit status and key. A KEY (L:...) picks one process exactly; a PID\n"
	      "picks the most recent process that had it, and says so on stderr.\n"
	      "\n"
	      "  -j, --json             one nested JSON object (\"children\" arrays)\n"
	      "\n"
	      "Example: procnotify tree --db log.db 4242\n"
	      "Exit status: 0 on success, 1 when the log cannot be read or has no\n"
	      "such process, 2 for bad usage.\n",
	      f);
}

static int parse_tree(int argc, char **argv, const char **db, int *json, const char **spec)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	*db = NULL;
	*json = 0;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': *db = optarg; break;
		case 'j': *json = 1; break;
		case 'h': tree_usage(stdout); return -1;
		case ':': return pn_cli_usage_error("missing argument for", argv[optind - 1]);
		default: return pn_cli_usage_error("unknown option", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return pn_cli_usage_error("one PID or KEY is needed, got", optind < argc ? argv[argc - 1] : "");
	*spec = argv[optind];
	return 0;
}

static void tree_error(int rc, const char *spec, const char *db, pn_store *s)
{
	if (rc == -ENOENT)
		fprintf(stderr, "procnotify: no process %s in %s\n", spec, db);
	else if (rc == -EINVAL)
		pn_cli_usage_error("not a pid or a process key:", spec);
	else
		fprintf(stderr, "procnotify: %s: %s\n", db, pn_store_errmsg(s));
}

/* The tree streams out through a sink as the walk visits it. */
struct tree_out {
	pn_fmt_tree fmt;
	struct sink sink;
};

static int out_enter(const pn_proc_node *n, unsigned depth, int selected, void *user)
{
	struct tree_out *o = user;

	pn_fmt_tree_enter(&o->fmt, n, depth, selected);
	return sink_flush_big(&o->sink);
}

static int out_leave(unsigned depth, void *user)
{
	struct tree_out *o = user;

	pn_fmt_tree_leave(&o->fmt, depth);
	return sink_flush_big(&o->sink);
}

static const pn_store_tree_visitor tree_visitor = { out_enter, out_leave };

int pn_cli_tree(int argc, char **argv)
{
	const char *db, *spec = NULL;
	struct tree_out o;
	pn_buf note = { 0 };
	pn_store *s;
	int json, rc = parse_tree(argc, argv, &db, &json, &spec);

	if (rc)
		return rc < 0 ? PN_EXIT_OK : rc;
	s = pn_cli_open_log(db);
	if (!s)
		return db ? PN_EXIT_FAIL : PN_EXIT_USAGE;
	sink_init(&o.sink, STDOUT_FILENO, json ? PN_OUT_JSON : PN_OUT_TABLE);
	o.fmt = (pn_fmt_tree){ &o.sink.buf, json, 0 };
	rc = pn_store_tree(s, spec, &tree_visitor, &o, &note);
	if (note.len)
		fprintf(stderr, "procnotify: %s\n", note.data);
	if (!rc)
		rc = sink_flush(&o.sink);
	else if (!o.sink.failed)
		tree_error(rc, spec, db, s);
	pn_store_close(s);
	sink_free(&o.sink);
	pn_buf_free(&note);
	if (rc == -EINVAL)
		return PN_EXIT_USAGE;
	return rc ? PN_EXIT_FAIL : PN_EXIT_OK;
}
