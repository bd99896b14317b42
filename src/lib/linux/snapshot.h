/*
 * Snapshot events: the processes alive when monitoring began, and at each
 * resync after a loss, to consumers whose mask names PN_EVENT_SNAPSHOT.
 * The start's snapshot is taken by pn_open() before anyone can register:
 * each process's record and its arguments as /proc showed them then are
 * kept, and delivered once, at the first delivery, before any event of
 * the stream. A resync's are delivered as they are taken.
 */
#ifndef PN_SNAPSHOT_H
#define PN_SNAPSHOT_H
#include <stddef.h>
#include <stdint.h>
#include "procnotify.h"
#include "procnotify/record.h"

struct pn__snapkeep {
	char *buf;
	size_t len, cap;
};

/* The handle's part (handle.h). */
struct pn__snapshots {
	int keep;               /* the start's snapshot is being taken: keep it */
	int live;               /* a resync's is: dispatch it */
	int replayed;           /* the start's went out */
	struct pn__snapkeep kept;
	char argv[PN_ARGV_MAX]; /* a resync's event's arguments */
};

/* Keeps a snapshot record of pid and reads its arguments now (a process
 * /proc no longer shows keeps none). Without memory the record is not
 * kept: the snapshot is best effort, the stream is not. */
void pn__snapkeep_add(struct pn__snapkeep *k, const void *rec, size_t size, uint32_t pid);

/* Calls fn (unless NULL) for each kept record, in order, with its
 * arguments (NULL when none were read), then forgets them all. */
typedef void (*pn__snapkeep_fn)(void *ctx, const void *rec, size_t size, const pn_str *argv,
				int truncated);
void pn__snapkeep_replay(struct pn__snapkeep *k, pn__snapkeep_fn fn, void *ctx);
#endif
