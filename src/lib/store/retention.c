/*
 * Retention: --db-max-age and --db-max-size. The oldest events go first,
 * then the processes none of the remaining events refer to. A step is a
 * transaction of the writer, which stands still meanwhile: each removes at
 * most a step's rows of each kind, as many as the last step removed in its
 * kind's budget of time, so no step holds the writer for long however much
 * is due and however slow the machine is. A row's cost varies tenfold: a
 * process's row is found in two indexes at random places, a string's words
 * are told to the trigram index (50 us a string, 4 an event, on a
 * 10-million-event log), so strings are sized on their own: sized with
 * the rest, a step's 800 strings took 37 to 52 ms.
 */
#include <stdint.h>
#include "store_internal.h"

/*
 * Each kind's budget of statement time a step, and its most rows. What a
 * step spends besides (the trigram index's merge, up to 17 ms on that
 * log since schema 16, the vacuum, and the commit, which writes every
 * page the statements changed) fits in 50 ms beside them. The most rows
 * bound the commit, which no budget sees: 2,000 events with their
 * processes and pairs took 26 to 33 ms to commit.
 */
static const struct {
	uint64_t ns;
	int most;
} kinds[PN__RETENTION_KINDS] = {
	[PN__RETENTION_ROWS] = { 12 * 1000000ULL, 1000 }, /* events, processes, pairs */
	[PN__RETENTION_STRS] = { 4 * 1000000ULL, 1000 },  /* strings that are due */
};
/* The ids of strings a step looks through at most, for those due: some
 * 0.1 us an id, each of the five statements that look. */
#define STR_SCAN 4000
#define RETENTION_MIN_ROWS 16
#define RETENTION_FIRST_ROWS 250
/* Free pages handed back to the file system a step: 2 MiB of 16 KiB
 * pages, some 5 ms. 1,024 took 20 to 56 ms, and as long again to commit,
 * when a migration had freed the old trigram index (290 MB). */
#define RETENTION_VACUUM "PRAGMA incremental_vacuum(128)"

static int rows_of(const pn_store *s, enum pn__retention_kind k)
{
	return s->retention_rows[k] ? s->retention_rows[k] : RETENTION_FIRST_ROWS;
}

/* The next step's rows of kind k, done of which took ns in the last
 * step: at most twice as many, as one cheap step says little. */
static void sized(pn_store *s, enum pn__retention_kind k, uint64_t ns, int done)
{
	uint64_t rows = (uint64_t)rows_of(s, k), want = (uint64_t)done * kinds[k].ns / (ns ? ns : 1);

	want = want > 2 * rows ? 2 * rows : want;
	want = want < RETENTION_MIN_ROWS ? RETENTION_MIN_ROWS : want;
	s->retention_rows[k] = (int)(want > (uint64_t)kinds[k].most ? (uint64_t)kinds[k].most : want);
}

/* Pages in use, in bytes: what a deletion can bring down. The free pages
 * are handed back to the file system by incremental_vacuum. */
static int used_bytes(pn_store *s, int64_t *out)
{
	int64_t pages = 0, freel = 0, psize = 0;
	int found, rc = pn__db_int(&s->db, "PRAGMA page_count", 1, &pages, &found);

	if (!rc)
		rc = pn__db_int(&s->db, "PRAGMA freelist_count", 1,
			       &freel, &found);
	if (!rc)
		rc = pn__db_int(&s->db, "PRAGMA page_size", 1, &psize, &found);
	*out = (pages - freel) * psize;
	return rc;
}

/* The time before which events go: the age bound, or when the file is too
 * large, far enough to drop the oldest rows of a step. */
