/*
 * The handle's insides, shared by the files of the core: core.c (the
 * handle, dispatch, the process table, loss), loop.c (its event loop) and
 * source.c (events from a source beside the backend, the exec enforcer's
 * denials).
 */
#ifndef PN_HANDLE_H
#define PN_HANDLE_H
#include "procnotify/decode.h"
#include "internal.h"
#include "proctable.h"
#include "rules/live.h"
#include "linux/cgroup.h"
#include "linux/snapshot.h"

#define PN__GONE 256

struct reg {
	pn_callback cb;
	void *user;
	uint32_t mask;
};

struct pn_handle {
	const struct pn__backend_ops *ops;
	void *state;
	int epfd, timerfd;
	struct reg *regs;
	size_t nregs, capregs;
	int dispatching, regs_dirty;
	struct pn__proctable table;
	struct pn__decode_ctx dctx;
	uint64_t seq;
	uint64_t drops_seen, drops_seen_by_type[PN_REC_TYPE_MAX];
	uint64_t sweep_after_ns; /* run the resync's sweep after this time, 0: none */
	uint64_t next_compact_ns; /* the table was full: rebuild it from a snapshot then */
	int in_resync;
	uint32_t flush_ms;
	int parked; /* the flush timer is stopped until the producer wakes us */
	pn_stats stats;
	struct pn__live_rules rules;
	char host[PN_HOST_MAX + 1]; /* every event's host */
	size_t host_len;
	struct pn__source src; /* src.close is NULL when there is none */
	/* With a source: the last processes that exited, for a denial
	 * delivered after its process's exit (a refused child exits at once). */
	struct pn__gone { uint32_t pid; uint64_t start_ns; } gone[PN__GONE];
	unsigned gone_next;
	struct pn__snapshots snap; /* snapshot events (linux/snapshot.c) */
	struct pn__cgroups cgroups; /* each process's cgroup (linux/cgroup.c) */
};

/* Numbers ev and hands it to every registration that wants its type. */
void pn__dispatch(pn_handle *h, pn_event *ev);
/* With a source: remember an exiting process's start (source.c). */
void pn__note_gone(pn_handle *h, const struct pn__proc *p);
/* A snapshot record's process (linux/snapshot.c): kept while the start's
 * snapshot is taken, dispatched at once during a resync's; and the kept
 * ones dispatched, once, at the first delivery. */
void pn__snapshot_record(pn_handle *h, pn_event *ev, const void *rec, size_t size);
void pn__snapshot_replay(pn_handle *h);
#endif
