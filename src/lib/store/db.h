/*
 * The bottom layer of the activity log: one SQLite connection and the
 * helpers every other part of the store uses to run SQL on it. It knows
 * nothing of the schema, the writer or the queries.
 */
#ifndef PN_STORE_DB_H
#define PN_STORE_DB_H
#include <sqlite3.h>
#include <stdint.h>
#include "procnotify.h"

struct pn__db {
	sqlite3 *conn;
	char errmsg[256];   /* what went wrong last, in words */
};

/* Opens path with SQLite flags and sets the connection up: extended
 * result codes, a busy timeout, the SQL functions the queries use
 * (pn_basename(), pn_args()). */
int pn__db_open(struct pn__db *d, const char *path, int flags);
void pn__db_close(struct pn__db *d);
/* Records SQLite's message for what failed and maps rc to -errno. */
int pn__db_err(struct pn__db *d, int rc, const char *what);
/* Records a reason of our own; returns err. */
int pn__db_refuse(struct pn__db *d, int err, const char *why);
/* Runs SQL that returns no rows. */
int pn__db_exec(struct pn__db *d, const char *sql);
/* Prepares a statement, recording a failure. */
int pn__db_prepare(struct pn__db *d, const char *sql, sqlite3_stmt **st);
/* A multi-row insert: head ("INSERT ... VALUES"), then rows groups of
 * cols parameters; row r's column c is parameter r * cols + c + 1. */
int pn__db_prepare_rows(struct pn__db *d, const char *head, int cols, int rows, sqlite3_stmt **st);
/* One integer from sql, which may use ?1 (binding a parameter that a
 * statement lacks is a harmless SQLITE_RANGE); *found is 0 for no row or NULL. */
int pn__db_int(struct pn__db *d, const char *sql, int64_t bind1, int64_t *out, int *found);
/* Binds an untrusted byte string as a BLOB, or NULL when it is not known. */
int pn__db_bind_str(sqlite3_stmt *st, int i, const pn_str *v, int known);
/* A string column, pointing into the current row. */
pn_str pn__db_col_str(sqlite3_stmt *st, int i);

/* The bytes after the last '/' of path, in path: SQL's pn_basename(). */
pn_str pn__db_basename(pn_str path);

int64_t pn__store_wall_ns(void);
uint64_t pn__store_mono_ns(void);
#endif
