/*
 * The activity log's row format, measured (issue 16 item 2: at most 100
 * bytes and 2x the CPU of --json per event). Replays the events of a real
 * log, read back with pn_store_query(), in the monitor's batches (8192
 * events or 200 ms of event time), into:
 *
 *   json     pn_fmt_json() of every event into a file: the baseline;
 *   today    the library's writer (pn_store_event(), pn_store_commit() at
 *            each batch's end): today's schema;
 *   packed   one row per event: as real columns only what SQL filters,
 *            indexes or a report reads (time, type, process, host, ppid,
 *            uid, comm, image, argv, exit_code, signal, core_dumped,
 *            container_id); every other field of procnotify/fields.h in one
 *            BLOB: a bitmap of the fields present, then each one a varint;
 *   packed-json  packed with the BLOB as JSON text ({"seq":..,"cwd":..}),
 *            which plain SQL reads with json_extract(): what a view would
 *            cost in bytes;
 *   packed-lean  packed, with a span table (a batch's first and last row id
 *            and times) instead of the event_time index;
 *   grouped  one row per process per batch (its fork, exec and exit of the
 *            batch in one row): real columns as packed, of the row's latest
 *            exec or exit; type the mask of its events' types; the BLOB
 *            holds each event as its type, seq and time deltas, and only
 *            the fields that differ from the event before it in the row; a
 *            span table, no event_time;
 *   grouped-lean  grouped, and: a process row of its key, parent and first
 *            time only (the image, arguments and exit are its rows'), no
 *            process_first; the report's two indexes as one; the lookup of
 *            --name and --argv as one row per string and batch (str_span:
 *            the batch's row ids that used it) instead of proc_str's row
 *            per string and process; a row's first event leaves out the
 *            pid and parent its process row has.
 *
 * The variants other than today write the process, str, str_fts and
 * lookup rows as today's writer does (a process's record merged per batch,
 * written at commit, 64 rows per INSERT) with plain SQLite in the same
 * pragmas, so they differ in the event table and its indexes (and
 * grouped-lean where it says).
 *
 * For each it prints the file's bytes per event and each table and index
 * (dbstat, whole pages); the CPU per event of the writing (the process's
 * CPU time, the library's writer thread included, and of it the system's),
 * for the variants split into the encoding (the process records merged,
 * the strings' ids, the BLOBs), the event rows' SQL, the process rows',
 * the lookup's, the strings' and the commit; the CPU per row (and per
 * event) of a --since style scan that rebuilds every field of every event
 * (today: pn_store_query(); the others: one SELECT with the process's
 * key, the BLOB decoded, the strings from an id cache). Each variant's
 * events, read back, are checked to be the events written (their JSON,
 * sorted, since a grouped log keeps a batch's events by process).
 *
 * A prototype's measure, not a reader: nothing here is the store's code.
 *
 * Usage: store_format -i LOG [-d DIR] [-r REPS] [-v VARIANT] [-b MS]
 *   LOG   a log to replay (read only), e.g. of a storm:
 *         procnotify --db LOG beside spawn_storm -n 20000 -j 4 -p /usr/bin/env
 *   DIR   where the logs are written (default /tmp); kept, for sqlite3
 *   REPS  scans per variant, the best is printed (default 3)
 *   VARIANT  only this one (json, today, packed, ...), e.g. for perf
 *   MS    batches of MS milliseconds of events, whatever their number
 *         (today's writer still commits at 8192 events)
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "procnotify.h"
#include "procnotify/format.h"
#include "procnotify/store.h"

/* A batch: at most batch_events events and batch_ns of their time. */
static size_t batch_events = PN_STORE_BATCH_EVENTS;
static int64_t batch_ns = PN_STORE_BATCH_MS * 1000000LL;
#define ROWS 64 /* rows per INSERT, as the library's */

static void die(const char *what, const char *why)
{
	fprintf(stderr, "store_format: %s: %s\n", what, why);
	exit(1);
}

static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The process's system time, s: the part of a write that is the
 * kernel's (page cache, WAL). */
static double sys_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* ---- The fields, from procnotify/fields.h ---- */

enum kind { K_u32, K_u64, K_i32, K_i64, K_str, K_argv, K_key, K_tty, K_dev, K_flag };

struct field {
	const char *name;
	enum kind kind;
	uint32_t have, types;
	size_t off;
	int real; /* a column of its own in the packed rows */
};

#define OFF_flag(name) 0
#define OFF_u32(name) offsetof(pn_event, name)
#define OFF_u64 OFF_u32
#define OFF_i32 OFF_u32
#define OFF_i64 OFF_u32
#define OFF_str OFF_u32
#define OFF_argv OFF_u32
#define OFF_key OFF_u32
#define OFF_tty OFF_u32
#define OFF_dev OFF_u32
#define HAVE_flag(bit) 0
#define HAVE_u32(bit) PN_HAVE_##bit
#define HAVE_u64 HAVE_u32
#define HAVE_i32 HAVE_u32
#define HAVE_i64 HAVE_u32
#define HAVE_str HAVE_u32
#define HAVE_argv HAVE_u32
#define HAVE_key HAVE_u32
#define HAVE_tty HAVE_u32
#define HAVE_dev HAVE_u32
#define FIELD(name, kind, have, types, ...) { #name, K_##kind, HAVE_##kind(have), types, OFF_##kind(name), 0 },
static struct field fields[] = { PN_FIELD_MAP(FIELD) };
#define NFIELDS (int)(sizeof(fields) / sizeof(fields[0]))
_Static_assert(sizeof(fields) / sizeof(fields[0]) <= 64, "a field bitmap is 64 bits");

/* The real columns of the packed rows besides the head (time, type,
 * process, host): what query.c filters, report.c's covering indexes and
 * the --name test read. */
static const char *const real_names[] = { "ppid", "uid", "comm", "image", "argv", "exit_code",
					  "signal", "core_dumped", "container_id" };
#define NREAL (int)(sizeof(real_names) / sizeof(real_names[0]))
static int real_field[NREAL];
static int f_lost_count, f_duration, f_key, f_host, f_pid, f_ppid, f_parent_key;

static int field_index(const char *name)
{
	for (int f = 0; f < NFIELDS; f++)
		if (!strcmp(fields[f].name, name))
			return f;
	die(name, "no such field");
	return -1;
}

static void fields_init(void)
{
	for (int r = 0; r < NREAL; r++) {
		real_field[r] = field_index(real_names[r]);
		fields[real_field[r]].real = 1;
	}
	f_lost_count = field_index("lost_count");
	f_duration = field_index("duration_ns");
	f_key = field_index("key");
	f_host = field_index("host");
	f_pid = field_index("pid");
	f_ppid = field_index("ppid");
	f_parent_key = field_index("parent_key");
	/* The key is the process row's, the host the head's; flags are in
	 * the flags word. */
	fields[f_key].real = fields[f_host].real = 1;
	for (int f = 0; f < NFIELDS; f++)
		if (fields[f].kind == K_flag)
			fields[f].real = 1;
}

static int known(const pn_event *ev, int f)
{
	const struct field *d = &fields[f];

	if ((ev->have & d->have) != d->have || !(PN_MASK(ev->type) & d->types))
		return 0;
	if (f == f_lost_count)
		return ev->lost_count_known;
	return f != f_duration || ev->duration_ns >= 0;
}

static uint64_t zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static int64_t unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

/* ---- Strings: ids as the strings table's, per log ---- */

struct strtab {
	pn_str *by_id; /* [id]: its bytes */
	int64_t n, cap;
	int64_t *slot; /* hash of the bytes -> id, 0: empty */
	size_t nslot;
	int64_t fresh; /* ids from here on are not in the file yet */
};

