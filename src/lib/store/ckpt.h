/*
 * The checkpointer: copies the writer's WAL into the file from a
 * connection and a thread of its own, so that a commit never waits for
 * the copy (WAL lets a checkpoint run beside the writer). Built on db.h.
 *
 * The writer's connection tells it of each commit (a WAL hook). From
 * PN__CKPT_FRAMES frames in the WAL on, each commit asks for a pass, a
 * PASSIVE checkpoint of what is not copied yet, which never waits for
 * the writer or a reader. SQLite starts the WAL over only when a write
 * transaction begins with every frame copied, which a writer that begins
 * again at once would never see: so from PN__CKPT_RESTART_FRAMES on, a
 * commit that finds the checkpointer idle copies the rest itself (the
 * frames of its own commit: the passes took every earlier one), and its
 * next transaction writes the WAL from its start. A WAL of
 * PN__CKPT_WAIT_FRAMES (a disk slower than the writer, a reader keeping
 * old frames) makes the commit wait for the pass under way and copy the
 * rest itself: the WAL stays bounded. Without the thread (a store written
 * from the caller's thread) a commit checkpoints as SQLite's
 * autocheckpoint would.
 */
#ifndef PN_STORE_CKPT_H
#define PN_STORE_CKPT_H
#include <pthread.h>
#include "db.h"

#define PN__CKPT_FRAMES 1024
#define PN__CKPT_RESTART_FRAMES 2048
#define PN__CKPT_WAIT_FRAMES 8192

struct pn__ckpt {
	struct pn__db db;           /* its own connection to the log */
	int ready;                  /* mu and wake are initialised */
	int started;                /* the thread runs */
	/* Under mu, once started: */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t wake;
	int asked, running, stop;
	uint64_t passes;            /* passes made, for the tests */
};

/* Opens the checkpointer's connection to path (the file the writer d has
 * open) and hooks d's commits. 0 or -errno, the reason in d's errmsg. */
int pn__ckpt_open(struct pn__ckpt *c, struct pn__db *d, const char *path, int flags);
/* Starts the thread; until then (and if it cannot start) commits
 * checkpoint on their own thread. */
void pn__ckpt_start(struct pn__ckpt *c);
/* Stops the thread after its pass and closes the connection; the
 * writer's commits checkpoint on their own thread again. */
void pn__ckpt_close(struct pn__ckpt *c);
#endif
