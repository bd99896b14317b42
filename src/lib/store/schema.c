/*
 * The schema of the activity log and its migrations; what makes a file a
 * log this build may read or write; the writer connection's settings.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "columns.h"
#include "schema.h"

/* The version from which strings are ids in the strings table. */
#define PN_STORE_STR_VERSION 11

/* "pnot": tells a procnotify log from any other SQLite database. */
#define PN_STORE_APP_ID 0x706e6f74

/*
 * pn__store_migrations[i] brings the schema from version i to i + 1. A released
 * entry is never edited: a change is a new entry, so every older file can
 * be brought forward step by step.
 */
/* The trigram index's strings (steps 13 and 16), and its merging left to
 * the writer (steps 14 and 16, see step 14): the steps that write them
 * write the same text. 4096 is PN__STR_FTS_MAX, spelled out because a
 * released step's text never changes. */
#define FTS_FILL                                                          \
	"INSERT INTO str_fts(rowid, args) SELECT id, pn_args(value) FROM str" \
	"  WHERE length(value) <= 4096;"
#define FTS_MERGE_BY_WRITER                                             \
	"INSERT INTO str_fts(str_fts, rank) VALUES('automerge', 0);" \
	"INSERT INTO str_fts(str_fts, rank) VALUES('crisismerge', 64);"

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
	/* 3 -> 4: what an exec's paths mean: the image file (its device as
	 * major << 32 | minor, and inode), the namespaces and the root. Their
	 * flags (image_deleted) were in the flags column already; older rows
	 * read as NULL, which the have column says too. */
	"ALTER TABLE event ADD COLUMN image_dev INTEGER;"
	"ALTER TABLE event ADD COLUMN image_ino INTEGER;"
	"ALTER TABLE event ADD COLUMN mnt_ns INTEGER;"
	"ALTER TABLE event ADD COLUMN pid_ns INTEGER;"
	"ALTER TABLE event ADD COLUMN root BLOB;",
	/* 4 -> 5: who lost a lost record's events (enum pn_lost_reason): the
	 * log itself, when its writer fell behind, or the producer. Older
	 * rows read as NULL, the producer. */
	"ALTER TABLE event ADD COLUMN lost_reason INTEGER;",
	/* 5 -> 6: Windows' creator of a process beside its parent (creator_pid
	 * and the start of creator_key). Older rows read as NULL: unknown. */
	"ALTER TABLE event ADD COLUMN creator_pid INTEGER;"
	"ALTER TABLE event ADD COLUMN creator_start INTEGER;",
	/* 6 -> 7: the names of the tag rules an event matched, each followed
	 * by a NUL (pn_event.rules). Older rows read as NULL: no tags. */
	"ALTER TABLE event ADD COLUMN rules BLOB;",
	/* 7 -> 8: indexes that hold all a report reads (report.c), so that it
	 * scans them in time order and never the tables: the type beside each
	 * event's time, an exec's image and user, an exit's image and status,
	 * and a process's parent beside its first event. The old time indexes
	 * are prefixes of the new ones, which serve their queries as well. */
	"DROP INDEX event_time;"
	"CREATE INDEX event_time ON event(time_ns, type);"
	"CREATE INDEX event_exec ON event(time_ns, image, uid) WHERE type = 2;"
	"CREATE INDEX event_exit ON event(time_ns, image, signal, exit_code, core_dumped)"
	"  WHERE type = 3;"
	"DROP INDEX process_first;"
	"CREATE INDEX process_first ON process(first_ns, ppid, parent_start, boot, os);",
	/* 8 -> 9: the host each event and process happened on, so that one
	 * log holds many hosts (`procnotify import`). Names are kept once, in
	 * the host table; rows hold its id, 0 when the host is unknown (every
	 * older row: 0 rather than NULL, so that the unique key of a process
	 * still tells a row that is there). A process is its key on its host:
	 * two hosts restored from one running snapshot share a boot id. */
	"CREATE TABLE host (id INTEGER PRIMARY KEY, name BLOB NOT NULL UNIQUE);"
	"ALTER TABLE event ADD COLUMN host INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE process ADD COLUMN host INTEGER NOT NULL DEFAULT 0;"
	"DROP INDEX process_key;"
	"CREATE UNIQUE INDEX process_key ON process(pid, start_ns, boot, os, host);",
	/* 9 -> 10: a denial's parent image and the image's SHA-256 (hex).
	 * Older rows read as NULL: unknown. */
	"ALTER TABLE event ADD COLUMN parent_image BLOB;"
	"ALTER TABLE event ADD COLUMN image_sha256 BLOB;",
	/* 10 -> 11: less room and time per event. Every string of an event or a
	 * process is stored in str, and the rows hold its id (src/lib/store/
	 * intern.h): a storm's thousands of runs of one program shared one
	 * image, one argv and one cwd, each written out in every row. The
	 * columns keep their names and declared types; event_view and
	 * process_view show the strings. */
	"CREATE TABLE str ("
	"  id INTEGER PRIMARY KEY,"
	"  last_ns INTEGER NOT NULL," /* the latest event or process row using it */
	"  value BLOB NOT NULL);"
	/* An index on value serves this step alone: the writer finds strings
	 * in its cache, not in the file. */
	"CREATE INDEX str_value ON str(value);"
	"INSERT INTO str(last_ns, value) SELECT max(t), v FROM ("
	"  SELECT CAST(comm AS BLOB) AS v, time_ns AS t FROM event WHERE comm IS NOT NULL"
	"  UNION ALL SELECT CAST(image AS BLOB) AS v, time_ns AS t FROM event WHERE image IS NOT NULL"
	"  UNION ALL SELECT CAST(filename AS BLOB) AS v, time_ns AS t FROM event WHERE filename IS NOT NULL"
	"  UNION ALL SELECT CAST(cwd AS BLOB) AS v, time_ns AS t FROM event WHERE cwd IS NOT NULL"
	"  UNION ALL SELECT CAST(argv AS BLOB) AS v, time_ns AS t FROM event WHERE argv IS NOT NULL"
	"  UNION ALL SELECT CAST(tty AS BLOB) AS v, time_ns AS t FROM event WHERE tty IS NOT NULL"
	"  UNION ALL SELECT CAST(root AS BLOB) AS v, time_ns AS t FROM event WHERE root IS NOT NULL"
	"  UNION ALL SELECT CAST(rules AS BLOB) AS v, time_ns AS t FROM event WHERE rules IS NOT NULL"
	"  UNION ALL SELECT CAST(parent_image AS BLOB), time_ns FROM event WHERE parent_image IS NOT NULL"
	"  UNION ALL SELECT CAST(image_sha256 AS BLOB), time_ns FROM event WHERE image_sha256 IS NOT NULL"
	"  UNION ALL SELECT CAST(comm AS BLOB), coalesce(end_ns, exec_ns, first_ns) FROM process WHERE comm IS NOT NULL"
	"  UNION ALL SELECT CAST(image AS BLOB), coalesce(end_ns, exec_ns, first_ns) FROM process WHERE image IS NOT NULL"
	"  UNION ALL SELECT CAST(argv AS BLOB), coalesce(end_ns, exec_ns, first_ns) FROM process WHERE argv IS NOT NULL"
	"  UNION ALL SELECT CAST(cwd AS BLOB), coalesce(end_ns, exec_ns, first_ns) FROM process WHERE cwd IS NOT NULL"
	") GROUP BY v;"
	"UPDATE event SET comm = (SELECT id FROM str WHERE value = CAST(comm AS BLOB)),"
	"  image = (SELECT id FROM str WHERE value = CAST(image AS BLOB)),"
	"  filename = (SELECT id FROM str WHERE value = CAST(filename AS BLOB)),"
	"  cwd = (SELECT id FROM str WHERE value = CAST(cwd AS BLOB)),"
	"  argv = (SELECT id FROM str WHERE value = CAST(argv AS BLOB)),"
	"  tty = (SELECT id FROM str WHERE value = CAST(tty AS BLOB)),"
	"  root = (SELECT id FROM str WHERE value = CAST(root AS BLOB)),"
	"  rules = (SELECT id FROM str WHERE value = CAST(rules AS BLOB)),"
	"  parent_image = (SELECT id FROM str WHERE value = CAST(parent_image AS BLOB)),"
	"  image_sha256 = (SELECT id FROM str WHERE value = CAST(image_sha256 AS BLOB));"
	"UPDATE process SET comm = (SELECT id FROM str WHERE value = CAST(comm AS BLOB)),"
	"  image = (SELECT id FROM str WHERE value = CAST(image AS BLOB)),"
	"  argv = (SELECT id FROM str WHERE value = CAST(argv AS BLOB)),"
	"  cwd = (SELECT id FROM str WHERE value = CAST(cwd AS BLOB));"
	"DROP INDEX str_value;",
	/* 11 -> 12: the cgroup of each event's process and the container it
	 * names (query --container). Older rows read as NULL: unknown. Their values
	 * are str ids, as every string column's since step 11. */
	"ALTER TABLE event ADD COLUMN cgroup BLOB;"
	"ALTER TABLE event ADD COLUMN container_id BLOB;",
	/* 12 -> 13: what query --name and --argv look up instead of reading
	 * every event (10 million: 1.3 to 2.4 s). proc_str: each process and
	 * the names (comm, and the image's file name as a string of its own)
	 * and arguments of its events, once each; name: the strings that are
	 * names, thousands where str holds millions, for a GLOB to scan;
	 * str_fts: the strings as pn_args() shows them, for --argv's substring
	 * (a trigram index: it finds candidates, the query keeps only exact
	 * matches); str_long: the strings longer than the writer caches
	 * (intern.c), which are not in str_fts (a storm of long command lines
	 * stores one per event) and which --argv reads instead. The index on
	 * str.value serves this step alone. */
	"CREATE TABLE proc_str (str INTEGER NOT NULL, process INTEGER NOT NULL,"
	"  PRIMARY KEY (str, process)) WITHOUT ROWID;"
	"CREATE TABLE name (id INTEGER PRIMARY KEY);"
	"CREATE TABLE str_long (id INTEGER PRIMARY KEY);"
	"CREATE VIRTUAL TABLE str_fts USING fts5(args, content = '', columnsize = 0,"
	"  tokenize = 'trigram case_sensitive 1');"
	"CREATE INDEX str_value ON str(value);"
	"INSERT INTO str(last_ns, value) SELECT max(s.last_ns), pn_basename(s.value) FROM str s"
	"  WHERE s.id IN (SELECT image FROM event WHERE process IS NOT NULL)"
	"  AND NOT EXISTS (SELECT 1 FROM str t WHERE t.value = pn_basename(s.value))"
	"  GROUP BY pn_basename(s.value);"
	"CREATE TEMP TABLE base AS SELECT s.id AS image,"
	"  (SELECT min(b.id) FROM str b WHERE b.value = pn_basename(s.value)) AS id"
	"  FROM str s WHERE s.id IN (SELECT image FROM event WHERE process IS NOT NULL);"
	"INSERT OR IGNORE INTO proc_str SELECT comm, process FROM event"
	"  WHERE comm IS NOT NULL AND process IS NOT NULL"
	"  UNION SELECT b.id, e.process FROM event e JOIN temp.base b ON b.image = e.image"
	"  WHERE e.process IS NOT NULL"
	"  UNION SELECT argv, process FROM event WHERE argv IS NOT NULL AND process IS NOT NULL;"
	"INSERT OR IGNORE INTO name SELECT comm FROM event WHERE comm IS NOT NULL AND process IS NOT NULL"
	"  UNION SELECT id FROM temp.base;"
	"DROP TABLE temp.base;"
	"DROP INDEX str_value;"
	FTS_FILL
	"INSERT INTO str_long SELECT id FROM str WHERE length(value) > 4096;",
	/* 13 -> 14: the trigram index merges its segments when the writer
	 * asks, a few leaves at a time before the commits that wrote to it
	 * (intern.h), never on its own. Its automerge ran inside whichever
	 * statement flushed the index and merged up to 64 leaves per level
	 * of the index at once: 40 to 65 ms of a retention step that took 3
	 * ms otherwise. The settings live in the index's own config table,
	 * hence a step. crisismerge, the merge of all of level 0 that FTS5
	 * makes once it holds that many segments, stays as a backstop should
	 * the writer's merges fall behind: at 64 rather than 16, which they
	 * never reach. */
	FTS_MERGE_BY_WRITER,
	/* 14 -> 15: the snapshot events by process, for `tree`'s "observed
	 * at start" of each node (tree.c), which read every event of every
	 * process of the tree to find none in most: one probe of an index
	 * that holds the snapshots alone. The writer pays an entry per
	 * snapshot event only. */
	"CREATE INDEX event_snapshot ON event(process) WHERE type = 6;",
	/* 15 -> 16: the trigram index without positions (detail=none). It
	 * is a third of the size (11 MB against 33 for 600,000 strings of a
	 * 10-million-event log), and so is the whole list of a common
	 * trigram that a merge writes in one go: merges of 25 to 46 ms held
	 * retention steps over 50 ms. Without positions the index answers
	 * the trigrams of a piece of text ANDed (trigram.c), not the piece:
	 * a few more candidates, which the query tests for the whole text
	 * anyway. A contentless index cannot change its options: it is made
	 * again from the strings, and merged into one segment, which the
	 * bulk insert leaves in dozens for the writer's merges to grind
	 * through (merges of up to 95 ms in the retention that followed). */
	"DROP TABLE str_fts;"
	"CREATE VIRTUAL TABLE str_fts USING fts5(args, content = '', columnsize = 0,"
	"  detail = none, tokenize = 'trigram case_sensitive 1');"
	FTS_MERGE_BY_WRITER
	FTS_FILL
	"INSERT INTO str_fts(str_fts) VALUES('optimize');",
};

