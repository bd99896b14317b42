/* Capabilities: checks, so a backend can say what is missing before the
 * kernel refuses it with a bare errno, and the drop to what the steady state
 * needs (pn_sandbox). */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include "internal.h"

static int caps_get(struct __user_cap_data_struct data[2])
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };

	/* Filled by the kernel; zeroed first, as valgrind does not know that
	 * capget() writes both halves. */
	memset(data, 0, 2 * sizeof(*data));
	return syscall(SYS_capget, &hdr, data) ? -errno : 0;
}

int pn__has_cap(int cap)
{
	struct __user_cap_data_struct data[2];

	if (caps_get(data))
		return 0;
	return (data[cap / 32].effective >> (cap % 32)) & 1;
}

/* Without CAP_SETPCAP the bounding set and securebits stay as they are: the
 * permitted set, emptied below, is what a process without it can use. */
static int limit_bounding_set(uint64_t keep)
{
	for (int cap = 0; prctl(PR_CAPBSET_READ, cap) >= 0; cap++)
		if (!(keep >> cap & 1) && prctl(PR_CAPBSET_DROP, cap))
			return -errno;
	/* uid 0 gets no capability back from an exec or a uid change. */
	if (prctl(PR_SET_SECUREBITS, SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
		  SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED |
		  SECBIT_KEEP_CAPS_LOCKED | SECBIT_NO_CAP_AMBIENT_RAISE |
		  SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED))
		return -errno;
	return 0;
}

int pn__caps_limit(uint64_t keep)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	int rc = caps_get(data);

	if (rc)
		return rc;
	/* Only what the thread has can be kept. */
	keep &= (uint64_t)data[1].effective << 32 | data[0].effective;
	if (pn__has_cap(CAP_SETPCAP) && (rc = limit_bounding_set(keep)))
		return rc;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) && errno != EINVAL)
		return -errno;
	for (int i = 0; i < 2; i++) {
		data[i].effective = data[i].permitted = (uint32_t)(keep >> (32 * i));
		data[i].inheritable = 0;
	}
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}

/*
 * Capabilities belong to each thread: a thread started before the drop (a
 * log's writer) would keep all of them. Each other thread drops its own in
 * a handler of a signal sent to it alone; the caller waits for every answer
 * (a thread blocking the signal never answers: -EBUSY), drops its own, and
 * then checks every thread's permitted set in /proc.
 */
#define CAPS_SIGNAL (SIGRTMIN + 3)
#define CAPS_WAIT_MS 2000

static struct {
	uint64_t keep;
	int answered, err;
} all;

static void on_caps_signal(int sig)
{
	int saved = errno, rc = pn__caps_limit(all.keep);

	if (rc)
		__atomic_store_n(&all.err, rc, __ATOMIC_RELAXED);
	__atomic_add_fetch(&all.answered, 1, __ATOMIC_RELEASE);
	errno = saved;
}

/* Calls fn for each thread of this process but the caller; stops at the
 * first nonzero return. */
static int each_other_thread(int (*fn)(pid_t tid, void *ctx), void *ctx)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	pid_t self = (pid_t)syscall(SYS_gettid);
	int rc = 0;

	if (!d)
		return -errno;
	while (!rc && (e = readdir(d))) {
		pid_t tid = (pid_t)atoi(e->d_name);

		if (tid > 0 && tid != self)
			rc = fn(tid, ctx);
	}
	closedir(d);
	return rc;
}

static int signal_thread(pid_t tid, void *sent)
{
	/* ESRCH: it ended meanwhile, and took its capabilities along. */
	if (syscall(SYS_tgkill, getpid(), tid, CAPS_SIGNAL) == 0)
		++*(int *)sent;
	else if (errno != ESRCH)
		return -errno;
	return 0;
}

static int wait_answers(int sent)
{
	const struct timespec ms = { 0, 1000000 };

	for (int i = 0; i < CAPS_WAIT_MS; i++) {
		if (__atomic_load_n(&all.answered, __ATOMIC_ACQUIRE) >= sent)
			return __atomic_load_n(&all.err, __ATOMIC_RELAXED);
		nanosleep(&ms, NULL);
	}
	return -EBUSY;
}

/* -EBUSY when thread tid may still use a capability not in keep. */
static int check_thread(pid_t tid, void *keep)
{
	char path[64], line[128];
	unsigned long long prm = ~0ULL;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/status", (int)tid);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapPrm: %llx", &prm) == 1)
			break;
	fclose(f);
	return prm & ~*(uint64_t *)keep ? -EBUSY : 0;
}

int pn__caps_limit_all(uint64_t keep)
{
	struct sigaction sa, old;
	int sent = 0, rc;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_caps_signal;
	sa.sa_flags = SA_RESTART; /* the other threads' calls go on */
	sigemptyset(&sa.sa_mask);
	all.keep = keep;
	all.answered = all.err = 0;
	if (sigaction(CAPS_SIGNAL, &sa, &old))
		return -errno;
	rc = each_other_thread(signal_thread, &sent);
	if (!rc)
		rc = wait_answers(sent);
	sigaction(CAPS_SIGNAL, &old, NULL);
	if (!rc)
		rc = pn__caps_limit(keep);
	return rc ? rc : each_other_thread(check_thread, &keep);
}
