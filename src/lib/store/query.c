/*
 * `procnotify query`: the stored events that match a filter, rebuilt as
 * pn_events so the same formatters print them as the live monitor did.
 * The SQL is assembled only from the fixed fragments below; every value
 * from the user is a bound parameter.
 */
#include <errno.h>
#include <string.h>
#include "store_internal.h"

/* pn_basename(path): the bytes after the last '/', for --name. */
static void sql_basename(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *p = sqlite3_value_blob(argv[0]);
	int n = sqlite3_value_bytes(argv[0]), i = n;

	if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
		return; /* NULL in, NULL out */
	while (i > 0 && p[i - 1] != '/')
		i--;
	sqlite3_result_blob(ctx, n - i ? p + i : "", n - i, SQLITE_TRANSIENT);
}

/* pn_args(argv): the arguments joined by single spaces, for --argv. */
static void sql_args(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *p = sqlite3_value_blob(argv[0]);
	int n = sqlite3_value_bytes(argv[0]);
	char *out;

	if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
		return;
	if (n > 0 && p[n - 1] == 0)
		n--; /* the last argument's terminator */
	out = sqlite3_malloc(n ? n : 1);
	if (!out) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	for (int i = 0; i < n; i++)
		out[i] = p[i] ? p[i] : ' ';
	sqlite3_result_blob(ctx, out, n, sqlite3_free);
}

