/*
 * The activity log: every event kept in an SQLite database, so an
 * investigator can ask afterwards what a process started, who started it
 * and how it ended.
 *
 * One writer (the monitor) appends through pn_store_event(), which is a
 * pn_callback that hands the event to the store's own writer thread; events
 * are batched into transactions and committed every PN_STORE_BATCH_EVENTS
 * events or PN_STORE_BATCH_MS milliseconds (or sooner when a batch holds
 * 8 MiB of strings), so a crash loses at most the last batch and what was
 * queued. Any number of readers may query the same file while it is
 * written (WAL mode).
 *
 * Every function returns 0 or a negative errno; pn_store_errmsg() says what
 * went wrong in words (SQLite's message, or why a file was refused).
 *
 * Threads: a pn_store belongs to one thread at a time, like a pn_handle:
 * the functions taking one may be called from any thread, but calls on one
 * store must not overlap (pn_store_event() runs where pn_poll() delivers).
 * A store open for writing runs a writer thread of its own, which only
 * the store's functions talk to.
 * Different stores are independent, even on the same file. The parsers
 * pn_store_parse_time(), pn_store_parse_duration() and pn_store_parse_size()
 * use only their arguments and are safe from any thread.
 */
#ifndef PROCNOTIFY_STORE_H
#define PROCNOTIFY_STORE_H

#include <stdint.h>
#include "procnotify.h"
#include "procnotify/format.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pn_store pn_store;

/* The schema this library writes; a file with a higher version is refused. */
#define PN_STORE_SCHEMA_VERSION 16
#define PN_STORE_BATCH_EVENTS 8192
#define PN_STORE_BATCH_MS 200

enum pn_store_mode {
	PN_STORE_READ = 0,  /* read-only: the file is never modified */
	PN_STORE_WRITE = 1, /* create (mode 0600) or append, migrating old schemas */
	/* As PN_STORE_WRITE, but an older log is migrated by the writer thread
	 * when it starts (pn_store_start()), not by pn_store_open(), so a
	 * monitor need not wait for it (8.6 million events: some 20 s). Events
	 * wait in the queue meanwhile, and those that do not fit are a lost
	 * record, as when the log falls behind. See pn_store_upgrading(). */
	PN_STORE_WRITE_UPGRADE_LATER = 2,
};

typedef struct pn_store_options {
	int64_t max_age_ns;  /* write: drop history older than this; 0 keeps all */
	uint64_t max_size;   /* write: keep the database file under this; 0: no bound */
	size_t queue_bytes;  /* write: room for events on their way to the log;
			      * 0: 32 MiB (PN_STORE_QUEUE_BYTES); less than one
			      * lost record (about 1 KiB) is refused: -EINVAL */
} pn_store_options;

/* Opens path. In write mode it also starts a new run and, when the previous
 * run ended without closing (a crash), records a lost event at the gap
 * (PN_STORE_WRITE_UPGRADE_LATER and an older log: the writer thread does
 * both, after the migration).
 * On failure *out is NULL and err (if given) holds the reason. */
PN_EXPORT int pn_store_open(pn_store **out, const char *path, enum pn_store_mode mode,
		  const pn_store_options *opt, char *err, size_t errlen);

/* Commits what is pending, marks the run ended and closes. NULL is accepted. */
PN_EXPORT int pn_store_close(pn_store *s);

/* Starts the writer thread of a store open for writing, which then also
 * commits on time and runs retention when no event comes. A monitor that
 * drops its privileges calls it after the drop, which it can only make
 * while it runs one thread (capabilities are per thread); else the first
 * event starts it. 0 or -errno. */
PN_EXPORT int pn_store_start(pn_store *s);

/* Appends one event. A pn_callback (user is the pn_store) that never
 * waits for the log: it queues the event for the store's writer thread.
 * When the queue is full (a log another process keeps locked, a slow
 * disk) the event is counted, and once there is room the log records the
 * exact count as a lost record with reason PN_LOST_STORE. A failure is
 * kept and reported by pn_store_failed(). */
PN_EXPORT void pn_store_event(const pn_event *ev, void *user);

/* The lost record of the events the log missed since the last call (its
 * counts summed when there were several gaps), for the caller's own
 * streams: 1 and *ev filled, or 0 when the log missed nothing. */
PN_EXPORT int pn_store_take_lost(pn_store *s, pn_event *ev);

/* Waits until every event appended before the call is committed (and a
 * gap the queue left is recorded). The writer thread commits on its own
 * every PN_STORE_BATCH_MS; this is for a caller that must know. */
PN_EXPORT int pn_store_commit(pn_store *s);

/* As pn_store_commit(), and runs a step of retention now: for tools and
 * tests; the writer thread runs retention on its own. */
PN_EXPORT int pn_store_tick(pn_store *s);

