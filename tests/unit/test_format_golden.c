/*
 * Formatting golden files: a fixed set of records, decoded and printed as the
 * table and as JSON, must match tests/golden/events.{table,jsonl} byte for
 * byte. PN_UPDATE_GOLDEN=1 rewrites them (review the diff before committing).
 *
 * The same events also go into an activity log, and what a query reads back
 * must print the same bytes: the log keeps every field the formatters show.
 * The log is left at PN_GOLDEN_DB when that is set, for the CLI's golden
 * test of `procnotify query`. A copy of it in the schema before the
 * strings table (version 10) is migrated and must print the same bytes too.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "procnotify/decode.h"
#include "procnotify/format.h"
#include "procnotify/store.h"
#include "recbuild.h"
#include "check.h"
#include "sqlite_int.h"
#include "store/schema.h"

static pn_store *store;

/* 2026-11-27T00:00:00Z in ns, minus nothing: records are monotonic + this. */
static const struct pn__decode_ctx ctx = { 1795737600000000000LL, 0x5c645282e5804455ULL, 'L',
					   4026531840u };

/* The host the library would set: one name for most events, a hostile
 * one (a container's UTS namespace may say anything) on the hostile exec,
 * and none on the lost record of unknown count. */
static void set_host(pn_event *ev, uint64_t seq)
{
	static const char evil[] = "evil\nhost\x1b[31m\xff\"";
	const char *name = seq == 3 ? evil : "web-1.example.org";

	if (seq == 8)
		return;
	ev->host = (pn_str){ name, strlen(name) };
	ev->have |= PN_HAVE_HOST;
}

static void emit(pn_buf *tbl, pn_buf *js, struct recbuf *r, uint64_t seq)
{
	pn_event ev;

	CHECK(pn__decode(&r->u, r->len, &ctx, &ev) == 0);
	ev.seq = seq;
	set_host(&ev, seq);
	pn_fmt_table_row(tbl, &ev);
	pn_fmt_json(js, &ev);
	if (store)
		pn_store_event(&ev, store);
}

static void exec_rec(struct recbuf *r, const char *comm, const char *image, size_t ilen,
		     const char *argv, size_t alen, uint32_t flags)
{
	rb_start(r, PN_REC_EXEC, sizeof(r->u.exec), 2000000000);
	rb_task(&r->u.exec.task, 4242, 4000, 1500000000, comm);
	r->u.exec.task.known |= PN_KNOWN_IMAGE | PN_KNOWN_ARGV | PN_KNOWN_CWD | PN_KNOWN_FILENAME |
				PN_KNOWN_SID | PN_KNOWN_TTY;
	r->u.exec.flags = flags;
	r->u.exec.sid = 4000;
	r->u.exec.old_tid = 4242;
	strcpy(r->u.exec.tty, "pts/3");
	rb_str(r, &r->u.exec.filename, image, ilen);
	rb_str(r, &r->u.exec.image, image, ilen);
	rb_str(r, &r->u.exec.cwd, "/home/u", 7);
	rb_str(r, &r->u.exec.argv, argv, alen);
	r->u.exec.task.known |= PN_KNOWN_IMAGE_ID | PN_KNOWN_NS;
	r->u.exec.image_dev_major = 8;
	r->u.exec.image_dev_minor = 1;
	r->u.exec.image_ino = 1234567;
	r->u.exec.mnt_ns = ctx.host_mnt_ns;
	r->u.exec.pid_ns = 4026531836u;
}

/* Execs whose image does not simply name a file on this host: cut short
 * and unlinked, seen from a chroot in another mount namespace; a memfd. */
