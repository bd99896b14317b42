/*
 * pn_sandbox(): the monitor's steady state with no more privilege than it
 * uses. See include/procnotify/sandbox.h for the contract, README
 * ("Privilege") for what remains and why.
 */
#include <errno.h>
#include <sys/socket.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include "internal.h"
#include "procnotify/sandbox.h"

/*
 * The system calls allowed without condition, by why the steady state makes
 * them. Names the architecture lacks are skipped. The conditional ones
 * (bpf, mmap, mprotect, clone, clone3, kill, tgkill) follow in add_rules().
 */
static const char *const allowed[] = {
	/* The event loop: the wait, the flush timer, the clock when the vDSO
	 * cannot serve it, and SQLite's busy wait. */
	"epoll_wait", "epoll_pwait", "epoll_pwait2", "timerfd_settime", "timerfd_gettime",
	"clock_gettime", "clock_getres", "gettimeofday", "time", "nanosleep", "clock_nanosleep",
	/* Descriptors opened before the drop (ring, socket, outputs, log), and
	 * files opened after it: /proc/PID/... (netlink backend, resync), -o
	 * reopened on SIGHUP, the log's -wal and -shm, the configuration. */
	"read", "readv", "pread64", "preadv", "write", "writev", "pwrite64", "pwritev",
	"openat", "open", "close", "lseek", "fcntl", "dup", "dup3", "fstat", "newfstatat",
	"stat", "lstat", "statx", "getdents64", "readlink", "readlinkat", "access",
	"faccessat", "faccessat2", "getcwd",
	/* SQLite: durability, the WAL's reset and removal at close, the owner of
	 * a new -wal/-shm when running as root, locks, and its own checks. */
	"fsync", "fdatasync", "ftruncate", "fallocate", "unlink", "unlinkat", "fchown",
	"fchmod", "flock", "getpid", "gettid", "getuid", "geteuid", "getgid", "getegid",
	"umask", "getrandom",
	/* Sockets connected before the drop: the netlink backend's connector,
	 * systemd's notification socket (READY=1, STOPPING=1). */
	"recvmsg", "recvfrom", "recvmmsg", "sendmsg", "sendto", "getsockopt", "getsockname",
	/* Memory: malloc, and the log's shared-memory index growing (mmap and
	 * mprotect are allowed below, never with PROT_EXEC). */
	"brk", "munmap", "mremap", "madvise",
	/* Signals: stop, SIGHUP, SIGPIPE ignored, abort(). */
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack", "restart_syscall",
	/* Threads (a log writer): clone below, for threads only. */
	"futex", "futex_waitv", "set_robust_list", "get_robust_list", "rseq", "sched_yield",
	"sched_getaffinity", "set_tid_address", "prlimit64", "membarrier",
	"exit", "exit_group",
};

/*
 * Test builds with AddressSanitizer only: its leak check at exit stops the
 * threads from a helper task sharing our memory (clone with CLONE_VM but
 * not CLONE_THREAD) that ptraces them and watches its parent (getppid);
 * killed, it leaves the monitor waiting for it forever. A release build
 * has none of these.
 */
#if defined(__SANITIZE_ADDRESS__)
#define PN_LEAK_CHECKED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(leak_sanitizer)
#define PN_LEAK_CHECKED 1
#endif
#endif
static const char *const allowed_leak_check[] = {
#ifdef PN_LEAK_CHECKED
	"ptrace", "wait4", "prctl", "getdents", "getdents64", "getppid",
#endif
	NULL,
};
#ifdef PN_LEAK_CHECKED
#define PN_CLONE_NEEDS CLONE_VM
#else
#define PN_CLONE_NEEDS CLONE_THREAD
#endif

/* The sockets outputs make after the drop (pn__sandbox_allow_socket()). */
static struct {
	int domain, type;
} sockets[4];
static unsigned nsockets;

int pn__sandbox_allow_socket(int domain, int type)
{
	for (unsigned i = 0; i < nsockets; i++)
		if (sockets[i].domain == domain && sockets[i].type == type)
			return 0;
	if (nsockets == sizeof(sockets) / sizeof(sockets[0]))
		return -ENOSPC;
	sockets[nsockets].domain = domain;
	sockets[nsockets++].type = type;
	return 0;
}

static int memfd_allowed;

void pn__sandbox_allow_memfd(void)
{
	memfd_allowed = 1;
}

/* Adds one rule; a name this architecture does not have is no error. */
static int allow(scmp_filter_ctx ctx, const char *name, unsigned n, const struct scmp_arg_cmp *c)
{
	int nr = seccomp_syscall_resolve_name(name);

	if (nr == __NR_SCMP_ERROR)
		return 0;
	return seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, n, c);
}

/* An output's reconnection: a socket of the kinds it asked for (the type's
 * low bits, whatever SOCK_CLOEXEC and SOCK_NONBLOCK), connect(), and the
 * waits of its non-blocking writes; journald's memfd for a large message.
 * Nothing when no output asked. */
