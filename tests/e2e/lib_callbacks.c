/*
 * Library contract with the real kernel: callbacks registered, one of them
 * unregistered from inside another mid-stream and one unregistering itself;
 * each must see exactly the events it asked for, in order, and an event seen
 * by several must carry the same seq in each. pn_fd() must become readable
 * when events wait. Needs root (BPF).
 */
#include <errno.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include "procnotify.h"
#include "check.h"

#define N 40

extern char **environ;

struct seen {
	pid_t pids[N];       /* the children, in spawn order */
	int execs, exits, forks, others;
	uint64_t last_seq;
	int ordered;
	uint64_t exec_seq[N]; /* the seq of each child's exec, 0 if not seen */
};

static struct seen all_cb, exec_cb, exec2_cb;
static pn_handle *h;
static int stop_exec_after = N / 2, unregistered, nesting_checked, self_calls;

/* The child's index, or -1 for another process. */
static int ours(const struct seen *s, uint32_t pid)
{
	for (int i = 0; i < N; i++)
		if (s->pids[i] == (pid_t)pid)
			return i;
	return -1;
}

static void count(struct seen *s, const pn_event *ev)
{
	int i;

	if (ev->seq <= s->last_seq)
		s->ordered = 0;
	s->last_seq = ev->seq;
	if ((i = ours(&all_cb, ev->pid)) < 0)
		return;
	if (ev->type == PN_EVENT_EXEC && !s->exec_seq[i])
		s->exec_seq[i] = ev->seq;
	if (ev->type == PN_EVENT_EXEC)
		s->execs++;
	else if (ev->type == PN_EVENT_EXIT)
		s->exits++;
	else if (ev->type == PN_EVENT_FORK)
		s->forks++;
	else
		s->others++;
}

static void on_exec_only(const pn_event *ev, void *user)
{
	count(user, ev);
}

static void on_all(const pn_event *ev, void *user)
{
	count(user, ev);
	/* Delivery does not nest: the event's strings live in the library's memory. */
	if (!nesting_checked++)
		CHECK(pn_flush(h) == -EBUSY && pn_poll(h, 0) == -EBUSY);
	/*
	 * Unregistering the other callback from inside dispatch must be safe,
	 * and must take effect at once: on_all runs first (registration order),
	 * so exec_cb must not see this event.
	 */
	if (ev->type == PN_EVENT_EXEC && ours(user, ev->pid) >= 0 &&
	    exec_cb.execs == stop_exec_after && !unregistered++)
		CHECK(pn_unregister(h, on_exec_only, &exec_cb) == 0);
}

/* Removes itself on its first event: called once, and the others go on. */
static void on_self_removing(const pn_event *ev, void *user)
{
	self_calls++;
	CHECK(pn_unregister(h, on_self_removing, user) == 0);
}

/* Waits on pn_fd() as an epoll loop would, then delivers. */
static void wait_fd(void)
{
	struct pollfd p = { .fd = pn_fd(h), .events = POLLIN };

	CHECK(poll(&p, 1, 5000) == 1 && (p.revents & POLLIN));
	CHECK(pn_poll(h, 0) >= 0);
}

static void spawn_all(void)
{
	char *argv[] = { "/bin/true", NULL };

	for (int i = 0; i < N; i++) {
		pid_t pid;

		CHECK(posix_spawn(&pid, argv[0], NULL, NULL, argv, environ) == 0);
		all_cb.pids[i] = pid;
		waitpid(pid, NULL, 0);
		/* Deliver as we go so the unregistration happens mid-stream. */
		wait_fd();
	}
}

/* A child's exec seen by several callbacks has one seq in all of them. */
static int same_seqs(void)
{
	int same = 1;

	for (int i = 0; i < N; i++) {
		same &= all_cb.exec_seq[i] && exec2_cb.exec_seq[i] == all_cb.exec_seq[i];
		if (i < stop_exec_after)
			same &= exec_cb.exec_seq[i] == all_cb.exec_seq[i];
	}
	return same;
}

static void check_strerror(void)
{
	CHECK_STR(pn_strerror(0), "success");
	CHECK_STR(pn_strerror(-ENOENT), strerror(ENOENT));
	CHECK_STR(pn_strerror(-EBUSY), strerror(EBUSY));
}

int main(void)
{
	if (geteuid() != 0) {
		printf("lib_callbacks: 0 passed, 0 failed, 1 skipped\n");
		return 0;
	}
	check_strerror();
	all_cb.ordered = exec_cb.ordered = exec2_cb.ordered = 1;
	CHECK(pn_open(&h, NULL) == 0);
	if (!h)
		return pn_test_done("lib_callbacks");
	CHECK(pn_fd(h) >= 0);
	CHECK(pn_register(h, PN_MASK_ALL, on_all, &all_cb) == 0);
	CHECK(pn_register(h, PN_MASK(PN_EVENT_EXEC), on_exec_only, &exec_cb) == 0);
	CHECK(pn_register(h, PN_MASK(PN_EVENT_EXEC), on_exec_only, &exec_cb) == -EEXIST);
	CHECK(pn_register(h, PN_MASK(PN_EVENT_EXEC), on_exec_only, &exec2_cb) == 0);
	CHECK(pn_register(h, PN_MASK_ALL, on_self_removing, NULL) == 0);
	CHECK(pn_register(h, 0, on_all, NULL) == -EINVAL);
	spawn_all();
	for (int i = 0; i < 20 && all_cb.exits < N; i++)
		pn_poll(h, 50);
	CHECK(all_cb.forks == N && all_cb.execs == N && all_cb.exits == N);
	CHECK(exec_cb.execs == stop_exec_after && unregistered);
	CHECK(exec_cb.forks == 0 && exec_cb.exits == 0 && exec_cb.others == 0);
	CHECK(all_cb.ordered && exec_cb.ordered && exec2_cb.ordered);
	CHECK(exec2_cb.execs == N && same_seqs());
	CHECK(nesting_checked > 0 && self_calls == 1);
	CHECK(pn_unregister(h, on_self_removing, NULL) == -ENOENT);
	CHECK(pn_unregister(h, on_exec_only, &exec_cb) == -ENOENT);
	CHECK(pn_unregister(h, on_all, &all_cb) == 0);
	pn_close(h);
	printf("all: fork %d exec %d exit %d; exec-only: %d\n", all_cb.forks, all_cb.execs,
	       all_cb.exits, exec_cb.execs);
	return pn_test_done("lib_callbacks");
}
