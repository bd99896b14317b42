/*
 * The activity log's file: opening it safely, the schema and its
 * migrations, and the small helpers the rest of the module shares.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "store_internal.h"

/* "pnot": tells a procnotify log from any other SQLite database. */
#define PN_STORE_APP_ID 0x706e6f74

/*
 * pn__store_migrations[i] brings the schema from version i to i + 1. A released
 * entry is never edited: a change is a new entry, so every older file can
 * be brought forward step by step.
 */
const char *const pn__store_migrations[PN_STORE_SCHEMA_VERSION] = {
	/* 0 -> 1: runs, processes and events. Strings from processes are BLOBs
	 * so their bytes round-trip exactly, whatever their encoding. */
	"CREATE TABLE run ("
	"  id INTEGER PRIMARY KEY,"
	"  started_ns INTEGER NOT NULL,"
	"  ended_ns INTEGER," /* NULL while it runs, and forever if it crashed */
	"  monitor_pid INTEGER NOT NULL);"
	"CREATE TABLE process ("
	"  id INTEGER PRIMARY KEY,"
	"  key TEXT NOT NULL UNIQUE,"
	"  boot INTEGER NOT NULL, start_ns INTEGER NOT NULL, os INTEGER NOT NULL,"
	"  pid INTEGER NOT NULL,"
	"  parent_key TEXT, ppid INTEGER,"
	"  uid INTEGER, gid INTEGER, euid INTEGER,"
	"  comm BLOB, image BLOB, argv BLOB, argc INTEGER, cwd BLOB,"
	"  first_ns INTEGER NOT NULL," /* the first event seen of it */
	"  exec_ns INTEGER,"
	"  end_ns INTEGER, exit_code INTEGER, signal INTEGER, core_dumped INTEGER);"
	"CREATE INDEX process_pid ON process(pid, first_ns);"
	"CREATE INDEX process_parent ON process(parent_key);"
	"CREATE INDEX process_first ON process(first_ns);"
	"CREATE TABLE event ("
	"  id INTEGER PRIMARY KEY,"
	"  run INTEGER NOT NULL, seq INTEGER NOT NULL, type INTEGER NOT NULL,"
	"  time_ns INTEGER NOT NULL, have INTEGER NOT NULL, flags INTEGER NOT NULL,"
	"  process INTEGER," /* process.id; NULL for a lost record */
	"  pid INTEGER, tid INTEGER, ppid INTEGER, parent_start INTEGER,"
	"  uid INTEGER, gid INTEGER, euid INTEGER, sid INTEGER,"
	"  comm BLOB, image BLOB, filename BLOB, cwd BLOB, argv BLOB, argc INTEGER,"
	"  old_tid INTEGER, tty BLOB, cgroup_id INTEGER,"
	"  exit_code INTEGER, signal INTEGER, core_dumped INTEGER, nt_status INTEGER,"
	"  duration_ns INTEGER,"
	"  lost_count INTEGER, lost_fork INTEGER, lost_exec INTEGER, lost_exit INTEGER,"
	"  lost_create INTEGER);"
	"CREATE INDEX event_process ON event(process);"
	"CREATE INDEX event_time ON event(time_ns);"
	"CREATE INDEX event_lost ON event(id) WHERE type = 4;",
	/* 1 -> 2: a process is found by its key as integers, (pid, start_ns,
	 * boot, os), and its parent by (ppid, parent_start): the parent has the
	 * child's boot and os. The textual keys cost a printf and a text index
	 * entry per event, and a parse per node of a tree. SQLite cannot drop a
	 * UNIQUE column, so the table is rebuilt; parent_start is the third
	 * field of the old parent_key ("L:<16 hex digits>:<start>:<pid>"). */
	"CREATE TABLE process2 ("
	"  id INTEGER PRIMARY KEY,"
	"  boot INTEGER NOT NULL, start_ns INTEGER NOT NULL, os INTEGER NOT NULL,"
	"  pid INTEGER NOT NULL,"
	"  ppid INTEGER, parent_start INTEGER," /* both NULL when the parent is unknown */
	"  uid INTEGER, gid INTEGER, euid INTEGER,"
	"  comm BLOB, image BLOB, argv BLOB, argc INTEGER, cwd BLOB,"
	"  first_ns INTEGER NOT NULL,"
	"  exec_ns INTEGER,"
	"  end_ns INTEGER, exit_code INTEGER, signal INTEGER, core_dumped INTEGER);"
	"INSERT INTO process2 SELECT id, boot, start_ns, os, pid,"
	"  CASE WHEN parent_key IS NULL THEN NULL ELSE ppid END,"
	"  CAST(substr(parent_key, 20, instr(substr(parent_key, 20), ':') - 1) AS INTEGER),"
	"  uid, gid, euid, comm, image, argv, argc, cwd, first_ns, exec_ns, end_ns, exit_code,"
	"  signal, core_dumped FROM process;"
	"DROP TABLE process;"
	"ALTER TABLE process2 RENAME TO process;"
	"CREATE UNIQUE INDEX process_key ON process(pid, start_ns, boot, os);"
	"CREATE INDEX process_parent ON process(ppid, parent_start);"
	"CREATE INDEX process_first ON process(first_ns);",
	/* 2 -> 3: what the change events of the netlink backend carry (the new
	 * ids of setuid and setgid, the tracer of ptrace), which version 2 did
	 * not keep, so a query printed them as 0. Older rows read as NULL. */
	"ALTER TABLE event ADD COLUMN new_id INTEGER;"
	"ALTER TABLE event ADD COLUMN new_eid INTEGER;"
	"ALTER TABLE event ADD COLUMN tracer_pid INTEGER;",
};

