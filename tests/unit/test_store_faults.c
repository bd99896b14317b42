/*
 * The activity log when the disk fails it, and logs of every older schema.
 * Failures come from SQLite's own fault-injection hook: its unix VFS makes
 * its system calls through a table (xSetSystemCall), so the test can make
 * the writes to one file fail with the errno it wants, at the moment it
 * wants: a COMMIT that cannot be written, a full disk, a migration whose
 * transaction cannot be committed.
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "store_open.h"
#include "sqlite_int.h"
#include "procnotify/store.h"
#include "store/db.h"
#include "store/schema.h"

#define NS 1000000000LL
#define T0 (1900000000LL * NS)

static char dir[] = "/tmp/pn-test-faults-XXXXXX";

/* ---- failing writes ---- */

static sqlite3_syscall_ptr real_write, real_pwrite, real_pwrite64;
static const char *fail_suffix; /* writes to a file whose name ends so fail */
static int fail_errno;

static int failing(int fd)
{
	char link[64], name[512];
	ssize_t n;
	size_t len;

	if (!fail_suffix)
		return 0;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, name, sizeof(name) - 1);
	if (n < 0)
		return 0;
	name[n] = 0;
	len = strlen(fail_suffix);
	if ((size_t)n < len || strcmp(name + n - len, fail_suffix))
		return 0;
	errno = fail_errno;
	return 1;
}

static ssize_t hook_write(int fd, const void *b, size_t n)
{
	return failing(fd) ? -1 : ((ssize_t(*)(int, const void *, size_t))real_write)(fd, b, n);
}

static ssize_t hook_pwrite(int fd, const void *b, size_t n, off_t off)
{
	return failing(fd) ? -1 :
	       ((ssize_t(*)(int, const void *, size_t, off_t))real_pwrite)(fd, b, n, off);
}

static ssize_t hook_pwrite64(int fd, const void *b, size_t n, off64_t off)
{
	return failing(fd) ? -1 :
	       ((ssize_t(*)(int, const void *, size_t, off64_t))real_pwrite64)(fd, b, n, off);
}

static void hook(sqlite3_vfs *vfs, const char *name, sqlite3_syscall_ptr mine,
		 sqlite3_syscall_ptr *real)
{
	*real = vfs->xGetSystemCall(vfs, name);
	if (*real)
		CHECK(vfs->xSetSystemCall(vfs, name, mine) == SQLITE_OK);
}

static void install_hooks(void)
{
	sqlite3_vfs *vfs = sqlite3_vfs_find(NULL);

	CHECK(vfs && vfs->iVersion >= 3);
	hook(vfs, "write", (sqlite3_syscall_ptr)hook_write, &real_write);
	hook(vfs, "pwrite", (sqlite3_syscall_ptr)hook_pwrite, &real_pwrite);
	hook(vfs, "pwrite64", (sqlite3_syscall_ptr)hook_pwrite64, &real_pwrite64);
	CHECK(real_write && (real_pwrite || real_pwrite64));
}

static void fail_writes(const char *suffix, int err)
{
	fail_suffix = suffix;
	fail_errno = err;
}

/* ---- the log ---- */

static void path_of(char *p, size_t n, const char *name)
{
	snprintf(p, n, "%s/%s", dir, name);
	unlink(p);
}

static void add_forks(pn_store *s, uint32_t from, uint32_t to)
{
	for (uint32_t pid = from; pid < to; pid++) {
		pn_event ev;

		memset(&ev, 0, sizeof(ev));
		ev.type = PN_EVENT_FORK;
		ev.seq = pid;
		ev.time_ns = T0 + (int64_t)pid * NS;
		ev.have = PN_HAVE_START | PN_HAVE_PARENT;
		ev.pid = ev.tid = pid;
		ev.ppid = 1;
		ev.key = (pn_key){ 7, (uint64_t)pid * 100, pid, 'L' };
		ev.parent_key = (pn_key){ 7, 100, 1, 'L' };
		ev.duration_ns = -1;
		pn_store_event(&ev, s);
	}
}

