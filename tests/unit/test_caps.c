/*
 * The capability drop pn_sandbox() makes, in a child process each (a drop
 * cannot be undone): every thread of the process keeps only what it was
 * told to, a thread that blocks the drop's signal makes it fail rather than
 * keep its capabilities, and without CAP_SETPCAP the bounding set stays.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/wait.h>
#include "internal.h"
#include "check.h"

#define CAPS_SIGNAL (SIGRTMIN + 3) /* caps.c's */

static int hold[2]; /* the threads wait on it until the test is done */

static void *waiter(void *block)
{
	sigset_t set;
	char c;

	if (block) {
		sigemptyset(&set);
		sigaddset(&set, CAPS_SIGNAL);
		pthread_sigmask(SIG_BLOCK, &set, NULL);
	}
	while (read(hold[0], &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

static void start_threads(int n, int blocking)
{
	pthread_t t;

	for (int i = 0; i < n; i++)
		if (pthread_create(&t, NULL, waiter, (void *)(long)(i == 0 && blocking)))
			_exit(90);
	usleep(20000); /* each has set its mask */
}

/* A set ("CapPrm:", "CapBnd:") of one thread of this process, or of the
 * calling thread for task NULL. */
static unsigned long long cap_set(const char *task, const char *name)
{
	char path[96], line[128];
	unsigned long long v = ~0ULL;
	size_t n = strlen(name);
	FILE *f;

	if (task)
		snprintf(path, sizeof(path), "/proc/self/task/%s/status", task);
	else
		snprintf(path, sizeof(path), "/proc/thread-self/status");
	f = fopen(path, "r");
	if (!f)
		return v;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, n) && sscanf(line + n, "%llx", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* 0 when every thread's permitted set is within keep. */
static int all_within(uint64_t keep)
{
	char cmd[128], task[32];
	FILE *p;
	int bad = 0;

	snprintf(cmd, sizeof(cmd), "ls /proc/%d/task", (int)getpid());
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (fscanf(p, "%31s", task) == 1)
		bad += (cap_set(task, "CapPrm:") & ~keep) != 0;
	pclose(p);
	return bad;
}

/* Runs fn in a child; its exit code, or -1 when it did not exit. */
static int in_child(int (*fn)(void))
{
	int status;
	pid_t pid;

	if (pipe(hold))
		return -1;
	pid = fork();
	if (pid == 0)
		exit(fn()); /* exit, not _exit: the coverage counters are written at exit */
	close(hold[0]);
	close(hold[1]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* Every thread, the caller's and three others, keeps only CAP_NET_ADMIN
 * (what the netlink backend's steady state needs), if it had it. */
static int drop_everywhere(void)
{
	uint64_t keep = 1ULL << CAP_NET_ADMIN;
	int had_setpcap = pn__has_cap(CAP_SETPCAP);

	start_threads(3, 0);
	if (pn__caps_limit_all(keep))
		return 1;
	if (all_within(keep))
		return 2;
	if (pn__has_cap(CAP_SYS_ADMIN) || pn__has_cap(CAP_SETPCAP))
		return 3;
	/* With CAP_SETPCAP the bounding set went too: no exec gets them back. */
	if (had_setpcap && (cap_set(NULL, "CapBnd:") & ~keep))
		return 4;
	return 0;
}

/* A thread that blocks the signal cannot be made to drop: -EBUSY, not a
 * sandbox with a thread that can still do everything. */
static int blocked_thread(void)
{
	start_threads(2, 1);
	return pn__caps_limit_all(0) == -EBUSY ? 0 : 1;
}

/* Without CAP_SETPCAP the bounding set cannot change: the permitted sets
 * still go, and the drop succeeds. */
static int no_setpcap(void)
{
	unsigned long long bnd;

	if (pn__caps_limit(~(1ULL << CAP_SETPCAP)))
		return 1;
	bnd = cap_set(NULL, "CapBnd:");
	if (pn__caps_limit(0) || pn__has_cap(CAP_SYS_ADMIN))
		return 2;
	return cap_set(NULL, "CapBnd:") == bnd && cap_set(NULL, "CapPrm:") == 0 ? 0 : 3;
}

int main(void)
{
	CHECK(in_child(drop_everywhere) == 0);
	CHECK(in_child(blocked_thread) == 0);
	CHECK(in_child(no_setpcap) == 0);
	return pn_test_done("test_caps");
}
