/*
 * Rows: the statements that insert events and processes, one row or
 * PN_STORE_ROWS rows at a time, and the binding of a row's values.
 *
 * Parameters are numbered per row: row r's column c is parameter
 * r * columns + c, so one binding function serves both statement sizes.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "store_internal.h"

#define EVENT_COLS PN__EVENT_COLS
#define PROCESS_COLS 22

/* Parameter of event column col in the row whose parameters follow base. */
#define EV(base, col) ((base) + 1 + PN__EC_##col)

/* OR IGNORE: a statement that writes several rows and may abort half way
 * needs a statement journal, a copy of every page it touches, which SQLite
 * writes to a temporary file; that was seven times the bytes of the log
 * itself. No event row can conflict (its id is new, its NOT NULL columns
 * always bound), and the writer checks that every row went in. The columns
 * are columns.h's. */
static const char event_head[] = "INSERT OR IGNORE INTO event(";

/* The id comes last, so a process row binds ?1..?21 the same way in an
 * insert and in the update (see write.c), which takes the id as ?22.
 * OR IGNORE: a process the batch took for new may have a row already;
 * the writer finds out from the count of rows inserted. */
static const char process_cols[] =
	"INSERT OR IGNORE INTO process(boot, start_ns, os, pid, ppid, parent_start, uid, gid,"
	" euid, comm, image, argv, argc, cwd, first_ns, exec_ns, end_ns, exit_code, signal,"
	" core_dumped, host, id) VALUES";

/* The event insert's head: every column of columns.h, in order. */
static void event_cols(pn_buf *sql)
{
	pn_buf_puts(sql, event_head);
	for (int c = 0; c < PN__EVENT_COLS; c++) {
		pn_buf_puts(sql, c ? ", " : "");
		pn_buf_puts(sql, pn__event_col_name(c));
	}
	pn_buf_puts(sql, ") VALUES");
}

int pn__store_rows_open(pn_store *s)
{
	pn_buf head = { 0 };
	int rc;

	event_cols(&head);
	rc = head.oom ? -ENOMEM : pn__db_prepare_rows(&s->db, head.data, EVENT_COLS, 1, &s->ins_event[0]);
	if (!rc)
		rc = pn__db_prepare_rows(&s->db, head.data, EVENT_COLS, PN_STORE_ROWS, &s->ins_event[1]);
	if (!rc)
		rc = pn__db_prepare_rows(&s->db, process_cols, PROCESS_COLS, 1, &s->ins_process[0]);
	if (!rc)
		rc = pn__db_prepare_rows(&s->db, process_cols, PROCESS_COLS, PN_STORE_ROWS, &s->ins_process[1]);
	pn_buf_free(&head);
	return rc;
}

void pn__store_rows_close(pn_store *s)
{
	for (int i = 0; i < 2; i++) {
		sqlite3_finalize(s->ins_event[i]);
		sqlite3_finalize(s->ins_process[i]);
	}
}

