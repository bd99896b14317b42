/*
 * `procnotify query`: the stored events that match a filter, rebuilt as
 * pn_events and handed to a visitor, so the same formatters print them as
 * the live monitor did; nothing here formats.
 * The SQL is assembled only from the fixed fragments below; every value
 * from the user is a bound parameter.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "store_internal.h"
#include "strcache.h"
#include "trigram.h"

/* Columns of the select: the event's id, every column of columns.h and
 * its process's key (the host's name comes from the reader's cache).
 * C(name) is a head column's index in a row. */
#define C(name) (1 + PN__EC_##name)
enum { C_BOOT = 1 + PN__EVENT_COLS, C_START, C_OS };

/* count: only the rows' ids, which is all a count needs (the join on the
 * process, by its primary key, adds no row and filters none). lost: the
 * lost records, through their own index; asked only for ids, SQLite took
 * event_time instead, which holds the type too and so covers the query,
 * and read all of it: 0.3 s on 10 million events for every count. */
static void select_cols(pn_buf *sql, int count, int lost)
{
	const char *from = lost ? " FROM event e INDEXED BY event_lost" : " FROM event e";

	if (count) {
		pn_buf_printf(sql, "SELECT e.id%s WHERE ", from);
		return;
	}
	pn_buf_puts(sql, "SELECT e.id, ");
	pn__event_select(sql, "e");
	pn_buf_printf(sql, ", p.boot, p.start_ns, p.os%s"
			   " LEFT JOIN process p ON p.id = e.process WHERE ", from);
}

/* Filters on time, type, rows (?1 to ?5), the reader's host (?6) and the
 * least id of the window (?7, window_start()): they apply to lost records
 * too. (Each parameter has its number: a named one first in the text would
 * take number 1, the time's.) */
static void add_common(pn_buf *sql, const pn_store_where *w, int scoped)
{
	if (scoped)
		pn_buf_puts(sql, " AND e.host = ?6");
	if (w->after_id)
		pn_buf_puts(sql, " AND e.id > ?4");
	if (w->upto_id)
		pn_buf_puts(sql, " AND e.id <= ?5");
	/* Ordered by id, SQLite read the whole table for a recent window:
	 * the least id of the window bounds it. */
	if (w->since_ns)
		pn_buf_puts(sql, " AND e.id >= ?7 AND e.time_ns >= ?1");
	if (w->until_ns)
		pn_buf_puts(sql, " AND e.time_ns <= ?2");
	if (w->types)
		pn_buf_puts(sql, " AND (?3 >> e.type) & 1");
}

/* The first term's parameter; ?1 to ?7 are add_common()'s. A term's
 * second parameter (written '@' below), the phrase --argv asks the
 * trigram index for, comes after every term's first. */
#define TERM_PARAM 8

/*
 * Each field's test of a value, '?' standing for the value's parameter
 * (once or more), and how the value is bound. GLOB never matches a BLOB
 * operand: the strings are compared as TEXT of the same bytes. Strings are
 * ids (intern.h): the strings that match are found once, then the rows
 * that hold their ids.
 */
#define STR_MATCH(test) "SELECT id FROM str WHERE " test
/* The names (comms and the images' file names, schema 13) that match:
 * thousands of rows where str has millions. CROSS JOIN keeps name the
 * outer table: without statistics SQLite took the GLOB for a filter on
 * str, read all of str (1.7 million rows, 0.3 s of the 0.6 of --name
 * 'vim*' on 10 million events) and looked each up in name. */
#define NAME_MATCH                                                \
	"SELECT n.id FROM name n CROSS JOIN str s ON s.id = n.id" \
	" WHERE CAST(s.value AS TEXT) GLOB ?"
/* The processes that used one of the strings: their events are the
 * candidates, read through event(process), which the field's own test
 * then narrows to exactly the events that match. */