/* A COMMIT whose pages cannot be written: the batch is rolled back, the
 * failure is kept with SQLite's words, the run is not marked ended, and
 * the file holds exactly the batches committed before. */
static void failed_commit(int err, const char *words)
{
	char p[256];
	pn_store *s;

	path_of(p, sizeof(p), "commit.db");
	s = store_open(p, PN_STORE_WRITE, NULL);
	if (!s)
		return;
	add_forks(s, 100, 110);
	CHECK(pn_store_commit(s) == 0);
	fail_writes("commit.db-wal", err);
	add_forks(s, 200, 210);
	CHECK(pn_store_commit(s) == -err);
	fail_writes(NULL, 0);
	CHECK(pn_store_failed(s) == -err);
	CHECK(strstr(pn_store_errmsg(s), words) != NULL);
	add_forks(s, 300, 310); /* nothing more is written */
	CHECK(pn_store_close(s) == -err);
	CHECK(sql_int(p, "PRAGMA integrity_check") == 0 /* "ok" reads as 0 */);
	CHECK(sql_int(p, "SELECT count(*) FROM event WHERE pid BETWEEN 100 AND 109") == 10);
	CHECK(sql_int(p, "SELECT count(*) FROM event WHERE pid >= 200") == 0);
	CHECK(sql_int(p, "SELECT count(*) FROM process WHERE pid >= 200") == 0);
	CHECK(sql_int(p, "SELECT count(*) FROM run WHERE ended_ns IS NULL") == 1);
	/* The next writer finds the gap and appends after it. */
	s = store_open(p, PN_STORE_WRITE, NULL);
	add_forks(s, 400, 401);
	CHECK(pn_store_close(s) == 0);
	CHECK(sql_int(p, "SELECT count(*) FROM event WHERE type = 4") == 1);
	CHECK(sql_int(p, "SELECT count(*) FROM event WHERE pid = 400") == 1);
}

/* A batch whose INSERT fails half-way (a trigger of the test's refuses
 * one event, as a constraint would): SQLite leaves the transaction open
 * after a failed statement; the store rolls it back, so the rows before
 * the refused one are gone and the log's write lock is free at once,
 * not held until the monitor exits. */
static void failed_batch(void)
{
	char p[256];
	pn_store *s;
	sqlite3 *other;

	path_of(p, sizeof(p), "batch.db");
	s = store_open(p, PN_STORE_WRITE, NULL);
	if (!s)
		return;
	add_forks(s, 100, 110);
	CHECK(pn_store_commit(s) == 0);
	CHECK(sqlite3_open(p, &other) == SQLITE_OK);
	CHECK(sqlite3_exec(other, "CREATE TRIGGER refuse BEFORE INSERT ON event WHEN NEW.pid = 205"
			   " BEGIN SELECT RAISE(ABORT, 'refused by the test'); END", NULL, NULL,
			   NULL) == SQLITE_OK);
	add_forks(s, 200, 210);
	CHECK(pn_store_commit(s) == -EIO);
	CHECK(strstr(pn_store_errmsg(s), "refused by the test") != NULL);
	CHECK(sqlite3_exec(other, "BEGIN IMMEDIATE; DROP TRIGGER refuse; COMMIT", NULL, NULL,
			   NULL) == SQLITE_OK);
	sqlite3_close(other);
	CHECK(pn_store_close(s) == -EIO);
	CHECK(sql_int(p, "SELECT count(*) FROM event WHERE pid >= 200") == 0);
	CHECK(sql_int(p, "SELECT count(*) FROM event WHERE pid BETWEEN 100 AND 109") == 10);
}

/* Retention that cannot delete (a trigger of the test's refuses): the
 * log fails with SQLite's words, as for a write, and keeps its events.
 * The events are in the file before the trigger and the bound: the
 * writer runs a step of its own as soon as it starts, and one on a part
 * of the events would fail the log before the rest were written (a
 * failed log takes no more), so the count would depend on when the
 * caller's thread was preempted. Which step fails first, the writer's
 * or the tick's, does not matter: the tick reports it. */