static uint64_t hash(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	while (n--)
		h = (h ^ (unsigned char)*p++) * 1099511628211ULL;
	return h;
}

static void strtab_grow(struct strtab *t)
{
	free(t->slot);
	t->nslot = t->nslot ? t->nslot * 2 : 4096;
	t->slot = calloc(t->nslot, sizeof(*t->slot));
	for (int64_t id = 1; id < t->n; id++) {
		size_t i = hash(t->by_id[id].ptr, t->by_id[id].len) & (t->nslot - 1);

		while (t->slot[i])
			i = (i + 1) & (t->nslot - 1);
		t->slot[i] = id;
	}
}

/* The id of v; the events' bytes live as long as the program. */
static int64_t strtab_id(struct strtab *t, pn_str v)
{
	size_t i;

	if (!t->n)
		t->n = t->fresh = 1;
	if ((size_t)t->n * 2 >= t->nslot)
		strtab_grow(t);
	for (i = hash(v.ptr, v.len) & (t->nslot - 1); t->slot[i]; i = (i + 1) & (t->nslot - 1)) {
		pn_str *s = &t->by_id[t->slot[i]];

		if (s->len == v.len && !memcmp(s->ptr, v.ptr, v.len))
			return t->slot[i];
	}
	if (t->n >= t->cap) {
		t->cap = t->cap ? t->cap * 2 : 4096;
		t->by_id = realloc(t->by_id, t->cap * sizeof(*t->by_id));
	}
	t->by_id[t->n] = v;
	t->slot[i] = t->n;
	return t->n++;
}

static void strtab_free(struct strtab *t)
{
	free(t->by_id);
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

/* Field f of ev as one number: a string as its id. */
static uint64_t field_value(struct strtab *t, const pn_event *ev, int f)
{
	const char *p = (const char *)ev + fields[f].off;

	switch (fields[f].kind) {
	case K_u32: return *(const uint32_t *)p;
	case K_u64: return *(const uint64_t *)p;
	case K_i32: return zigzag(*(const int *)p);
	case K_i64: return zigzag(*(const int64_t *)p);
	case K_str:
	case K_argv: return (uint64_t)strtab_id(t, *(const pn_str *)p);
	case K_tty: return (uint64_t)strtab_id(t, (pn_str){ p, strnlen(p, PN_EVENT_TTY_LEN) });
	case K_key: return ((const pn_key *)p)->start_ns;
	case K_dev: return (uint64_t)((const pn_dev *)p)->major << 32 | ((const pn_dev *)p)->minor;
	case K_flag: break;
	}
	return 0;
}

static void set_field(const struct strtab *t, pn_event *ev, int f, uint64_t v)
{
	char *p = (char *)ev + fields[f].off;

	switch (fields[f].kind) {
	case K_u32: *(uint32_t *)p = (uint32_t)v; break;
	case K_u64: *(uint64_t *)p = v; break;
	case K_i32: *(int *)p = (int)unzigzag(v); break;
	case K_i64: *(int64_t *)p = unzigzag(v); break;
	case K_str:
	case K_argv:
		if ((int64_t)v < t->n)
			*(pn_str *)p = t->by_id[v];
		break;
	case K_tty:
		if ((int64_t)v < t->n)
			memcpy(p, t->by_id[v].ptr, t->by_id[v].len < PN_EVENT_TTY_LEN
				       ? t->by_id[v].len : PN_EVENT_TTY_LEN - 1);
		break;
	case K_key: ((pn_key *)p)->start_ns = v; break;
	case K_dev: *(pn_dev *)p = (pn_dev){ (uint32_t)(v >> 32), (uint32_t)v }; break;
	case K_flag: break;
	}
}

/* ---- The events of the log, copied ---- */

struct events {
	pn_event *ev;
	size_t n, cap;
};

static char *dup_bytes(const char *p, size_t n)
{
	char *c = malloc(n ? n : 1);

	memcpy(c, p, n);
	return c;
}

static int keep(const pn_event *ev, void *user)
{
	struct events *e = user;
	pn_event *c;

	if (e->n == e->cap) {
		e->cap = e->cap ? e->cap * 2 : 65536;
		e->ev = realloc(e->ev, e->cap * sizeof(*e->ev));
	}
	c = &e->ev[e->n++];
	*c = *ev;
	for (int f = 0; f < NFIELDS; f++) {
		if (fields[f].kind == K_str || fields[f].kind == K_argv) {
			pn_str *s = (pn_str *)((char *)c + fields[f].off);

			s->ptr = dup_bytes(s->ptr, s->len);
		}
	}
	return 0;
}

/* The end of the batch that starts at i, as the writer thread commits. */
static size_t batch_end(const struct events *e, size_t i)
{
	size_t j = i;

	while (j < e->n && j - i < batch_events && e->ev[j].time_ns - e->ev[i].time_ns < batch_ns)
		j++;
	return j;
}

/* ---- SQLite helpers ---- */

static void exec(sqlite3 *db, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		die(sql, err ? err : "error");
}

static sqlite3_stmt *prepare(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
		die(sql, sqlite3_errmsg(db));
	return st;
}

static void step(sqlite3 *db, sqlite3_stmt *st)
{
	if (sqlite3_step(st) != SQLITE_DONE)
		die("step", sqlite3_errmsg(db));
	sqlite3_reset(st);
}

/* Rows of one table, ROWS per INSERT: each value an integer, NULL or a
 * blob that lives until the flush. */
struct val {
	enum { V_NULL, V_INT, V_BLOB, V_TEXT } t;
	int64_t i;
	const void *p;
	int n;
};

struct inserter {
	sqlite3 *db;
	sqlite3_stmt *many, *one;
	int cols, rows;
	struct val v[ROWS][32];
	void *own[ROWS]; /* a row's blob, freed once written */
	int timed;       /* its flushes are PH_ROWS */
};

static sqlite3_stmt *prepare_rows(sqlite3 *db, const char *head, int cols, int rows)
{
	char sql[32768];
	size_t n = (size_t)snprintf(sql, sizeof(sql), "%s VALUES", head);
	sqlite3_stmt *st;

	for (int r = 0; r < rows; r++) {
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, "%s(", r ? "," : "");
		for (int c = 0; c < cols; c++)
			n += (size_t)snprintf(sql + n, sizeof(sql) - n, "%s?", c ? "," : "");
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, ")");
	}
	st = prepare(db, sql);
	return st;
}

static void ins_open(struct inserter *in, sqlite3 *db, const char *head, int cols)
{
	in->db = db;
	in->cols = cols;
	in->rows = 0;
	in->many = prepare_rows(db, head, cols, ROWS);
	in->one = prepare_rows(db, head, cols, 1);
}

/* CPU time of a batch's parts, s, summed over the batches: the events
 * encoded (and the process records merged), the event rows' SQL, the
 * process rows, the lookup's, the strings, the commit. */
enum phase { PH_ENCODE, PH_ROWS, PH_PROCESS, PH_LOOKUP, PH_STRINGS, PH_COMMIT, PHASES };
static const char *const phase_name[PHASES] = { "encode", "event rows", "process", "lookup",
						"str", "commit" };
static double phase_s[PHASES];
static double nested_s; /* of PH_ROWS, within the phase being timed */

static double thread_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double lap(enum phase ph, double t0)
{
	double t = thread_s();

	phase_s[ph] += t - t0 - nested_s;
	nested_s = 0;
	return t;
}

