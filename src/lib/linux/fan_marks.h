/*
 * fanotify marks on every mounted file system: one FAN_MARK_FILESYSTEM
 * per superblock found in /proc/self/mountinfo, and again for each file
 * system mounted later (the file wakes poll(2) with POLLPRI on a change).
 */
#ifndef PN_FAN_MARKS_H
#define PN_FAN_MARKS_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct pn__fan_marks {
	int fan_fd;
	int mountinfo_fd;     /* poll POLLPRI: the mount table changed */
	uint64_t mask;        /* the events marked */
	uint64_t *devs;       /* file systems marked, by device */
	size_t ndevs, cap;
	uint64_t refused;     /* file systems that refuse the mark (proc, sysfs...) */
};

/* One reading of a mount table: its mount points are named under root
 * ("" for the monitor's own, "/proc/PID/root" for another namespace's). */
struct pn__marks_pass {
	const char *root;
	uint64_t *seen;       /* file systems marked (or found marked), by device */
	size_t nseen, cap;
	uint64_t refused;
	int root_err;         /* what marking its "/" gave, when it was marked */
};

/* A list of ids (devices, mounts): whether it holds id; id appended
 * (0 or -ENOMEM). */
int pn__ids_has(const uint64_t *ids, size_t n, uint64_t id);
int pn__ids_add(uint64_t **ids, size_t *n, size_t *cap, uint64_t id);
/* Marks the file systems of the table read from table_fd that m->devs
 * does not hold; 0 or -ENOMEM. */
int pn__marks_table(struct pn__fan_marks *m, int table_fd, struct pn__marks_pass *p);
/* Marks what is mounted now; -errno with the reason when the root file
 * system cannot be marked (nothing would be enforced). */
int pn__marks_open(struct pn__fan_marks *m, int fan_fd, uint64_t mask, char *err, size_t errlen);
/* After POLLPRI: marks file systems mounted since, forgets unmounted ones. */
int pn__marks_rescan(struct pn__fan_marks *m);
void pn__marks_close(struct pn__fan_marks *m);
#endif