static void failed_retention(void)
{
	pn_store_options o = { .max_size = 1 };
	char p[256];
	pn_store *s;
	sqlite3 *other;
	int rc;

	path_of(p, sizeof(p), "retention.db");
	s = store_open(p, PN_STORE_WRITE, NULL);
	if (!s)
		return;
	add_forks(s, 100, 110);
	CHECK(pn_store_close(s) == 0);
	CHECK(sqlite3_open(p, &other) == SQLITE_OK);
	CHECK(sqlite3_exec(other, "CREATE TRIGGER keep BEFORE DELETE ON event"
			   " BEGIN SELECT RAISE(ABORT, 'kept by the test'); END", NULL, NULL,
			   NULL) == SQLITE_OK);
	sqlite3_close(other);
	s = store_open(p, PN_STORE_WRITE, &o);
	if (!s)
		return;
	CHECK(pn_store_start(s) == 0);
	rc = pn_store_tick(s);
	CHECK(rc == -EIO);
	CHECK(pn_store_failed(s) == -EIO && strstr(pn_store_errmsg(s), "kept by the test"));
	if (rc != -EIO) /* a flake reported here once: what the log said */
		fprintf(stderr, "tick %d, log %d: %s\n", rc, pn_store_failed(s), pn_store_errmsg(s));
	CHECK(pn_store_close(s) == -EIO);
	CHECK(sql_int(p, "SELECT count(*) FROM event WHERE type = 1") == 10);
	CHECK(sql_int(p, "SELECT count(*) FROM run WHERE ended_ns IS NULL") == 1);
}

/* SQLite's result codes as the errno values the store reports. */
static void error_mapping(void)
{
	static const struct {
		int rc, err;
	} map[] = {
		{ SQLITE_NOMEM, -ENOMEM },     { SQLITE_FULL, -ENOSPC },
		{ SQLITE_READONLY, -EACCES },  { SQLITE_READONLY_DBMOVED, -EACCES },
		{ SQLITE_PERM, -EACCES },      { SQLITE_AUTH, -EACCES },
		{ SQLITE_BUSY, -EBUSY },       { SQLITE_BUSY_SNAPSHOT, -EBUSY },
		{ SQLITE_LOCKED, -EBUSY },     { SQLITE_CANTOPEN, -ENOENT },
		{ SQLITE_NOTADB, -EILSEQ },    { SQLITE_CORRUPT, -EILSEQ },
		{ SQLITE_IOERR_WRITE, -EIO },  { SQLITE_ERROR, -EIO },
	};
	struct pn__db d = { 0 };
	char want[300];

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		CHECK(pn__db_err(&d, map[i].rc, "log.db") == map[i].err);
		snprintf(want, sizeof(want), "log.db: %s", sqlite3_errstr(map[i].rc));
		CHECK_STR(d.errmsg, want);
	}
}

/* ---- schemas ---- */

/* A log of schema version v, as the build that wrote it left it: one run,
 * one process, two events. The connection has the store's SQL functions,
 * which step 13 calls. */
static void make_old_log(const char *p, int v)
{
	struct pn__db d = { 0 };
	sqlite3 *db;
	char sql[128];

	CHECK(pn__db_open(&d, p, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) == 0);
	db = d.conn;
	for (int i = 0; i < v; i++)
		CHECK(sqlite3_exec(db, pn__store_migrations[i], NULL, NULL, NULL) == SQLITE_OK);
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d; PRAGMA application_id = 1886285684;",
		 v);
	CHECK(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK);
	CHECK(sqlite3_exec(db,
			   "INSERT INTO run(id, started_ns, ended_ns, monitor_pid) VALUES(1, 1, 2, 9);"
			   "INSERT INTO process(id, boot, start_ns, os, pid, first_ns)"
			   " VALUES(1, 7, 4200, 76, 42, 5);"
			   "INSERT INTO event(run, seq, type, time_ns, have, flags, process, pid)"
			   " VALUES(1, 1, 1, 5, 0, 0, 1, 42), (1, 2, 3, 6, 0, 0, 1, 42);",
			   NULL, NULL, NULL) == SQLITE_OK);
	pn__db_close(&d);
}

