/*
 * The cgroup of each process, and the container it names: every process
 * event carries them (cgroup, container_id in procnotify/fields.h).
 *
 * A process's cgroup is read from /proc/PID/cgroup (readable by anyone)
 * when it is first known (a snapshot) and at each exec, and a child takes
 * its parent's at fork, as the kernel does. With the BPF backend an exec
 * carries its cgroup id (the cgroup directory's inode), which finds an
 * interned cgroup without reading /proc. Each path is interned once, with
 * its container id (container.h), so events point at shared strings.
 */
#ifndef PN_CGROUP_H
#define PN_CGROUP_H
#include <stddef.h>
#include <stdint.h>
#include "procnotify.h"

struct pn__proc;
struct pn__proctable;

struct pn__cg {
	uint64_t id;                /* the cgroup v2 id, 0 when not known */
	pn_str path, container;     /* container.len 0: none */
	struct pn__cg *next_path, *next_id; /* hash chains */
};

/* Interned cgroups; zero-initialised is empty. */
#define PN__CG_BUCKETS 1024
struct pn__cgroups {
	struct pn__cg *by_path[PN__CG_BUCKETS], *by_id[PN__CG_BUCKETS];
	size_t n;
	const char *root;           /* cgroup v2's mount point, once looked up */
};

/* Sets p's cgroup from what ev tells: a fork inherits its parent's (pt
 * finds it), an exec's cgroup id or /proc says it, a snapshot reads /proc. */
void pn__cg_track(struct pn__cgroups *t, struct pn__proctable *pt, struct pn__proc *p,
		  const pn_event *ev);
/* Fills ev's cgroup fields from its process's cgroup, when known. */
void pn__cg_fill(pn_event *ev, const struct pn__cg *cg);
void pn__cg_free(struct pn__cgroups *t);

/* The one entry of the cgroup path s (n bytes), made at its first sight
 * with its container id and its id under t->root (looked up when NULL);
 * NULL past the bound or without memory. */
const struct pn__cg *pn__cg_intern(struct pn__cgroups *t, const char *s, size_t n);

/* /proc/PID/cgroup's path: the cgroup v2 line's, else the named systemd
 * hierarchy's (a v1-only host), else the first line's. The length, or 0. */
size_t pn__cg_parse(const char *text, size_t n, const char **path);
#endif