static int pragma_int(struct pn__db *d, const char *sql, int64_t *out)
{
	int found;

	return pn__db_int(d, sql, 0, out, &found);
}

/* An identifier in double quotes, so that no name a file holds can end
 * the view's SQL. */
static void put_ident(pn_buf *sql, const char *name)
{
	pn_buf_putc(sql, '"');
	for (const char *p = name; *p; p++) {
		if (*p == '"')
			pn_buf_putc(sql, '"');
		pn_buf_putc(sql, *p);
	}
	pn_buf_putc(sql, '"');
}

/* view: every column of table, a string column (an id in the strings
 * table) as its bytes. Made from the table as it is, so a column a later
 * migration adds is in the view without a word here. */
static int make_view(struct pn__db *d, const char *view, const char *table)
{
	sqlite3_stmt *st;
	pn_buf sql = { 0 };
	int rc = pn__db_prepare(d, "SELECT name FROM pragma_table_info(?1)", &st), n = 0;

	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	pn_buf_printf(&sql, "DROP VIEW IF EXISTS %s; CREATE VIEW %s AS SELECT ", view, view);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);

		pn_buf_puts(&sql, n++ ? ", " : "");
		if (pn__is_str_column(name)) {
			pn_buf_puts(&sql, "(SELECT value FROM str WHERE id = t.");
			put_ident(&sql, name);
			pn_buf_puts(&sql, ") AS ");
		} else {
			pn_buf_puts(&sql, "t.");
		}
		put_ident(&sql, name);
	}
	sqlite3_finalize(st);
	pn_buf_printf(&sql, " FROM %s t", table);
	rc = rc != SQLITE_DONE ? pn__db_err(d, rc, "database")
	     : sql.oom       ? -ENOMEM
			     : pn__db_exec(d, sql.data);
	pn_buf_free(&sql);
	return rc;
}