static int count_row(const pn_event *ev, void *user)
{
	++*(int *)user;
	return 0;
}

/* Every older schema from 2 on (test_store covers 1) is brought to the
 * current one, its rows kept and found by a query. */
static void migrations(void)
{
	pn_store_filter by_pid = { .have_pid = 1, .pid = 42 };
	char p[256], err[256];

	for (int v = 2; v < PN_STORE_SCHEMA_VERSION; v++) {
		pn_store *s = NULL;
		int n = 0;

		snprintf(p, sizeof(p), "%s/v%d.db", dir, v);
		unlink(p);
		make_old_log(p, v);
		s = store_open(p, PN_STORE_WRITE, NULL);
		CHECK(pn_store_close(s) == 0);
		CHECK(sql_int(p, "PRAGMA user_version") == PN_STORE_SCHEMA_VERSION);
		/* Step 14: the trigram index merges only when the writer asks. */
		CHECK(sql_int(p, "SELECT v FROM str_fts_config WHERE k = 'automerge'") == 0);
		CHECK(pn_store_open(&s, p, PN_STORE_READ, NULL, err, sizeof(err)) == 0);
		CHECK(s && pn_store_query(s, &by_pid, count_row, &n) == 2 && n == 2);
		pn_store_close(s);
	}
}

/* Schema 13's lookup is filled from the events of an older log: a
 * migrated log's names and arguments are found as a new one's. */
