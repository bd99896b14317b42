/*
 * libprocnotify: process lifecycle notifications.
 *
 * The API mirrors the Windows process notify routine the project grew from:
 * PsSetCreateProcessNotifyRoutine(callback, FALSE) is pn_register(),
 * PsSetCreateProcessNotifyRoutine(callback, TRUE) is pn_unregister().
 * A consumer opens a handle, registers one or more callbacks with the event
 * types each wants, and drives delivery with pn_poll() (or watches pn_fd()
 * in its own epoll loop and calls pn_poll(h, 0) when it is readable).
 *
 * Every function returns 0 (or a count) on success and a negative errno on
 * failure; pn_strerror() describes it. Strings in events point into memory
 * owned by the library and are valid only during the callback; they are
 * bytes taken from other processes (untrusted, not NUL-terminated, not
 * necessarily UTF-8): print them with the pn_fmt_* functions.
 *
 * Threads: a handle belongs to one thread at a time. pn_open() and every
 * function taking a pn_handle (pn_register, pn_unregister, pn_fd, pn_poll,
 * pn_flush, pn_get_stats, pn_backend_name, pn_close) may be called from any
 * thread, but calls on one handle must not overlap: serialise them with a
 * lock of your own, or drive each handle from one thread. Callbacks run on
 * the thread that called pn_poll() or pn_flush(), never concurrently for one
 * handle, and may call pn_register(), pn_unregister() and pn_get_stats() on
 * it (pn_poll and pn_flush return -EBUSY there). Different handles are
 * independent. pn_strerror(), pn_event_type_name() and pn_version() return
 * static strings and are safe from any thread at any time.
 *
 * Extensible structs: pn_options and pn_stats begin with a size member. Set
 * it to sizeof the struct as you compiled it (PN_OPTIONS_INIT and
 * PN_STATS_INIT do); 0 means the 1.0 layout, so a zeroed struct works too.
 * Later minor versions only append members: the library reads and writes
 * no byte past the size you give, and gives the new members their default
 * when your size ends before them. A size larger than the library knows is
 * accepted when the unknown bytes are zero (-E2BIG otherwise), so a program
 * built against a newer header still runs on this library if it leaves the
 * newer members at their defaults.
 */
#ifndef PROCNOTIFY_H
#define PROCNOTIFY_H

#include <stddef.h>
#include <stdint.h>
#include "procnotify/version.h"
#include "procnotify/events.h"
#include "procnotify/export.h"
#include "procnotify/fields.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pn_handle pn_handle;

/* Generated from PN_EVENT_TYPE_MAP (procnotify/events.h). Reported by the
 * netlink backend only: COMM (comm is the new name), SETUID and SETGID
 * (new_id, new_eid: the new real and effective id), SETSID (the process
 * leads a new session: sid == pid), PTRACE (tracer_pid attached, or 0: the
 * tracer detached), COREDUMP (the process began dumping core; its exit
 * follows). CREATE is Windows': a new process with its image. */
enum pn_event_type {
#define PN__EVENT_ENUM(N, n, v, ...) PN_EVENT_##N = v,
	PN_EVENT_TYPE_MAP(PN__EVENT_ENUM)
#undef PN__EVENT_ENUM
	PN_EVENT_TYPE_MAX = PN_TYPE_LIMIT,
};

#define PN_MASK(t) (1u << (t))
#define PN__MASK_OR(N, ...) | PN_MASK(PN_EVENT_##N)
/* Every type, SNAPSHOT included. */
#define PN__MASK_TYPES (0u PN_EVENT_TYPE_MAP(PN__MASK_OR))
/* Every type of the stream. SNAPSHOT events are not part of it: a consumer
 * gets them only when its mask names PN_MASK(PN_EVENT_SNAPSHOT) (see
 * pn_register()), so a consumer of 1.0 registered with PN_MASK_ALL sees
 * the stream it always saw. */
#define PN_MASK_ALL (PN__MASK_TYPES & ~PN_MASK(PN_EVENT_SNAPSHOT))

/* Identity of a process that stays unique across PID reuse and hosts. */
typedef struct pn_key {
	uint64_t boot;     /* hash of the boot id of the host the process ran on */
	uint64_t start_ns; /* process start time, in the producer's clock */
	uint32_t pid;
	uint32_t os;       /* 'L' Linux, 'W' Windows */
} pn_key;

