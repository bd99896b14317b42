/*
 * `procnotify query`: the stored events that match a filter, rebuilt as
 * pn_events and handed to a visitor, so the same formatters print them as
 * the live monitor did; nothing here formats.
 * The SQL is assembled only from the fixed fragments below; every value
 * from the user is a bound parameter.
 */
#include <errno.h>
#include <string.h>
#include "store_internal.h"

/* Columns of the select: the event's id, every column of columns.h, and
 * its process's key. C(name) is an event column's index in a row. */
#define C(name) (1 + PN__EC_##name)
enum { C_BOOT = 1 + PN__EVENT_COLS, C_START, C_OS };

/* count: only the rows' ids, which is all a count needs (the join on the
 * process, by its primary key, adds no row and filters none). */
static void select_cols(pn_buf *sql, int count)
{
	if (count) {
		pn_buf_puts(sql, "SELECT e.id FROM event e WHERE ");
		return;
	}
	pn_buf_puts(sql, "SELECT e.id");
	for (int c = 0; c < PN__EVENT_COLS; c++) {
		pn_buf_puts(sql, ", e.");
		pn_buf_puts(sql, pn__event_col_names[c]);
	}
	pn_buf_puts(sql, ", p.boot, p.start_ns, p.os"
			 " FROM event e LEFT JOIN process p ON p.id = e.process WHERE ");
}

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

static void build_sql(pn_buf *sql, const pn_store_filter *f, int count)
{
	if (count)
		pn_buf_puts(sql, "SELECT count(*) FROM (");
	select_cols(sql, count);
	pn_buf_puts(sql, "e.type <> 4");
	add_common(sql, f);
	add_process(sql, f);
	if (!f->types || (f->types & PN_MASK(PN_EVENT_LOST))) {
		pn_buf_puts(sql, " UNION ALL ");
		select_cols(sql, count);
		pn_buf_puts(sql, "e.type = 4");
		add_common(sql, f);
	}
	pn_buf_puts(sql, count ? ")" : " ORDER BY 1");
}

static void bind_filter(sqlite3_stmt *st, const pn_store_filter *f);

