/*
 * SQLite helpers shared by the whole store: they depend on nothing else
 * of the store (only SQLite and the escaper), so the schema, the writer
 * and the queries all build on them.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "clock.h"
#include "db.h"
#include "procnotify/format.h"

pn_str pn__db_basename(pn_str path)
{
	size_t i = path.len;

	while (i > 0 && path.ptr[i - 1] != '/')
		i--;
	return (pn_str){ path.len - i ? path.ptr + i : "", path.len - i };
}

/* pn_basename(path): the bytes after the last '/', for --name. */
static void sql_basename(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	pn_str v = { sqlite3_value_blob(argv[0]), (size_t)sqlite3_value_bytes(argv[0]) };

	if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
		return; /* NULL in, NULL out */
	v = pn__db_basename(v);
	sqlite3_result_blob(ctx, v.ptr, (int)v.len, SQLITE_TRANSIENT);
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

/* Whether the joined arguments hold t: the bytes of pn_args(), NULs as
 * spaces, without the copy. */
static int joined_has(const char *p, size_t n, const char *t, size_t m)
{
	for (size_t i = 0; i + m <= n; i++) {
		size_t j = 0;

		while (j < m && (p[i + j] ? p[i + j] : ' ') == t[j])
			j++;
		if (j == m)
			return 1;
	}
	return 0;
}

/* pn_args_has(argv, text): instr(pn_args(argv), text) > 0, a tenth of the
 * time (a scan of 1.7 million strings: 1.4 s in instr). A text without
 * a space or NUL matches the raw bytes where it matches the joined ones,
 * since only NULs became spaces; memmem() looks for it there. */
static void sql_args_has(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *p = sqlite3_value_blob(argv[0]), *t = sqlite3_value_blob(argv[1]);
	size_t n = (size_t)sqlite3_value_bytes(argv[0]), m = (size_t)sqlite3_value_bytes(argv[1]);

	if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL)
		return; /* NULL, as instr() gives */
	if (n > 0 && p[n - 1] == 0)
		n--; /* the last argument's terminator */
	if (m == 0)
		sqlite3_result_int(ctx, 1);
	else if (!memchr(t, ' ', m) && !memchr(t, 0, m))
		sqlite3_result_int(ctx, n >= m && memmem(p, n, t, m) != NULL);
	else
		sqlite3_result_int(ctx, joined_has(p, n, t, m));
}

static int add_functions(sqlite3 *db)
{
	int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
	int rc = sqlite3_create_function(db, "pn_basename", 1, flags, NULL, sql_basename, NULL, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(db, "pn_args", 1, flags, NULL, sql_args, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(db, "pn_args_has", 2, flags, NULL, sql_args_has, NULL,
					     NULL);
	return rc;
}

int pn__db_open(struct pn__db *d, const char *path, int flags)
{
	int rc = sqlite3_open_v2(path, &d->conn, flags, NULL);

	if (rc != SQLITE_OK)
		return pn__db_err(d, rc, path);
	sqlite3_busy_timeout(d->conn, 5000);
	sqlite3_extended_result_codes(d->conn, 1);
	rc = add_functions(d->conn);
	return rc == SQLITE_OK ? 0 : pn__db_err(d, rc, "database");
}

void pn__db_close(struct pn__db *d)
{
	sqlite3_close_v2(d->conn);
	d->conn = NULL;
}

/* "what: SQLite's message". The message may quote the file's own text (a
 * crafted schema's names), so it is escaped as untrusted bytes are in the
 * table: it goes to a terminal. */
static void set_message(struct pn__db *d, const char *what, const char *msg)
{
	pn_buf b = { 0 };

	pn_esc_table(&b, msg, strlen(msg), 0);
	snprintf(d->errmsg, sizeof(d->errmsg), "%s: %s", what, b.data ? b.data : "");
	pn_buf_free(&b);
}

int pn__db_err(struct pn__db *d, int rc, const char *what)
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
	set_message(d, what, d->conn ? sqlite3_errmsg(d->conn) : sqlite3_errstr(rc));
	return err;
}

int pn__db_refuse(struct pn__db *d, int err, const char *why)
{
	snprintf(d->errmsg, sizeof(d->errmsg), "%s", why);
	return err;
}

int pn__db_exec(struct pn__db *d, const char *sql)
{
	int rc = sqlite3_exec(d->conn, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : pn__db_err(d, rc, "database");
}

int pn__db_prepare(struct pn__db *d, const char *sql, sqlite3_stmt **st)
{
	int rc = sqlite3_prepare_v2(d->conn, sql, -1, st, NULL);

	return rc == SQLITE_OK ? 0 : pn__db_err(d, rc, "database");
}

int pn__db_prepare_rows(struct pn__db *d, const char *head, int cols, int rows, sqlite3_stmt **st)
{
	pn_buf sql = { 0 };
	int rc;

	pn_buf_puts(&sql, head);
	for (int r = 0; r < rows; r++) {
		pn_buf_puts(&sql, r ? ",(" : "(");
		for (int c = 0; c < cols; c++)
			pn_buf_puts(&sql, c + 1 < cols ? "?," : "?)");
	}
	rc = sql.oom ? -ENOMEM : pn__db_prepare(d, sql.data, st);
	pn_buf_free(&sql);
	return rc;
}

int pn__db_int(struct pn__db *d, const char *sql, int64_t bind1, int64_t *out, int *found)
{
	sqlite3_stmt *st;
	int rc = pn__db_prepare(d, sql, &st);

	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, bind1);
	rc = sqlite3_step(st);
	*found = rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL;
	*out = *found ? sqlite3_column_int64(st, 0) : 0;
	rc = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? 0 : pn__db_err(d, rc, "database");
	sqlite3_finalize(st);
	return rc;
}

int pn__db_bind_str(sqlite3_stmt *st, int i, const pn_str *v, int known)
{
	if (!known)
		return sqlite3_bind_null(st, i);
	/* A zero-length blob with a NULL pointer would be stored as NULL. */
	return sqlite3_bind_blob(st, i, v->len ? v->ptr : "", (int)v->len, SQLITE_STATIC);
}

pn_str pn__db_col_str(sqlite3_stmt *st, int i)
{
	pn_str s;

	s.ptr = sqlite3_column_blob(st, i);
	s.len = (size_t)sqlite3_column_bytes(st, i);
	return s;
}

int64_t pn__store_wall_ns(void)
{
	return (int64_t)pn__clock_ns(CLOCK_REALTIME);
}

uint64_t pn__store_mono_ns(void)
{
	return pn__clock_ns(CLOCK_MONOTONIC);
}