static void place_execs(pn_buf *tbl, pn_buf *js, uint64_t *seq)
{
	static const char root[] = "/srv/jail\x1b[31m";
	static const char memfd[] = "memfd:payload";
	struct recbuf r;

	exec_rec(&r, "sudo", "/usr/bin/sudo", 13, "sudo\0", 5,
		 PN_EXEC_IMAGE_TRUNCATED | PN_EXEC_IMAGE_DELETED | PN_EXEC_CWD_TRUNCATED);
	r.u.exec.mnt_ns = 4026532200u;
	r.u.exec.pid_ns = 4026532201u;
	r.u.exec.image_dev_major = 259;
	r.u.exec.image_dev_minor = 1048575;
	r.u.exec.image_ino = UINT64_MAX;
	rb_str(&r, &r.u.exec.root, root, sizeof(root) - 1);
	r.u.exec.task.known |= PN_KNOWN_ROOT;
	emit(tbl, js, &r, (*seq)++);
	exec_rec(&r, "x", memfd, sizeof(memfd) - 1, "x\0", 2, PN_EXEC_IMAGE_DELETED);
	rb_str(&r, &r.u.exec.filename, "/dev/fd/3", 9);
	r.u.exec.image_dev_minor = 1;
	r.u.exec.image_dev_major = 0;
	emit(tbl, js, &r, (*seq)++);
}

static void exit_rec(struct recbuf *r, uint32_t status, uint32_t kind, uint64_t t)
{
	rb_start(r, PN_REC_EXIT, sizeof(r->u.exit), t);
	rb_task(&r->u.exit.task, 4242, 4000, 1500000000, "ls");
	r->u.exit.status = status;
	r->u.exit.status_kind = kind;
}

/* The netlink connector's extra events, one of each (ptrace twice). */
/* A lost record of known count: n1 records of type t1 and n2 of type t2. */
static void lost_rec(struct recbuf *r, uint64_t t, int t1, uint64_t n1, int t2, uint64_t n2)
{
	rb_start(r, PN_REC_LOST, sizeof(r->u.lost), t);
	r->u.lost.count = n1 + n2;
	r->u.lost.count_known = 1;
	r->u.lost.by_type[t1] = n1;
	r->u.lost.by_type[t2] = n2;
}

static void changes(pn_buf *tbl, pn_buf *js, uint64_t *seq)
{
	static const struct { int type; uint32_t a, b; } c[] = {
		{ PN_REC_COMM, 0, 0 },	      { PN_REC_SETUID, 65534, 0 },
		{ PN_REC_SETGID, 100, 65534 }, { PN_REC_SETSID, 0, 0 },
		{ PN_REC_PTRACE, 4000, 0 },    { PN_REC_PTRACE, 0, 0 },
		{ PN_REC_COREDUMP, 0, 0 },
	};
	struct recbuf r;

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		rb_start(&r, c[i].type, sizeof(r.u.change), 5000000000 + i);
		rb_task(&r.u.change.task, 4242, 4000, 1500000000, "renamed\x1b");
		r.u.change.task.known &= ~PN_KNOWN_UID; /* as the netlink backend sends them */
		r.u.change.id_real = c[i].a;
		r.u.change.id_effective = c[i].b;
		emit(tbl, js, &r, (*seq)++);
	}
}

