/*
 * A hostile activity log: the input is written as the database file, then
 * opened as `query`, `tree` and `report` open it (read-only): every event
 * read and formatted, a tree walked, a report written as a page; then
 * opened as the monitor opens it (write: migration, a new run, the crash
 * gap), closed, and read again. Whatever the file holds (a crafted schema,
 * a stray user_version, broken pages), each step either works or fails
 * with a message.
 */
#include <fcntl.h>
#include <unistd.h>
#include "procnotify/format.h"
#include "procnotify/report.h"
#include "procnotify/store.h"
#include "fuzz.h"

static char path[4096];

static void remove_files(void)
{
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
	char p[sizeof(path) + 16];

	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, suffix[i]);
		unlink(p);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("PN_FUZZ_TMP") ? getenv("PN_FUZZ_TMP") : "/tmp";

	snprintf(path, sizeof(path), "%s/pn-fuzz-sqlite-%d.db", dir, (int)getpid());
	atexit(remove_files);
	return 0;
}

static int print_event(const pn_event *ev, void *user)
{
	pn_buf *b = user;

	pn_buf_reset(b);
	pn_fmt_json(b, ev);
	FUZZ_ASSERT(b->len > 0 && b->data[b->len - 1] == '\n');
	pn_buf_reset(b);
	pn_fmt_table_row(b, ev);
	return 0;
}

static int report_begin(enum pn_report_section s, const pn_report_window *w, void *user)
{
	pn__fmt_report_begin(user, s, w);
	return 0;
}

static int report_row(enum pn_report_section s, const pn_report_row *r, void *user)
{
	pn__fmt_report_row(user, s, r);
	return 0;
}

static int report_end(enum pn_report_section s, uint64_t total, void *user)
{
	pn__fmt_report_end(user, s, total);
	return 0;
}

/* The whole log's report as an HTML page (the formatter that holds rows). */
static void report(pn_store *s, pn_buf *b)
{
	static const pn_report_visitor v = { report_begin, report_row, report_end };
	pn_fmt_report f = { .out = b, .html = 1 };
	pn_report_scope all = { 0 };

	pn_buf_reset(b);
	(void)pn__store_report(s, &all, 3, &v, &f);
	pn__fmt_report_free(&f);
}

static void read_log(pn_buf *b)
{
	pn_store_filter all = { 0 };
	pn_fmt_tree t = { b, 1, 0 };
	char err[256];
	pn_store *s;

	if (pn_store_open(&s, path, PN_STORE_READ, NULL, err, sizeof(err)))
		return;
	(void)pn_store_query(s, &all, print_event, b);
	pn_buf_reset(b);
	(void)pn_store_tree_fmt(s, "4242", &t, NULL);
	report(s, b);
	pn_store_close(s);
}

static void write_log(void)
{
	char err[256];
	pn_store *s;

	if (pn_store_open(&s, path, PN_STORE_WRITE, NULL, err, sizeof(err)) == 0)
		pn_store_close(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static pn_buf b;
	int fd;

	remove_files();
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	read_log(&b);
	write_log();
	/* Migrated, an older file (the seeds) is read once more: the readers
	 * of the current schema meet what the input held. */
	read_log(&b);
	return 0;
}