static void migrated_lookup(void)
{
	pn_store_filter by_name = { .name = "old*" }, by_argv = { .argv = "flag-xyz" };
	char p[256], err[256];
	pn_store *s = NULL;
	sqlite3 *db;
	int n = 0, m = 0;

	snprintf(p, sizeof(p), "%s/lookup-v12.db", dir);
	unlink(p);
	make_old_log(p, 12);
	CHECK(sqlite3_open(p, &db) == SQLITE_OK);
	/* "olddaemon", and its arguments "olddaemon --flag-xyz" */
	CHECK(sqlite3_exec(db,
			   "INSERT INTO str(id, last_ns, value) VALUES(1, 6, x'6f6c646461656d6f6e'),"
			   " (2, 6, x'6f6c646461656d6f6e002d2d666c61672d78797a00');"
			   "UPDATE event SET comm = 1, argv = 2 WHERE seq = 1;",
			   NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	s = store_open(p, PN_STORE_WRITE, NULL);
	CHECK(pn_store_close(s) == 0);
	CHECK(pn_store_open(&s, p, PN_STORE_READ, NULL, err, sizeof(err)) == 0);
	CHECK(s && pn_store_query(s, &by_name, count_row, &n) == 1 && n == 1);
	CHECK(s && pn_store_query(s, &by_argv, count_row, &m) == 1 && m == 1);
	pn_store_close(s);
}

static char *schema_text(const char *p)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	char *out = calloc(1, 1 << 16);
	size_t len = 0;

	CHECK(sqlite3_open_v2(p, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
	CHECK(sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_schema ORDER BY name", -1, &st,
				 NULL) == SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW && len < (1 << 15))
		len += (size_t)snprintf(out + len, (1 << 16) - len, "%s\n",
					(const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return out;
}

/* A migration whose transaction cannot be committed: the open fails
 * saying why, and the file keeps its old schema and rows, so the next
 * open (the disk repaired) migrates it. */
static void failed_migration(void)
{
	int v = PN_STORE_SCHEMA_VERSION - 1;
	char p[256], err[256] = "", *before, *after;
	pn_store *s = NULL;

	snprintf(p, sizeof(p), "%s/broken-v%d.db", dir, v);
	unlink(p);
	make_old_log(p, v);
	before = schema_text(p);
	fail_writes("-wal", EIO);
	CHECK(pn_store_open(&s, p, PN_STORE_WRITE, NULL, err, sizeof(err)) == -EIO && !s);
	fail_writes(NULL, 0);
	CHECK(strstr(err, "disk I/O error") != NULL);
	CHECK(sql_int(p, "PRAGMA user_version") == v);
	after = schema_text(p);
	CHECK_STR(after, before);
	CHECK(sql_int(p, "SELECT count(*) FROM event") == 2);
	CHECK(sql_int(p, "PRAGMA integrity_check") == 0);
	s = store_open(p, PN_STORE_WRITE, NULL);
	CHECK(pn_store_close(s) == 0);
	CHECK(sql_int(p, "PRAGMA user_version") == PN_STORE_SCHEMA_VERSION);
	free(before);
	free(after);
}

/* A monitor's log of an older schema (PN_STORE_WRITE_UPGRADE_LATER):
 * the open leaves the migration to the writer thread, so the monitor
 * watches at once (a 10-million-event log took 22.7 s, blind, in the
 * open); the events given meanwhile wait in the queue, and those that do
 * not fit are counted and recorded as a lost record, never dropped
 * without a word. Another connection's write lock holds the migration
 * up here, as a long one holds the writer. */
static void upgrade_later(void)
{
	pn_store_options o = { .queue_bytes = 64 << 10 };
	pn_store_filter by_pid = { .have_pid = 1, .pid = 42 };
	int v = PN_STORE_SCHEMA_VERSION - 1, n = 0;
	char p[256], err[256] = "";
	pn_store *s, *r = NULL;
	sqlite3 *other = NULL;
	int64_t stored;
	pn_event lost;

	path_of(p, sizeof(p), "later.db");
	make_old_log(p, v);
	CHECK(pn_store_open(&r, p, (enum pn_store_mode)3, NULL, err, sizeof(err)) == -EINVAL && !r);
	CHECK(sql_int(p, "PRAGMA user_version") == v);
	s = store_open(p, PN_STORE_WRITE_UPGRADE_LATER, &o);
	CHECK(s && pn_store_upgrading(s) == v);
	CHECK(sql_int(p, "PRAGMA user_version") == v);
	CHECK(pn_store_open(&r, p, PN_STORE_READ, NULL, err, sizeof(err)) == -EPROTONOSUPPORT);
	CHECK(strstr(err, "one at work may be doing so now") != NULL);
	if (!s)
		return;
	CHECK(sqlite3_open(p, &other) == SQLITE_OK);
	CHECK(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK);
	add_forks(s, 100, 2100); /* starts the writer thread, which waits for the lock */
	CHECK(pn_store_upgrading(s) == v);
	CHECK(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(other);
	CHECK(pn_store_commit(s) == 0);
	CHECK(pn_store_upgrading(s) == 0);
	CHECK(sql_int(p, "PRAGMA user_version") == PN_STORE_SCHEMA_VERSION);
	stored = sql_int(p, "SELECT count(*) FROM event WHERE type = 1 AND pid >= 100");
	CHECK(stored > 0 && stored < 2000);
	CHECK(pn_store_take_lost(s, &lost) == 1);
	CHECK(lost.lost_reason == PN_LOST_STORE && lost.lost_count_known &&
	      (int64_t)lost.lost_count == 2000 - stored);
	CHECK(pn_store_close(s) == 0);
	CHECK(sql_int(p, "SELECT sum(lost_count) FROM event WHERE type = 4") == 2000 - stored);
	CHECK(pn_store_open(&r, p, PN_STORE_READ, NULL, err, sizeof(err)) == 0);
	/* The old process's two events, and the lost record any query shows. */
	CHECK(r && pn_store_query(r, &by_pid, count_row, &n) == 3 && n == 3);
	pn_store_close(r);
}

/* The writer thread's migration fails (a disk error): the store says so
 * as any write failure, no event is written, and the file keeps its old
 * schema and rows for the next open. */
static void failed_upgrade_later(void)
{
	int v = PN_STORE_SCHEMA_VERSION - 1;
	char p[256];
	pn_store *s;

	path_of(p, sizeof(p), "later-broken.db");
	make_old_log(p, v);
	s = store_open(p, PN_STORE_WRITE_UPGRADE_LATER, NULL);
	if (!s)
		return;
	fail_writes("later-broken.db-wal", EIO);
	add_forks(s, 100, 110);
	CHECK(pn_store_commit(s) == -EIO);
	fail_writes(NULL, 0);
	CHECK(pn_store_upgrading(s) == 0 && pn_store_failed(s) == -EIO);
	CHECK(strstr(pn_store_errmsg(s), "disk I/O error") != NULL);
	CHECK(pn_store_close(s) == -EIO);
	CHECK(sql_int(p, "PRAGMA user_version") == v);
	CHECK(sql_int(p, "SELECT count(*) FROM event") == 2);
	CHECK(sql_int(p, "PRAGMA integrity_check") == 0);
}

/* Migration 5 -> 6 adds two columns; a file that already has the second
 * fails on it after the first went in. The step is one transaction: the
 * first column goes too, so the file is as it was, not half migrated
 * (where every later open would fail on the first column). */
static void half_migration(void)
{
	char p[256], err[256] = "";
	pn_store *s = NULL;
	sqlite3 *db;

	snprintf(p, sizeof(p), "%s/half-v5.db", dir);
	unlink(p);
	make_old_log(p, 5);
	CHECK(sqlite3_open(p, &db) == SQLITE_OK);
	CHECK(sqlite3_exec(db, "ALTER TABLE event ADD COLUMN creator_start INTEGER", NULL, NULL,
			   NULL) == SQLITE_OK);
	sqlite3_close(db);
	CHECK(pn_store_open(&s, p, PN_STORE_WRITE, NULL, err, sizeof(err)) == -EIO && !s);
	CHECK(strstr(err, "duplicate column name: creator_start") != NULL);
	CHECK(sql_int(p, "PRAGMA user_version") == 5);
	CHECK(sql_int(p, "SELECT count(*) FROM pragma_table_info('event') WHERE name = 'creator_pid'")
	      == 0);
}

/* ---- retention by size ---- */

/* A bound the log's own pages exceed: each step drops the older half of
 * the few events left, and never the last one. */
static void retention_small(void)
{
	pn_store_options o = { .max_size = 1 };
	char p[256];
	pn_store *s;

	path_of(p, sizeof(p), "small.db");
	s = store_open(p, PN_STORE_WRITE, &o);
	if (!s)
		return;
	add_forks(s, 1000, 1100);
	CHECK(pn_store_commit(s) == 0);
	/* The writer thread runs steps of its own too: tick until one event
	 * is left, as few as ceil(log2(100)) steps. */
	for (int i = 0; i < 40 && sql_int(p, "SELECT count(*) FROM event WHERE type = 1") > 1; i++) {
		CHECK(pn_store_tick(s) == 0);
		usleep(60000); /* a busy step is due 50 ms after the last */
	}
	CHECK(pn_store_tick(s) == 0);
	CHECK(sql_int(p, "SELECT count(*) FROM event WHERE type = 1") == 1);
	CHECK(sql_int(p, "SELECT count(*) FROM event WHERE pid = 1099") == 1);
	CHECK(sql_int(p, "SELECT count(*) FROM process") == 1);
	CHECK(pn_store_close(s) == 0);
}

int main(void)
{
	char cmd[128];

	/* A log of an older schema for the store suite's upgrade test. */
	if (getenv("PN_OLD_LOG")) {
		make_old_log(getenv("PN_OLD_LOG"), atoi(getenv("PN_OLD_VERSION")));
		return pn_test_done("test_store_faults old log");
	}
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	install_hooks();
	failed_commit(EIO, "disk I/O error");
	failed_commit(ENOSPC, "database or disk is full");
	failed_batch();
	failed_retention();
	error_mapping();
	migrations();
	migrated_lookup();
	failed_migration();
	upgrade_later();
	failed_upgrade_later();
	half_migration();
	retention_small();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return pn_test_done("test_store_faults");
}
