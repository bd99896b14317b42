/*
 * For the output tests: a collector of an output's notes, a datagram
 * socket in a private directory standing in for syslog's or journald's,
 * and a wait for what a peer sent. No real daemon: the peer is the test.
 */
#ifndef PN_TEST_OUTTEST_H
#define PN_TEST_OUTTEST_H
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "check.h"
#include "procnotify/output.h"

/* The notes an output said, one a line, from its thread. */
struct notes {
	pthread_mutex_t mu;
	char text[4096];
};

static inline void notes_add(const char *what, void *user)
{
	struct notes *n = user;
	size_t used;

	pthread_mutex_lock(&n->mu);
	used = strlen(n->text);
	snprintf(n->text + used, sizeof(n->text) - used, "%s\n", what);
	pthread_mutex_unlock(&n->mu);
}

/* 1 when the output said what (a substring of one note) by now. */
static inline int notes_have(struct notes *n, const char *what)
{
	int got;

	pthread_mutex_lock(&n->mu);
	got = strstr(n->text, what) != NULL;
	pthread_mutex_unlock(&n->mu);
	return got;
}

/* Waits up to ms for notes_have(); 1 when it came. */
static inline int notes_wait(struct notes *n, const char *what, int ms)
{
	for (int waited = 0; waited < ms; waited += 10) {
		if (notes_have(n, what))
			return 1;
		usleep(10000);
	}
	return notes_have(n, what);
}

/* An output of ops to target, started; the test ends when it cannot open. */
static inline pn_output *outtest_start(const pn__output_ops *ops, const char *target,
				       const pn_output_options *opt)
{
	char err[256] = "";
	pn_output *out = NULL;

	CHECK(pn__output_open(&out, ops, target, opt, err, sizeof(err)) == 0);
	if (!out) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	CHECK(pn__output_start(out) == 0);
	return out;
}

/* A private directory for sockets, removed with its sockets at exit. */
static char outtest_dir[64];

static inline void outtest_cleanup(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", outtest_dir);
	if (outtest_dir[0] && system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", outtest_dir);
}

static inline const char *outtest_path(const char *name)
{
	static char path[128];

	if (!outtest_dir[0]) {
		strcpy(outtest_dir, "/tmp/pn-outtest.XXXXXX");
		if (!mkdtemp(outtest_dir)) {
			perror("mkdtemp");
			exit(1);
		}
		atexit(outtest_cleanup);
	}
	snprintf(path, sizeof(path), "%s/%s", outtest_dir, name);
	return path;
}

/* A datagram socket bound at path (replacing what is there); -1 on error. */
static inline int dgram_listen(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	strcpy(a.sun_path, path);
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a))) {
		perror("dgram_listen");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* A loopback socket of type bound to a port of the kernel's choice; its
 * port in *port. */
static inline int loopback(int type, int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(fd, (struct sockaddr *)&a, &len)) {
		perror("loopback");
		exit(1);
	}
	*port = ntohs(a.sin_port);
	return fd;
}

/* Waits up to ms for fd to be readable: 1, or 0 at the deadline. */
static inline int readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) > 0;
}
#endif