/* -1: the writer thread keeps its own time, so an event loop never has
 * to wake for the store. Kept for callers of 1.0, which slept by it. */
PN_EXPORT int pn_store_due_ms(const pn_store *s);

/* The schema version the log had while its migration is still to come or
 * under way on the writer thread (PN_STORE_WRITE_UPGRADE_LATER), 0 once
 * it is done (or failed: see pn_store_failed()) or when none was due.
 * Safe from any thread. */
PN_EXPORT int pn_store_upgrading(const pn_store *s);

/* The first write error (-errno), 0 when none. */
PN_EXPORT int pn_store_failed(const pn_store *s);

PN_EXPORT const char *pn_store_errmsg(const pn_store *s);

/* Filters of pn_store_query(); a field left at its zero value does not filter. */
typedef struct pn_store_filter {
	int have_pid, have_ppid, have_uid, have_exit_code;
	uint32_t pid, ppid, uid;
	int exit_code;
	int signaled;          /* only exits caused by a signal */
	const char *name;      /* GLOB over comm or the image's basename */
	const char *image;     /* GLOB over the image path */
	const char *argv;      /* substring of the arguments joined by spaces */
	uint32_t types;        /* PN_MASK bits; 0: all */
	int64_t since_ns, until_ns; /* wall clock; 0: open */
} pn_store_filter;

/* A visitor of stored events: returns 0 to go on, or a negative errno to
 * stop (a reader whose output went away stops at once). */
typedef int (*pn_store_event_fn)(const pn_event *ev, void *user);

/* Calls fn for each stored event that matches, oldest first, with the
 * event rebuilt as it was delivered. Lost events (gaps) match every filter
 * but the time range and the type list, so a gap is never hidden. Returns
 * the number of events, -errno, or what fn returned to stop. */
PN_EXPORT int pn_store_query(pn_store *s, const pn_store_filter *f, pn_store_event_fn fn, void *user);

/* The process fields pn_store_where can test, each value one term. */
enum pn_store_where_field {
	PN_WHERE_PID,          /* n: the process's pid */
	PN_WHERE_PPID,         /* n: the parent pid of the event */
	PN_WHERE_UID,          /* n: the real user id */
	PN_WHERE_NAME,         /* s: GLOB over comm or the image's basename */
	PN_WHERE_IMAGE,        /* s: GLOB over the image path */
	PN_WHERE_ARGV,         /* s: substring of the arguments joined by spaces */
	PN_WHERE_EXIT_CODE,    /* n: an exit with this status, as the int
				* exit_code holds it (Windows' 0xC0000005:
				* -1073741819, (int32_t)3221225477) */
	PN_WHERE_CONTAINER,    /* s: the container's id, or the start of a
				* 64-digit one (docker ps shows 12), or name */
	PN_STORE_WHERE_FIELDS
};

typedef struct pn_store_term {
	int field;             /* enum pn_store_where_field */
	const char *s;         /* the string fields' value */
	int64_t n;             /* the number fields' value */
} pn_store_term;

/* A filter with any number of values per field: the terms of one field
 * are ORed (--name ls --name sleep: either name), different fields are
 * ANDed (--name ls --uid 0: an ls run by root), as pn_store_filter's
 * fields are. The order of terms does not matter. */
typedef struct pn_store_where {
	const pn_store_term *terms;
	size_t nterms;
	int signaled;          /* only exits caused by a signal */
	uint32_t types;        /* PN_MASK bits; 0: all */
	int64_t since_ns, until_ns; /* wall clock; 0: open */
	/* Rows of the log past after_id, up to upto_id (0: open): what a
	 * follower has not seen yet (pn_store_last_id()). */
	int64_t after_id, upto_id;
} pn_store_where;

/* The id of the newest event row of the log (0: none), which rows
 * written later exceed: a follower reads up to it, then after it. */
PN_EXPORT int pn_store_last_id(pn_store *s, int64_t *id);

/* pn_store_query() with a pn_store_where; -EINVAL for a term of an
 * unknown field or a string field without its string. */
PN_EXPORT int pn_store_query_where(pn_store *s, const pn_store_where *w, pn_store_event_fn fn,
				   void *user);

/* The number of events pn_store_query_where() would visit, counted by
 * SQLite without rebuilding them. Returns 0 or -errno. Internal (pn__: the
 * CLI's --count; not exported by the shared library). */
int pn__store_count(pn_store *s, const pn_store_where *w, uint64_t *n);

/* How long the writer stood still, for the benchmarks (issue 16's target
 * is 50 ms): its batch commits and retention steps (each step with its
 * commits), the longest of each and how many took over 50 ms; and the
 * merge commands of the trigram index that commits and steps ran, and the
 * longest. Read after pn_store_commit(), which waits for the writer.
 * Internal, as pn__store_count. */
