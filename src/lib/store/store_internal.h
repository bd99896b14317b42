/*
 * The activity log's handle and the writer's internals; not public API.
 *
 * The store is built in layers, each using only those below it:
 *   db.c        SQLite helpers (depends on nothing else)
 *   columns.c   the event table's column list
 *   intern.c    the strings table's ids
 *   schema.c    migrations, the checks of a file, the writer's settings
 *   ckpt.c      the checkpointer's thread and connection
 *   write.c, rows.c, pending.c, retention.c   the writer
 *   query.c, tree.c, report.c (tally.c)   the readers, which hand events,
 *               processes and reports to a visitor and never format
 *               (src/lib/fmt/ does)
 *   store.c     pn_store_open/close: the file, then the layers above
 */
#ifndef PN_STORE_INTERNAL_H
#define PN_STORE_INTERNAL_H
#include <pthread.h>
#include "ckpt.h"
#include "columns.h"
#include "db.h"
#include "procnotify/decode.h"
#include "intern.h"
#include "lookup.h"
#include "procnotify/store.h"
#include "queue.h"

/* Row ids of recent processes (see slot_of() in write.c). */
#define PN_STORE_CACHE_BITS 16
struct pn__store_slot {
	uint32_t pid;
	uint32_t has_parent;        /* the row is known to have its parent */
	uint64_t start_ns;
	int64_t host;               /* host.id, 0: unknown (hosts.c) */
	int64_t id;
};

/* Rows per multi-row insert: a statement's fixed cost (start, halt,
 * reset) is paid once per PN_STORE_ROWS rows instead of once per row. */
#define PN_STORE_ROWS 64
/* A batch that holds this many bytes of strings commits early, so a storm
 * of long command lines cannot grow the writer without bound. */
#define PN_STORE_BATCH_BYTES (8u << 20)

/* The strings a batch copied (pending.c). */
struct pn__arena {
	struct pn__arena_blk *head, *cur;
	size_t bytes;               /* handed out since the batch began */
};

/* Bits of pn__store_proc.known beside PN_HAVE_PARENT, _UID, _COMM,
 * _IMAGE, _ARGV and _CWD. */
#define PN__P_EXEC 0x10000
#define PN__P_EXIT 0x20000
#define PN__P_SNAP_ARGV 0x40000     /* argv, argc from a snapshot, no exec */

/* What a batch's events tell about one process: its row at commit. */
struct pn__store_proc {
	pn_key key;
	int64_t host;               /* host.id: a key is unique on its host only */
	int64_t id;                 /* its row id, or the id its new row will get */
	int existing;               /* the id came from the cache of known rows */
	int row_parent;             /* that row is known to have its parent */
	uint32_t known;
	uint32_t ppid, uid, gid, euid, argc;
	uint64_t parent_start;
	pn_str comm, image, argv, cwd;
	int64_t first_ns, exec_ns, end_ns;
	int64_t last_ns;            /* the latest of its events in the batch */
	int exit_code, signal, core_dumped;
};

/* The open transaction's work that is still in memory. */
struct pn__store_batch {
	struct pn__arena arena;
	pn_event ev[PN_STORE_ROWS]; /* events waiting for a multi-row insert */
	int64_t process[PN_STORE_ROWS];
	uint32_t proc[PN_STORE_ROWS]; /* their process records' indexes */
	int64_t host[PN_STORE_ROWS]; /* their host ids */
	int nev;
	struct pn__store_proc *procs; /* in the order first seen */
	uint32_t nprocs;
	uint32_t *map;              /* open addressing over procs: index + 1, 0 free */
	int64_t next_id;            /* the id of the next new process row */
};

/* query --where's walk up an event's ancestors (ancestry.c). */
struct pn__store_walk {
	sqlite3_stmt *st[4];        /* prepared on first use */
	const pn_event *ev;         /* the event visited */
	unsigned depth;             /* of proc */
	int64_t proc;               /* its process row, 0: none */
	int alive;                  /* the walk reached depth and may go on */
	uint32_t pid, ppid, os;
	uint64_t start, pstart, boot;
	int has_parent;
};

/* The kinds of rows a retention step sizes on its own (retention.c). */
enum pn__retention_kind { PN__RETENTION_ROWS, PN__RETENTION_STRS, PN__RETENTION_KINDS };