static void ins_flush(struct inserter *in)
{
	double t0 = in->timed ? thread_s() : 0;

	for (int done = 0; done < in->rows;) {
		int n = in->rows - done >= ROWS ? ROWS : 1;
		sqlite3_stmt *st = n == ROWS ? in->many : in->one;

		for (int r = 0; r < n; r++) {
			for (int c = 0; c < in->cols; c++) {
				struct val *v = &in->v[done + r][c];
				int i = r * in->cols + c + 1;

				if (v->t == V_INT)
					sqlite3_bind_int64(st, i, v->i);
				else if (v->t == V_BLOB)
					sqlite3_bind_blob(st, i, v->p, v->n, SQLITE_STATIC);
				else if (v->t == V_TEXT)
					sqlite3_bind_text(st, i, v->p, v->n, SQLITE_STATIC);
				else
					sqlite3_bind_null(st, i);
			}
		}
		step(in->db, st);
		done += n;
	}
	for (int r = 0; r < in->rows; r++) {
		free(in->own[r]);
		in->own[r] = NULL;
	}
	in->rows = 0;
	if (in->timed) {
		double dt = thread_s() - t0;

		phase_s[PH_ROWS] += dt;
		nested_s += dt;
	}
}

/* The next row's values, to fill; a full statement's worth is flushed
 * by the caller's ins_done(). */
static struct val *ins_row(struct inserter *in)
{
	struct val *row = in->v[in->rows++];

	memset(row, 0, sizeof(in->v[0]));
	return row;
}

static void ins_done(struct inserter *in)
{
	if (in->rows == ROWS)
		ins_flush(in);
}

static void ins_close(struct inserter *in)
{
	sqlite3_finalize(in->many);
	sqlite3_finalize(in->one);
}

static struct val vint(int64_t i)
{
	return (struct val){ V_INT, i, NULL, 0 };
}

static struct val vint_if(int64_t i, int known)
{
	return known ? vint(i) : (struct val){ V_NULL, 0, NULL, 0 };
}

/* ---- The variants ---- */

enum variant { PACKED, PACKED_JSON, PACKED_LEAN, GROUPED, GROUPED_LEAN, VARIANTS };
static const char *const variant_name[VARIANTS] = { "packed", "packed-json", "packed-lean",
						    "grouped", "grouped-lean" };

static int is_grouped(enum variant v)
{
	return v == GROUPED || v == GROUPED_LEAN;
}

/* The tables every variant shares with today's schema 13, then its event
 * table. */
static const char common_schema[] =
	"CREATE TABLE run (id INTEGER PRIMARY KEY, started_ns INTEGER NOT NULL, ended_ns INTEGER,"
	"  monitor_pid INTEGER NOT NULL);"
	"CREATE TABLE host (id INTEGER PRIMARY KEY, name BLOB NOT NULL UNIQUE);"
	"CREATE TABLE str (id INTEGER PRIMARY KEY, last_ns INTEGER NOT NULL, value BLOB NOT NULL);"
	"CREATE VIRTUAL TABLE str_fts USING fts5(args, content = '', columnsize = 0,"
	"  tokenize = 'trigram case_sensitive 1');"
	"INSERT INTO run VALUES (1, 0, NULL, 1);"
	"CREATE TABLE event (id INTEGER PRIMARY KEY, time_ns INTEGER NOT NULL,"
	"  type INTEGER NOT NULL, process INTEGER, host INTEGER NOT NULL, ppid INTEGER,"
	"  uid INTEGER, comm INTEGER, image INTEGER, argv INTEGER, exit_code INTEGER,"
	"  signal INTEGER, core_dumped INTEGER, container_id INTEGER, d BLOB NOT NULL);"
	"CREATE INDEX event_process ON event(process);"
	"CREATE INDEX event_lost ON event(id) WHERE type = 4;";
#define EVENT_COLS (5 + NREAL)

/* The process table and the lookup of --name and --argv as today's. */
static const char process_schema[] =
	"CREATE TABLE process (id INTEGER PRIMARY KEY, boot INTEGER NOT NULL,"
	"  start_ns INTEGER NOT NULL, os INTEGER NOT NULL, pid INTEGER NOT NULL, ppid INTEGER,"
	"  parent_start INTEGER, uid INTEGER, gid INTEGER, euid INTEGER, comm BLOB, image BLOB,"
	"  argv BLOB, argc INTEGER, cwd BLOB, first_ns INTEGER NOT NULL, exec_ns INTEGER,"
	"  end_ns INTEGER, exit_code INTEGER, signal INTEGER, core_dumped INTEGER,"
	"  host INTEGER NOT NULL DEFAULT 0);"
	"CREATE UNIQUE INDEX process_key ON process(pid, start_ns, boot, os, host);"
	"CREATE INDEX process_parent ON process(ppid, parent_start);"
	"CREATE INDEX process_first ON process(first_ns, ppid, parent_start, boot, os);"
	"CREATE TABLE proc_str (str INTEGER NOT NULL, process INTEGER NOT NULL,"
	"  PRIMARY KEY (str, process)) WITHOUT ROWID;";

/* grouped-lean: a process row is its key and parent (its image, arguments
 * and exit are its grouped rows'), no process_first; the lookup is one
 * row per string and batch, the ids of the batch's rows that used it. */
static const char lean_process_schema[] =
	"CREATE TABLE process (id INTEGER PRIMARY KEY, boot INTEGER NOT NULL,"
	"  start_ns INTEGER NOT NULL, os INTEGER NOT NULL, pid INTEGER NOT NULL, ppid INTEGER,"
	"  parent_start INTEGER, first_ns INTEGER NOT NULL, host INTEGER NOT NULL DEFAULT 0);"
	"CREATE UNIQUE INDEX process_key ON process(pid, start_ns, boot, os, host);"
	"CREATE INDEX process_parent ON process(ppid, parent_start);"
	"CREATE TABLE str_span (str INTEGER NOT NULL, span INTEGER NOT NULL, rows BLOB NOT NULL,"
	"  PRIMARY KEY (str, span)) WITHOUT ROWID;"
	/* One index for both of the report's reads. */
	"CREATE INDEX event_report ON event(time_ns, image, uid, signal, exit_code, core_dumped)"
	"  WHERE type & 12;";

/* The report's covering indexes; in a grouped row, type is the mask of
 * the types it holds. */
static const char report_indexes[] =
	"CREATE INDEX event_exec ON event(time_ns, image, uid) WHERE type & 4;"
	"CREATE INDEX event_exit ON event(time_ns, image, signal, exit_code, core_dumped)"
	"  WHERE type & 8;";
static const char report_indexes_single[] =
	"CREATE INDEX event_exec ON event(time_ns, image, uid) WHERE type = 2;"
	"CREATE INDEX event_exit ON event(time_ns, image, signal, exit_code, core_dumped)"
	"  WHERE type = 3;";
static const char time_index[] = "CREATE INDEX event_time ON event(time_ns, type);";
/* A batch's rows: a --since finds its first row here, not in an index. */
static const char span_table[] =
	"CREATE TABLE span (first_id INTEGER PRIMARY KEY, last_id INTEGER NOT NULL,"
	"  first_ns INTEGER NOT NULL, last_ns INTEGER NOT NULL);";

#define LOOKUP_MAX 8

/* A process's record in a batch, as today's writer merges it. */
struct proc {
	pn_key key;
	int64_t id;
	int written; /* its row is in the file (an earlier batch) */
	int in_batch;
	uint32_t ppid, uid, gid, euid, argc;
	uint64_t parent_start;
	int64_t comm, image, argv, cwd, first_ns, exec_ns, end_ns, exit_code, signal, core;
	/* ids for proc_str, distinct: each event's comm, image's file name
	 * and argv (a storm's fork has its parent's name, its exec another) */
	int64_t lookup[LOOKUP_MAX];
	int nlookup;
	int64_t row_id;          /* grouped: its row of the batch */
	struct proc *next_in_batch;
	long head, tail; /* grouped: its events of the batch, by index; -1: none */
	int row_parent;  /* its row has its parent (ppid, parent_start) */
};