typedef struct pn__store_stalls {
	uint64_t commits, commits_over, longest_commit_ns;
	uint64_t steps, steps_over, longest_step_ns;
	uint64_t merges, longest_merge_ns;
} pn__store_stalls;

void pn__store_stalls_get(const pn_store *s, pn__store_stalls *out);

/* query --where's parent.image and ancestor.image (procnotify/rules.h):
 * inside a visitor of pn_store_query_where(), pn__store_ancestry_begin()
 * for the event visited, then pn__store_ancestor() as the rules input's
 * ancestor with user the store. They answer what the monitor's process
 * table knew when the event was delivered. Internal, as pn__store_count. */
void pn__store_ancestry_begin(pn_store *s, const pn_event *ev);
int pn__store_ancestor(void *user, unsigned depth, pn_str *image);

/* Scopes the reads that follow (query, count, tree) to the events and
 * processes of one host, by the name its events carry; NULL: every host.
 * A name the log does not know matches nothing. Returns 0 or -errno.
 * Internal (the CLI's --host): pn_store_filter has no size member, so it
 * cannot grow a field without breaking callers built against 1.0. */
int pn__store_scope_host(pn_store *s, const char *name);

/*
 * `procnotify import` (internal, the CLI's): one line of procnotify's JSON
 * (pn_fmt_json) read back into *ev, its strings decoded into scratch,
 * which must hold n bytes; 0, or -EINVAL with *why saying what is wrong.
 * Then pn__store_import() adds it to a log open for writing, on the
 * caller's thread (pn_store_event() is never called on that store):
 * 1 when added, 0 when the log has it already (the same host, time, seq,
 * type and pid), or -errno.
 */
int pn__json_read_event(const char *line, size_t n, char *scratch, pn_event *ev,
			const char **why);
int pn__store_import(pn_store *s, const pn_event *ev);

/* A visitor of a process tree, in the order it is printed: enter() for
 * each process (depth 0 is the farthest known ancestor; selected marks
 * the process asked for), leave() once all of its descendants have been
 * entered. The node's strings are valid during the call only. Either
 * returns 0 to go on, or a negative errno to stop. */
typedef struct pn_store_tree_visitor {
	int (*enter)(const pn_proc_node *n, unsigned depth, int selected, void *user);
	int (*leave)(unsigned depth, void *user);
} pn_store_tree_visitor;

/* Walks the tree around one process: its known ancestors and all of its
 * descendants, each child under its parent in the order they started.
 * spec is a process key ("L:...") or a pid; for a pid the most recent
 * process with it is chosen and *note receives a sentence saying so
 * (note may be NULL). The walk is iterative and reads each process's row
 * when it is visited: memory holds a few dozen bytes per process of the
 * subtree, whatever its depth. Returns 0, -ENOENT when nothing matches,
 * -EINVAL for a malformed spec, what a visitor returned to stop, or -errno. */
PN_EXPORT int pn_store_tree(pn_store *s, const char *spec, const pn_store_tree_visitor *v, void *user,
		  pn_buf *note);
/* pn_store_tree() with a visitor that writes each process into t as it is
 * visited (pn_fmt_tree_enter() and pn_fmt_tree_leave()). */
PN_EXPORT int pn_store_tree_fmt(pn_store *s, const char *spec, pn_fmt_tree *t, pn_buf *note);

/* Times for --since/--until: RFC 3339 ("2026-01-02T03:04:05Z",
 * "2026-01-02T03:04:05.5+02:00", or a date "2026-01-02") or a duration
 * before now_ns ("10m"). */
PN_EXPORT int pn_store_parse_time(const char *s, int64_t now_ns, int64_t *out_ns);
/* What a person types for --since/--until: all pn_store_parse_time()
 * takes, and "now", "today" and "yesterday" (the start of the day),
 * "@EPOCH" (seconds since 1970, a fraction allowed), and a date and time
 * without an offset, "YYYY-MM-DD[ HH:MM[:SS[.frac]]]" ('T' or a space
 * between), read in the local zone (TZ) when local, else in UTC. A time
 * with an offset (RFC 3339) means what it says either way. Days and
 * local times follow the zone's daylight saving time (mktime()). Uses
 * the C library's time zone state: call it from one thread at a time. */
PN_EXPORT int pn_store_parse_when(const char *s, int64_t now_ns, int local, int64_t *out_ns);
/* Durations: a number and a unit, s, m, h, d or w ("90s", "7d"). */
PN_EXPORT int pn_store_parse_duration(const char *s, int64_t *out_ns);
/* Sizes: a number with an optional K, M, G suffix (powers of 1024). */
PN_EXPORT int pn_store_parse_size(const char *s, uint64_t *out);

#ifdef __cplusplus
}
#endif
#endif
