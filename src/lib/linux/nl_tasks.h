/*
 * The netlink backend's memory of live tasks. The proc connector reports the
 * fork and the exit of every task, threads included, but never says whether
 * an exit ends the whole process, and carries no process start time. This
 * table answers both: it counts the live tasks of each process, and keeps
 * each process's start time and name from its fork, exec or the snapshot, so
 * that fork, exec and exit records of one process carry the same key.
 *
 * Entries are keyed by task id. A process is the entry of its leader
 * (tid == tgid); other threads have small entries pointing at it. Counting
 * is by membership, not arithmetic: a task is counted once however many
 * times it is reported (the snapshot and a queued fork event may both see
 * it), and an exit of a task never counted changes nothing.
 */
#ifndef PN_NL_TASKS_H
#define PN_NL_TASKS_H
#include <stddef.h>
#include <stdint.h>

struct pn__nt_entry {
	uint32_t tid;          /* key; 0 marks an empty slot */
	uint32_t tgid;
	uint32_t gen;          /* leader: the process's generation; thread: the one it joined */
	uint32_t nthreads;     /* leader: live tasks counted, the leader included */
	uint8_t leader_live;   /* leader: the leader task itself has not exited */
	uint8_t has_start;
	uint8_t has_comm;
	uint8_t has_parent_start;
	uint32_t ppid;
	uint32_t leader_status; /* leader: wait status of its own exit, once it exited */
	uint32_t reserved2;
	uint64_t start_ns;
	uint64_t parent_start_ns; /* ppid's start, as its fork event found it */
	char comm[16];
};

struct pn__nt {
	struct pn__nt_entry *slots;
	size_t cap, used, max;
	uint32_t next_gen;
};

int pn__nt_init(struct pn__nt *t, size_t max);
void pn__nt_free(struct pn__nt *t);
/* Forgets everything (before a resync rebuilds the table from /proc). */
void pn__nt_clear(struct pn__nt *t);

/* The process tgid, or NULL. Valid until the next change to the table. */
struct pn__nt_entry *pn__nt_proc(struct pn__nt *t, uint32_t tgid);
/* Tracks process tgid; an entry already there with the same start time, or
 * where one of the two start times is unknown, is kept with its threads. leader_live 0 for a zombie leader seen by the snapshot.
 * NULL at the bound or without memory. */
struct pn__nt_entry *pn__nt_add_proc(struct pn__nt *t, uint32_t tgid, int has_start,
				     uint64_t start_ns, int leader_live);
/* A live non-leader thread of tgid (ignored when tgid is unknown). */
void pn__nt_add_thread(struct pn__nt *t, uint32_t tid, uint32_t tgid);
/* After exec the process is one thread, its leader: earlier threads no
 * longer count, whenever their exits arrive. */
void pn__nt_exec(struct pn__nt *t, struct pn__nt_entry *p);
/* Task tid of tgid exited: 1 when the process has no live task left, 0 when
 * some remain, -ENOENT when the process is unknown. */
int pn__nt_task_exit(struct pn__nt *t, uint32_t tid, uint32_t tgid);
void pn__nt_forget(struct pn__nt *t, uint32_t tid);
#endif