static int cutoff(pn_store *s, int64_t *cut, int *over_size)
{
	int64_t used, t;
	int found, rc;

	*cut = s->opt.max_age_ns ? pn__store_wall_ns() - s->opt.max_age_ns : INT64_MIN;
	*over_size = 0;
	if (!s->opt.max_size)
		return 0;
	rc = used_bytes(s, &used);
	if (rc || (uint64_t)used <= s->opt.max_size)
		return rc;
	*over_size = 1;
	rc = pn__db_int(&s->db, "SELECT time_ns FROM event ORDER BY time_ns LIMIT 1 OFFSET ?1",
			   rows_of(s, PN__RETENTION_ROWS) - 1, &t, &found);
	/* Fewer events than a step: the older half goes, never all of them. */
	if (!rc && !found)
		rc = pn__db_int(&s->db, "SELECT time_ns FROM event ORDER BY time_ns LIMIT 1 OFFSET"
				   " (SELECT count(*) / 2 FROM event)", 0, &t, &found);
	if (!found)
		return rc;
	if (t > *cut)
		*cut = t; /* events strictly older than t go */
	return rc;
}

static int delete_before(pn_store *s, const char *sql, int64_t cut, int *changed)
{
	sqlite3_stmt *st;
	int rc = pn__db_prepare(&s->db, sql, &st);

	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, cut);
	sqlite3_bind_int(st, 2, rows_of(s, PN__RETENTION_ROWS));
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	*changed = sqlite3_changes(s->db.conn);
	return rc == SQLITE_DONE ? 0 : pn__db_err(&s->db, rc, "retention");
}

/* The strings no remaining event or process uses: those last used before
 * the oldest event left (see intern.h). str has no index on last_ns (one
 * more index entry per string stored); each step looks at the ids from
 * where the last step stopped instead, up to a step's strings due or
 * STR_SCAN ids, and starts over at the end. A step's rows are strings
 * due, not ids: they are due in some ranges of ids and not in others,
 * so a range sized by its time grew through the ranges where none was,
 * up to one that held 767 (18 ms). Where --argv and --name find the
 * strings that go goes first: str_fts is told the words it indexed (a
 * table without its text cannot find them otherwise), str_long and name
 * lose their rows. The last statement's changes are the strings removed. */
#define XSTR(x) #x
#define FTS_MAX(x) XSTR(x)
#define STR_DUE " last_ns < (SELECT coalesce(min(time_ns), 9223372036854775807) FROM event)"
#define STR_GONE " id > ?1 AND id <= ?2 AND" STR_DUE
/* The end of the range: the last of the first ?2 strings due after the
 * cursor ?1, or ?3 ids after it. */
static const char str_end_sql[] =
	"SELECT coalesce((SELECT id FROM str WHERE id > ?1 AND id <= ?1 + ?3 AND" STR_DUE
	" ORDER BY id LIMIT 1 OFFSET ?2 - 1), ?1 + ?3)";
static const char *const forget_sql[] = {
	"INSERT INTO str_fts(str_fts, rowid, args) SELECT 'delete', id, pn_args(value) FROM str"
	" WHERE length(value) <= " FTS_MAX(PN__STR_FTS_MAX) " AND" STR_GONE,
	"DELETE FROM str_long WHERE id IN (SELECT id FROM str WHERE" STR_GONE ")",
	"DELETE FROM name WHERE id IN (SELECT id FROM str WHERE" STR_GONE ")",
	"DELETE FROM str WHERE" STR_GONE,
};

static int strings_end(pn_store *s, int64_t *end)
{
	sqlite3_stmt *st;
	int rc = pn__db_prepare(&s->db, str_end_sql, &st);

	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, s->str_cursor);
	sqlite3_bind_int(st, 2, rows_of(s, PN__RETENTION_STRS));
	sqlite3_bind_int(st, 3, STR_SCAN);
	rc = sqlite3_step(st);
	*end = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : pn__db_err(&s->db, rc, "retention");
}

