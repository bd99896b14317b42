/*
 * Readers of /proc/PID/..., shared by the netlink backend's exec enrichment
 * and its snapshot. Everything read here comes from another process and may
 * be gone or stale by the time it is read: every reader returns -errno when
 * the process has already left.
 */
#ifndef PN_PROCFS_H
#define PN_PROCFS_H
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

/* The fields of /proc/PID/stat the backend uses. */
struct pn__procstat {
	char comm[16];        /* NUL-padded; may hold any byte but NUL */
	char state;           /* 'R', 'S', ..., 'Z' for a zombie */
	uint32_t ppid;
	uint32_t sid;
	uint64_t start_ticks; /* field 22: start time in clock ticks since boot */
};

int pn__procfs_stat(uint32_t pid, struct pn__procstat *st);
/* Real uid and gid, and the effective uid, from /proc/PID/status. */
int pn__procfs_ids(uint32_t pid, uint32_t *uid, uint32_t *gid, uint32_t *euid);
/* readlink of /proc/PID/name ("exe", "cwd"): the length, or -errno.
 * *truncated is set when the target did not fit in cap bytes. */
ssize_t pn__procfs_link(uint32_t pid, const char *name, char *buf, size_t cap, int *truncated);
/* stat(2) of what /proc/PID/name ("exe", "ns/mnt") links to. */
int pn__procfs_stat_link(uint32_t pid, const char *name, struct stat *st);
/* The first cap bytes of /proc/PID/name ("cmdline"); *truncated when longer. */
ssize_t pn__procfs_read(uint32_t pid, const char *name, char *buf, size_t cap, int *truncated);

/* The parsers of the two, on a file's text (NUL-terminated): -EINVAL when
 * it does not have the form the kernel writes. */
int pn__procfs_parse_stat(const char *text, struct pn__procstat *st);
int pn__procfs_parse_ids(const char *text, uint32_t *uid, uint32_t *gid, uint32_t *euid);

/* Calls fn for each process in /proc (each task in /proc/PID/task with
 * pn__procfs_each_task) until fn returns non-zero; returns that, or 0. */
int pn__procfs_each(int (*fn)(uint32_t pid, void *ctx), void *ctx);
int pn__procfs_each_task(uint32_t pid, int (*fn)(uint32_t tid, void *ctx), void *ctx);
#endif
