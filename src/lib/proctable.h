/*
 * The process table: what the library remembers of each live process, so an
 * exit carries the image and name of a process whose exec was never seen,
 * and a fork carries the image its child inherits. Keyed by pid; an entry
 * belongs to one (pid, start time), so a reused pid replaces it.
 * Portable C (no OS calls).
 */
#ifndef PN_PROCTABLE_H
#define PN_PROCTABLE_H
#include <stddef.h>
#include <stdint.h>
#include "procnotify.h"

struct pn__cg;

struct pn__proc {
	uint32_t pid;
	uint32_t state;    /* 0 empty, 1 used, 2 deleted */
	uint64_t start_ns;
	uint32_t mark;     /* resync generation that last saw it */
	uint32_t image_len;
	char *image;
	char comm[16];
	uint32_t ppid;     /* the parent, when has_parent: walks up for rules */
	uint32_t has_parent;
	uint64_t parent_start_ns;
	const struct pn__cg *cg; /* its cgroup (linux/cgroup.h), NULL: not known */
};

struct pn__proctable {
	struct pn__proc *slots;
	size_t cap, used, deleted;
	size_t max;        /* bound on live entries */
	uint32_t mark;
	uint64_t evicted;  /* inserts refused at the bound */
};

int pn__pt_init(struct pn__proctable *pt, size_t max);
void pn__pt_free(struct pn__proctable *pt);
/* The entry of (pid, start_ns), or NULL. */
struct pn__proc *pn__pt_find(struct pn__proctable *pt, uint32_t pid, uint64_t start_ns);
/* The live entry of pid, whatever its start time, or NULL. */
struct pn__proc *pn__pt_find_pid(struct pn__proctable *pt, uint32_t pid);
/* The entry of (pid, start_ns), created (replacing an older pid owner) if
 * needed; NULL at the bound or without memory. */
struct pn__proc *pn__pt_put(struct pn__proctable *pt, uint32_t pid, uint64_t start_ns);
int pn__pt_set_image(struct pn__proc *p, const char *image, size_t len);
void pn__pt_set_comm(struct pn__proc *p, const pn_str *comm);
void pn__pt_remove(struct pn__proctable *pt, struct pn__proc *p);
/* The parent of p, as (pid, start time): for ancestor.image rules. */
void pn__pt_set_parent(struct pn__proc *p, uint32_t ppid, uint64_t start_ns);
/* Resync: begin a generation, pn__pt_put() every live process, then sweep
 * removes the entries that were not seen again. */
void pn__pt_begin_mark(struct pn__proctable *pt);
size_t pn__pt_sweep(struct pn__proctable *pt);
#endif