/* Brings the file to the current version, one migration per transaction. */
static int migrate(struct pn__db *d, int64_t version)
{
	char sql[64];
	int rc = 0;

	for (; !rc && version < PN_STORE_SCHEMA_VERSION; version++) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %lld", (long long)version + 1);
		rc = pn__db_exec(d, "BEGIN IMMEDIATE");
		if (!rc)
			rc = pn__db_exec(d, pn__store_migrations[version]);
		if (!rc)
			rc = pn__db_exec(d, sql);
		/* The views follow the tables a step changed. */
		if (!rc && version + 1 >= PN_STORE_STR_VERSION)
			rc = make_view(d, "event_view", "event");
		if (!rc && version + 1 >= PN_STORE_STR_VERSION)
			rc = make_view(d, "process_view", "process");
		if (!rc)
			rc = pn__db_exec(d, "COMMIT");
		if (rc)
			sqlite3_exec(d->conn, "ROLLBACK", NULL, NULL, NULL);
		/* Each step rewrites the schema's pages: copied into the file
		 * after each, the WAL is reused from its start by the next step
		 * instead of growing by every step (a new log on a 1 MiB file
		 * system ran out of room). It never waits for a reader. */
		if (!rc)
			sqlite3_exec(d->conn, "PRAGMA wal_checkpoint(PASSIVE)", NULL, NULL, NULL);
	}
	snprintf(sql, sizeof(sql), "PRAGMA application_id = %d", PN_STORE_APP_ID);
	if (!rc)
		rc = pn__db_exec(d, sql);
	/* Each step wrote the pages it changed to the WAL again (a new log:
	 * some 50 pages of 16 KiB). Copied into the file once, they leave an
	 * empty WAL, rather than 800 KiB kept until the first checkpoint at
	 * 32 MiB, which a small file system may not have room for. A reader
	 * in the way only leaves the WAL as it was: no error. */
	return rc ? rc : pn__db_exec(d, "PRAGMA wal_checkpoint(TRUNCATE)");
}