struct procs {
	struct proc **slot;
	size_t nslot, n;
	int64_t next_id;
	struct proc *batch, **batch_end; /* in the order first seen: rows go in by id */
};

static uint64_t key_hash(const pn_key *k)
{
	return (k->start_ns * 0x9e3779b97f4a7c15ULL) ^ k->pid ^ (k->boot << 1);
}

static struct proc *proc_of(struct procs *ps, const pn_key *k)
{
	size_t i;

	if (ps->n * 2 >= ps->nslot) {
		struct proc **old = ps->slot;
		size_t nold = ps->nslot;

		ps->nslot = ps->nslot ? ps->nslot * 2 : 65536;
		ps->slot = calloc(ps->nslot, sizeof(*ps->slot));
		for (size_t j = 0; j < nold; j++) {
			if (!old[j])
				continue;
			for (i = key_hash(&old[j]->key) & (ps->nslot - 1); ps->slot[i];
			     i = (i + 1) & (ps->nslot - 1))
				;
			ps->slot[i] = old[j];
		}
		free(old);
	}
	for (i = key_hash(k) & (ps->nslot - 1); ps->slot[i]; i = (i + 1) & (ps->nslot - 1))
		if (!memcmp(&ps->slot[i]->key, k, sizeof(*k)))
			return ps->slot[i];
	ps->slot[i] = calloc(1, sizeof(struct proc));
	ps->slot[i]->key = *k;
	ps->slot[i]->id = ++ps->next_id;
	ps->slot[i]->head = -1;
	ps->n++;
	return ps->slot[i];
}

static void procs_free(struct procs *ps)
{
	for (size_t i = 0; i < ps->nslot; i++)
		free(ps->slot[i]);
	free(ps->slot);
	memset(ps, 0, sizeof(*ps));
}

struct writer {
	enum variant v;
	sqlite3 *db;
	struct strtab strs;
	struct procs procs;
	struct inserter ev, proc, str, fts, pstr;
	sqlite3_stmt *upd_proc, *span;
	int64_t rows; /* event rows written: the last row's id */
	int64_t (*pairs)[2]; /* grouped-lean: (string, row) of the batch */
	size_t npairs, cap_pairs;
	unsigned char *post; /* their row ids as varints */
	const pn_event *batch; /* grouped: the batch's events, */
	long *next;            /* each one's next of its process, -1: none */
	size_t next_cap;
	unsigned char *row;    /* a row's blob being encoded */
	size_t row_cap;
	unsigned char buf[8192];
};

static size_t put_varint(unsigned char *p, uint64_t v)
{
	size_t n = 0;

	for (; v >= 0x80; v >>= 7)
		p[n++] = (unsigned char)(v | 0x80);
	p[n++] = (unsigned char)v;
	return n;
}

static uint64_t get_varint(const unsigned char **p)
{
	uint64_t v = 0;
	int shift = 0;

	for (; **p & 0x80; shift += 7)
		v |= (uint64_t)(*(*p)++ & 0x7f) << shift;
	return v | (uint64_t)*(*p)++ << shift;
}

/* The blob's head: what pn_event has besides the fields. */
static size_t put_head(unsigned char *p, const pn_event *ev)
{
	size_t n = put_varint(p, ev->seq);

	n += put_varint(p + n, ev->have);
	n += put_varint(p + n, ev->flags);
	if (ev->type == PN_EVENT_LOST)
		for (int t = 0; t < PN_LOST_SLOTS; t++)
			n += put_varint(p + n, ev->lost_by_type[t]);
	return n;
}

/* packed: the head, a bitmap of the fields present, their values. */
static size_t pack_binary(struct writer *w, const pn_event *ev, unsigned char *p)
{
	uint64_t bits = 0, vals[64];
	size_t n = put_head(p, ev);

	for (int f = 0; f < NFIELDS; f++)
		if (!fields[f].real && known(ev, f)) {
			bits |= 1ULL << f;
			vals[f] = field_value(&w->strs, ev, f);
		}
	n += put_varint(p + n, bits);
	for (int f = 0; f < NFIELDS; f++)
		if (bits >> f & 1)
			n += put_varint(p + n, vals[f]);
	return n;
}

/* packed-json: the same as a JSON object, each field by its name (a
 * string as its id in str, signed values as they are). */
static size_t pack_json(struct writer *w, const pn_event *ev, unsigned char *p)
{
	char *s = (char *)p;
	int n = sprintf(s, "{\"seq\":%llu,\"have\":%u,\"flags\":%u", (unsigned long long)ev->seq,
			ev->have, ev->flags);

	for (int f = 0; f < NFIELDS; f++) {
		uint64_t v;

		if (fields[f].real || !known(ev, f))
			continue;
		v = field_value(&w->strs, ev, f);
		if (fields[f].kind == K_i32 || fields[f].kind == K_i64)
			n += sprintf(s + n, ",\"%s\":%lld", fields[f].name, (long long)unzigzag(v));
		else
			n += sprintf(s + n, ",\"%s\":%llu", fields[f].name, (unsigned long long)v);
	}
	s[n++] = '}';
	return (size_t)n;
}

/* The real columns of ev into row[4..]. */
static void real_cols(struct writer *w, const pn_event *ev, struct val *row)
{
	for (int r = 0; r < NREAL; r++)
		row[4 + r] = vint_if((int64_t)field_value(&w->strs, ev, real_field[r]),
				     known(ev, real_field[r]));
}

/* A replayed log's events are of one host: the host table's row 1. */
static int64_t host_id(const pn_event *ev)
{
	return ev->have & PN_HAVE_HOST ? 1 : 0;
}

static void lookup_add(struct proc *p, int64_t id)
{
	for (int k = 0; k < p->nlookup; k++)
		if (p->lookup[k] == id)
			return;
	if (p->nlookup < LOOKUP_MAX)
		p->lookup[p->nlookup++] = id;
}

static void proc_merge(struct writer *w, struct proc *p, const pn_event *ev)
{
	struct strtab *t = &w->strs;

	if (!p->in_batch) {
		p->in_batch = 1;
		p->next_in_batch = NULL;
		*w->procs.batch_end = p;
		w->procs.batch_end = &p->next_in_batch;
		p->nlookup = 0;
		if (!p->written)
			p->first_ns = ev->time_ns;
	}
	if ((ev->have & PN_HAVE_PARENT) && !p->parent_start) {
		p->ppid = ev->ppid;
		p->parent_start = ev->parent_key.start_ns;
	}
	if (ev->have & PN_HAVE_UID) {
		p->uid = ev->uid;
		p->gid = ev->gid;
		p->euid = ev->euid;
	}
	if (ev->have & PN_HAVE_COMM)
		lookup_add(p, p->comm = strtab_id(t, ev->comm));
	if (ev->have & PN_HAVE_IMAGE) {
		const char *slash = memrchr(ev->image.ptr, '/', ev->image.len);
		pn_str base = slash ? (pn_str){ slash + 1, ev->image.len - (size_t)(slash + 1 - ev->image.ptr) }
				    : ev->image;

		p->image = strtab_id(t, ev->image);
		lookup_add(p, strtab_id(t, base));
	}
	if (ev->type == PN_EVENT_EXEC) {
		p->exec_ns = ev->time_ns;
		if (ev->have & PN_HAVE_ARGV) {
			lookup_add(p, p->argv = strtab_id(t, ev->argv));
			p->argc = ev->argc;
		}
		if (ev->have & PN_HAVE_CWD)
			p->cwd = strtab_id(t, ev->cwd);
	}
	if (ev->type == PN_EVENT_EXIT) {
		p->end_ns = ev->time_ns;
		p->exit_code = ev->exit_code;
		p->signal = ev->signal;
		p->core = ev->core_dumped;
	}
}