#define USED_BY(strs) "e.process IN (SELECT process FROM proc_str WHERE str IN (" strs "))"
/* The strings whose arguments hold the value: the trigram index's
 * candidates for a piece of the value (trigram.h), and the long strings
 * it lacks, each then tested. */
#define ARGV_FTS                                                                    \
	"SELECT id FROM str WHERE id IN (SELECT rowid FROM str_fts WHERE str_fts MATCH @" \
	" UNION ALL SELECT id FROM str_long) AND pn_args_has(value, ?)"
/* The strings whose arguments hold the value, every string read: for a
 * value the trigram index cannot look for. */
#define ARGV_SCAN STR_MATCH("pn_args_has(value, ?)")
/* The same strings read beforehand, a JSON array of their ids
 * (scan_strings()). */
#define ARGV_SCANNED "SELECT value FROM json_each(@)"
enum bind { BIND_INT, BIND_TEXT, BIND_BLOB };
static const struct {
	const char *sql;
	enum bind bind;
} field_sql[PN_STORE_WHERE_FIELDS] = {
	[PN_WHERE_PID] = { "e.process IN (SELECT id FROM process WHERE pid = ?)", BIND_INT },
	[PN_WHERE_PPID] = { "e.ppid = ?", BIND_INT },
	[PN_WHERE_UID] = { "e.uid = ?", BIND_INT },
	[PN_WHERE_NAME] = { "pn_name_glob(?, e.comm, e.image)", BIND_TEXT },
	[PN_WHERE_IMAGE] = { "e.image IN (" STR_MATCH("CAST(value AS TEXT) GLOB ?") ")", BIND_TEXT },
	[PN_WHERE_ARGV] = { "e.argv IN (" ARGV_SCAN ")", BIND_BLOB },
	[PN_WHERE_EXIT_CODE] = { "e.type = 3 AND e.signal = 0 AND e.exit_code = ?", BIND_INT },
	[PN_WHERE_CONTAINER] = { "e.container_id IN (" STR_MATCH("CAST(value AS TEXT) = ? OR"
				 " (length(value) = 64 AND substr(CAST(value AS TEXT), 1, length(?)) = ?)") ")",
				 BIND_TEXT },
};

/* --argv through the trigram index: a value of three characters at
 * least, which it needs to find anything, and ASCII, which every string
 * splits into the same characters wherever it is (a byte of an invalid
 * UTF-8 sequence may join the next one); otherwise every string is read. */
static const char argv_fts_sql[] = "e.argv IN (" ARGV_FTS ")";

static int fts_fits(const char *v)
{
	size_t n = 0;

	for (; v[n]; n++)
		if ((unsigned char)v[n] >= 0x80)
			return 0;
	return n >= 3;
}

static int uses_fts(const pn_store_term *t)
{
	return t->field == PN_WHERE_ARGV && fts_fits(t->s);
}

/* The processes whose events are a term's candidates, for the terms
 * that have a list of them; NULL for the others. phrase: the term's,
 * which for an --argv the trigram index cannot help holds the strings
 * found, when they are few enough to find the candidates. */
static const char *candidates(const pn_store_term *t, const pn_buf *phrase)
{
	if (t->field == PN_WHERE_NAME)
		return USED_BY(NAME_MATCH);
	if (t->field != PN_WHERE_ARGV)
		return NULL;
	if (uses_fts(t))
		return USED_BY(ARGV_FTS);
	return phrase->len ? USED_BY(ARGV_SCANNED) : NULL;
}

/* Whether field has terms, each with a list of candidate processes (a
 * pid's test is its list); phrase: every term's. */
static int all_listed(const pn_store_where *w, const pn_buf *phrase, int field)
{
	size_t terms = 0, listed = 0;

	for (size_t i = 0; i < w->nterms; i++) {
		if (w->terms[i].field != field)
			continue;
		terms++;
		listed += field == PN_WHERE_PID || candidates(&w->terms[i], &phrase[i]);
	}
	return terms && listed == terms;
}