static void build(pn_buf *tbl, pn_buf *js)
{
	static const char argv[] = "ls\0-la\0two words\0";
	static const char evil[] = "evil\nname\x1b[31m|\xff\"q\"";
	struct recbuf r;
	uint64_t seq = 1;

	pn_fmt_table_header(tbl);
	rb_start(&r, PN_REC_FORK, sizeof(r.u.fork), 1000000000);
	rb_task(&r.u.fork.task, 4242, 4000, 1000000000, "bash");
	emit(tbl, js, &r, seq++);
	exec_rec(&r, "ls", "/usr/bin/ls", 11, argv, sizeof(argv) - 1, 0);
	emit(tbl, js, &r, seq++);
	exec_rec(&r, evil, evil, sizeof(evil) - 1, evil, sizeof(evil), PN_EXEC_ARGV_TRUNCATED);
	emit(tbl, js, &r, seq++);
	exit_rec(&r, 3 << 8, PN_EXIT_WAITSTATUS, 3512345678);
	emit(tbl, js, &r, seq++);
	exit_rec(&r, 11 | 0x80, PN_EXIT_WAITSTATUS, 1500900000);
	emit(tbl, js, &r, seq++);
	exit_rec(&r, 0xc0000005u, PN_EXIT_NTSTATUS, 1501000000 + 3600LL * 1000000000);
	emit(tbl, js, &r, seq++);
	lost_rec(&r, 4000000000, PN_REC_FORK, 2, PN_REC_EXIT, 3);
	emit(tbl, js, &r, seq++);
	rb_start(&r, PN_REC_LOST, sizeof(r.u.lost), 4000000001);
	emit(tbl, js, &r, seq++);
	changes(tbl, js, &seq);
	place_execs(tbl, js, &seq);
	/* The Windows driver's loss: creates and exits. */
	lost_rec(&r, 6000000000, PN_REC_CREATE, 2, PN_REC_EXIT, 1);
	emit(tbl, js, &r, seq++);
}

static void compare(const char *path, const pn_buf *got)
{
	FILE *f;
	char *want;
	long n;

	if (getenv("PN_UPDATE_GOLDEN")) {
		f = fopen(path, "wb");
		CHECK(f && fwrite(got->data, 1, got->len, f) == got->len);
		if (f)
			fclose(f);
		return;
	}
	f = fopen(path, "rb");
	CHECK(f != NULL);
	if (!f)
		return;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	want = malloc((size_t)n + 1);
	CHECK(want && fread(want, 1, (size_t)n, f) == (size_t)n);
	fclose(f);
	CHECK((size_t)n == got->len && !memcmp(want, got->data, got->len));
	if ((size_t)n != got->len || memcmp(want, got->data, got->len))
		fprintf(stderr, "%s differs; got:\n%s\n", path, got->data);
	free(want);
}

struct outputs {
	pn_buf tbl, js;
};

static int format_both(const pn_event *ev, void *user)
{
	struct outputs *o = user;

	pn_fmt_table_row(&o->tbl, ev);
	pn_fmt_json(&o->js, ev);
	return 0;
}

static void compare_both(const char *dir, const struct outputs *o)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/events.table", dir);
	compare(path, &o->tbl);
	snprintf(path, sizeof(path), "%s/events.jsonl", dir);
	compare(path, &o->js);
}

/* Every event the log read back prints as it did live. */
static void read_back(const char *db, const char *dir)
{
	struct outputs o = { { 0 }, { 0 } };
	pn_store_filter all = { 0 };

	CHECK(pn_store_open(&store, db, PN_STORE_READ, NULL, NULL, 0) == 0);
	pn_fmt_table_header(&o.tbl);
	CHECK(store && pn_store_query(store, &all, format_both, &o) >= 0);
	pn_store_close(store);
	compare_both(dir, &o);
	pn_buf_free(&o.tbl);
	pn_buf_free(&o.js);
}

static const char blob_rows[] = "SELECT count(*) FROM event WHERE typeof(argv) = 'blob'"
				" OR typeof(comm) = 'blob' OR typeof(tty) = 'blob'";

/* "INSERT INTO main.T(cols) SELECT cols FROM new.V;" with the columns
 * main.T has: a view of today's log has the columns later steps added. */
