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
	dev_t *devs;          /* file systems marked, by device */
	size_t ndevs, cap;
	uint64_t refused;     /* file systems that refuse the mark (proc, sysfs...) */
};

/* Marks what is mounted now; -errno with the reason when the root file
 * system cannot be marked (nothing would be enforced). */
int pn__marks_open(struct pn__fan_marks *m, int fan_fd, uint64_t mask, char *err, size_t errlen);
/* After POLLPRI: marks file systems mounted since, forgets unmounted ones. */
int pn__marks_rescan(struct pn__fan_marks *m);
void pn__marks_close(struct pn__fan_marks *m);
#endif