/* driver()'s answer when the time window bounds the events read. */
#define BY_WINDOW PN_STORE_WHERE_FIELDS

/*
 * The field whose terms find the candidate events, BY_WINDOW or -1.
 * Without statistics SQLite takes the first list of processes it meets:
 * with --argv X --name gcc it read every gcc's events to keep those of
 * the 3 processes whose arguments held X (3.3 s on 10 million events).
 * Only one field's lists are written: a pid's; else arguments that few
 * strings hold (argv_rare); else a name's; else, with a time window,
 * none (--argv src --since 1h: the hour's events, not the processes of
 * the 867,000 strings holding "src"); else arguments'. A field with a
 * term that has no list cannot (SQLite would read every event anyway).
 */
static int driver(const pn_store_where *w, const pn_buf *phrase, int argv_rare)
{
	if (all_listed(w, phrase, PN_WHERE_PID))
		return PN_WHERE_PID;
	if (argv_rare && all_listed(w, phrase, PN_WHERE_ARGV))
		return PN_WHERE_ARGV;
	if (all_listed(w, phrase, PN_WHERE_NAME))
		return PN_WHERE_NAME;
	if (w->since_ns)
		return BY_WINDOW;
	return all_listed(w, phrase, PN_WHERE_ARGV) ? PN_WHERE_ARGV : -1;
}

/* SQL text, its '?' numbered as parameter param, its '@' as phrase. */
static void put_sql(pn_buf *sql, const char *p, int param, int phrase)
{
	for (; *p; p++) {
		if (*p == '?' || *p == '@')
			pn_buf_printf(sql, "?%d", *p == '?' ? param : phrase);
		else
			pn_buf_putc(sql, *p);
	}
}

/* --argv's test of each candidate of another field or of the window:
 * the strings that hold the value would be found first, all of them
 * ("gcc" beside --name cc1: every gcc's arguments), where the candidates
 * are few. Also of the candidates of its own scan of every string, which
 * a test by the list would make again. */
static const char argv_row_sql[] = "pn_args_has(" PN__STR_OF("e.argv") ", ?)";

/* One term's test of an event; drives: driver()'s field. */
static void add_term(pn_buf *sql, const pn_store_term *t, int drives, int param, int phrase)
{
	const char *test = uses_fts(t) ? argv_fts_sql : field_sql[t->field].sql;

	if (t->field == PN_WHERE_ARGV && drives >= 0 && (drives != PN_WHERE_ARGV || !uses_fts(t)))
		test = argv_row_sql;
	pn_buf_putc(sql, '(');
	put_sql(sql, test, param, phrase);
	pn_buf_putc(sql, ')');
}

/* Filters on the process: a lost record has none, so they skip it. The
 * terms of one field are ORed, the fields ANDed. */
static void add_process(pn_buf *sql, const pn_store_where *w, int drives)
{
	for (int field = 0; field < PN_STORE_WHERE_FIELDS; field++) {
		int terms = 0;

		for (size_t i = 0; i < w->nterms; i++) {
			if (w->terms[i].field != field)
				continue;
			pn_buf_puts(sql, terms++ ? " OR " : " AND (");
			add_term(sql, &w->terms[i], drives, TERM_PARAM + (int)i,
				 TERM_PARAM + (int)(w->nterms + i));
		}
		if (terms)
			pn_buf_putc(sql, ')');
	}
	if (w->signaled)
		pn_buf_puts(sql, " AND e.type = 3 AND e.signal <> 0");
}

/* The ids of the events of the driving field's candidate processes,
 * from the index of events by process alone (it holds the ids). */
static void add_candidate_ids(pn_buf *sql, const pn_store_where *w, const pn_buf *phrase,
			      int drives)
{
	int terms = 0;

	pn_buf_puts(sql, "e.id IN (SELECT e.id FROM event e WHERE ");
	for (size_t i = 0; i < w->nterms; i++) {
		if (w->terms[i].field != drives)
			continue;
		pn_buf_puts(sql, terms++ ? " OR " : "");
		put_sql(sql, candidates(&w->terms[i], &phrase[i]), TERM_PARAM + (int)i,
			TERM_PARAM + (int)(w->nterms + i));
	}
	pn_buf_puts(sql, ") AND ");
}

