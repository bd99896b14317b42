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

int pn_cli_tree(int argc, char **argv)
{
	const char *db, *spec = NULL;
	pn_buf out = { 0 }, note = { 0 };
	pn_store *s;
	int json, rc = parse_tree(argc, argv, &db, &json, &spec);

	if (rc)
		return rc < 0 ? PN_EXIT_OK : rc;
	s = pn_cli_open_log(db);
	if (!s)
		return db ? PN_EXIT_FAIL : PN_EXIT_USAGE;
	rc = pn_store_tree(s, spec, json, &out, &note);
	if (note.len)
		fprintf(stderr, "procnotify: %s\n", note.data);
	if (rc)
		tree_error(rc, spec, db, s);
	else if (fwrite(out.data, 1, out.len, stdout) != out.len || fflush(stdout))
		rc = -EIO;
	pn_store_close(s);
	pn_buf_free(&out);
	pn_buf_free(&note);
	if (rc == -EINVAL)
		return PN_EXIT_USAGE;
	return rc ? PN_EXIT_FAIL : PN_EXIT_OK;
}