/* A device number, as stat(2)'s major() and minor() split it. */
typedef struct pn_dev {
	uint32_t major;
	uint32_t minor;
} pn_dev;

/* A byte string from another process: untrusted, not NUL-terminated. */
typedef struct pn_str {
	const char *ptr;
	size_t len;
} pn_str;

/* Bits of pn_event.have: which optional fields the backend could fill
 * (PN_PRESENCE_MAP). The same values as the wire's PN_KNOWN_*. */
enum pn_have_bits {
	PN_HAVE_ALWAYS = 0, /* the have column of a field every event of its types carries */
#define PN__HAVE_ENUM(N, bit, ...) PN_HAVE_##N = bit,
	PN_PRESENCE_MAP(PN__HAVE_ENUM)
#undef PN__HAVE_ENUM
};

/* Bits of pn_event.flags (PN_FLAG_MAP). The same values as the wire's PN_EXEC_*. */
enum pn_event_flags {
#define PN__EV_ENUM(N, bit, ...) PN_EV_##N = bit,
	PN_FLAG_MAP(PN__EV_ENUM)
#undef PN__EV_ENUM
};

/* Who lost the records a lost event counts (pn_event.lost_reason). */
enum pn_lost_reason {
	PN_LOST_PRODUCER = 0, /* the kernel's ring or socket, or the driver: the stream has a gap */
	PN_LOST_STORE = 1,    /* the activity log fell behind: the stream has them, the log not */
	PN_LOST_OUTPUT = 2,   /* an output (syslog, ...) fell behind: the other outputs have them */
};

/* The longest host name pn_options.host may give (a DNS name is 253). */
#define PN_HOST_MAX 255

/* The terminal name's room in pn_event.tty, NUL included. */
#define PN_EVENT_TTY_LEN 32

/* How each kind of field of PN_FIELD_MAP is held in pn_event. */
#define PN__DECL_u32(name) uint32_t name;
#define PN__DECL_u64(name) uint64_t name;
#define PN__DECL_i32(name) int name;
#define PN__DECL_i64(name) int64_t name;
#define PN__DECL_str(name) pn_str name;
#define PN__DECL_argv(name) pn_str name; /* each argument followed by one NUL */
#define PN__DECL_key(name) pn_key name;
#define PN__DECL_tty(name) char name[PN_EVENT_TTY_LEN];
#define PN__DECL_dev(name) pn_dev name;
#define PN__DECL_flag(name)
#define PN__DECL_FIELD(name, kind, ...) PN__DECL_##kind(name)

/* An event. Its fields, what each means and when it is known, are the
 * rows of PN_FIELD_MAP in procnotify/fields.h, declared here in its order. */
typedef struct pn_event {
	uint64_t seq;          /* increasing from 1 per handle; gaps never happen;
				* 0 for a snapshot event, which is not in the stream */
	enum pn_event_type type;
	uint32_t have;         /* PN_HAVE_* */
	uint32_t flags;        /* PN_EV_* */
	int64_t time_ns;       /* wall clock, ns since the Unix epoch */
	PN_FIELD_MAP_1_0(PN__DECL_FIELD)
	uint64_t lost_by_type[PN_LOST_SLOTS]; /* lost: indexed by enum pn_event_type */
	PN_FIELDS_PATH(PN__DECL_FIELD) /* since 1.1 */
	PN_FIELDS_LOST_REASON(PN__DECL_FIELD) /* since 1.1 */
	PN_FIELDS_CREATOR(PN__DECL_FIELD) /* since 1.1 */
	PN_FIELDS_RULES(PN__DECL_FIELD) /* since 1.1: tags of live rules */
	PN_FIELDS_HOST(PN__DECL_FIELD) /* since 1.1 */
	PN_FIELDS_DENY(PN__DECL_FIELD) /* since 1.1 */
	PN_FIELDS_CGROUP(PN__DECL_FIELD) /* since 1.1 */
} pn_event;

typedef void (*pn_callback)(const pn_event *ev, void *user);

enum pn_backend_kind {
	PN_BACKEND_AUTO = 0,
	PN_BACKEND_BPF = 1,
	PN_BACKEND_NETLINK = 2,
};