/* An empty file, or one with no tables, may become a log. */
static int is_blank(struct pn__db *d, int *blank)
{
	int64_t n;
	int rc = pragma_int(d, "SELECT count(*) FROM sqlite_schema", &n);

	*blank = !rc && n == 0;
	return rc;
}

int pn__schema_check(struct pn__db *d, enum pn_store_mode mode, int64_t *version)
{
	int64_t app;
	int rc, blank;

	/* Reading the header is the first access: a file that is not SQLite
	 * fails here. */
	rc = pragma_int(d, "PRAGMA user_version", version);
	if (!rc)
		rc = pragma_int(d, "PRAGMA application_id", &app);
	if (!rc)
		rc = is_blank(d, &blank);
	if (rc)
		return rc;
	/* The version indexes the migration table: only 0..current may pass. */
	if (*version < 0) {
		snprintf(d->errmsg, sizeof(d->errmsg),
			 "the database has schema version %lld, which no procnotify writes: "
			 "not a procnotify log", (long long)*version);
		return -EPROTONOSUPPORT;
	}
	if (blank && *version != 0)
		return pn__db_refuse(d, -EILSEQ, "the database has a schema version but no "
					      "tables: not a procnotify log");
	if (*version > PN_STORE_SCHEMA_VERSION) {
		snprintf(d->errmsg, sizeof(d->errmsg),
			 "the database has schema version %lld, newer than this procnotify "
			 "understands (%d); use a newer procnotify",
			 (long long)*version, PN_STORE_SCHEMA_VERSION);
		return -EPROTONOSUPPORT;
	}
	if (!blank && app != PN_STORE_APP_ID)
		return pn__db_refuse(d, -EILSEQ,
				     "the file is an SQLite database, but not a procnotify log");
	if (mode == PN_STORE_READ && *version < PN_STORE_SCHEMA_VERSION)
		return pn__db_refuse(d, -EPROTONOSUPPORT,
				     blank ? "the database is empty: not a procnotify log"
					   : "the log has an older schema: a monitor writing it "
					     "upgrades it (procnotify --db), and one at work may "
					     "be doing so now");
	return 0;
}