/* grouped-lean: the fields a row's first event need not write, as the
 * process row has them (its pid, its first known parent); the known
 * bits of prev[]. */
static uint64_t preset(uint64_t *prev, uint32_t pid, uint32_t ppid, uint64_t parent_start,
		       int parent)
{
	prev[f_pid] = pid;
	if (!parent)
		return 1ULL << f_pid;
	prev[f_ppid] = ppid;
	prev[f_parent_key] = parent_start;
	return 1ULL << f_pid | 1ULL << f_ppid | 1ULL << f_parent_key;
}

/* grouped: ev (the batch's i-th) appended to its process's list. */
static void group_add(struct writer *w, struct proc *p, long i)
{
	w->next[i] = -1;
	if (p->head < 0)
		p->head = i;
	else
		w->next[p->tail] = i;
	p->tail = i;
}

/* A grouped row's blob, into w->row: each event as its type, seq and
 * time as deltas, then the fields that are known and differ from the
 * event before it in the row. */
static size_t group_encode(struct writer *w, const struct proc *p, uint32_t *types)
{
	uint64_t prev[64], prev_known = 0;
	int64_t seq = 0, t = w->batch[p->head].time_ns;
	size_t n = 0;

	*types = 0;
	if (w->v == GROUPED_LEAN)
		prev_known = preset(prev, p->key.pid, p->ppid, p->parent_start,
				    p->written ? p->row_parent : p->parent_start != 0);
	for (long i = p->head; i >= 0; i = w->next[i]) {
		const pn_event *ev = &w->batch[i];
		uint64_t bits = 0, now_known = 0, vals[64];
		unsigned char *q;

		if (w->row_cap - n < 2048) {
			w->row_cap = w->row_cap * 2 + 65536;
			w->row = realloc(w->row, w->row_cap);
		}
		q = w->row + n;
		n += put_varint(q, (uint64_t)ev->type);
		n += put_varint(w->row + n, zigzag((int64_t)ev->seq - seq));
		n += put_varint(w->row + n, zigzag(ev->time_ns - t));
		n += put_varint(w->row + n, ev->have);
		n += put_varint(w->row + n, ev->flags);
		for (int f = 0; f < NFIELDS; f++) {
			if (fields[f].kind == K_flag || f == f_host || f == f_key || !known(ev, f))
				continue;
			now_known |= 1ULL << f;
			vals[f] = field_value(&w->strs, ev, f);
			if (!(prev_known >> f & 1) || prev[f] != vals[f])
				bits |= 1ULL << f;
			prev[f] = vals[f];
		}
		n += put_varint(w->row + n, bits);
		for (int f = 0; f < NFIELDS; f++)
			if (bits >> f & 1)
				n += put_varint(w->row + n, vals[f]);
		prev_known = now_known;
		t = ev->time_ns;
		seq = (int64_t)ev->seq;
		*types |= PN_MASK(ev->type);
	}
	return n;
}

static void write_event_row(struct writer *w, const pn_event *ev, struct proc *p)
{
	struct val *row = ins_row(&w->ev);
	size_t n = w->v == PACKED_JSON ? pack_json(w, ev, w->buf) : pack_binary(w, ev, w->buf);
	unsigned char *copy = malloc(n);

	memcpy(copy, w->buf, n);
	row[0] = vint(ev->time_ns);
	row[1] = vint(ev->type);
	row[2] = vint_if(p ? p->id : 0, p != NULL);
	row[3] = vint(host_id(ev));
	real_cols(w, ev, row);
	row[4 + NREAL] = (struct val){ w->v == PACKED_JSON ? V_TEXT : V_BLOB, 0, copy, (int)n };
	w->ev.own[w->ev.rows - 1] = copy;
	w->rows++;
	ins_done(&w->ev);
}

/* A grouped row: the real columns of its latest exec or exit. */
static void write_group_row(struct writer *w, struct proc *p)
{
	const pn_event *last = NULL, *exec = NULL, *exit = NULL, *x;
	uint32_t types;
	size_t n = group_encode(w, p, &types);
	struct val *row = ins_row(&w->ev);
	unsigned char *copy = malloc(n);

	for (long i = p->head; i >= 0; i = w->next[i]) {
		last = &w->batch[i];
		exec = last->type == PN_EVENT_EXEC ? last : exec;
		exit = last->type == PN_EVENT_EXIT ? last : exit;
	}
	x = exit ? exit : exec ? exec : last;
	memcpy(copy, w->row, n);
	row[0] = vint(w->batch[p->head].time_ns);
	row[1] = vint(types);
	row[2] = vint(p->id);
	row[3] = vint(host_id(x));
	real_cols(w, x, row);
	if (exec) /* the image and arguments of the exec, the exit's status */
		for (int r = 0; r < NREAL; r++)
			if (known(exec, real_field[r]) && !known(x, real_field[r]))
				row[4 + r] = vint((int64_t)field_value(&w->strs, exec, real_field[r]));
	row[4 + NREAL] = (struct val){ V_BLOB, 0, copy, (int)n };
	w->ev.own[w->ev.rows - 1] = copy;
	p->head = -1;
	p->row_id = ++w->rows;
	ins_done(&w->ev);
}

/* grouped: the rows of the batch's processes. */
static void write_groups(struct writer *w)
{
	for (struct proc *p = w->procs.batch; p; p = p->next_in_batch)
		if (p->head >= 0)
			write_group_row(w, p);
}

static int cmp_pair(const void *a, const void *b)
{
	const int64_t *x = a, *y = b;

	return x[0] != y[0] ? (x[0] > y[0]) - (x[0] < y[0]) : (x[1] > y[1]) - (x[1] < y[1]);
}

/* grouped-lean: per string the batch's rows that used it, their ids as
 * varint deltas in one row keyed (string, span). */
static void write_postings(struct writer *w, int64_t span)
{
	size_t n = 0;

	qsort(w->pairs, w->npairs, sizeof(*w->pairs), cmp_pair);
	/* Room for every id: the blobs stay in place until the flush. */
	w->post = realloc(w->post, w->npairs * 10 + 1);
	for (size_t i = 0, j; i < w->npairs; i = j) {
		size_t start = n;
		int64_t last = 0;
		struct val *r;

		for (j = i; j < w->npairs && w->pairs[j][0] == w->pairs[i][0]; j++) {
			n += put_varint(w->post + n, (uint64_t)(w->pairs[j][1] - last));
			last = w->pairs[j][1];
		}
		r = ins_row(&w->pstr);
		r[0] = vint(w->pairs[i][0]);
		r[1] = vint(span);
		r[2] = (struct val){ V_BLOB, 0, w->post + start, (int)(n - start) };
		ins_done(&w->pstr);
	}
	ins_flush(&w->pstr);
	w->npairs = 0;
}

/* The lookup's pairs (process, string) of the batch: today's rows, or
 * grouped-lean's postings. */
static void write_lookup(struct writer *w, int64_t span)
{
	for (struct proc *p = w->procs.batch; p; p = p->next_in_batch)
		for (int k = 0; k < p->nlookup; k++) {
			if (w->v == GROUPED_LEAN) {
				if (w->npairs == w->cap_pairs) {
					w->cap_pairs = w->cap_pairs * 2 + 4096;
					w->pairs = realloc(w->pairs, w->cap_pairs * sizeof(*w->pairs));
				}
				w->pairs[w->npairs][0] = p->lookup[k];
				w->pairs[w->npairs++][1] = p->row_id;
				continue;
			}
			struct val *r = ins_row(&w->pstr);

			r[0] = vint(p->lookup[k]);
			r[1] = vint(p->id);
			ins_done(&w->pstr);
		}
	if (w->v == GROUPED_LEAN)
		write_postings(w, span);
	ins_flush(&w->pstr);
}