typedef struct pn_options {
	uint32_t size;           /* sizeof(pn_options) as compiled, or 0 (see above) */
	enum pn_backend_kind backend;
	uint32_t ring_bytes;     /* BPF ring size; 0 for the default (16 MiB) */
	uint32_t flush_ms;       /* longest time an event waits for delivery; 0: 50 */
	uint32_t table_max;      /* process table bound; 0: 1,048,576 */
	uint32_t netlink_rcvbuf; /* netlink socket receive buffer; 0 for the default (16 MiB) */
	char errmsg[256];        /* out: why pn_open() failed, in words */
	/* Since 1.1: */
	const char *host;        /* the name events carry as host (at most
				  * PN_HOST_MAX bytes); NULL: the kernel's node
				  * name, as uname -n prints it */
	/* New members go here, after every existing one. */
} pn_options;

#define PN_OPTIONS_INIT { .size = sizeof(pn_options) }

typedef struct pn_stats {
	uint32_t size;           /* sizeof(pn_stats) as compiled, or 0 (see above) */
	uint64_t delivered[PN_STATS_TYPE_SLOTS]; /* by enum pn_event_type, the types of 1.0 */
	uint64_t lost;           /* records the producer dropped, total */
	uint64_t lost_by_type[PN_LOST_SLOTS]; /* by enum pn_event_type */
	uint64_t resyncs;        /* process table rebuilds after a loss */
	uint64_t table_size;
	uint64_t table_evicted;
	/* Since 1.1: */
	uint64_t lost_unknown;   /* losses of unknown count (netlink), each of one record or more */
	uint64_t dropped;        /* events live rules kept from every callback (pn_set_rules) */
	uint64_t delivered_deny; /* PN_EVENT_DENY events delivered */
	/* New members go here, after every existing one. */
} pn_stats;

#define PN_STATS_INIT { .size = sizeof(pn_stats) }

/* Starts monitoring. opt may be NULL. *out is set only on success. */
PN_EXPORT int pn_open(pn_handle **out, pn_options *opt);

/* Registers cb for the event types in mask (PN_MASK(...) bits). The same
 * (cb, user) pair may be registered once; -EEXIST otherwise.
 * PN_MASK(PN_EVENT_SNAPSHOT) asks for the processes alive when monitoring
 * began, one snapshot event each (pid, parent, ids, comm, image, and argv
 * read from /proc: best_effort), delivered by the next pn_poll() or
 * pn_flush() before any later event, and for those alive at each resync
 * after a loss. A snapshot event has seq 0: it tells a state, it is no
 * record of the stream, so the stream's seq has no gap for it. */
PN_EXPORT int pn_register(pn_handle *h, uint32_t mask, pn_callback cb, void *user);

/* Removes a registration; safe from inside any callback. -ENOENT if absent. */
PN_EXPORT int pn_unregister(pn_handle *h, pn_callback cb, void *user);

/* A file descriptor that becomes readable when pn_poll() has work. */
PN_EXPORT int pn_fd(pn_handle *h);

/* Waits up to timeout_ms (-1 forever) and delivers what is pending. While
 * events flow it returns at least every flush_ms; on an idle machine it
 * sleeps until the next event, so a consumer with timed work of its own
 * passes the time left as timeout_ms.
 * Returns the number of events delivered, or -errno (-EINTR on a signal;
 * -EBUSY when called from inside a callback, as pn_flush() too). */
PN_EXPORT int pn_poll(pn_handle *h, int timeout_ms);

/* Delivers everything the kernel has produced so far, without waiting. */
PN_EXPORT int pn_flush(pn_handle *h);

/* Fills st up to st->size (see "Extensible structs"). */
PN_EXPORT int pn_get_stats(pn_handle *h, pn_stats *st);

/* "bpf" or "netlink". */
PN_EXPORT const char *pn_backend_name(pn_handle *h);

/* Detaches from the kernel and frees everything. NULL is accepted. */
PN_EXPORT void pn_close(pn_handle *h);

PN_EXPORT const char *pn_strerror(int err);

/* "fork", "exec", ...; "unknown" for a value that is not a type. */
PN_EXPORT const char *pn_event_type_name(enum pn_event_type t);

/* The type named name (as pn_event_type_name() gives it), or -EINVAL. */
PN_EXPORT int pn_event_type_from_name(const char *name);

#ifdef __cplusplus
}
#endif
#endif