static void copy_sql(sqlite3 *conn, pn_buf *sql, const char *table, const char *view)
{
	sqlite3_stmt *st;
	pn_buf cols = { 0 };
	char *q = sqlite3_mprintf("SELECT name FROM main.pragma_table_info(%Q)", table);

	CHECK(sqlite3_prepare_v2(conn, q, -1, &st, NULL) == SQLITE_OK);
	while (st && sqlite3_step(st) == SQLITE_ROW)
		pn_buf_printf(&cols, "%s\"%s\"", cols.len ? ", " : "", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_free(q);
	pn_buf_printf(sql, "INSERT INTO main.%s(%s) SELECT %s FROM new.%s;", table, cols.data,
		      cols.data, view);
	pn_buf_free(&cols);
}

/* The rows of log db written again into old, a file of schema version 10
 * (strings in the rows), through the views that show the strings. */
static void write_v10(const char *db, const char *old)
{
	pn_buf copy = { 0 };
	sqlite3 *conn;
	char *attach = sqlite3_mprintf("ATTACH %Q AS new", db);

	unlink(old);
	CHECK(sqlite3_open(old, &conn) == SQLITE_OK);
	for (int v = 0; v < 10; v++)
		CHECK(sqlite3_exec(conn, pn__store_migrations[v], NULL, NULL, NULL) == SQLITE_OK);
	CHECK(sqlite3_exec(conn, attach, NULL, NULL, NULL) == SQLITE_OK);
	pn_buf_puts(&copy, "INSERT INTO main.run SELECT * FROM new.run;"
			   "INSERT INTO main.host SELECT * FROM new.host;");
	copy_sql(conn, &copy, "process", "process_view");
	copy_sql(conn, &copy, "event", "event_view");
	pn_buf_puts(&copy, "PRAGMA main.user_version = 10; PRAGMA main.application_id = 1886285684;");
	CHECK(sqlite3_exec(conn, copy.data, NULL, NULL, NULL) == SQLITE_OK);
	pn_buf_free(&copy);
	sqlite3_free(attach);
	sqlite3_close(conn);
	CHECK(sql_int(old, blob_rows) > 10);
}

/* A log of version 10 is migrated by a writer and reads back every field. */
static void migrate_v10(const char *db, const char *dir, const char *tmpdir)
{
	char old[512];

	snprintf(old, sizeof(old), "%s/old.db", tmpdir);
	write_v10(db, old);
	CHECK(pn_store_open(&store, old, PN_STORE_WRITE, NULL, NULL, 0) == 0);
	CHECK(pn_store_close(store) == 0);
	store = NULL;
	CHECK(sql_int(old, "PRAGMA user_version") == PN_STORE_SCHEMA_VERSION);
	CHECK(sql_int(old, blob_rows) == 0);
	read_back(old, dir);
	unlink(old);
	strcat(old, "-wal");
	unlink(old);
	old[strlen(old) - 4] = 0;
	strcat(old, "-shm");
	unlink(old);
}

/* Removes the private directory of the log and the files SQLite made beside
 * it (a read-only connection leaves -wal and -shm): rmdir fails on any other. */
static void remove_log_dir(const char *dir)
{
	static const char *const names[] = { "events.db", "events.db-wal", "events.db-shm" };
	char path[512];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	CHECK(rmdir(dir) == 0);
}

int main(void)
{
	struct outputs o = { { 0 }, { 0 } };
	const char *dir = getenv("PN_GOLDEN_DIR") ? getenv("PN_GOLDEN_DIR") : "tests/golden";
	char tmpdir[] = "/tmp/pn-golden-XXXXXX", tmp[64];
	const char *db = getenv("PN_GOLDEN_DB");
	int own = !db && mkdtemp(tmpdir);

	CHECK(db || own);
	snprintf(tmp, sizeof(tmp), "%s/events.db", tmpdir);
	db = db ? db : tmp;
	unlink(db);
	CHECK(pn_store_open(&store, db, PN_STORE_WRITE, NULL, NULL, 0) == 0);
	build(&o.tbl, &o.js);
	CHECK(pn_store_close(store) == 0);
	store = NULL;
	compare_both(dir, &o);
	if (!getenv("PN_UPDATE_GOLDEN"))
		read_back(db, dir);
	if (!getenv("PN_UPDATE_GOLDEN") && own)
		migrate_v10(db, dir, tmpdir);
	if (own)
		remove_log_dir(tmpdir);
	pn_buf_free(&o.tbl);
	pn_buf_free(&o.js);
	return pn_test_done("test_format_golden");
}
