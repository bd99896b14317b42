/*
 * Files the monitor writes (-o, --db). The monitor runs as root and the path
 * may sit in a directory other users can write (/tmp), so nobody else may
 * choose what the file is: the last component is never followed as a link,
 * the file must be a regular file of ours that no one else may write, a FIFO
 * can never block the start, and an existing log is appended to, never
 * truncated (a restarted monitor must not wipe yesterday's events).
 *
 * The output is reopened on SIGHUP through a descriptor of its directory
 * taken at start, so the reopen needs no path lookup from the root and works
 * after the monitor gave up its privileges, as long as the directory lets
 * the monitor's user create a file (logrotate's create mode makes the new
 * file before the signal, so most rotations only need to open it).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "outfile.h"

/* A closed 0, 1 or 2 would be reused by the next open(): the netlink socket
 * would become standard output and every event would go to the kernel. */
void pn_cli_guard_stdio(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		/* The lowest free number is fd itself; exit if even that fails,
		 * since nothing written after it would go where it should. */
		if (open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
			_exit(1);
	}
}

/* Why st may not be written by the monitor, or NULL when it may. A character
 * device (/dev/null, a terminal) is accepted: only root can create one, and
 * writing to it clobbers no file. */
static const char *refusal(const struct stat *st)
{
	if (S_ISCHR(st->st_mode))
		return NULL;
	if (S_ISFIFO(st->st_mode))
		return "is a FIFO (use standard output for a pipe)";
	if (!S_ISREG(st->st_mode))
		return "is not a regular file";
	if (st->st_uid != geteuid())
		return "is owned by another user";
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return "is writable by its group or by others";
	return NULL;
}

static int refuse(const char *path, const char *why)
{
	fprintf(stderr, "procnotify: %s: refusing to write: %s\n", path, why);
	return -1;
}

int pn_cli_check_private(const char *path)
{
	struct stat st;
	const char *why;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0; /* created by its writer, mode 0600 */
		fprintf(stderr, "procnotify: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (S_ISLNK(st.st_mode))
		return refuse(path, "is a symbolic link");
	why = refusal(&st);
	return why ? refuse(path, why) : 0;
}

/* Opens name in dirfd for appending; returns the descriptor or -1, said. */
static int open_checked(int dirfd, const char *name, const char *path)
{
	/* O_NONBLOCK: a FIFO without a reader fails at once (ENXIO) instead of
	 * waiting for one; with a reader it opens and is refused below. */
	int fd = openat(dirfd, name,
			O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
	struct stat st;
	const char *why;

	if (fd < 0) {
		if (errno == ELOOP)
			return refuse(path, "is a symbolic link");
		if (errno == ENXIO)
			return refuse(path, "is a FIFO (use standard output for a pipe)");
		fprintf(stderr, "procnotify: cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	why = fstat(fd, &st) < 0 ? strerror(errno) : refusal(&st);
	if (why || fcntl(fd, F_SETFL, O_APPEND) < 0) {
		close(fd);
		return refuse(path, why ? why : strerror(errno));
	}
	return fd;
}

int pn_cli_outfile_open(struct pn_outfile *f, const char *path)
{
	char *dcopy = strdup(path), *bcopy = strdup(path);

	f->path = path;
	f->fd = f->dirfd = -1;
	f->name = NULL;
	if (!dcopy || !bcopy)
		goto fail;
	f->dirfd = open(dirname(dcopy), O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (f->dirfd < 0) {
		fprintf(stderr, "procnotify: cannot open %s: %s\n", path, strerror(errno));
		goto fail;
	}
	f->name = strdup(basename(bcopy));
	if (f->name)
		f->fd = open_checked(f->dirfd, f->name, path);
fail:
	free(dcopy);
	free(bcopy);
	if (f->fd < 0)
		pn_cli_outfile_close(f);
	return f->fd;
}

int pn_cli_outfile_reopen(struct pn_outfile *f)
{
	int fd = open_checked(f->dirfd, f->name, f->path);

	if (fd < 0)
		return -1;
	/* Same number: whoever writes to f->fd now writes to the new file. */
	if (dup3(fd, f->fd, O_CLOEXEC) < 0) {
		fprintf(stderr, "procnotify: reopening %s: %s\n", f->path, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

void pn_cli_outfile_close(struct pn_outfile *f)
{
	if (f->fd >= 0)
		close(f->fd);
	if (f->dirfd >= 0)
		close(f->dirfd);
	free(f->name);
	f->fd = f->dirfd = -1;
	f->name = NULL;
}
