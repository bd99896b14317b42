/*
 * `procnotify import`: the JSON Lines of many hosts, as a central syslog
 * collector writes them (one file per host or one for all), into one
 * activity log. Each event keeps its host; an event the log has already is
 * not added again, so a file may be imported again as it grows, and lines
 * a relay delivered twice count once.
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "outfile.h"

struct import_opts {
	const char *db;
	const char *host;        /* for lines that name no host */
};

#define OFF(field) offsetof(struct import_opts, field)

static const struct pn_opt import_rows[] = {
	{ .name = "db", .arg = "FILE",
	  .help = "the activity log to add to (created mode 0600)",
	  .parse = pn_opt_string, .off = OFF(db), .flags = PN_OPT_FILE },
	{ .name = "host", .arg = "NAME",
	  .help = "the host of lines that name none (written before\n"
		  "the JSON had \"host\")",
	  .parse = pn_cli_opt_hostname, .off = OFF(host), .flags = PN_OPT_ONCE },
	PN_OPT_ROWS_VERSION_HELP,
	{ 0 },
};

const struct pn_cmd pn_cli_import_cmd = {
	.name = "procnotify import",
	.usage = "Usage: procnotify import --db FILE [--host NAME] FILE...\n"
		 "Adds the events of procnotify --json streams (\"-\" reads standard input)\n"
		 "to the activity log, each with its host, so that query and tree answer\n"
		 "for a whole fleet. Lines may carry a syslog prefix before the JSON, as a\n"
		 "collector such as rsyslog writes them; other lines are skipped. An event\n"
		 "the log holds already (same host, time, seq, type and pid) is not added\n"
		 "again: importing a file twice adds nothing.\n"
		 "\n",
	.epilog = "\n"
		  "Example: procnotify import --db fleet.db /var/log/fleet/*.jsonl\n"
		  "Exit status: 0 when every procnotify line was imported (or was there),\n"
		  "1 when a line could not be read (each is named on standard error; the\n"
		  "others are imported) or the log cannot be written, 2 for bad usage.\n",
	.opts = import_rows,
	.max_args = INT_MAX,
};

struct counts {
	uint64_t added, present, skipped, bad;
};

struct importer {
	pn_store *s;
	const char *host;
	char *scratch;
	size_t scratch_cap;
	struct counts total;
};

/* Where procnotify's object starts: the line itself, or after a syslog
 * prefix ("2026-12-02T10:00:00+00:00 web-1 procnotify[42]: {...}"). Every
 * object procnotify writes begins with its seq. NULL: not an event. */
static const char *json_start(const char *line, size_t n)
{
	static const char head[] = "{\"seq\":";

	if (n && line[0] == '{')
		return line;
	return memmem(line, n, head, sizeof(head) - 1);
}

static int grow_scratch(struct importer *im, size_t n)
{
	char *p;

	if (n <= im->scratch_cap)
		return 0;
	p = realloc(im->scratch, n);
	if (!p)
		return -ENOMEM;
	im->scratch = p;
	im->scratch_cap = n;
	return 0;
}

/* One line; store errors are returned, a bad line is counted and named. */
static int import_line(struct importer *im, const char *line, size_t n, const char *file,
		       uint64_t lineno, struct counts *c)
{
	const char *json = json_start(line, n), *why = NULL;
	pn_event ev;
	int rc;

	if (!json) {
		c->skipped++;
		return 0;
	}
	n -= (size_t)(json - line);
	if (grow_scratch(im, n))
		return -ENOMEM;
	if (pn__json_read_event(json, n, im->scratch, &ev, &why)) {
		if (c->bad++ < 10)
			fprintf(stderr, "procnotify: import: %s:%llu: %s\n", file,
				(unsigned long long)lineno, why ? why : "malformed");
		return 0;
	}
	if (!(ev.have & PN_HAVE_HOST) && im->host) {
		ev.host = (pn_str){ im->host, strlen(im->host) };
		ev.have |= PN_HAVE_HOST;
	}
	rc = pn__store_import(im->s, &ev);
	if (rc > 0)
		c->added++;
	else if (rc == 0)
		c->present++;
	return rc < 0 ? rc : 0;
}

static void add_counts(struct counts *t, const struct counts *c)
{
	t->added += c->added;
	t->present += c->present;
	t->skipped += c->skipped;
	t->bad += c->bad;
}

/* One file, line by line; a line of any length (a 32 KiB argv escapes to
 * far more). Returns 0, 1 when the file cannot be read, or -errno from
 * the log. */
static int import_file(struct importer *im, const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	struct counts c = { 0 };
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	uint64_t lineno = 0;
	int rc = 0;

	if (!f) {
		fprintf(stderr, "procnotify: import: %s: %s\n", path, strerror(errno));
		return 1;
	}
	while (!rc && (n = getline(&line, &cap, f)) >= 0)
		rc = import_line(im, line, (size_t)n, path, ++lineno, &c);
	if (!rc && ferror(f)) {
		fprintf(stderr, "procnotify: import: %s: %s\n", path, strerror(errno));
		rc = 1;
	}
	if (f != stdin)
		fclose(f);
	free(line);
	fprintf(stderr, "procnotify: import: %s: %llu added, %llu already in the log, "
		"%llu malformed, %llu other lines skipped\n", path, (unsigned long long)c.added,
		(unsigned long long)c.present, (unsigned long long)c.bad,
		(unsigned long long)c.skipped);
	add_counts(&im->total, &c);
	return rc;
}

static pn_store *open_for_import(const char *db)
{
	char err[256];
	pn_store *s;

	/* The log gets the checks the monitor's gets: no link, ours alone. */
	if (pn_cli_check_private(db))
		return NULL;
	if (pn_store_open(&s, db, PN_STORE_WRITE, NULL, err, sizeof(err)) == 0)
		return s;
	fprintf(stderr, "procnotify: %s: %s\n", db, err);
	return NULL;
}

int pn_cli_import(int argc, char **argv)
{
	struct import_opts o = { 0 };
	struct importer im = { 0 };
	int first, unread = 0, rc = pn_opt_parse_argv(&pn_cli_import_cmd, argc, argv, &o, &first);

	if (rc)
		return rc < 0 ? PN_EXIT_OK : rc;
	if (!o.db)
		return pn_opt_usage_error(&pn_cli_import_cmd, "the log to add to is needed:", "--db");
	if (first >= argc)
		return pn_opt_usage_error(&pn_cli_import_cmd, "a FILE to import is needed", "");
	im.s = open_for_import(o.db);
	if (!im.s)
		return PN_EXIT_FAIL;
	im.host = o.host;
	for (int i = first; rc >= 0 && i < argc; i++) {
		rc = import_file(&im, argv[i]);
		unread |= rc > 0;
	}
	if (rc < 0)
		fprintf(stderr, "procnotify: %s: %s\n", o.db, pn_store_errmsg(im.s));
	if (pn_store_close(im.s) && rc >= 0) {
		fprintf(stderr, "procnotify: %s: %s\n", o.db, "the last events could not be saved");
		rc = -EIO;
	}
	free(im.scratch);
	return rc < 0 || unread || im.total.bad ? PN_EXIT_FAIL : PN_EXIT_OK;
}