int pn__schema_configure(struct pn__db *d, int64_t version)
{
	int rc = 0;

	/* 16 KiB pages: a batch writes a quarter of the WAL frames, so a
	 * quarter of the write() calls, and checkpoints copy fewer, larger
	 * pages. The size is chosen once, before the file has WAL or tables. */
	if (version == 0)
		rc = pn__db_exec(d, "PRAGMA page_size = 16384");
	/* auto_vacuum lets retention give pages back to the file system in
	 * small steps. Like the page size it must be chosen before the file is
	 * first written, which switching to WAL does: after that SQLite ignores
	 * the pragma without an error. */
	if (!rc && version == 0)
		rc = pn__db_exec(d, "PRAGMA auto_vacuum = INCREMENTAL");
	/* WAL: readers never wait for the writer. NORMAL: a commit is a write()
	 * without fsync; a crash of the monitor loses nothing committed, a
	 * power loss may lose the last commits but never corrupts the file. */
	if (!rc)
		rc = pn__db_exec(d, "PRAGMA journal_mode = WAL");
	if (!rc)
		rc = pn__db_exec(d, "PRAGMA synchronous = NORMAL");
	/* Checkpoint every 32 MiB of WAL (2048 pages of 16 KiB in a new file,
	 * 8 MiB in an older one with 4 KiB pages) rather than 4: the index pages a
	 * batch dirties are copied to the file once for several batches. This
	 * serves the migrations; then the checkpointer's hook (ckpt.c) takes
	 * the copies off the writer's thread. */
	if (!rc)
		rc = pn__db_exec(d, "PRAGMA wal_autocheckpoint = 2048");
	if (!rc)
		rc = pn__db_exec(d, "PRAGMA journal_size_limit = 67108864");
	/* A batch touches the tail of every index: keep them in memory so a
	 * commit writes each page once instead of spilling it midway. A batch
	 * dirties a few MiB; a larger cache only costs page faults while it
	 * fills (bench/RESULTS.md, "Library tuning figures"). */
	if (!rc)
		rc = pn__db_exec(d, "PRAGMA cache_size = -16384");
	return rc;
}

int pn__schema_upgrade(struct pn__db *d, int64_t version)
{
	return version < PN_STORE_SCHEMA_VERSION ? migrate(d, version) : 0;
}
