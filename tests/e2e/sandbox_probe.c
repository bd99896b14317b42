/*
 * sandbox_probe BACKEND CALL: opens the library with BACKEND (bpf or
 * netlink), enters pn_sandbox(), prints "sandboxed" and then makes CALL:
 *   none    deliver events for a moment, close the handle, exit 0
 *   thread  the same from a new thread (threads are allowed), exit 0
 *   before  a thread started before the sandbox waits; the probe prints
 *           "sandboxed" and waits for its standard input to close (the test
 *           reads each thread's status meanwhile), then ends it, exit 0
 *   execve, fork, socket, bpf-load, ptrace, mmap-exec: forbidden, so the
 *           kernel kills the probe with SIGSYS before it can print "survived".
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include "procnotify.h"
#include "procnotify/sandbox.h"

static int events;

static void count(const pn_event *ev, void *user)
{
	events++;
}

static void *deliver(void *arg)
{
	for (int i = 0; i < 5; i++)
		pn_poll(arg, 20);
	return NULL;
}

static int wake[2];

static void *wait_for_wake(void *arg)
{
	char c;

	return read(wake[0], &c, 1) == 1 ? arg : NULL;
}

/* Until standard input closes. */
static void wait_for_eof(void)
{
	char buf[64];

	while (read(0, buf, sizeof(buf)) > 0)
		;
}

static void forbidden(const char *call)
{
	char *const argv[] = { "true", NULL };
	union bpf_attr attr;

	if (!strcmp(call, "execve"))
		execv("/bin/true", argv);
	else if (!strcmp(call, "fork"))
		fork();
	else if (!strcmp(call, "socket"))
		socket(AF_INET, SOCK_STREAM, 0);
	else if (!strcmp(call, "ptrace"))
		ptrace(PTRACE_ATTACH, getppid(), 0, 0);
	else if (!strcmp(call, "mmap-exec"))
		mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	else if (!strcmp(call, "bpf-load")) {
		memset(&attr, 0, sizeof(attr));
		syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	}
}

int main(int argc, char **argv)
{
	pn_options opt = { 0 };
	pn_handle *h;
	pthread_t t;
	char err[256];
	int rc;

	if (argc != 3)
		return 2;
	opt.backend = !strcmp(argv[1], "netlink") ? PN_BACKEND_NETLINK : PN_BACKEND_BPF;
	if ((rc = pn_open(&h, &opt))) {
		fprintf(stderr, "sandbox_probe: %s\n", opt.errmsg);
		return 1;
	}
	pn_register(h, PN_MASK_ALL, count, NULL);
	if (!strcmp(argv[2], "before") &&
	    (pipe(wake) || pthread_create(&t, NULL, wait_for_wake, h)))
		return 1;
	if ((rc = pn_sandbox(h, err, sizeof(err)))) {
		fprintf(stderr, "sandbox_probe: %s\n", err);
		return 1;
	}
	printf("sandboxed\n");
	fflush(stdout);
	if (!strcmp(argv[2], "thread")) {
		if (pthread_create(&t, NULL, deliver, h) || pthread_join(t, NULL))
			return 1;
	} else if (!strcmp(argv[2], "before")) {
		wait_for_eof();
		if (write(wake[1], "x", 1) != 1 || pthread_join(t, NULL))
			return 1;
	} else if (!strcmp(argv[2], "none")) {
		deliver(h);
	} else {
		forbidden(argv[2]);
	}
	pn_close(h);
	printf("survived\n");
	return 0;
}
