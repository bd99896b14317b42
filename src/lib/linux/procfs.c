/* /proc readers: one open, one read, one close per call; no stdio buffers. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "procfs.h"

/* Reads until cap bytes or the end; -errno only when nothing was read. */
static ssize_t read_all(int fd, char *buf, size_t cap)
{
	ssize_t n = 0, got = 0;

	while ((size_t)got < cap && (n = read(fd, buf + got, cap - (size_t)got)) > 0)
		got += n;
	return (n < 0 && got == 0) ? -errno : got;
}

/* /proc/PID/NAME as a NUL-terminated string in buf (size bytes). */
static ssize_t read_text(uint32_t pid, const char *name, char *buf, size_t size)
{
	char path[64];
	int fd;
	ssize_t got;

	snprintf(path, sizeof(path), "/proc/%u/%s", pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	got = read_all(fd, buf, size - 1);
	close(fd);
	if (got >= 0)
		buf[got] = 0;
	return got;
}

/* Skips n space-separated fields of s; NULL when there are fewer. */
static const char *skip_fields(const char *s, int n)
{
	while (s && n-- > 0) {
		s = strchr(s, ' ');
		if (s)
			s++;
	}
	return s;
}

static uint32_t session_id(const char *f)
{
	long v = strtol(f, NULL, 10);

	return v > 0 && v <= INT32_MAX ? (uint32_t)v : 0;
}

/*
 * The comm sits in parentheses and may itself hold ')' and spaces, so the
 * fields after it are found from the last ')'.
 */
int pn__procfs_parse_stat(const char *buf, struct pn__procstat *st)
{
	const char *open_paren, *close_paren, *f;
	size_t clen;

	open_paren = strchr(buf, '(');
	close_paren = strrchr(buf, ')');
	if (!open_paren || !close_paren || close_paren < open_paren || close_paren[1] != ' ')
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	clen = (size_t)(close_paren - open_paren - 1);
	memcpy(st->comm, open_paren + 1, clen < sizeof(st->comm) ? clen : sizeof(st->comm) - 1);
	/* After ") ": state(3) ppid(4) pgrp(5) session(6) ... starttime(22). */
	f = close_paren + 2;
	st->state = *f;
	f = skip_fields(f, 1);
	st->ppid = f ? (uint32_t)strtoul(f, NULL, 10) : 0;
	f = skip_fields(f, 2);
	/* A session id that is not a pid (negative) is no session known. */
	st->sid = f ? session_id(f) : 0;
	f = skip_fields(f, 16);
	if (!f)
		return -EINVAL;
	st->start_ticks = strtoull(f, NULL, 10);
	return 0;
}

int pn__procfs_stat(uint32_t pid, struct pn__procstat *st)
{
	char buf[1024];
	ssize_t n = read_text(pid, "stat", buf, sizeof(buf));

	return n < 0 ? (int)n : pn__procfs_parse_stat(buf, st);
}

int pn__procfs_parse_ids(const char *buf, uint32_t *uid, uint32_t *gid, uint32_t *euid)
{
	const char *u = strstr(buf, "\nUid:"), *g = strstr(buf, "\nGid:");

	if (!u || !g || sscanf(u + 5, "%u %u", uid, euid) != 2 || sscanf(g + 5, "%u", gid) != 1)
		return -EINVAL;
	return 0;
}

int pn__procfs_ids(uint32_t pid, uint32_t *uid, uint32_t *gid, uint32_t *euid)
{
	char buf[4096];
	ssize_t n = read_text(pid, "status", buf, sizeof(buf));

	return n < 0 ? (int)n : pn__procfs_parse_ids(buf, uid, gid, euid);
}

ssize_t pn__procfs_link(uint32_t pid, const char *name, char *buf, size_t cap, int *truncated)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%u/%s", pid, name);
	n = readlink(path, buf, cap);
	if (n < 0)
		return -errno;
	*truncated = (size_t)n == cap;
	return n;
}

int pn__procfs_stat_link(uint32_t pid, const char *name, struct stat *st)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%u/%s", pid, name);
	return stat(path, st) ? -errno : 0;
}

ssize_t pn__procfs_read(uint32_t pid, const char *name, char *buf, size_t cap, int *truncated)
{
	char path[64], extra;
	int fd;
	ssize_t got;

	snprintf(path, sizeof(path), "/proc/%u/%s", pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	got = read_all(fd, buf, cap);
	/* One byte more tells a full buffer from a longer file. */
	*truncated = got >= 0 && (size_t)got == cap && read(fd, &extra, 1) == 1;
	close(fd);
	return got;
}

/* Calls fn for each numeric entry of dir. */
static int each_number(const char *dir, int (*fn)(uint32_t id, void *ctx), void *ctx)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int rc = 0;

	if (!d)
		return -errno;
	while (!rc && (e = readdir(d))) {
		char *end;
		unsigned long id = strtoul(e->d_name, &end, 10);

		if (e->d_name[0] >= '1' && e->d_name[0] <= '9' && !*end)
			rc = fn((uint32_t)id, ctx);
	}
	closedir(d);
	return rc;
}

int pn__procfs_each(int (*fn)(uint32_t pid, void *ctx), void *ctx)
{
	return each_number("/proc", fn, ctx);
}

int pn__procfs_each_task(uint32_t pid, int (*fn)(uint32_t tid, void *ctx), void *ctx)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%u/task", pid);
	return each_number(path, fn, ctx);
}
