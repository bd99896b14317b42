/*
 * systemd's notification protocol, spoken directly: one datagram per state
 * change to the AF_UNIX socket named in $NOTIFY_SOCKET (a path, or '@' for
 * the abstract namespace), as sd_notify(3) documents it. A library would
 * add a dependency for a dozen lines.
 *
 * The socket is connected once at start, while the monitor still has its
 * privileges and before its system call filter is in place, so each later
 * notification is a single send() on a descriptor it already holds.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "notify.h"

static int notify_fd = -1;
/* With WatchdogSec=, systemd restarts a monitor that has not said
 * WATCHDOG=1 within WATCHDOG_USEC; it is said every half of that. */
static long long watchdog_ms = -1, watchdog_next;

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* WATCHDOG_USEC, when it is meant for this process (WATCHDOG_PID). */
static void watchdog_open(void)
{
	const char *usec = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
	long long v = usec ? atoll(usec) : 0;

	if (v > 0 && (!pid || atoll(pid) == (long long)getpid())) {
		watchdog_ms = v / 2000 > 0 ? v / 2000 : 1;
		watchdog_next = mono_ms();
	}
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
}

static int notify_addr(const char *name, struct sockaddr_un *sa, socklen_t *len)
{
	size_t n = strlen(name);

	if ((name[0] != '/' && name[0] != '@') || n < 2 || n >= sizeof(sa->sun_path))
		return -EINVAL;
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, name, n);
	if (name[0] == '@')
		sa->sun_path[0] = 0; /* abstract: no terminating NUL in the length */
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (name[0] == '/'));
	return 0;
}

int pn_cli_notify_open(void)
{
	const char *name = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa;
	socklen_t len;
	int err;

	if (!name)
		return 0;
	watchdog_open();
	err = notify_addr(name, &sa, &len);
	if (!err) {
		notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (notify_fd < 0 || connect(notify_fd, (struct sockaddr *)&sa, len) < 0)
			err = -errno;
	}
	if (err) {
		fprintf(stderr, "procnotify: NOTIFY_SOCKET %s: %s\n", name, strerror(-err));
		pn_cli_notify_close();
	}
	/* Nothing we start may talk to the service manager in our name. */
	unsetenv("NOTIFY_SOCKET");
	return err ? -1 : 0;
}

void pn_cli_notify(const char *state)
{
	if (notify_fd >= 0)
		(void)send(notify_fd, state, strlen(state), MSG_NOSIGNAL);
}

int pn_cli_notify_watchdog(void)
{
	long long now;

	if (notify_fd < 0 || watchdog_ms < 0)
		return -1;
	now = mono_ms();
	if (now >= watchdog_next) {
		pn_cli_notify("WATCHDOG=1");
		watchdog_next = now + watchdog_ms;
	}
	return (int)(watchdog_next - now);
}

void pn_cli_notify_close(void)
{
	if (notify_fd >= 0)
		close(notify_fd);
	notify_fd = -1;
}