/* drives: driver()'s field. */
static void build_sql(pn_buf *sql, const pn_store_where *w, const pn_buf *phrase, int scoped,
		      int count, int drives)
{
	/* Events found process by process (USED_BY) come out of id order:
	 * every column of every row went through the sort (a fifth of
	 * --name's instructions). The candidates' ids are found first, from
	 * the index alone, sorted by the IN list, and then each row is read
	 * once, in order, and tested: the tests in the list read each row
	 * twice (--name 'vim*': 7,959 reads of 3,992 pages of events). A
	 * count reads the same rows the same way. */
	int ids_first = drives == PN_WHERE_NAME || drives == PN_WHERE_ARGV;

	if (count)
		pn_buf_puts(sql, "SELECT count(*) FROM (");
	select_cols(sql, count, 0);
	if (ids_first)
		add_candidate_ids(sql, w, phrase, drives);
	pn_buf_puts(sql, "e.type <> 4");
	add_common(sql, w, scoped);
	add_process(sql, w, drives);
	if (!w->types || (w->types & PN_MASK(PN_EVENT_LOST))) {
		pn_buf_puts(sql, " UNION ALL ");
		select_cols(sql, count, 1);
		pn_buf_puts(sql, "e.type = 4");
		add_common(sql, w, scoped);
	}
	pn_buf_puts(sql, count ? ")" : " ORDER BY 1");
}

static void bind_where(sqlite3_stmt *st, const pn_store_where *w)
{
	sqlite3_bind_int64(st, 1, w->since_ns);
	sqlite3_bind_int64(st, 2, w->until_ns);
	sqlite3_bind_int64(st, 3, w->types);
	sqlite3_bind_int64(st, 4, w->after_id);
	sqlite3_bind_int64(st, 5, w->upto_id);
	for (size_t i = 0; i < w->nterms; i++) {
		const pn_store_term *t = &w->terms[i];
		int param = TERM_PARAM + (int)i;

		if (field_sql[t->field].bind == BIND_INT)
			sqlite3_bind_int64(st, param, t->n);
		else if (field_sql[t->field].bind == BIND_TEXT)
			sqlite3_bind_text(st, param, t->s, -1, SQLITE_STATIC);
		else
			sqlite3_bind_blob(st, param, t->s, (int)strlen(t->s), SQLITE_STATIC);
	}
}

/*
 * The least id of the events at or after since, or past the last id when
 * there is none. min(id) read from the first row up to the window, which
 * for the last hour of a week was nearly the whole table (0.5 s of 2
 * million rows); through the time index it reads the window instead, which
 * for the whole week is the whole index. The first event of the window by
 * time, one index seek, says which of the two reads less. The writer only
 * adds rows past the last, so the bound holds for the query that follows.
 */
static int window_start(pn_store *s, int64_t since, int64_t *start)
{
	int64_t first, lo, hi;
	int found, rc = pn__db_int(&s->db, "SELECT id FROM event INDEXED BY event_time"
				   " WHERE time_ns >= ?1 ORDER BY time_ns LIMIT 1", since, &first, &found);

	*start = INT64_MAX;
	if (rc || !found)
		return rc;
	rc = pn__db_int(&s->db, "SELECT min(id) FROM event", 0, &lo, &found);
	if (!rc)
		rc = pn__db_int(&s->db, "SELECT max(id) FROM event", 0, &hi, &found);
	if (!rc)
		rc = pn__db_int(&s->db, first - lo < hi - first
				   ? "SELECT min(id) FROM event NOT INDEXED WHERE time_ns >= ?1"
				   : "SELECT min(id) FROM event INDEXED BY event_time WHERE time_ns >= ?1",
				   since, start, &found);
	return rc;
}