/* The batch's process records: a new row, or an earlier one's exit. */
static void write_procs(struct writer *w)
{
	for (struct proc *p = w->procs.batch; p; p = p->next_in_batch) {
		int ex = p->end_ns != 0, exec = p->exec_ns != 0;

		p->in_batch = 0;
		if (p->written && w->v == GROUPED_LEAN)
			continue;
		if (p->written) {
			sqlite3_bind_int64(w->upd_proc, 1, p->end_ns);
			sqlite3_bind_int64(w->upd_proc, 2, p->exit_code);
			sqlite3_bind_int64(w->upd_proc, 3, p->id);
			step(w->db, w->upd_proc);
			continue;
		}
		struct val *r = ins_row(&w->proc);

		p->written = 1;
		p->row_parent = p->parent_start != 0;
		/* The key and the parent, in both process tables. */
		r[0] = vint(p->id);
		r[1] = vint((int64_t)p->key.boot);
		r[2] = vint((int64_t)p->key.start_ns);
		r[3] = vint(p->key.os);
		r[4] = vint(p->key.pid);
		r[5] = vint_if(p->ppid, p->parent_start != 0);
		r[6] = vint_if((int64_t)p->parent_start, p->parent_start != 0);
		if (w->v == GROUPED_LEAN) {
			r[7] = vint(p->first_ns);
			r[8] = vint(0);
			ins_done(&w->proc);
			continue;
		}
		r[7] = vint(p->uid);
		r[8] = vint(p->gid);
		r[9] = vint(p->euid);
		r[10] = vint_if(p->comm, p->comm != 0);
		r[11] = vint_if(p->image, p->image != 0);
		r[12] = vint_if(p->argv, p->argv != 0);
		r[13] = vint_if(p->argc, p->argv != 0);
		r[14] = vint_if(p->cwd, p->cwd != 0);
		r[15] = vint(p->first_ns);
		r[16] = vint_if(p->exec_ns, exec);
		r[17] = vint_if(p->end_ns, ex);
		r[18] = vint_if(p->exit_code, ex);
		r[19] = vint_if(p->signal, ex);
		r[20] = vint_if(p->core, ex);
		r[21] = vint(0);
		ins_done(&w->proc);
	}
	ins_flush(&w->proc);
	w->procs.batch = NULL;
	w->procs.batch_end = &w->procs.batch;
}

static void write_strings(struct writer *w, int64_t t_ns)
{
	struct strtab *t = &w->strs;

	for (; t->fresh < t->n; t->fresh++) {
		struct val *r = ins_row(&w->str);

		r[0] = vint(t->fresh);
		r[1] = vint(t_ns);
		r[2] = (struct val){ V_BLOB, 0, t->by_id[t->fresh].ptr, (int)t->by_id[t->fresh].len };
		ins_done(&w->str);
		if (t->by_id[t->fresh].len <= 4096) {
			r = ins_row(&w->fts);
			r[0] = vint(t->fresh);
			r[1] = (struct val){ V_TEXT, 0, t->by_id[t->fresh].ptr, (int)t->by_id[t->fresh].len };
			ins_done(&w->fts);
		}
	}
}

static void writer_open(struct writer *w, enum variant v, const char *path)
{
	memset(w, 0, sizeof(*w));
	w->v = v;
	w->procs.batch_end = &w->procs.batch;
	unlink(path);
	if (sqlite3_open(path, &w->db) != SQLITE_OK)
		die(path, sqlite3_errmsg(w->db));
	exec(w->db, "PRAGMA page_size = 16384; PRAGMA auto_vacuum = INCREMENTAL;"
		    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
		    "PRAGMA wal_autocheckpoint = 2048; PRAGMA cache_size = -16384");
	exec(w->db, common_schema);
	exec(w->db, v == GROUPED_LEAN ? lean_process_schema : process_schema);
	if (v != GROUPED_LEAN)
		exec(w->db, v == GROUPED ? report_indexes : report_indexes_single);
	exec(w->db, v == PACKED || v == PACKED_JSON ? time_index : span_table);
	ins_open(&w->ev, w->db, "INSERT INTO event(time_ns, type, process, host, ppid, uid, comm,"
				" image, argv, exit_code, signal, core_dumped, container_id, d)", EVENT_COLS);
	w->ev.timed = 1;
	if (v == GROUPED_LEAN)
		ins_open(&w->proc, w->db, "INSERT OR IGNORE INTO process(id, boot, start_ns, os, pid,"
					  " ppid, parent_start, first_ns, host)", 9);
	else
		ins_open(&w->proc, w->db, "INSERT OR IGNORE INTO process(id, boot, start_ns, os, pid,"
					  " ppid, parent_start, uid, gid, euid, comm, image, argv, argc,"
					  " cwd, first_ns, exec_ns, end_ns, exit_code, signal, core_dumped,"
					  " host)", 22);
	ins_open(&w->str, w->db, "INSERT INTO str(id, last_ns, value)", 3);
	ins_open(&w->fts, w->db, "INSERT INTO str_fts(rowid, args)", 2);
	ins_open(&w->pstr, w->db, v == GROUPED_LEAN ? "INSERT INTO str_span(str, span, rows)"
						     : "INSERT OR IGNORE INTO proc_str(str, process)",
		 v == GROUPED_LEAN ? 3 : 2);
	if (v != GROUPED_LEAN)
		w->upd_proc = prepare(w->db, "UPDATE process SET end_ns = ?1, exit_code = ?2"
					     " WHERE id = ?3");
	if (v != PACKED && v != PACKED_JSON)
		w->span = prepare(w->db, "INSERT INTO span VALUES (?1, ?2, ?3, ?4)");
}

/* One batch, committed: the events, then at commit the grouped rows, the
 * merged process rows, the lookup's pairs, the new strings, the span. */
static void write_batch(struct writer *w, const pn_event *ev, size_t n)
{
	int64_t before = w->rows, lo = INT64_MAX, hi = INT64_MIN;
	double t = thread_s();

	exec(w->db, "BEGIN");
	if (w->next_cap < n) {
		w->next_cap = n;
		w->next = realloc(w->next, n * sizeof(*w->next));
	}
	w->batch = ev;
	for (size_t i = 0; i < n; i++) {
		struct proc *p = NULL;

		if (ev[i].type != PN_EVENT_LOST) {
			p = proc_of(&w->procs, &ev[i].key);
			proc_merge(w, p, &ev[i]);
		}
		if (is_grouped(w->v) && p)
			group_add(w, p, (long)i);
		else
			write_event_row(w, &ev[i], p);
		lo = ev[i].time_ns < lo ? ev[i].time_ns : lo;
		hi = ev[i].time_ns > hi ? ev[i].time_ns : hi;
	}
	if (is_grouped(w->v))
		write_groups(w);
	ins_flush(&w->ev);
	if (w->span) {
		sqlite3_bind_int64(w->span, 1, before + 1);
		sqlite3_bind_int64(w->span, 2, w->rows);
		sqlite3_bind_int64(w->span, 3, lo);
		sqlite3_bind_int64(w->span, 4, hi);
		step(w->db, w->span);
	}
	t = lap(PH_ENCODE, t);
	write_lookup(w, before + 1);
	t = lap(PH_LOOKUP, t);
	write_procs(w);
	t = lap(PH_PROCESS, t);
	write_strings(w, hi);
	ins_flush(&w->str);
	ins_flush(&w->fts);
	t = lap(PH_STRINGS, t);
	exec(w->db, "COMMIT");
	lap(PH_COMMIT, t);
}