const enum pn_event_type pn__store_lost_types[PN_STORE_LOST_COLS] = {
	PN_EVENT_FORK, PN_EVENT_EXEC, PN_EVENT_EXIT, PN_EVENT_CREATE,
};

int pn__store_err(pn_store *s, int rc, const char *what)
{
	int err;

	switch (rc & 0xff) {
	case SQLITE_NOMEM: err = -ENOMEM; break;
	case SQLITE_FULL: err = -ENOSPC; break;
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_AUTH: err = -EACCES; break;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: err = -EBUSY; break;
	case SQLITE_CANTOPEN: err = -ENOENT; break;
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT: err = -EILSEQ; break;
	default: err = -EIO;
	}
	snprintf(s->errmsg, sizeof(s->errmsg), "%s: %s", what,
		 s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
	return err;
}

int pn__store_exec(pn_store *s, const char *sql)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : pn__store_err(s, rc, "database");
}

int pn__store_prepare(pn_store *s, const char *sql, sqlite3_stmt **st)
{
	int rc = sqlite3_prepare_v2(s->db, sql, -1, st, NULL);

	return rc == SQLITE_OK ? 0 : pn__store_err(s, rc, "database");
}

int pn__store_bind_str(sqlite3_stmt *st, int i, const pn_str *v, int known)
{
	if (!known)
		return sqlite3_bind_null(st, i);
	/* A zero-length blob with a NULL pointer would be stored as NULL. */
	return sqlite3_bind_blob(st, i, v->len ? v->ptr : "", (int)v->len, SQLITE_STATIC);
}

int64_t pn__store_wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

uint64_t pn__store_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int pn__store_int(pn_store *s, const char *sql, int64_t bind1, int64_t *out, int *found)
{
	sqlite3_stmt *st;
	int rc = pn__store_prepare(s, sql, &st);

	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, bind1);
	rc = sqlite3_step(st);
	*found = rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL;
	*out = *found ? sqlite3_column_int64(st, 0) : 0;
	rc = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? 0 : pn__store_err(s, rc, "database");
	sqlite3_finalize(st);
	return rc;
}

static int pragma_int(pn_store *s, const char *sql, int64_t *out)
{
	int found;

	return pn__store_int(s, sql, 0, out, &found);
}

static int refuse(pn_store *s, int err, const char *why)
{
	snprintf(s->errmsg, sizeof(s->errmsg), "%s", why);
	return err;
}

/* Brings the file to the current version, one migration per transaction. */
static int migrate(pn_store *s, int64_t version)
{
	char sql[64];
	int rc = 0;

	/* auto_vacuum must be chosen before the first table exists; it lets
	 * retention give pages back to the file system in small steps. */
	if (version == 0)
		rc = pn__store_exec(s, "PRAGMA auto_vacuum = INCREMENTAL");
	for (; !rc && version < PN_STORE_SCHEMA_VERSION; version++) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %lld", (long long)version + 1);
		rc = pn__store_exec(s, "BEGIN IMMEDIATE");
		if (!rc)
			rc = pn__store_exec(s, pn__store_migrations[version]);
		if (!rc)
			rc = pn__store_exec(s, sql);
		if (!rc)
			rc = pn__store_exec(s, "COMMIT");
		if (rc)
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	}
	snprintf(sql, sizeof(sql), "PRAGMA application_id = %d", PN_STORE_APP_ID);
	return rc ? rc : pn__store_exec(s, sql);
}

/* An empty file, or one with no tables, may become a log. */
static int is_blank(pn_store *s, int *blank)
{
	int64_t n;
	int rc = pragma_int(s, "SELECT count(*) FROM sqlite_schema", &n);

	*blank = !rc && n == 0;
	return rc;
}

/* Reads the header and refuses what this build must not touch; *version
 * is the schema the file has. Nothing is written. */
static int check_schema(pn_store *s, int64_t *version)
{
	int64_t app;
	int rc, blank;

	/* Reading the header is the first access: a file that is not SQLite
	 * fails here. */
	rc = pragma_int(s, "PRAGMA user_version", version);
	if (!rc)
		rc = pragma_int(s, "PRAGMA application_id", &app);
	if (!rc)
		rc = is_blank(s, &blank);
	if (rc)
		return rc;
	if (*version > PN_STORE_SCHEMA_VERSION) {
		snprintf(s->errmsg, sizeof(s->errmsg),
			 "the database has schema version %lld, newer than this procnotify "
			 "understands (%d); use a newer procnotify",
			 (long long)*version, PN_STORE_SCHEMA_VERSION);
		return -EPROTONOSUPPORT;
	}
	if (!blank && app != PN_STORE_APP_ID)
		return refuse(s, -EILSEQ, "the file is an SQLite database, but not a procnotify log");
	if (s->mode == PN_STORE_READ && *version < PN_STORE_SCHEMA_VERSION)
		return refuse(s, -EPROTONOSUPPORT,
			      blank ? "the database is empty: not a procnotify log"
				    : "the log has an older schema; run procnotify --db on it once "
				      "to upgrade it");
	return 0;
}