/* Prepares the query of f (or its count) with its values bound. */
static int prepare(pn_store *s, const pn_store_filter *f, int count, sqlite3_stmt **st)
{
	pn_buf sql = { 0 };
	int rc;

	build_sql(&sql, f, count);
	if (sql.oom)
		return -ENOMEM;
	rc = pn__db_prepare(&s->db, sql.data, st);
	pn_buf_free(&sql);
	if (!rc)
		bind_filter(*st, f);
	return rc;
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

static void row_lost(sqlite3_stmt *st, pn_event *ev)
{
	ev->lost_count_known = sqlite3_column_type(st, C(lost_count)) != SQLITE_NULL;
	ev->lost_count = (uint64_t)sqlite3_column_int64(st, C(lost_count));
	for (int i = 0; i < PN_STORE_LOST_COLS; i++)
		ev->lost_by_type[pn__store_lost_types[i]] =
			(uint64_t)sqlite3_column_int64(st, C(lost_fork) + i);
	ev->lost_reason = (uint32_t)sqlite3_column_int64(st, C(lost_reason));
}

static void row_exec(sqlite3_stmt *st, pn_event *ev)
{
	pn_str tty = pn__db_col_str(st, C(tty));

	ev->filename = pn__db_col_str(st, C(filename));
	ev->cwd = pn__db_col_str(st, C(cwd));
	ev->argv = pn__db_col_str(st, C(argv));
	ev->argc = (uint32_t)sqlite3_column_int64(st, C(argc));
	ev->old_tid = (uint32_t)sqlite3_column_int64(st, C(old_tid));
	ev->cgroup_id = (uint64_t)sqlite3_column_int64(st, C(cgroup_id));
	if (tty.len >= sizeof(ev->tty))
		tty.len = sizeof(ev->tty) - 1;
	memcpy(ev->tty, tty.ptr ? tty.ptr : "", tty.len);
}

static void row_path(sqlite3_stmt *st, pn_event *ev)
{
	uint64_t dev = (uint64_t)sqlite3_column_int64(st, C(image_dev));

	ev->image_dev = (pn_dev){ (uint32_t)(dev >> 32), (uint32_t)dev };
	ev->image_ino = (uint64_t)sqlite3_column_int64(st, C(image_ino));
	ev->mnt_ns = (uint32_t)sqlite3_column_int64(st, C(mnt_ns));
	ev->pid_ns = (uint32_t)sqlite3_column_int64(st, C(pid_ns));
	ev->root = pn__db_col_str(st, C(root));
}

static void row_exit(sqlite3_stmt *st, pn_event *ev)
{
	ev->exit_code = sqlite3_column_int(st, C(exit_code));
	ev->signal = sqlite3_column_int(st, C(signal));
	ev->core_dumped = sqlite3_column_int(st, C(core_dumped));
	ev->nt_status = (uint32_t)sqlite3_column_int64(st, C(nt_status));
	if (sqlite3_column_type(st, C(duration_ns)) != SQLITE_NULL)
		ev->duration_ns = sqlite3_column_int64(st, C(duration_ns));
}

static void row_process(sqlite3_stmt *st, pn_event *ev)
{
	uint64_t boot = (uint64_t)sqlite3_column_int64(st, C_BOOT);
	uint32_t os = (uint32_t)sqlite3_column_int64(st, C_OS);

	ev->pid = (uint32_t)sqlite3_column_int64(st, C(pid));
	ev->tid = (uint32_t)sqlite3_column_int64(st, C(tid));
	ev->ppid = (uint32_t)sqlite3_column_int64(st, C(ppid));
	ev->uid = (uint32_t)sqlite3_column_int64(st, C(uid));
	ev->gid = (uint32_t)sqlite3_column_int64(st, C(gid));
	ev->euid = (uint32_t)sqlite3_column_int64(st, C(euid));
	ev->sid = (uint32_t)sqlite3_column_int64(st, C(sid));
	ev->comm = pn__db_col_str(st, C(comm));
	ev->image = pn__db_col_str(st, C(image));
	ev->new_id = (uint32_t)sqlite3_column_int64(st, C(new_id));
	ev->new_eid = (uint32_t)sqlite3_column_int64(st, C(new_eid));
	ev->tracer_pid = (uint32_t)sqlite3_column_int64(st, C(tracer_pid));
	ev->key = (pn_key){ boot, (uint64_t)sqlite3_column_int64(st, C_START), ev->pid, os };
	ev->parent_key = (pn_key){ boot, (uint64_t)sqlite3_column_int64(st, C(parent_start)),
				   ev->ppid, os };
	ev->creator_pid = (uint32_t)sqlite3_column_int64(st, C(creator_pid));
	ev->creator_key = (pn_key){ boot, (uint64_t)sqlite3_column_int64(st, C(creator_start)),
				    ev->creator_pid, os };
}

/* Rebuilds the event of the current row; strings point into the row. */
static void row_event(sqlite3_stmt *st, pn_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->seq = (uint64_t)sqlite3_column_int64(st, C(seq));
	ev->type = (enum pn_event_type)sqlite3_column_int(st, C(type));
	ev->time_ns = sqlite3_column_int64(st, C(time_ns));
	ev->have = (uint32_t)sqlite3_column_int64(st, C(have));
	ev->flags = (uint32_t)sqlite3_column_int64(st, C(flags));
	ev->duration_ns = -1;
	if (ev->type == PN_EVENT_LOST) {
		row_lost(st, ev);
		return;
	}
	row_process(st, ev);
	if (pn__store_is_exec(ev))
		row_exec(st, ev);
	if (ev->type == PN_EVENT_EXEC)
		row_path(st, ev);
	if (ev->type == PN_EVENT_EXIT)
		row_exit(st, ev);
}

int pn_store_query(pn_store *s, const pn_store_filter *f, pn_store_event_fn fn, void *user)
{
	sqlite3_stmt *st = NULL;
	pn_event ev;
	int rc = prepare(s, f, 0, &st), stop = 0, n = 0;

	if (rc)
		return rc;
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		/* The writer stores only known types: another one is a damaged
		 * or forged file, and no formatter can show it. */
		if ((unsigned)sqlite3_column_int(st, C(type)) >= PN_EVENT_TYPE_MAX) {
			stop = pn__db_refuse(&s->db, -EILSEQ, "an event of an unknown type: "
					     "the log is damaged");
			break;
		}
		row_event(st, &ev);
		stop = fn(&ev, user);
		n++;
	}
	if (stop)
		rc = stop;
	else
		rc = rc == SQLITE_DONE ? n : pn__db_err(&s->db, rc, "query");
	sqlite3_finalize(st);
	return rc;
}

int pn__store_count(pn_store *s, const pn_store_filter *f, uint64_t *n)
{
	sqlite3_stmt *st = NULL;
	int rc = prepare(s, f, 1, &st);

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
