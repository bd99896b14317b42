/*
 * Library internals shared by the core and the backends. A backend turns
 * one kernel source into wire records (include/procnotify/record.h) and hands
 * them to pn__ingest(); the core decodes, keeps the process table, numbers
 * the events, reports loss and dispatches to the registered callbacks.
 */
#ifndef PN_INTERNAL_H
#define PN_INTERNAL_H
#include <stddef.h>
#include "clock.h"
#include "procnotify.h"
#include "procnotify/record.h"

struct pn__backend_ops {
	const char *name;
	/* Attach to the kernel. On failure return -errno and say why in err. */
	int (*open)(pn_handle *h, const pn_options *opt, void **state, char *err, size_t errlen);
	/* A file descriptor that is readable when drain() has work. */
	int (*fd)(void *state);
	/* Hand every pending record to pn__ingest(); 0 or -errno. */
	int (*drain)(void *state);
	/* Cumulative producer drop counters; return 0, or -ENOTSUP when the
	 * backend reports its losses itself through pn__lost_unknown(). */
	int (*drops)(void *state, uint64_t *total, uint64_t by_type[PN_REC_TYPE_MAX]);
	/* Ask the producer to wake the reader on its next record (1) or to
	 * go back to batching (0); a full barrier follows the request. */
	void (*park)(void *state, int parked);
	/* Hand one PN_REC_SNAPSHOT record per live process to pn__ingest(). */
	int (*snapshot)(void *state);
	void (*close)(void *state);
	/* The capabilities (1 << CAP_*) drain() and snapshot() still need once
	 * open() is done: pn_sandbox() drops every other one. */
	uint64_t steady_caps;
};

extern const struct pn__backend_ops pn__bpf_backend;
extern const struct pn__backend_ops pn__netlink_backend;

/* Called by backends, from inside drain() or snapshot(). */
void pn__ingest(pn_handle *h, const void *rec, size_t size);
/* A loss whose size the producer cannot tell (netlink ENOBUFS). */
void pn__lost_unknown(pn_handle *h);

/*
 * A source of events beside the backend (the exec enforcer): its fd joins
 * the handle's epoll, pn_flush() calls drain() on the handle's thread, and
 * drain() hands each event to pn__deliver(), which numbers and dispatches
 * it. pn_close() calls close(state). One per handle.
 */
struct pn__source {
	int fd;
	void (*drain)(pn_handle *h, void *state);
	void (*close)(void *state);
	void *state;
	uint64_t steady_caps;          /* added to the backend's (pn_sandbox) */
	const char *const *syscalls;   /* added to pn_sandbox()'s, NULL-terminated */
};
int pn__add_source(pn_handle *h, const struct pn__source *src);
/* The state of h's source whose close is close_fn, or NULL. */
void *pn__source_state(pn_handle *h, void (*close_fn)(void *state));
/* The source's system calls for pn_sandbox(), or NULL. */
const char *const *pn__source_syscalls(pn_handle *h);
void pn__deliver(pn_handle *h, pn_event *ev);

/* Small helpers the backends share. */
void pn__errmsg(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* 1 when the calling thread has capability cap (CAP_*) in its effective set. */
int pn__has_cap(int cap);
/* Leaves the calling thread only the capabilities in keep (1 << CAP_*) that
 * it has, in every set; 0 or -errno. */
int pn__caps_limit(uint64_t keep);
/* The same for every thread of the process; -EBUSY when one could not be
 * made to (it blocks signals, or was started meanwhile). */
int pn__caps_limit_all(uint64_t keep);
/* The open backend's steady_caps. */
uint64_t pn__steady_caps(pn_handle *h);

/* Lets pn_sandbox() allow socket(domain, type) and connect(): an output
 * that reconnects after the drop makes a new socket. Call before it;
 * 0, or -ENOSPC past a few kinds. */
int pn__sandbox_allow_socket(int domain, int type);
/* Lets pn_sandbox() allow memfd_create(): the journald output sends a
 * message too large for a datagram in a sealed memfd. */
void pn__sandbox_allow_memfd(void);

/* The size rule of pn_options and pn_stats ("Extensible structs" in
 * procnotify.h): copy a caller's struct of `given` bytes (0: v1_size) into
 * ours, or ours out to it; -EINVAL for a size below v1_size, -E2BIG for
 * nonzero members this library does not know. */
int pn__struct_in(void *dst, size_t ours, const void *src, uint32_t given, size_t v1_size);
int pn__struct_out(void *dst, uint32_t given, const void *src, size_t ours, size_t v1_size);
/* The 1.0 layouts end after these members, whatever is appended later. */
#define PN__OPTIONS_V1_SIZE (offsetof(pn_options, errmsg) + sizeof(((pn_options *)0)->errmsg))
#define PN__STATS_V1_SIZE (offsetof(pn_stats, table_evicted) + sizeof(uint64_t))
#endif