/* Binds v, or NULL when the event does not know it. */
static void bind_int(sqlite3_stmt *st, int i, int64_t v, int known)
{
	if (known)
		sqlite3_bind_int64(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

void pn__store_bind_key(sqlite3_stmt *st, int base, const pn_key *k)
{
	sqlite3_bind_int64(st, base + 1, (int64_t)k->boot);
	sqlite3_bind_int64(st, base + 2, (int64_t)k->start_ns);
	sqlite3_bind_int64(st, base + 3, k->os);
	sqlite3_bind_int64(st, base + 4, k->pid);
}

/* Binds the id of string v in the strings table (intern.h), or NULL when
 * it is not known; t_ns is the time of this use. *id is the id, 0: NULL. */
static int bind_str_id(pn_store *s, sqlite3_stmt *st, int i, const pn_str *v, int known,
		       int64_t t_ns, int64_t *id)
{
	int rc;

	*id = 0;
	if (!known)
		return sqlite3_bind_null(st, i), 0;
	rc = pn__intern_id(&s->strings, &s->db, v, t_ns, id);
	if (!rc)
		sqlite3_bind_int64(st, i, *id);
	return rc;
}

static int bind_str(pn_store *s, sqlite3_stmt *st, int i, const pn_str *v, int known,
		    int64_t t_ns)
{
	int64_t id;

	return bind_str_id(s, st, i, v, known, t_ns, &id);
}

/* ?1..?21 of a process row (its id is not among them). */
int pn__store_bind_process(pn_store *s, sqlite3_stmt *st, int base, const struct pn__store_proc *p)
{
	uint32_t k = p->known;
	int exec = (k & PN__P_EXEC) != 0, ex = (k & PN__P_EXIT) != 0, rc;
	int args = (k & (PN__P_EXEC | PN__P_SNAP_ARGV)) && (k & PN_HAVE_ARGV);

	pn__store_bind_key(st, base, &p->key);
	bind_int(st, base + 5, p->ppid, k & PN_HAVE_PARENT);
	bind_int(st, base + 6, (int64_t)p->parent_start, k & PN_HAVE_PARENT);
	bind_int(st, base + 7, p->uid, k & PN_HAVE_UID);
	bind_int(st, base + 8, p->gid, k & PN_HAVE_UID);
	bind_int(st, base + 9, p->euid, k & PN_HAVE_UID);
	rc = bind_str(s, st, base + 10, &p->comm, k & PN_HAVE_COMM, p->last_ns);
	if (!rc)
		rc = bind_str(s, st, base + 11, &p->image, k & PN_HAVE_IMAGE, p->last_ns);
	if (!rc)
		rc = bind_str(s, st, base + 12, &p->argv, args, p->last_ns);
	bind_int(st, base + 13, p->argc, args);
	if (!rc)
		rc = bind_str(s, st, base + 14, &p->cwd, exec && (k & PN_HAVE_CWD), p->last_ns);
	sqlite3_bind_int64(st, base + 15, p->first_ns);
	bind_int(st, base + 16, p->exec_ns, exec);
	bind_int(st, base + 17, p->end_ns, ex);
	bind_int(st, base + 18, p->exit_code, ex);
	bind_int(st, base + 19, p->signal, ex);
	bind_int(st, base + 20, p->core_dumped, ex);
	sqlite3_bind_int64(st, base + 21, p->host);
	return rc;
}

/* Inserts n (1 or PN_STORE_ROWS) process rows with their ids; returns
 * the number inserted, or -errno. */
int pn__store_insert_processes(pn_store *s, struct pn__store_proc *const *p, int n)
{
	sqlite3_stmt *st = s->ins_process[n == PN_STORE_ROWS];
	int rc;

	for (int r = 0; r < n; r++) {
		rc = pn__store_bind_process(s, st, r * PROCESS_COLS, p[r]);
		if (rc)
			return rc;
		sqlite3_bind_int64(st, r * PROCESS_COLS + PROCESS_COLS, p[r]->id);
	}
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return pn__db_err(&s->db, rc, "recording a process");
	return sqlite3_changes(s->db.conn);
}

/* A device number as one integer: major << 32 | minor. */
static int64_t dev_int(pn_dev d)
{
	return (int64_t)((uint64_t)d.major << 32 | d.minor);
}

static int bind_tty(pn_store *s, sqlite3_stmt *st, int i, const pn_event *ev, const char *tty,
		    size_t size, int known)
{
	pn_str v = { tty, strnlen(tty, size) };

	return bind_str(s, st, i, &v, known, ev->time_ns);
}

/* How a field of each kind of procnotify/fields.h is bound (a flag is in
 * the flags column, a key's boot and os are its process's); the strings
 * as ids in the strings table. */
#define BIND_u32(st, i, ev, name, known) bind_int(st, i, (int64_t)(ev)->name, known)
#define BIND_u64 BIND_u32
#define BIND_i32 BIND_u32
#define BIND_i64 BIND_u32
#define BIND_str(st, i, ev, name, known) \
	rc = rc ? rc : bind_str_id(s, st, i, &(ev)->name, known, (ev)->time_ns, &sid[PN__F_##name])
#define BIND_argv BIND_str
#define BIND_key(st, i, ev, name, known) bind_int(st, i, (int64_t)(ev)->name.start_ns, known)
#define BIND_tty(st, i, ev, name, known) \
	rc = rc ? rc : bind_tty(s, st, i, ev, (ev)->name, sizeof((ev)->name), known)
#define BIND_dev(st, i, ev, name, known) bind_int(st, i, dev_int((ev)->name), known)
#define BIND_flag(st, i, ev, name, known)
#define BIND_FIELD(name, kind, bit, types, json, table, sql, ...)                     \
	if (PN__IS_COLUMN(sql)) {                                                   \
		BIND_##kind(st, i, ev, name, PN__STORE_KNOWN(ev, name, bit, types)); \
		i++;                                                                \
	}

/* Row parameters from base + 1: the head columns, every field column of
 * columns.h, the lost counts by type; ids[] the str ids of its comm,
 * image and argv (0: none), for lookup.h. */
static int bind_event(pn_store *s, sqlite3_stmt *st, int base, const pn_event *ev,
		      int64_t process, int64_t host, int64_t ids[PN__LK_KINDS])
{
	int i = base + 1 + PN__EVENT_HEAD_COLS, lost = ev->type == PN_EVENT_LOST, rc = 0;
	int64_t sid[PN__FIELDS];

	sqlite3_bind_int64(st, EV(base, run), s->run);
	sqlite3_bind_int64(st, EV(base, seq), (int64_t)ev->seq);
	sqlite3_bind_int(st, EV(base, type), ev->type);
	sqlite3_bind_int64(st, EV(base, time_ns), ev->time_ns);
	sqlite3_bind_int64(st, EV(base, have), ev->have);
	sqlite3_bind_int64(st, EV(base, flags), ev->flags);
	bind_int(st, EV(base, process), process, !lost);
	sqlite3_bind_int64(st, EV(base, host), host);
	PN_FIELD_MAP(BIND_FIELD)
	for (int k = 0; k < PN_STORE_LOST_COLS; k++)
		bind_int(st, i++, (int64_t)ev->lost_by_type[pn__store_lost_types[k]],
			 lost && ev->lost_count_known);
	ids[PN__LK_COMM] = sid[PN__F_comm];
	ids[PN__LK_BASE] = 0;
	ids[PN__LK_ARGV] = sid[PN__F_argv];
	/* The image's file name is a name of its own: the string a comm of
	 * the same bytes has (a storm's "env" and /usr/bin/env), and what
	 * --name matches against. */
	if (!rc && sid[PN__F_image]) {
		pn_str file = pn__db_basename(ev->image);

		rc = pn__intern_id(&s->strings, &s->db, &file, ev->time_ns, &ids[PN__LK_BASE]);
	}
	return rc;
}

/* Inserts the events of ev[0..n), n being 1 or PN_STORE_ROWS; process[i]
 * is the row id of ev[i]'s process, host[i] its host's; ids[i] gets the
 * ids of its strings that lookup.h records. */
int pn__store_insert_events(pn_store *s, const pn_event *ev, const int64_t *process,
			    const int64_t *host, int64_t (*ids)[PN__LK_KINDS], int n)
{
	sqlite3_stmt *st = s->ins_event[n == PN_STORE_ROWS];
	int rc;

	for (int r = 0; r < n; r++) {
		rc = bind_event(s, st, r * EVENT_COLS, &ev[r], process[r], host[r], ids[r]);
		if (rc)
			return rc;
	}
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return pn__db_err(&s->db, rc, "recording an event");
	if (sqlite3_changes(s->db.conn) == n)
		return 0;
	return pn__db_refuse(&s->db, -EIO, "recording an event: a row was refused");
}