/* A string read by an --argv the trigram index cannot help costs about
 * a fortieth of a process of a name beside it, tested with its events:
 * --argv -j read the 1.7 million strings of the 10-million-event log in
 * 0.37 s; beside it, --name make's 232,000 processes took 2.1 s. */
#define STRINGS_PER_PROCESS 40

/* The processes of the name terms' names, counted up to max: one
 * statement, each term's name bound in turn. */
static int name_processes(pn_store *s, const pn_store_where *w, int64_t max, int64_t *n)
{
	pn_buf sql = { 0 };
	sqlite3_stmt *st = NULL;
	int rc;

	*n = 0;
	pn_buf_puts(&sql, "SELECT count(*) FROM (SELECT 1 FROM proc_str WHERE str IN (");
	put_sql(&sql, NAME_MATCH, 1, 1);
	pn_buf_puts(&sql, ") LIMIT ?2)");
	rc = sql.oom ? -ENOMEM : pn__db_prepare(&s->db, sql.data, &st);
	for (size_t i = 0; !rc && i < w->nterms && *n <= max; i++) {
		if (w->terms[i].field != PN_WHERE_NAME)
			continue;
		sqlite3_bind_text(st, 1, w->terms[i].s, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, max + 1 - *n);
		rc = sqlite3_step(st) == SQLITE_ROW ? 0 : pn__db_err(&s->db, sqlite3_errcode(s->db.conn),
								      "counting a name's processes");
		*n += rc ? 0 : sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	pn_buf_free(&sql);
	return rc;
}

/* Whether an --argv the trigram index cannot help should read every
 * string to find the candidates: not beside a window or a pid, whose
 * events are read instead, nor beside a name whose processes cost less. */
static int scan_pays(pn_store *s, const pn_store_where *w, const pn_buf *phrase, int *pays)
{
	int64_t strings = 0, procs = 0;
	int found, rc;

	*pays = !w->since_ns && !all_listed(w, phrase, PN_WHERE_PID);
	if (!*pays || !all_listed(w, phrase, PN_WHERE_NAME))
		return 0;
	rc = pn__db_int(&s->db, "SELECT max(id) FROM str", 0, &strings, &found);
	if (!rc)
		rc = name_processes(s, w, strings / STRINGS_PER_PROCESS, &procs);
	*pays = procs * STRINGS_PER_PROCESS > strings;
	return rc;
}

/* The strings that hold an --argv the trigram index cannot help, every
 * string read, as the JSON array of their ids in *ids; left empty past
 * PN__TRIGRAM_COUNT_MAX of them, whose processes would be too many to be
 * the candidates ("-c" is in 50,452 strings of the 10-million-event log:
 * beside --name bash, reading their processes' events took 8.2 s, bash's
 * alone 0.25). */
static int scan_strings(pn_store *s, const pn_store_term *t, pn_buf *ids)
{
	sqlite3_stmt *st;
	int n = 0, rc = pn__db_prepare(&s->db, "SELECT id FROM str WHERE pn_args_has(value, ?1)"
					       " LIMIT ?2", &st);

	if (rc)
		return rc;
	sqlite3_bind_blob(st, 1, t->s, (int)strlen(t->s), SQLITE_STATIC);
	sqlite3_bind_int(st, 2, PN__TRIGRAM_COUNT_MAX + 1);
	pn_buf_putc(ids, '[');
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		pn_buf_printf(ids, n++ ? ",%lld" : "%lld", (long long)sqlite3_column_int64(st, 0));
	pn_buf_putc(ids, ']');
	rc = rc == SQLITE_DONE ? 0 : pn__db_err(&s->db, rc, "reading the strings");
	sqlite3_finalize(st);
	if (n > PN__TRIGRAM_COUNT_MAX)
		pn_buf_reset(ids);
	return rc ? rc : ids->oom ? -ENOMEM : 0;
}

/* The phrase each --argv term asks the trigram index for, in phrase[] at
 * the term's index; *rare: every --argv term the index helps has a
 * phrase at most PN__TRIGRAM_COUNT_MAX strings hold. Each of those costs
 * a test (some 3 us) and its processes' events; past that, a name or a
 * window beside it likely names fewer ("src" is in 867,000 strings of a
 * 10-million-event log). Counted only when there is one to choose. A term
 * the index cannot help gets the strings that hold it instead, when
 * reading every string pays (scan_pays()). */
static int make_phrases(pn_store *s, const pn_store_where *w, pn_buf *phrase, int *rare)
{
	int rc = 0, common = 0, scan = -1;
	int names = all_listed(w, phrase, PN_WHERE_NAME) || w->since_ns;

	for (size_t i = 0; !rc && i < w->nterms; i++) {
		const pn_store_term *t = &w->terms[i];
		int64_t strings = 0;

		if (t->field != PN_WHERE_ARGV)
			continue;
		if (!uses_fts(t)) {
			if (scan < 0)
				rc = scan_pays(s, w, phrase, &scan);
			if (!rc && scan)
				rc = scan_strings(s, t, &phrase[i]);
			continue;
		}
		rc = pn__trigram_phrase(&s->db, t->s, &phrase[i], names ? &strings : NULL);
		common += strings > PN__TRIGRAM_COUNT_MAX;
	}
	*rare = !common;
	return rc;
}

static void bind_phrases(const pn_store_where *w, const pn_buf *phrase, sqlite3_stmt *st)
{
	for (size_t i = 0; i < w->nterms; i++)
		if (phrase[i].len)
			sqlite3_bind_text(st, TERM_PARAM + (int)(w->nterms + i), phrase[i].data,
					  (int)phrase[i].len, SQLITE_TRANSIENT);
}

/* Prepares the query of w (or its count) with its values bound. */
static int prepare(pn_store *s, const pn_store_where *w, int count, sqlite3_stmt **st)
{
	pn_buf sql = { 0 }, *phrase;
	int64_t start = 0;
	int rc = 0, rare = 0;

	for (size_t i = 0; i < w->nterms; i++)
		if ((unsigned)w->terms[i].field >= PN_STORE_WHERE_FIELDS ||
		    (field_sql[w->terms[i].field].bind != BIND_INT && !w->terms[i].s))
			return -EINVAL;
	*st = NULL;
	phrase = calloc(w->nterms + 1, sizeof(*phrase));
	if (!phrase)
		return -ENOMEM;
	if (w->since_ns)
		rc = window_start(s, w->since_ns, &start);
	if (!rc)
		rc = make_phrases(s, w, phrase, &rare);
	if (!rc)
		build_sql(&sql, w, phrase, s->scoped, count, driver(w, phrase, rare));
	if (!rc && sql.oom)
		rc = -ENOMEM;
	if (!rc)
		rc = pn__db_prepare(&s->db, sql.data, st);
	if (!rc) {
		bind_where(*st, w);
		if (s->scoped)
			sqlite3_bind_int64(*st, 6, s->scope_host);
		sqlite3_bind_int64(*st, 7, start);
		bind_phrases(w, phrase, *st);
	}
	for (size_t i = 0; i < w->nterms; i++)
		pn_buf_free(&phrase[i]);
	free(phrase);
	pn_buf_free(&sql);
	return rc;
}

/* The string whose id v holds; one the strings table lacks (a damaged
 * file) is read as unknown, as the subquery that read it did. */
static int col_str(struct pn__strcache *c, sqlite3_value *v, pn_str *out)
{
	pn_str str;
	int found, rc = pn__strcache_get(c, sqlite3_value_int64(v), &str, &found);

	if (!rc && found)
		*out = str;
	return rc;
}

static int col_tty(struct pn__strcache *c, sqlite3_value *v, char *tty, size_t size)
{
	pn_str str = { "", 0 };
	int rc = col_str(c, v, &str);

	if (str.len >= size)
		str.len = size - 1;
	memcpy(tty, str.ptr, str.len);
	return rc;
}

static pn_dev col_dev(sqlite3_value *v)
{
	uint64_t dev = (uint64_t)sqlite3_value_int64(v);

	return (pn_dev){ (uint32_t)(dev >> 32), (uint32_t)dev };
}

/* How a column of each kind of procnotify/fields.h is read back (rows.c
 * binds them) from its value v; a key column holds the start, see
 * own_keys(). */
#define READ_u32(v, ev, name) (ev)->name = (uint32_t)sqlite3_value_int64(v)
#define READ_u64(v, ev, name) (ev)->name = (uint64_t)sqlite3_value_int64(v)
#define READ_i32(v, ev, name) (ev)->name = sqlite3_value_int(v)
#define READ_i64(v, ev, name) (ev)->name = sqlite3_value_int64(v)
#define READ_str(v, ev, name) rc = rc ? rc : col_str(sc, v, &(ev)->name)
#define READ_argv READ_str
#define READ_key(v, ev, name) (ev)->name.start_ns = (uint64_t)sqlite3_value_int64(v)
#define READ_tty(v, ev, name) rc = rc ? rc : col_tty(sc, v, (ev)->name, sizeof((ev)->name))
#define READ_dev(v, ev, name) (ev)->name = col_dev(v)
#define READ_flag(v, ev, name)
/* A NULL column leaves the field as row_event() set it (unknown); only an
 * event of the field's types reads it. The value is taken once: each
 * sqlite3_column_*() call enters and leaves the connection's API, two
 * calls a column where the value's own accessors need none. */
#define READ_FIELD(name, kind, bit, types, json, table, sql, ...)                      \
	if (PN__IS_COLUMN(sql)) {                                                    \
		sqlite3_value *v = PN_MASK(ev->type) & (types) ? sqlite3_column_value(st, i) : NULL; \
		if (v && sqlite3_value_type(v) != SQLITE_NULL) {                     \
			READ_##kind(v, ev, name);                                    \
			if (PN__F_##name == PN__F_lost_count)                        \
				ev->lost_count_known = 1;                            \
		}                                                                    \
		i++;                                                                 \
	}

/* The keys of an event: the process's from its row; the parent and the
 * creator run on the process's machine and boot, and their pids are
 * their own fields. */
static void own_keys(sqlite3_stmt *st, pn_event *ev)
{
	uint64_t boot = (uint64_t)sqlite3_column_int64(st, C_BOOT);
	uint32_t os = (uint32_t)sqlite3_column_int64(st, C_OS);

	ev->key = (pn_key){ boot, (uint64_t)sqlite3_column_int64(st, C_START), ev->pid, os };
	ev->parent_key = (pn_key){ boot, ev->parent_key.start_ns, ev->ppid, os };
	ev->creator_key = (pn_key){ boot, ev->creator_key.start_ns, ev->creator_pid, os };
}

/* Rebuilds the event of the current row; strings point into the row and
 * into sc until its next row. */
static int row_event(sqlite3_stmt *st, struct pn__strcache *sc, pn_event *ev)
{
	int i = 1 + PN__EVENT_HEAD_COLS, rc, found = 0;

	memset(ev, 0, sizeof(*ev));
	ev->seq = (uint64_t)sqlite3_column_int64(st, C(seq));
	ev->type = (enum pn_event_type)sqlite3_column_int(st, C(type));
	ev->time_ns = sqlite3_column_int64(st, C(time_ns));
	ev->have = (uint32_t)sqlite3_column_int64(st, C(have));
	ev->flags = (uint32_t)sqlite3_column_int64(st, C(flags));
	ev->duration_ns = -1;
	/* The name is known when the host row is (schema 8 and later). */
	ev->have &= ~(uint32_t)PN_HAVE_HOST;
	rc = pn__strcache_host(sc, sqlite3_column_int64(st, C(host)), &ev->host, &found);
	if (found)
		ev->have |= PN_HAVE_HOST;
	PN_FIELD_MAP(READ_FIELD)
	/* Only a lost record has counts (NULL, read as 0, in any other row). */
	for (int k = 0; ev->type == PN_EVENT_LOST && k < PN_STORE_LOST_COLS; k++)
		ev->lost_by_type[pn__store_lost_types[k]] = (uint64_t)sqlite3_column_int64(st, i++);
	if (ev->type != PN_EVENT_LOST)
		own_keys(st, ev);
	return rc;
}

/* The terms of a pn_store_filter: one value per field at most. */
static size_t filter_terms(const pn_store_filter *f, pn_store_term *t)
{
	size_t n = 0;

	if (f->have_pid)
		t[n++] = (pn_store_term){ PN_WHERE_PID, NULL, f->pid };
	if (f->have_ppid)
		t[n++] = (pn_store_term){ PN_WHERE_PPID, NULL, f->ppid };
	if (f->have_uid)
		t[n++] = (pn_store_term){ PN_WHERE_UID, NULL, f->uid };
	if (f->name)
		t[n++] = (pn_store_term){ PN_WHERE_NAME, f->name, 0 };
	if (f->image)
		t[n++] = (pn_store_term){ PN_WHERE_IMAGE, f->image, 0 };
	if (f->argv)
		t[n++] = (pn_store_term){ PN_WHERE_ARGV, f->argv, 0 };
	if (f->have_exit_code)
		t[n++] = (pn_store_term){ PN_WHERE_EXIT_CODE, NULL, f->exit_code };
	return n;
}

int pn_store_query(pn_store *s, const pn_store_filter *f, pn_store_event_fn fn, void *user)
{
	pn_store_term t[PN_STORE_WHERE_FIELDS];
	pn_store_where w = { t, filter_terms(f, t), f->signaled, f->types, f->since_ns, f->until_ns,
			     0, 0 };

	return pn_store_query_where(s, &w, fn, user);
}

int pn_store_query_where(pn_store *s, const pn_store_where *w, pn_store_event_fn fn, void *user)
{
	struct pn__strcache *sc = NULL;
	sqlite3_stmt *st = NULL;
	pn_event ev;
	int rc = pn__strcache_new(&s->db, &sc), stop = 0, n = 0;

	if (!rc)
		rc = prepare(s, w, 0, &st);
	if (rc) {
		pn__strcache_free(sc);
		return rc;
	}
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		/* The writer stores only known types: another one is a damaged
		 * or forged file, and no formatter can show it. */
		if ((unsigned)sqlite3_column_int(st, C(type)) >= PN_EVENT_TYPE_MAX) {
			stop = pn__db_refuse(&s->db, -EILSEQ, "an event of an unknown type: "
					     "the log is damaged");
			break;
		}
		pn__strcache_row(sc);
		stop = row_event(st, sc, &ev);
		if (stop)
			break;
		s->visiting = sqlite3_column_int64(st, 0);
		stop = fn(&ev, user);
		n++;
	}
	if (stop)
		rc = stop;
	else
		rc = rc == SQLITE_DONE ? n : pn__db_err(&s->db, rc, "query");
	sqlite3_finalize(st);
	pn__strcache_free(sc);
	return rc;
}

int pn__store_count(pn_store *s, const pn_store_where *w, uint64_t *n)
{
	sqlite3_stmt *st = NULL;
	int rc = prepare(s, w, 1, &st);

	if (rc)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*n = (uint64_t)sqlite3_column_int64(st, 0);
		rc = 0;
	} else {
		rc = pn__db_err(&s->db, rc, "count");
	}
	sqlite3_finalize(st);
	return rc;
}

int pn_store_last_id(pn_store *s, int64_t *id)
{
	int found;

	*id = 0;
	return pn__db_int(&s->db, "SELECT max(id) FROM event", 0, id, &found);
}