/* Creates the file with mode 0600 before SQLite sees it: SQLite would use
 * 0644, and the log holds every command line of the machine. SQLite gives
 * its -wal and -shm files the mode of the database file. */
static int create_private(pn_store *s, const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0) {
		snprintf(s->errmsg, sizeof(s->errmsg), "cannot open %s: %s", path, strerror(errno));
		return -errno;
	}
	close(fd);
	return 0;
}

static int configure(pn_store *s)
{
	int rc;

	sqlite3_busy_timeout(s->db, 5000);
	sqlite3_extended_result_codes(s->db, 1);
	rc = pn__store_functions(s->db);
	if (rc)
		return pn__store_err(s, rc, "database");
	return s->mode == PN_STORE_READ ? pn__store_exec(s, "PRAGMA query_only = ON") : 0;
}

/* The writer's settings, once the file is known to be a log (or blank):
 * before that nothing may change it. */
static int configure_writer(pn_store *s, int64_t version)
{
	int rc = 0;

	/* 16 KiB pages: a batch writes a quarter of the WAL frames, so a
	 * quarter of the write() calls, and checkpoints copy fewer, larger
	 * pages. The size is chosen once, before the file has WAL or tables. */
	if (version == 0)
		rc = pn__store_exec(s, "PRAGMA page_size = 16384");
	/* WAL: readers never wait for the writer. NORMAL: a commit is a write()
	 * without fsync; a crash of the monitor loses nothing committed, a
	 * power loss may lose the last commits but never corrupts the file. */
	if (!rc)
		rc = pn__store_exec(s, "PRAGMA journal_mode = WAL");
	if (!rc)
		rc = pn__store_exec(s, "PRAGMA synchronous = NORMAL");
	/* Checkpoint every 32 MiB of WAL (2048 pages of 16 KiB in a new file,
	 * 8 MiB in an older one with 4 KiB pages) rather than 4: the index pages a
	 * batch dirties are copied to the file once for several batches. */
	if (!rc)
		rc = pn__store_exec(s, "PRAGMA wal_autocheckpoint = 2048");
	if (!rc)
		rc = pn__store_exec(s, "PRAGMA journal_size_limit = 67108864");
	/* A batch touches the tail of every index: keep them in memory so a
	 * commit writes each page once instead of spilling it midway. A batch
	 * dirties a few MiB; a larger cache only costs page faults while it
	 * fills (64 MiB made the replay benchmark 1.4 times slower here). */
	if (!rc)
		rc = pn__store_exec(s, "PRAGMA cache_size = -16384");
	return rc;
}

static int open_db(pn_store *s, const char *path)
{
	/* NOMUTEX: a pn_store is used by one thread at a time (the monitor's
	 * event loop, or one query), so SQLite's per-call locking of the
	 * connection is pure cost: a tenth of the instructions of an insert. */
	int flags = SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_EXRESCODE | SQLITE_OPEN_NOMUTEX;
	int64_t version;
	int rc;

	if (s->mode == PN_STORE_WRITE) {
		rc = create_private(s, path);
		if (rc)
			return rc;
		flags |= SQLITE_OPEN_READWRITE;
	} else {
		flags |= SQLITE_OPEN_READONLY;
	}
	rc = sqlite3_open_v2(path, &s->db, flags, NULL);
	if (rc != SQLITE_OK)
		return pn__store_err(s, rc, path);
	rc = configure(s);
	if (!rc)
		rc = check_schema(s, &version);
	if (rc || s->mode == PN_STORE_READ)
		return rc;
	rc = configure_writer(s, version);
	if (!rc && version < PN_STORE_SCHEMA_VERSION)
		rc = migrate(s, version);
	return rc;
}

int pn_store_open(pn_store **out, const char *path, enum pn_store_mode mode,
		  const pn_store_options *opt, char *err, size_t errlen)
{
	pn_store *s;
	int rc;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->mode = mode;
	if (opt)
		s->opt = *opt;
	rc = open_db(s, path);
	if (!rc && mode == PN_STORE_WRITE)
		rc = pn__store_writer_open(s);
	if (rc) {
		if (err && errlen)
			snprintf(err, errlen, "%s", s->errmsg);
		pn_store_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

int pn_store_close(pn_store *s)
{
	int rc;

	if (!s)
		return 0;
	if (s->mode == PN_STORE_WRITE)
		pn__store_writer_close(s);
	rc = s->failed;
	sqlite3_close_v2(s->db);
	free(s);
	return rc;
}

int pn_store_failed(const pn_store *s)
{
	return s->failed;
}

const char *pn_store_errmsg(const pn_store *s)
{
	return s->errmsg;
}
