/* The activity log's internals, shared by its source files; not public API. */
#ifndef PN_STORE_INTERNAL_H
#define PN_STORE_INTERNAL_H
#include <sqlite3.h>
#include "procnotify/store.h"

/* Row ids of recent processes (see slot_of() in write.c). */
#define PN_STORE_CACHE_BITS 16
struct pn__store_slot {
	uint32_t pid;
	uint32_t has_parent;        /* the row is known to have its parent */
	uint64_t start_ns;
	int64_t id;
};

struct pn_store {
	sqlite3 *db;
	enum pn_store_mode mode;
	pn_store_options opt;
	int64_t run;                /* run.id of this writer */
	sqlite3_stmt *ins_event, *ins_process, *up_process, *adopt_parent, *find_process;
	struct pn__store_slot *cache;
	int in_txn;                 /* a batch transaction is open */
	uint32_t pending;           /* events in it */
	uint64_t batch_start_ns;    /* monotonic time the open transaction began */
	uint64_t next_retention_ns; /* monotonic time of the next retention step */
	int failed;                 /* first write error, -errno */
	char errmsg[256];
};

/* The schema steps: [i] brings a file from version i to i + 1. */
extern const char *const pn__store_migrations[PN_STORE_SCHEMA_VERSION];
/* Records SQLite's message for what failed and maps rc to -errno. */
int pn__store_err(pn_store *s, int rc, const char *what);
/* Runs SQL that returns no rows. */
int pn__store_exec(pn_store *s, const char *sql);
/* Prepares a statement, recording a failure. */
int pn__store_prepare(pn_store *s, const char *sql, sqlite3_stmt **st);
/* One integer from sql, which may use ?1 (binding a parameter that a
 * statement lacks is a harmless SQLITE_RANGE); *found is 0 for no row or NULL. */
int pn__store_int(pn_store *s, const char *sql, int64_t bind1, int64_t *out, int *found);
/* Registers the SQL functions the queries use: pn_basename(), pn_args(). */
int pn__store_functions(sqlite3 *db);
/* Writer setup: statements, the run row, the gap left by a crashed run. */
int pn__store_writer_open(pn_store *s);
void pn__store_writer_close(pn_store *s);
/* One bounded step of retention, inside the open transaction. */
int pn__store_retention_step(pn_store *s);
int64_t pn__store_wall_ns(void);
uint64_t pn__store_mono_ns(void);
/* Binds an untrusted byte string as a BLOB, or NULL when it is not known. */
int pn__store_bind_str(sqlite3_stmt *st, int i, const pn_str *v, int known);
#endif
