/* Marks by superblock, found through the mount table. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/fanotify.h>
#include <sys/sysmacros.h>
#include "internal.h"
#include "fan_marks.h"

/* mountinfo writes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = 0;
}

/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT ...": the device and the mount point. */
static int parse_line(char *line, dev_t *dev, char **point)
{
	unsigned maj, min;
	char *f[5], *save = NULL;

	for (int i = 0; i < 5; i++)
		if (!(f[i] = strtok_r(i ? NULL : line, " ", &save)))
			return -EINVAL;
	if (sscanf(f[2], "%u:%u", &maj, &min) != 2)
		return -EINVAL;
	*dev = makedev(maj, min);
	unescape(f[4]);
	*point = f[4];
	return 0;
}

int pn__ids_has(const uint64_t *ids, size_t n, uint64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return 1;
	return 0;
}

int pn__ids_add(uint64_t **ids, size_t *n, size_t *cap, uint64_t id)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 32;
		uint64_t *p = realloc(*ids, c * sizeof(*p));

		if (!p)
			return -ENOMEM;
		*ids = p;
		*cap = c;
	}
	(*ids)[(*n)++] = id;
	return 0;
}

/* The whole table, read from the start: it changes between reads. */
static char *read_table(int fd)
{
	size_t cap = 65536, len = 0;
	char *buf = malloc(cap);
	ssize_t n;

	while (buf && (n = pread(fd, buf + len, cap - len - 1, (off_t)len)) > 0) {
		len += (size_t)n;
		if (len + 1 == cap) {
			char *p = realloc(buf, cap *= 2);

			if (!p)
				free(buf);
			buf = p;
		}
	}
	if (buf)
		buf[len] = 0;
	return buf;
}

/*
 * Marks each superblock of a mount table once, at the first of its mount
 * points (p->root before it), unless the monitor's own table has it
 * (m->devs): a file system seen before keeps its mark (it lives as long as
 * the superblock). p->seen gets what is marked; p->root_err is what marking
 * "/" gave.
 */
int pn__marks_table(struct pn__fan_marks *m, int table_fd, struct pn__marks_pass *p)
{
	char *table = read_table(table_fd), *line, *save = NULL, *point, path[4096];
	dev_t dev;
	int rc = 0;

	if (!table)
		return -ENOMEM;
	for (line = strtok_r(table, "\n", &save); line && !rc; line = strtok_r(NULL, "\n", &save)) {
		if (parse_line(line, &dev, &point) || pn__ids_has(p->seen, p->nseen, dev) ||
		    (p->root[0] && pn__ids_has(m->devs, m->ndevs, dev)))
			continue;
		snprintf(path, sizeof(path), "%s%s", p->root, point);
		if (!pn__ids_has(m->devs, m->ndevs, dev) &&
		    fanotify_mark(m->fan_fd, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, m->mask, AT_FDCWD,
				  path)) {
			if (!strcmp(point, "/"))
				p->root_err = -errno;
			p->refused++;
			continue;
		}
		rc = pn__ids_add(&p->seen, &p->nseen, &p->cap, dev);
	}
	free(table);
	return rc;
}

/* The monitor's own table, read again: what it no longer mounts is forgotten. */
static int scan(struct pn__fan_marks *m, int *root_err)
{
	struct pn__marks_pass p = { .root = "" };
	int rc = pn__marks_table(m, m->mountinfo_fd, &p);

	*root_err = p.root_err;
	m->refused = p.refused;
	free(m->devs);
	m->devs = p.seen;
	m->ndevs = p.nseen;
	m->cap = p.cap;
	return rc;
}

int pn__marks_open(struct pn__fan_marks *m, int fan_fd, uint64_t mask, char *err, size_t errlen)
{
	int root_err = 0, rc;

	*m = (struct pn__fan_marks){ .fan_fd = fan_fd, .mask = mask };
	m->mountinfo_fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (m->mountinfo_fd < 0) {
		rc = -errno;
		pn__errmsg(err, errlen, "cannot read /proc/self/mountinfo: %s", strerror(-rc));
		return rc;
	}
	rc = scan(m, &root_err);
	if (!rc && root_err)
		rc = root_err;
	if (rc)
		pn__errmsg(err, errlen, "cannot watch execs on the root file system: %s",
			   strerror(-rc));
	return rc;
}

int pn__marks_rescan(struct pn__fan_marks *m)
{
	int root_err = 0;

	return scan(m, &root_err);
}

void pn__marks_close(struct pn__fan_marks *m)
{
	if (m->mountinfo_fd >= 0)
		close(m->mountinfo_fd);
	m->mountinfo_fd = -1;
	free(m->devs);
	m->devs = NULL;
}