static void writer_close(struct writer *w)
{
	ins_close(&w->ev);
	ins_close(&w->proc);
	ins_close(&w->str);
	ins_close(&w->fts);
	ins_close(&w->pstr);
	sqlite3_finalize(w->upd_proc);
	sqlite3_finalize(w->span);
	exec(w->db, "PRAGMA wal_checkpoint(TRUNCATE)");
	sqlite3_close(w->db);
	procs_free(&w->procs);
	free(w->pairs);
	free(w->post);
	free(w->next);
	free(w->row);
}

/* ---- Reading back: a --since scan that rebuilds every event ---- */

struct reader {
	struct strtab *strs;
	pn_str host;
	int64_t since; /* a grouped row's events before it are not visited */
	uint64_t sum; /* of what the visitor saw, so no work is skipped */
	pn_buf *lines; /* when checking: every event as JSON */
};

static void visit(struct reader *r, pn_event *ev)
{
	if (ev->time_ns < r->since)
		return;
	if (ev->have & PN_HAVE_HOST)
		ev->host = r->host;
	r->sum += ev->seq + (uint64_t)ev->image.len + (uint64_t)ev->argv.len;
	if (r->lines)
		pn_fmt_json(r->lines, ev);
}

static void own_keys(sqlite3_stmt *st, pn_event *ev)
{
	uint64_t boot = (uint64_t)sqlite3_column_int64(st, 15);
	uint32_t os = (uint32_t)sqlite3_column_int(st, 17);

	ev->key = (pn_key){ boot, (uint64_t)sqlite3_column_int64(st, 16), ev->pid, os };
	ev->parent_key = (pn_key){ boot, ev->parent_key.start_ns, ev->ppid, os };
	ev->creator_key = (pn_key){ boot, ev->creator_key.start_ns, ev->creator_pid, os };
}

static const unsigned char *get_head(const unsigned char *q, pn_event *ev)
{
	ev->seq = get_varint(&q);
	ev->have = (uint32_t)get_varint(&q);
	ev->flags = (uint32_t)get_varint(&q);
	if (ev->type == PN_EVENT_LOST)
		for (int t = 0; t < PN_LOST_SLOTS; t++)
			ev->lost_by_type[t] = get_varint(&q);
	return q;
}

/* A packed row: the real columns, then the blob's fields. */
static void read_packed(struct reader *r, sqlite3_stmt *st)
{
	const unsigned char *q = sqlite3_column_blob(st, 14);
	pn_event ev;
	uint64_t bits;

	memset(&ev, 0, sizeof(ev));
	ev.time_ns = sqlite3_column_int64(st, 1);
	ev.type = (enum pn_event_type)sqlite3_column_int(st, 2);
	ev.duration_ns = -1;
	q = get_head(q, &ev);
	bits = get_varint(&q);
	for (int f = 0; f < NFIELDS; f++)
		if (bits >> f & 1)
			set_field(r->strs, &ev, f, get_varint(&q));
	for (int c = 0; c < NREAL; c++)
		if (sqlite3_column_type(st, 5 + c) != SQLITE_NULL)
			set_field(r->strs, &ev, real_field[c], (uint64_t)sqlite3_column_int64(st, 5 + c));
	if (ev.type == PN_EVENT_LOST)
		ev.lost_count_known = (bits >> f_lost_count) & 1;
	else
		own_keys(st, &ev);
	visit(r, &ev);
}

/* A grouped row: each event, its fields the ones it wrote or, when
 * known, the event's before it. */
static void read_grouped(struct reader *r, sqlite3_stmt *st, int lean)
{
	const unsigned char *q = sqlite3_column_blob(st, 14);
	const unsigned char *end = q + sqlite3_column_bytes(st, 14);
	int64_t seq = 0, t = sqlite3_column_int64(st, 1);
	uint64_t prev[64];
	pn_event ev;

	if (sqlite3_column_type(st, 3) == SQLITE_NULL) { /* a lost record: packed alone */
		read_packed(r, st);
		return;
	}
	if (lean)
		preset(prev, (uint32_t)sqlite3_column_int64(st, 18), (uint32_t)sqlite3_column_int64(st, 19),
		       (uint64_t)sqlite3_column_int64(st, 20), sqlite3_column_type(st, 20) != SQLITE_NULL);
	while (q < end) {
		uint64_t bits;

		memset(&ev, 0, sizeof(ev));
		ev.type = (enum pn_event_type)get_varint(&q);
		seq += unzigzag(get_varint(&q));
		t += unzigzag(get_varint(&q));
		ev.seq = (uint64_t)seq;
		ev.time_ns = t;
		ev.have = (uint32_t)get_varint(&q);
		ev.flags = (uint32_t)get_varint(&q);
		ev.duration_ns = -1;
		bits = get_varint(&q);
		for (int f = 0; f < NFIELDS; f++) {
			if (bits >> f & 1)
				prev[f] = get_varint(&q);
			else if (fields[f].kind == K_flag || f == f_host || f == f_key || !known(&ev, f) ||
				 f == f_duration)
				continue;
			set_field(r->strs, &ev, f, prev[f]);
		}
		own_keys(st, &ev);
		visit(r, &ev);
	}
}

static const char scan_sql[] =
	"SELECT e.id, e.time_ns, e.type, e.process, e.host, e.ppid, e.uid, e.comm, e.image, e.argv,"
	" e.exit_code, e.signal, e.core_dumped, e.container_id, e.d, p.boot, p.start_ns, p.os,"
	" p.pid, p.ppid, p.parent_start FROM event e LEFT JOIN process p ON p.id = e.process"
	" WHERE e.id >= ?1 AND e.time_ns >= ?2 ORDER BY e.id";

/* Every event at or after since, rebuilt; the rows read. */
static int64_t scan(enum variant v, sqlite3 *db, struct reader *r, int64_t since)
{
	sqlite3_stmt *st = prepare(db, scan_sql);
	int64_t first = 0, rows = 0;
	int found;

	r->since = since;
	/* The first row of the window: the time index, or the spans. */
	sqlite3_stmt *f = prepare(db, v == PACKED || v == PACKED_JSON
				      ? "SELECT min(id) FROM event WHERE time_ns >= ?1"
				      : "SELECT min(first_id) FROM span WHERE last_ns >= ?1");
	sqlite3_bind_int64(f, 1, since);
	found = sqlite3_step(f) == SQLITE_ROW;
	first = found ? sqlite3_column_int64(f, 0) : 0;
	sqlite3_finalize(f);
	/* A grouped row starts at its process's first event of the batch:
	 * the whole batch is read, its events filtered by time. */
	sqlite3_bind_int64(st, 1, first);
	sqlite3_bind_int64(st, 2, is_grouped(v) ? since - batch_ns : since);
	while (sqlite3_step(st) == SQLITE_ROW) {
		rows++;
		if (is_grouped(v))
			read_grouped(r, st, v == GROUPED_LEAN);
		else
			read_packed(r, st);
	}
	sqlite3_finalize(st);
	return rows;
}

/* ---- Measures ---- */

static void sizes(const char *path, size_t nev)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	struct stat sb;

	if (stat(path, &sb))
		die(path, strerror(errno));
	printf("  file %.1f MB, %.1f bytes/event; by table and index (pages, bytes/event):",
	       sb.st_size / 1e6, (double)sb.st_size / nev);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		die(path, sqlite3_errmsg(db));
	st = prepare(db, "SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC");
	while (sqlite3_step(st) == SQLITE_ROW)
		if (sqlite3_column_int64(st, 1) * 10 >= (int64_t)nev) /* 0.1 B/event or more */
			printf(" %s %.1f", sqlite3_column_text(st, 0),
			       (double)sqlite3_column_int64(st, 1) / nev);
	printf("\n");
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static int count_event(const pn_event *ev, void *user)
{
	struct reader *r = user;

	r->sum += ev->seq + (uint64_t)ev->image.len + (uint64_t)ev->argv.len;
	return 0;
}

