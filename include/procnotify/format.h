/*
 * Formatters shared by every front end: the Linux CLI, `procnotify query`,
 * and the Windows client compile these same sources.
 *
 * All bytes that came from a process (comm, paths, argv, cwd) go through
 * one of the two escapers:
 *  - table: C-style. Control bytes (\n, \t, \x1b, ...), backslash, the
 *    column separator '|', bytes that are not valid UTF-8 (\xHH), and code
 *    points that hide text or pass for a space (C1 controls, format
 *    characters such as bidi overrides and tags, separators other than
 *    U+0020: \uXXXX, or \UXXXXXXXX past U+FFFF) are escaped, so no name can
 *    forge a row, a column, a terminal escape or an argument boundary.
 *    \xHH always has exactly two hex digits.
 *  - JSON: always valid UTF-8 JSON. Valid UTF-8 comes out byte for byte
 *    but for the C0 and C1 controls and DEL (\u00XX);
 *    each byte 0xHH that is not part of valid UTF-8 becomes the escape
 *    \udcHH (a lone low surrogate, as in PEP 383 "surrogateescape"), which
 *    valid UTF-8 can never produce, so the original bytes can be restored
 *    exactly: in Python, s.encode("utf-8", "surrogateescape").
 *
 * Threads: every function here touches only the pn_buf it is given and
 * constant tables, so all are safe from any thread at once, as long as one
 * pn_buf is not used by two threads at the same time. pn_signal_name()
 * returns a static string.
 */
#ifndef PROCNOTIFY_FORMAT_H
#define PROCNOTIFY_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include "procnotify.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A growable output buffer; on allocation failure it sets oom and stops growing. */
typedef struct pn_buf {
	char *data;
	size_t len, cap;
	int oom;
} pn_buf;

PN_EXPORT void pn_buf_free(pn_buf *b);
PN_EXPORT void pn_buf_reset(pn_buf *b);
PN_EXPORT void pn_buf_put(pn_buf *b, const void *p, size_t n);
PN_EXPORT void pn_buf_puts(pn_buf *b, const char *s);
PN_EXPORT void pn_buf_putc(pn_buf *b, char c);
/* Numbers without printf: the JSON of a storm is mostly numbers. */
PN_EXPORT void pn_buf_put_u64(pn_buf *b, uint64_t v);
/* v in decimal, zero-padded to at least width digits. */
PN_EXPORT void pn_buf_put_udec(pn_buf *b, uint64_t v, int width);
PN_EXPORT void pn_buf_printf(pn_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/* Escape flags for pn_esc_table. */
#define PN_ESC_QUOTE 0x1 /* wrap in "..." (escaping ") when empty or holding a space or quote */

PN_EXPORT void pn_esc_table(pn_buf *b, const char *s, size_t n, unsigned flags);
/* Writes s as a JSON string, quotes included. */
PN_EXPORT void pn_esc_json(pn_buf *b, const char *s, size_t n);

/* "L:<boot hex>:<start ns>:<pid>": one textual form for all hosts and OSes. */
PN_EXPORT void pn_fmt_key(pn_buf *b, const pn_key *k);
/* RFC 3339 UTC with nanoseconds. */
PN_EXPORT void pn_fmt_time_rfc3339(pn_buf *b, int64_t unix_ns);
/* Counts by event type, count[t] for t < n, as "fork 1, exec 2, exit 3":
 * fork, exec and exit always, any other type when its count is not 0. */
PN_EXPORT void pn_fmt_type_counts(pn_buf *b, const uint64_t *count, size_t n);
/* "SIGKILL", or NULL for a number without a name. */
PN_EXPORT const char *pn_signal_name(int sig);

/* The live table, in the seed's style. */
PN_EXPORT void pn_fmt_table_header(pn_buf *b);
PN_EXPORT void pn_fmt_table_row(pn_buf *b, const pn_event *ev);
/* The table of `procnotify query`, where days differ: the time column
 * has the date ("2026-12-02 04:25:49.059") in the zone the caller names
 * (zone goes in the header, "UTC", "local"), and a USER:GROUP column
 * follows the name, the names when known, else the ids. */
typedef struct pn_fmt_table_extra {
	int64_t offset_ns;      /* this event's zone offset from UTC (east positive) */
	const char *user;       /* the uid's name, NULL: none (the id is shown) */
	const char *group;      /* the gid's name, NULL: none */
} pn_fmt_table_extra;
PN_EXPORT void pn_fmt_table_header_dated(pn_buf *b, const char *zone);
PN_EXPORT void pn_fmt_table_row_dated(pn_buf *b, const pn_event *ev, const pn_fmt_table_extra *x);
/* One JSON object and a newline. */
PN_EXPORT void pn_fmt_json(pn_buf *b, const pn_event *ev);
/* pn_fmt_json() with "user" and "group" after the process's fields: the
 * names of uid and gid, null when the event carries no ids or an id has
 * no name (user or group NULL). */
PN_EXPORT void pn_fmt_json_named(pn_buf *b, const pn_event *ev, const char *user, const char *group);

/* Elastic Common Schema (ECS 8.11): one JSON object and a newline, nested
 * (process.parent.pid is {"process":{"parent":{"pid":N}}}); the mapping
 * of every field is a table in README ("ECS output"). What the event does
 * not carry and the caller knows goes in x (NULL: none of it). */
typedef struct pn_fmt_ecs_extra {
	const char *host_id;    /* host.id, e.g. /etc/machine-id; NULL: left out */
	const char *user;       /* user.name, of the real uid; NULL: left out */
	const char *group;      /* group.name of the real gid; NULL: left out */
} pn_fmt_ecs_extra;
PN_EXPORT void pn_fmt_ecs(pn_buf *b, const pn_event *ev, const pn_fmt_ecs_extra *x);

/* One process of a tree (`procnotify tree`): what is known of its life. */
typedef struct pn_proc_node {
	pn_key key, parent_key;
	uint32_t have;          /* PN_HAVE_PARENT, _UID, _COMM, _IMAGE, _ARGV, _CWD */
	uint32_t pid, ppid, uid;
	pn_str comm, image, argv, cwd;
	int64_t start_ns;       /* wall clock of the first event seen of it */
	int64_t end_ns;         /* wall clock of its exit; 0 when none was recorded */
	int exit_code, signal, core_dumped;
	/* Added in 1.1, last: it was alive at a snapshot (the monitor's start,
	 * or a resync), so its start may predate the log, and start_ns is when
	 * it was observed. */
	int observed_at_start;
} pn_proc_node;

/* A tree being written, one process at a time as a walk visits it
 * (pn_store_tree()): an indented line per process, or one nested JSON
 * object with "children" arrays and a newline at its end. */
typedef struct pn_fmt_tree {
	pn_buf *out;
	int json;
	int sibling;            /* JSON: the next object follows a sibling's */
} pn_fmt_tree;

/* A process at depth (0 for the top) below the last one entered, or
 * after the last one left; selected marks the process the tree was asked
 * for. Text: pid, image, arguments, exit status, key, indented two spaces
 * a level up to 32 levels; a deeper line starts "[depth N] ". */
PN_EXPORT void pn_fmt_tree_enter(pn_fmt_tree *t, const pn_proc_node *p, unsigned depth, int selected);
/* The end of the process at depth and of its descendants. */
PN_EXPORT void pn_fmt_tree_leave(pn_fmt_tree *t, unsigned depth);

#ifdef __cplusplus
}
#endif
#endif