static int forget_strings(pn_store *s, int *changed)
{
	sqlite3_stmt *st;
	int64_t last, end;
	int found, rc = pn__db_int(&s->db, "SELECT max(id) FROM str", 0, &last, &found);

	*changed = 0;
	if (!rc && s->str_cursor >= last) {
		s->str_cursor = 0; /* the end: the next step starts over */
		return 0;
	}
	if (!rc)
		rc = strings_end(s, &end);
	for (size_t i = 0; !rc && i < sizeof(forget_sql) / sizeof(forget_sql[0]); i++) {
		rc = pn__db_prepare(&s->db, forget_sql[i], &st);
		if (rc)
			return rc;
		sqlite3_bind_int64(st, 1, s->str_cursor);
		sqlite3_bind_int64(st, 2, end);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		rc = rc == SQLITE_DONE ? 0 : pn__db_err(&s->db, rc, "retention");
	}
	if (rc)
		return rc;
	s->str_cursor = end;
	*changed = sqlite3_changes(s->db.conn);
	/* The writer's cache may hold a string that is gone. */
	if (*changed) {
		pn__intern_forget(&s->strings);
		pn__lookup_forget(&s->lookup);
	}
	return 0;
}

int pn__store_retention_step(pn_store *s)
{
	int64_t cut;
	int over, events = 0, procs = 0, strs = 0, pairs = 0;
	int rows = rows_of(s, PN__RETENTION_ROWS);
	uint64_t t0 = pn__store_mono_ns(), t1, t2;
	int rc = cutoff(s, &cut, &over);

	if (!rc && cut > INT64_MIN)
		rc = delete_before(s, "DELETE FROM event WHERE id IN (SELECT id FROM event"
				      " WHERE time_ns < ?1 ORDER BY time_ns LIMIT ?2)", cut, &events);
	/* A process none of whose events is left started before the oldest
	 * event left (they go oldest first): only those are looked at. Every
	 * process before the cut was, which for a day of a busy log meant
	 * hundreds of thousands whose events later steps remove, each step.
	 * One bound, so that it bounds the walk of process_first: beside
	 * first_ns < cut, SQLite took that one and tested the other on every
	 * process before the cut, 70 ms a step whenever fewer than a step's
	 * rows could go. */
	if (!rc && cut > INT64_MIN)
		rc = delete_before(s, "DELETE FROM process WHERE id IN (SELECT p.id FROM process p"
				      " WHERE p.first_ns <= min(?1 - 1, (SELECT coalesce(min(time_ns), ?1)"
				      " FROM event)) AND NOT EXISTS (SELECT 1 FROM event e"
				      " WHERE e.process = p.id) LIMIT ?2)", cut, &procs);
	t1 = pn__store_mono_ns();
	if (!rc && cut > INT64_MIN)
		rc = forget_strings(s, &strs);
	t2 = pn__store_mono_ns();
	if (!rc && cut > INT64_MIN)
		rc = pn__lookup_sweep(&s->db, s->pair_cursor, rows, &pairs);
	sized(s, PN__RETENTION_ROWS, t1 - t0 + pn__store_mono_ns() - t2, rows);
	/* A step that met no string due says nothing of what one costs. */
	if (strs)
		sized(s, PN__RETENTION_STRS, t2 - t1, strs);
	/* One merge command of the trigram index a step: the deletions a
	 * step tells it are a few leaves. A command may write a common
	 * trigram's whole list: up to 26 ms with positions, 17 without
	 * (schema 16). More of them a step, for 6 ms, reached the merges of
	 * the index's largest segments, each up to 146 ms, where one a step
	 * left 84 small segments after a day (3 to 5 with positions), which
	 * the writer's own merges take on as it adds strings. */
	if (!rc && cut > INT64_MIN)
		rc = pn__intern_merge(&s->strings, &s->db, 1);
	if (!rc && (events || procs || strs || pairs))
		rc = pn__db_exec(&s->db, RETENTION_VACUUM);
	if (rc)
		return rc;
	return events == rows || procs == rows || strs > 0 || (over && events);
}