static double best(double a, double b)
{
	return a < b ? a : b;
}

static void json_baseline(const struct events *e, const char *dir)
{
	char path[4096];
	pn_buf b = { 0 };
	FILE *out;
	double t0;

	snprintf(path, sizeof(path), "%s/store_format.jsonl", dir);
	out = fopen(path, "w");
	if (!out)
		die(path, strerror(errno));
	t0 = cpu_s();
	for (size_t i = 0; i < e->n; i++) {
		pn_buf_reset(&b);
		pn_fmt_json(&b, &e->ev[i]);
		fwrite(b.data, 1, b.len, out);
	}
	fflush(out);
	printf("json: %.2f us/event (pn_fmt_json into a file), %.0f bytes/event of JSON\n",
	       (cpu_s() - t0) * 1e6 / e->n, (double)ftell(out) / e->n);
	fclose(out);
	pn_buf_free(&b);
	unlink(path);
}

static void today(const struct events *e, const char *dir, int reps)
{
	char path[4096], err[256];
	pn_store *s;
	struct reader r = { 0 };
	pn_store_filter f = { 0 };
	double t0, s0, read = 1e9;
	int n = 0;

	snprintf(path, sizeof(path), "%s/store_format-today.db", dir);
	unlink(path);
	t0 = cpu_s();
	s0 = sys_s();
	if (pn_store_open(&s, path, PN_STORE_WRITE, NULL, err, sizeof(err)) || pn_store_start(s))
		die(path, err);
	for (size_t i = 0; i < e->n;) {
		size_t end = batch_end(e, i);

		for (; i < end; i++)
			pn_store_event(&e->ev[i], s);
		pn_store_commit(s);
	}
	if (pn_store_close(s))
		die(path, "close");
	printf("today: write %.2f us/event (system %.2f)\n", (cpu_s() - t0) * 1e6 / e->n,
	       (sys_s() - s0) * 1e6 / e->n);
	sizes(path, e->n);
	f.since_ns = e->ev[0].time_ns;
	for (int i = 0; i < reps; i++) {
		if (pn_store_open(&s, path, PN_STORE_READ, NULL, err, sizeof(err)))
			die(path, err);
		t0 = cpu_s();
		n = pn_store_query(s, &f, count_event, &r);
		read = best(read, cpu_s() - t0);
		pn_store_close(s);
	}
	printf("  read (--since, pn_store_query): %.2f us/row, %d rows\n", read * 1e6 / n, n);
}

static int cmp_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lines of buf, sorted (a grouped log keeps a batch's events by
 * process, not in order); *n their count. */
static char **sorted_lines(pn_buf *b, size_t *n)
{
	char **l = NULL, *p = b->data, *nl;

	for (*n = 0; (nl = memchr(p, '\n', b->data + b->len - p)); p = nl + 1) {
		l = realloc(l, (*n + 1) * sizeof(*l));
		l[(*n)++] = p;
		*nl = 0;
	}
	qsort(l, *n, sizeof(*l), cmp_lines);
	return l;
}

/* Every event read back as JSON is the event written: the format loses
 * nothing (a measure of a lossy format would be worthless). */
static void check(const struct events *e, enum variant v, sqlite3 *db, struct strtab *strs)
{
	pn_buf want = { 0 }, got = { 0 };
	struct reader r = { strs, e->ev[0].host, 0, 0, &got };
	char **a, **b;
	size_t bad = 0, na, nb;

	scan(v, db, &r, 0);
	for (size_t i = 0; i < e->n; i++)
		pn_fmt_json(&want, &e->ev[i]);
	a = sorted_lines(&want, &na);
	b = sorted_lines(&got, &nb);
	for (size_t i = 0; i < na && i < nb; i++)
		if (strcmp(a[i], b[i]) && !bad++)
			fprintf(stderr, "%s: differs:\n  %s\n  %s\n", variant_name[v], a[i], b[i]);
	if (bad || na != nb)
		fprintf(stderr, "%s: %zu of %zu events differ, %zu read back\n", variant_name[v], bad,
			na, nb);
	free(a);
	free(b);
	pn_buf_free(&want);
	pn_buf_free(&got);
}

static void variant(const struct events *e, enum variant v, const char *dir, int reps)
{
	char path[4096];
	struct writer w;
	struct reader r = { 0 };
	sqlite3 *db;
	double t0, s0, read = 1e9;
	int64_t rows = 0;

	snprintf(path, sizeof(path), "%s/store_format-%s.db", dir, variant_name[v]);
	memset(phase_s, 0, sizeof(phase_s));
	t0 = cpu_s();
	s0 = sys_s();
	writer_open(&w, v, path);
	for (size_t i = 0; i < e->n;) {
		size_t end = batch_end(e, i);

		write_batch(&w, &e->ev[i], end - i);
		i = end;
	}
	writer_close(&w);
	printf("%s: write %.2f us/event (system %.2f; of it", variant_name[v],
	       (cpu_s() - t0) * 1e6 / e->n, (sys_s() - s0) * 1e6 / e->n);
	for (int ph = 0; ph < PHASES; ph++)
		printf(" %s %.2f", phase_name[ph], phase_s[ph] * 1e6 / e->n);
	printf(")\n");
	sizes(path, e->n);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		die(path, sqlite3_errmsg(db));
	r = (struct reader){ &w.strs, e->ev[0].host, 0, 0, NULL };
	if (v != PACKED_JSON) {
		for (int i = 0; i < reps; i++) {
			t0 = cpu_s();
			rows = scan(v, db, &r, e->ev[0].time_ns);
			read = best(read, cpu_s() - t0);
		}
		printf("  read (--since): %.2f us/event, %.2f us/row, %lld rows\n", read * 1e6 / e->n,
		       read * 1e6 / rows, (long long)rows);
		check(e, v, db, &w.strs);
	}
	sqlite3_close(db);
	strtab_free(&w.strs);
}

int main(int argc, char **argv)
{
	const char *in = NULL, *dir = "/tmp", *only = NULL;
	struct events e = { 0 };
	pn_store_filter all = { 0 };
	char err[256];
	pn_store *s;
	int reps = 3, c;

	while ((c = getopt(argc, argv, "i:d:r:v:b:")) != -1) {
		if (c == 'i')
			in = optarg;
		else if (c == 'd')
			dir = optarg;
		else if (c == 'r')
			reps = atoi(optarg);
		else if (c == 'v')
			only = optarg;
		else if (c == 'b')
			batch_ns = atoll(optarg) * 1000000LL, batch_events = (size_t)-1;
		else
			in = NULL, optind = argc;
	}
	if (!in || reps < 1) {
		fputs("Usage: store_format -i LOG [-d DIR] [-r REPS] [-v VARIANT] [-b MS]\n", stderr);
		return 2;
	}
	fields_init();
	if (pn_store_open(&s, in, PN_STORE_READ, NULL, err, sizeof(err)))
		die(in, err);
	if (pn_store_query(s, &all, keep, &e) < 0 || !e.n)
		die(in, "no events");
	pn_store_close(s);
	size_t batches = 0;
	for (size_t i = 0; i < e.n; i = batch_end(&e, i))
		batches++;
	printf("%zu events of %s in %zu batches\n", e.n, in, batches);
	if (!only || !strcmp(only, "json"))
		json_baseline(&e, dir);
	if (!only || !strcmp(only, "today"))
		today(&e, dir, reps);
	for (enum variant v = 0; v < VARIANTS; v++)
		if (!only || !strcmp(only, variant_name[v]))
			variant(&e, v, dir, reps);
	return 0;
}