struct pn_store {
	struct pn__db db;           /* the connection and the last error's words */
	struct pn__ckpt ckpt;       /* write: copies the WAL into the file */
	enum pn_store_mode mode;
	int lock_fd;                /* write: holds the one writer's flock() */
	pn_store_options opt;
	int64_t run;                /* run.id of this writer */
	/* [0] one row, [1] PN_STORE_ROWS rows */
	sqlite3_stmt *ins_event[2], *ins_process[2];
	sqlite3_stmt *up_process, *adopt_parent, *find_process, *repoint;
	struct pn__store_batch batch;
	struct pn__intern strings;  /* ids of the strings table */
	struct pn__lookup lookup;   /* proc_str and name rows of the batch */
	int retention_rows[PN__RETENTION_KINDS]; /* rows a retention step removes at most */
	pn__store_stalls stalls;    /* how long the writer stood still */
	int64_t str_cursor;         /* retention's sweep of str: the last id seen */
	int64_t pair_cursor[2];     /* and of proc_str: the last (str, process) */
	sqlite3_stmt *touch_process; /* a process row's strings are in use */
	struct pn__store_slot *cache;
	struct pn__host_slot *host_cache; /* hosts.c */
	sqlite3_stmt *host_find, *host_add;
	sqlite3_stmt *import_seen;  /* import.c, prepared by the first import */
	int scoped;                 /* readers: only the rows of scope_host */
	int64_t scope_host;         /* its id; -1 for a name the log lacks */
	int upgrading;              /* the schema version to migrate from on the
				     * writer thread, 0 once done (atomic) */
	int in_txn;                 /* a batch transaction is open */
	uint32_t pending;           /* events in it */
	uint64_t batch_start_ns;    /* monotonic time the open transaction began */
	uint64_t next_retention_ns; /* monotonic time of the next retention step */
	int failed;                 /* first write error, -errno (atomic) */
	int impatient;              /* callers that wait (and a close): the writer
				     * waits one busy timeout for a locked log, not
				     * as long as it is held (atomic) */

	int64_t visiting;           /* query: the row id of the event being visited */
	struct pn__store_walk anc;  /* query --where's ancestors (ancestry.c) */

	/* The writer thread and its queue (thread.c); the fields below are
	 * under mu, those above are the writer thread's once it runs. */
	pthread_t thread;
	int thread_started;
	pthread_mutex_t mu;
	pthread_cond_t wake;        /* the writer: events, a request or stop */
	pthread_cond_t done;        /* a request is done */
	struct pn__queue q;
	int sleeping;               /* the writer waits for wake */
	int stop;
	uint64_t asked, answered;   /* requests (pn_store_commit/tick) */
	int tick_asked;             /* a request also runs the timers now */
};

/* The first failure sticks; read by any thread. */
static inline void pn__store_fail(pn_store *s, int rc)
{
	int none = 0;

	__atomic_compare_exchange_n(&s->failed, &none, rc, 0, __ATOMIC_RELEASE, __ATOMIC_RELAXED);
}

static inline int pn__store_impatient(pn_store *s)
{
	return __atomic_load_n(&s->impatient, __ATOMIC_ACQUIRE) != 0;
}

/* write.c, on the writer thread: one event into the open batch; the
 * batch's commit; a due commit and retention step (all of it now when
 * now_all); when that is next due (UINT64_MAX: never). */
int pn__store_add(pn_store *s, const pn_event *ev);
int pn__store_commit_batch(pn_store *s);
int pn__store_timers(pn_store *s, int now_all);
uint64_t pn__store_next_due_ns(const pn_store *s);

/* thread.c: the queue, made once the file is open; the writer thread,
 * started by the first event and stopped (its queue written) before the
 * writer closes. */
int pn__store_thread_init(pn_store *s);
void pn__store_thread_stop(pn_store *s);

/* Writer setup: statements, the run row, the gap left by a crashed run. */
int pn__store_writer_open(pn_store *s);
void pn__store_writer_close(pn_store *s);
/* One bounded step of retention, inside the open transaction. */
int pn__store_retention_step(pn_store *s);

/* rows.c: the insert statements, and binding a row from parameter base + 1. */
int pn__store_rows_open(pn_store *s);
void pn__store_rows_close(pn_store *s);
void pn__store_ancestry_close(pn_store *s);
void pn__store_bind_key(sqlite3_stmt *st, int base, const pn_key *k);
int pn__store_bind_process(pn_store *s, sqlite3_stmt *st, int base,
			   const struct pn__store_proc *p);
int pn__store_insert_processes(pn_store *s, struct pn__store_proc *const *p, int n);
int pn__store_insert_events(pn_store *s, const pn_event *ev, const int64_t *process,
			    const int64_t *host, int64_t (*ids)[PN__LK_KINDS], int n);

/* hosts.c: the id of an event's host (0: unknown), added when new, on the
 * writer's connection inside the open batch; its statements and cache. */
int pn__store_hosts_open(pn_store *s);
void pn__store_hosts_close(pn_store *s);
int pn__store_host_id(pn_store *s, const pn_event *ev, int64_t *id);

/* name_glob.c: --name's test, the SQL function pn_name_glob(), added to
 * every connection store.c opens. */
int pn__store_name_glob_add(struct pn__db *d);

/* time.c: an RFC 3339 time (a date alone is midnight UTC). tree.c: a
 * process key as pn_fmt_key() prints it. 0 or -EINVAL (-ERANGE). */
int pn__store_parse_rfc3339(const char *s, int64_t *out_ns);
int pn__store_parse_key(const char *spec, pn_key *k);

/* pending.c: the batch in memory. */
int pn__batch_init(struct pn__store_batch *b);
void pn__batch_reset(struct pn__store_batch *b);
void pn__batch_free(struct pn__store_batch *b);
int pn__batch_queue_event(struct pn__store_batch *b, const pn_event *ev, const pn_event **copy);
struct pn__store_proc *pn__batch_proc(struct pn__store_batch *b, const pn_key *k, int64_t host,
				      int *fresh);
void pn__batch_merge(struct pn__store_proc *p, const pn_event *ev);
#endif