static int add_socket_rules(scmp_filter_ctx ctx)
{
	static const char *const net[] = { "connect", "poll", "ppoll" };
	const struct scmp_arg_cmp sndbuf[] = {
		{ .arg = 1, .op = SCMP_CMP_EQ, .datum_a = SOL_SOCKET },
		{ .arg = 2, .op = SCMP_CMP_EQ, .datum_a = SO_SNDBUF },
	};
	int rc = 0;

	for (unsigned i = 0; !rc && i < nsockets; i++) {
		const struct scmp_arg_cmp c[] = {
			{ .arg = 0, .op = SCMP_CMP_EQ, .datum_a = (scmp_datum_t)sockets[i].domain },
			{ .arg = 1, .op = SCMP_CMP_MASKED_EQ, .datum_a = 0xf,
			  .datum_b = (scmp_datum_t)sockets[i].type },
		};

		rc = allow(ctx, "socket", 2, c);
	}
	for (size_t i = 0; !rc && nsockets && i < sizeof(net) / sizeof(net[0]); i++)
		rc = allow(ctx, net[i], 0, NULL);
	/* Anonymous memory with a descriptor: it can be neither mapped
	 * executable nor executed (mmap, execve stay refused). And the size
	 * of a socket's send buffer, which the journald tests shrink. */
	if (!rc && memfd_allowed)
		rc = allow(ctx, "memfd_create", 0, NULL);
	if (!rc && memfd_allowed)
		rc = allow(ctx, "setsockopt", 2, sndbuf);
	return rc;
}

/* Rules that look at arguments; extra: a source's calls (the enforcer's). */
static int add_rules(scmp_filter_ctx ctx, const char *const *extra)
{
	/* A resync's snapshot: a new task iterator from the attached link.
	 * Loading programs, creating maps and attaching stay refused. */
	const struct scmp_arg_cmp iter = { .arg = 0, .op = SCMP_CMP_EQ, .datum_a = BPF_ITER_CREATE };
	/* No new executable memory. */
	const struct scmp_arg_cmp no_exec = { .arg = 2, .op = SCMP_CMP_MASKED_EQ,
					      .datum_a = PROT_EXEC, .datum_b = 0 };
	/* Threads, never processes: no fork, so no exec behind it. */
	const struct scmp_arg_cmp thread = { .arg = 0, .op = SCMP_CMP_MASKED_EQ,
					     .datum_a = PN_CLONE_NEEDS, .datum_b = PN_CLONE_NEEDS };
	/* abort() and raise() signal this process only. */
	const struct scmp_arg_cmp self = { .arg = 0, .op = SCMP_CMP_EQ,
					   .datum_a = (scmp_datum_t)getpid() };
	const struct {
		const char *name;
		const struct scmp_arg_cmp *cmp;
	} conditional[] = { { "bpf", &iter },    { "mmap", &no_exec }, { "mprotect", &no_exec },
			    { "clone", &thread }, { "kill", &self },    { "tgkill", &self } };
	int rc = 0;

	for (size_t i = 0; !rc && i < sizeof(allowed) / sizeof(allowed[0]); i++)
		rc = allow(ctx, allowed[i], 0, NULL);
	for (size_t i = 0; !rc && allowed_leak_check[i]; i++)
		rc = allow(ctx, allowed_leak_check[i], 0, NULL);
	for (size_t i = 0; !rc && extra && extra[i]; i++)
		rc = allow(ctx, extra[i], 0, NULL);
	if (!rc)
		rc = add_socket_rules(ctx);
	for (size_t i = 0; !rc && i < sizeof(conditional) / sizeof(conditional[0]); i++)
		rc = allow(ctx, conditional[i].name, 1, conditional[i].cmp);
	/* clone3's flags are in memory, out of a filter's reach: ENOSYS makes
	 * the C library fall back to clone, which is checked above. */
	if (!rc)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	return rc;
}

static int install_filter(const char *const *extra)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	int rc;

	if (!ctx)
		return -ENOMEM;
	/* Every thread: a log's writer may run already. */
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (!rc)
		rc = add_rules(ctx, extra);
	if (!rc)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	return rc;
}

int pn_sandbox(pn_handle *h, char *err, size_t errlen)
{
	int rc;

	if (!h)
		return -EINVAL;
	if ((rc = pn__caps_limit_all(pn__steady_caps(h)))) {
		pn__errmsg(err, errlen, "cannot drop capabilities: %s", rc == -EBUSY ?
			   "a thread did not (it blocks signals, or was just started)" :
			   strerror(-rc));
		return rc;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		rc = -errno;
		pn__errmsg(err, errlen, "cannot set no_new_privs: %s", strerror(-rc));
		return rc;
	}
	if ((rc = install_filter(pn__source_syscalls(h)))) {
		pn__errmsg(err, errlen, "cannot install the system call filter: %s",
			   strerror(-rc));
		return rc;
	}
	return 0;
}