int pn__store_functions(sqlite3 *db)
{
	int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
	int rc = sqlite3_create_function(db, "pn_basename", 1, flags, NULL, sql_basename, NULL, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(db, "pn_args", 1, flags, NULL, sql_args, NULL, NULL);
	return rc;
}

enum col {
	C_ID, C_SEQ, C_TYPE, C_TIME, C_HAVE, C_FLAGS, C_PID, C_TID, C_PPID, C_PARENT_START,
	C_UID, C_GID, C_EUID, C_SID, C_COMM, C_IMAGE, C_FILENAME, C_CWD, C_ARGV, C_ARGC,
	C_OLD_TID, C_TTY, C_CGROUP, C_EXIT_CODE, C_SIGNAL, C_CORE, C_NT_STATUS, C_DURATION,
	C_LOST_COUNT, C_LOST_FORK, C_BOOT = C_LOST_FORK + PN_STORE_LOST_COLS, C_START, C_OS, C_NEW_ID, C_NEW_EID,
	C_TRACER,
};

static const char select_cols[] =
	"SELECT e.id, e.seq, e.type, e.time_ns, e.have, e.flags, e.pid, e.tid, e.ppid,"
	" e.parent_start, e.uid, e.gid, e.euid, e.sid, e.comm, e.image, e.filename, e.cwd,"
	" e.argv, e.argc, e.old_tid, e.tty, e.cgroup_id, e.exit_code, e.signal, e.core_dumped,"
	" e.nt_status, e.duration_ns, e.lost_count, e.lost_fork, e.lost_exec, e.lost_exit,"
	" e.lost_create, p.boot, p.start_ns, p.os, e.new_id, e.new_eid, e.tracer_pid"
	" FROM event e LEFT JOIN process p ON p.id = e.process WHERE ";

/* Filters on time and type: they apply to lost records too. */
static void add_common(pn_buf *sql, const pn_store_filter *f)
{
	if (f->since_ns)
		pn_buf_puts(sql, " AND e.time_ns >= :since");
	if (f->until_ns)
		pn_buf_puts(sql, " AND e.time_ns <= :until");
	if (f->types)
		pn_buf_puts(sql, " AND (:types >> e.type) & 1");
}

/* Filters on the process: a lost record has none, so they skip it. */
static void add_process(pn_buf *sql, const pn_store_filter *f)
{
	if (f->have_pid)
		pn_buf_puts(sql, " AND e.process IN (SELECT id FROM process WHERE pid = :pid)");
	if (f->have_ppid)
		pn_buf_puts(sql, " AND e.ppid = :ppid");
	if (f->have_uid)
		pn_buf_puts(sql, " AND e.uid = :uid");
	/* GLOB never matches a BLOB operand: compare the same bytes as TEXT. */
	if (f->name)
		pn_buf_puts(sql, " AND (CAST(e.comm AS TEXT) GLOB :name"
				 " OR CAST(pn_basename(e.image) AS TEXT) GLOB :name)");
	if (f->image)
		pn_buf_puts(sql, " AND CAST(e.image AS TEXT) GLOB :image");
	if (f->argv)
		pn_buf_puts(sql, " AND instr(pn_args(e.argv), :argv) > 0");
	if (f->signaled)
		pn_buf_puts(sql, " AND e.type = 3 AND e.signal <> 0");
	if (f->have_exit_code)
		pn_buf_puts(sql, " AND e.type = 3 AND e.signal = 0 AND e.exit_code = :exit_code");
}

static void build_sql(pn_buf *sql, const pn_store_filter *f)
{
	pn_buf_puts(sql, select_cols);
	pn_buf_puts(sql, "e.type <> 4");
	add_common(sql, f);
	add_process(sql, f);
	if (!f->types || (f->types & PN_MASK(PN_EVENT_LOST))) {
		pn_buf_puts(sql, " UNION ALL ");
		pn_buf_puts(sql, select_cols);
		pn_buf_puts(sql, "e.type = 4");
		add_common(sql, f);
	}
	pn_buf_puts(sql, " ORDER BY 1");
}

static void bind_named_int(sqlite3_stmt *st, const char *name, int64_t v)
{
	int i = sqlite3_bind_parameter_index(st, name);

	if (i)
		sqlite3_bind_int64(st, i, v);
}

static void bind_named_blob(sqlite3_stmt *st, const char *name, const char *v, int text)
{
	int i = sqlite3_bind_parameter_index(st, name);

	if (i && text)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else if (i)
		sqlite3_bind_blob(st, i, v, (int)strlen(v), SQLITE_STATIC);
}

static void bind_filter(sqlite3_stmt *st, const pn_store_filter *f)
{
	bind_named_int(st, ":since", f->since_ns);
	bind_named_int(st, ":until", f->until_ns);
	bind_named_int(st, ":types", f->types);
	bind_named_int(st, ":pid", f->pid);
	bind_named_int(st, ":ppid", f->ppid);
	bind_named_int(st, ":uid", f->uid);
	bind_named_int(st, ":exit_code", f->exit_code);
	if (f->name)
		bind_named_blob(st, ":name", f->name, 1);
	if (f->image)
		bind_named_blob(st, ":image", f->image, 1);
	if (f->argv)
		bind_named_blob(st, ":argv", f->argv, 0);
}

static pn_str col_str(sqlite3_stmt *st, int i)
{
	pn_str s;

	s.ptr = sqlite3_column_blob(st, i);
	s.len = (size_t)sqlite3_column_bytes(st, i);
	return s;
}

static void row_lost(sqlite3_stmt *st, pn_event *ev)
{
	ev->lost_count_known = sqlite3_column_type(st, C_LOST_COUNT) != SQLITE_NULL;
	ev->lost_count = (uint64_t)sqlite3_column_int64(st, C_LOST_COUNT);
	for (int i = 0; i < PN_STORE_LOST_COLS; i++)
		ev->lost_by_type[pn__store_lost_types[i]] =
			(uint64_t)sqlite3_column_int64(st, C_LOST_FORK + i);
}

static void row_exec(sqlite3_stmt *st, pn_event *ev)
{
	pn_str tty = col_str(st, C_TTY);

	ev->filename = col_str(st, C_FILENAME);
	ev->cwd = col_str(st, C_CWD);
	ev->argv = col_str(st, C_ARGV);
	ev->argc = (uint32_t)sqlite3_column_int64(st, C_ARGC);
	ev->old_tid = (uint32_t)sqlite3_column_int64(st, C_OLD_TID);
	ev->cgroup_id = (uint64_t)sqlite3_column_int64(st, C_CGROUP);
	if (tty.len >= sizeof(ev->tty))
		tty.len = sizeof(ev->tty) - 1;
	memcpy(ev->tty, tty.ptr ? tty.ptr : "", tty.len);
}

static void row_exit(sqlite3_stmt *st, pn_event *ev)
{
	ev->exit_code = sqlite3_column_int(st, C_EXIT_CODE);
	ev->signal = sqlite3_column_int(st, C_SIGNAL);
	ev->core_dumped = sqlite3_column_int(st, C_CORE);
	ev->nt_status = (uint32_t)sqlite3_column_int64(st, C_NT_STATUS);
	if (sqlite3_column_type(st, C_DURATION) != SQLITE_NULL)
		ev->duration_ns = sqlite3_column_int64(st, C_DURATION);
}

static void row_process(sqlite3_stmt *st, pn_event *ev)
{
	uint64_t boot = (uint64_t)sqlite3_column_int64(st, C_BOOT);
	uint32_t os = (uint32_t)sqlite3_column_int64(st, C_OS);

	ev->pid = (uint32_t)sqlite3_column_int64(st, C_PID);
	ev->tid = (uint32_t)sqlite3_column_int64(st, C_TID);
	ev->ppid = (uint32_t)sqlite3_column_int64(st, C_PPID);
	ev->uid = (uint32_t)sqlite3_column_int64(st, C_UID);
	ev->gid = (uint32_t)sqlite3_column_int64(st, C_GID);
	ev->euid = (uint32_t)sqlite3_column_int64(st, C_EUID);
	ev->sid = (uint32_t)sqlite3_column_int64(st, C_SID);
	ev->comm = col_str(st, C_COMM);
	ev->image = col_str(st, C_IMAGE);
	ev->new_id = (uint32_t)sqlite3_column_int64(st, C_NEW_ID);
	ev->new_eid = (uint32_t)sqlite3_column_int64(st, C_NEW_EID);
	ev->tracer_pid = (uint32_t)sqlite3_column_int64(st, C_TRACER);
	ev->key = (pn_key){ boot, (uint64_t)sqlite3_column_int64(st, C_START), ev->pid, os };
	ev->parent_key = (pn_key){ boot, (uint64_t)sqlite3_column_int64(st, C_PARENT_START),
				   ev->ppid, os };
}

/* Rebuilds the event of the current row; strings point into the row. */
static void row_event(sqlite3_stmt *st, pn_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->seq = (uint64_t)sqlite3_column_int64(st, C_SEQ);
	ev->type = (enum pn_event_type)sqlite3_column_int(st, C_TYPE);
	ev->time_ns = sqlite3_column_int64(st, C_TIME);
	ev->have = (uint32_t)sqlite3_column_int64(st, C_HAVE);
	ev->flags = (uint32_t)sqlite3_column_int64(st, C_FLAGS);
	ev->duration_ns = -1;
	if (ev->type == PN_EVENT_LOST) {
		row_lost(st, ev);
		return;
	}
	row_process(st, ev);
	if (pn__store_is_exec(ev))
		row_exec(st, ev);
	if (ev->type == PN_EVENT_EXIT)
		row_exit(st, ev);
}

int pn_store_query(pn_store *s, const pn_store_filter *f, pn_callback cb, void *user)
{
	pn_buf sql = { 0 };
	sqlite3_stmt *st = NULL;
	pn_event ev;
	int rc, n = 0;

	build_sql(&sql, f);
	if (sql.oom)
		return -ENOMEM;
	rc = pn__store_prepare(s, sql.data, &st);
	pn_buf_free(&sql);
	if (rc)
		return rc;
	bind_filter(st, f);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row_event(st, &ev);
		cb(&ev, user);
		n++;
	}
	rc = rc == SQLITE_DONE ? n : pn__store_err(s, rc, "query");
	sqlite3_finalize(st);
	return rc;
}
