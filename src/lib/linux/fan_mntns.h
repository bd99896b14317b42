/*
 * Marks on the file systems of other mount namespaces: a tmpfs mounted in
 * a namespace of one's own (unshare -rm) is not in the monitor's mount
 * table, and an exec from it would never be asked about.
 *
 * A namespace is known by its root mount's unique id (statx
 * STATX_MNT_ID_UNIQUE of /proc/PID/root: never reused, unlike the
 * namespace's inode number). Each namespace is scanned through a process
 * in it (/proc/PID/mountinfo, each mount point marked as
 * /proc/PID/root/POINT): every process at the start; a namespace first
 * seen when one of its processes execs, before that exec is answered; and
 * every namespace again when one reports a mount (FAN_MNT_ATTACH, kernels
 * 6.14 and later), before the questions read with that report are
 * answered.
 */
#ifndef PN_FAN_MNTNS_H
#define PN_FAN_MNTNS_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "fan_marks.h"

struct pn__fan_mntns {
	struct pn__fan_marks *marks; /* the monitor's own namespace's */
	int mnt_fd;          /* FAN_REPORT_MNT group (poll POLLIN); -1 on older kernels */
	uint64_t own_root;   /* the monitor's root mount */
	uint64_t *roots;     /* namespaces scanned, by their root mount */
	size_t nroots, rcap;
	uint64_t *devs;      /* file systems marked that only they mount, by device */
	size_t ndevs, dcap;
	uint64_t *mnts;      /* mounts exec'd from whose namespace is known (unique ids) */
	size_t nmnts, mcap;
};

/* Scans every other namespace of the host's processes; 0 or -errno. */
int pn__mntns_open(struct pn__fan_mntns *n, struct pn__fan_marks *m);
/* The namespace of pid, about to exec the file fd, scanned if it was not. */
int pn__mntns_check(struct pn__fan_mntns *n, pid_t pid, int fd);
/* Reads the mount reports; any: every namespace is scanned again. */
int pn__mntns_drain(struct pn__fan_mntns *n);
void pn__mntns_close(struct pn__fan_mntns *n);
#endif
