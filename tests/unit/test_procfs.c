/*
 * Reading other processes from /proc: /proc/PID/stat and status as the
 * kernel writes them and as it never should (a name holding ')', spaces
 * and a newline, fields missing), processes that are gone, zombies and
 * files longer than the room; then children of the test's own in the
 * states the readers must tell apart: an unlinked image, a memfd, a
 * chroot, a working directory too deep to print, and a process waiting in
 * execve (stopped there by ptrace), whose arguments are read from its
 * memory (an exec's context cuts them at its room).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "linux/exec_argv.h"
#include "linux/exec_ctx.h"
#include "linux/nl_paths.h"
#include "linux/procfs.h"
#include "check.h"

static char dir[] = "/tmp/pn-procfs.XXXXXX";

#define STAT_TAIL " 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24"

static void test_parse_stat(void)
{
	struct pn__procstat st;

	/* A name with ") (" and spaces: the fields follow the last ')'. */
	CHECK(pn__procfs_parse_stat("42 (a) (b c) S 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 "
				    "23 24 12345 25", &st) == 0);
	CHECK_STR(st.comm, "a) (b c");
	CHECK(st.state == 'S' && st.ppid == 7 && st.sid == 9 && st.start_ticks == 12345);
	/* A newline in the name, and a name cut to 15 bytes. */
	CHECK(pn__procfs_parse_stat("1 (x\ny) R 0 1 2" STAT_TAIL, &st) == 0 &&
	      !strcmp(st.comm, "x\ny") && st.ppid == 0);
	CHECK(pn__procfs_parse_stat("1 (0123456789abcdefgh) R 1 1 1" STAT_TAIL, &st) == 0);
	CHECK_STR(st.comm, "0123456789abcde");
	/* A session that is no pid (negative, or past the pid range). */
	CHECK(pn__procfs_parse_stat("1 (s) S 1 1 -1" STAT_TAIL, &st) == 0 && st.sid == 0);
	CHECK(pn__procfs_parse_stat("1 (s) S 1 1 4294967295" STAT_TAIL, &st) == 0 && st.sid == 0);
	/* Not the kernel's form: no parentheses, in the wrong order, no space
	 * after, too few fields (before and after the session). */
	CHECK(pn__procfs_parse_stat("1 x S 1", &st) == -EINVAL);
	CHECK(pn__procfs_parse_stat("1 (x S 1", &st) == -EINVAL);
	CHECK(pn__procfs_parse_stat("1 x) S (1", &st) == -EINVAL);
	CHECK(pn__procfs_parse_stat("1 (x)S 1" STAT_TAIL, &st) == -EINVAL);
	CHECK(pn__procfs_parse_stat("1 (x) S", &st) == -EINVAL);
	CHECK(pn__procfs_parse_stat("1 (x) S 5 6 7 8", &st) == -EINVAL && st.ppid == 5);
}

static void test_parse_ids(void)
{
	uint32_t uid = 1, gid = 1, euid = 1;

	CHECK(pn__procfs_parse_ids("Name:\tx\nUid:\t1000\t0\t0\t0\nGid:\t100\t100\t100\t100\n",
				   &uid, &gid, &euid) == 0);
	CHECK(uid == 1000 && euid == 0 && gid == 100);
	CHECK(pn__procfs_parse_ids("Name:\tx\nGid:\t1\n", &uid, &gid, &euid) == -EINVAL);
	CHECK(pn__procfs_parse_ids("Name:\tx\nUid:\t1\t2\n", &uid, &gid, &euid) == -EINVAL);
	CHECK(pn__procfs_parse_ids("Name:\tx\nUid:\tx\nGid:\t1\n", &uid, &gid, &euid) == -EINVAL);
	CHECK(pn__procfs_parse_ids("Name:\tx\nUid:\t1 2\nGid:\tno\n", &uid, &gid, &euid) ==
	      -EINVAL);
}

/* A child that runs fn, says it is ready on a pipe, and waits to be killed. */
static pid_t child(int (*fn)(void *), void *arg)
{
	int p[2];
	char c = 0;
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		c = (char)fn(arg);
		if (write(p[1], &c, 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	if (pid < 0 || read(p[0], &c, 1) != 1 || c) {
		if (pid > 0)
			kill(pid, SIGKILL), waitpid(pid, NULL, 0);
		pid = -1;
	}
	close(p[0]);
	return pid;
}

static void reap(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

static int set_name(void *name)
{
	return prctl(PR_SET_NAME, name) ? 1 : 0;
}

static int count(uint32_t id, void *n)
{
	++*(int *)n;
	return 0;
}

static int find(uint32_t id, void *want)
{
	return id == *(uint32_t *)want;
}

/* The readers on live, dead and zombie processes of the test's own. */
static void test_readers(void)
{
	struct pn__procstat st;
	pid_t pid = child(set_name, "a) b\nc");
	uint32_t uid, gid, euid, me = (uint32_t)getpid();
	char buf[16];
	int trunc = -1, n = 0;

	CHECK(pid > 0 && pn__procfs_stat((uint32_t)pid, &st) == 0);
	CHECK_STR(st.comm, "a) b\nc");
	CHECK(st.ppid == me && (st.state == 'S' || st.state == 'R')); /* pausing, or about to */
	CHECK(pn__procfs_ids((uint32_t)pid, &uid, &gid, &euid) == 0 && uid == getuid() &&
	      gid == getgid() && euid == geteuid());
	reap(pid);
	/* Gone: every reader says so. */
	CHECK(pn__procfs_stat((uint32_t)pid, &st) == -ENOENT);
	CHECK(pn__procfs_ids((uint32_t)pid, &uid, &gid, &euid) == -ENOENT);
	CHECK(pn__procfs_read((uint32_t)pid, "cmdline", buf, sizeof(buf), &trunc) == -ENOENT);
	CHECK(pn__procfs_link((uint32_t)pid, "exe", buf, sizeof(buf), &trunc) == -ENOENT);
	CHECK(pn__procfs_each_task((uint32_t)pid, count, &n) == -ENOENT && n == 0);
	/* A zombie: its stat says Z, its exe is no more. */
	pid = fork();
	if (pid == 0)
		_exit(0);
	for (int i = 0; i < 2000 && pn__procfs_stat((uint32_t)pid, &st) == 0 && st.state != 'Z'; i++)
		usleep(5000);
	CHECK(pn__procfs_stat((uint32_t)pid, &st) == 0 && st.state == 'Z');
	CHECK(pn__procfs_link((uint32_t)pid, "exe", buf, sizeof(buf), &trunc) == -ENOENT);
	waitpid(pid, NULL, 0);
	/* Longer than the room: cut, and said so; exactly the room: whole. */
	CHECK(pn__procfs_read(me, "comm", buf, 4, &trunc) == 4 && trunc == 1);
	n = (int)pn__procfs_read(me, "comm", buf, sizeof(buf), &trunc);
	CHECK(n > 1 && trunc == 0);
	CHECK(n > 1 && pn__procfs_read(me, "comm", buf, (size_t)n, &trunc) == n && trunc == 0);
	CHECK(pn__procfs_link(me, "cwd", buf, 1, &trunc) == 1 && trunc == 1);
	/* Every process and every thread is listed; fn's answer stops the walk. */
	n = 0;
	CHECK(pn__procfs_each(count, &n) == 0 && n > 1);
	CHECK(pn__procfs_each(find, &me) == 1);
	n = 0;
	CHECK(pn__procfs_each_task(me, count, &n) == 0 && n == 1);
}

/* ---- nl_paths: the exec's paths of children in odd states ---- */

static union {
	struct pn_rec_exec x;
	char bytes[PN_REC_MAX_SIZE];
} rec;

static void paths_of(pid_t pid)
{
	memset(&rec, 0, sizeof(rec));
	pn__nl_paths(&rec.x, (uint32_t)pid, sizeof(rec.x));
}

static int is(struct pn_strref r, const char *want)
{
	return r.len == strlen(want) && !memcmp(rec.bytes + r.off, want, r.len);
}

/* A child running a copy of /bin/sleep: from path, or from a memfd named
 * memfd (fexecve). */
static pid_t sleeper(const char *path, const char *memfd)
{
	char *argv[] = { "sleep", "60", NULL };
	char exe[4200];
	pid_t pid = fork();

	if (pid == 0) {
		int in = open("/bin/sleep", O_RDONLY | O_CLOEXEC), out;
		char buf[65536];
		ssize_t n;

		out = memfd ? memfd_create(memfd, 0) : open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
		while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
			if (write(out, buf, (size_t)n) != n)
				_exit(1);
		/* A memfd is run by its /proc name, once closed for writing. */
		if (memfd) {
			snprintf(exe, sizeof(exe), "/proc/self/fd/%d", out);
			in = open(exe, O_RDONLY);
			close(out);
			snprintf(exe, sizeof(exe), "/proc/self/fd/%d", in);
			path = exe;
		}
		close(out);
		execv(path, argv);
		_exit(1);
	}
	/* Running once /proc names the new image. */
	snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)pid);
	for (int i = 0; i < 4000; i++) {
		char got[4200];
		ssize_t n = readlink(exe, got, sizeof(got) - 1);

		if (n > 0 && (got[n] = 0, memfd ? strstr(got, "memfd:") != NULL : strstr(got, path) == got))
			return pid;
		usleep(5000);
	}
	return pid;
}

static void test_unlinked(void)
{
	char path[256], shown[300];
	pid_t pid;

	/* A linked file whose name ends like the kernel's suffix keeps it. */
	snprintf(path, sizeof(path), "%s/sl (deleted)", dir);
	pid = sleeper(path, NULL);
	paths_of(pid);
	CHECK(is(rec.x.image, path) && !(rec.x.flags & PN_EXEC_IMAGE_DELETED));
	CHECK(rec.x.task.known & PN_KNOWN_IMAGE_ID);
	/* Unlinked: the suffix goes, the flag says it. */
	unlink(path);
	paths_of(pid);
	CHECK(is(rec.x.image, path) && (rec.x.flags & PN_EXEC_IMAGE_DELETED));
	reap(pid);
	/* A memfd: "memfd:NAME"; a name holding '/' is no memfd's form. */
	pid = sleeper(NULL, "pn-mem");
	paths_of(pid);
	CHECK(is(rec.x.image, "memfd:pn-mem") && (rec.x.flags & PN_EXEC_IMAGE_DELETED));
	reap(pid);
	pid = sleeper(NULL, "pn/mem");
	paths_of(pid);
	snprintf(shown, sizeof(shown), "/memfd:pn/mem");
	CHECK(is(rec.x.image, shown) && (rec.x.flags & PN_EXEC_IMAGE_DELETED));
	reap(pid);
}

/* The image of pid, as its exe link names it. */
static const char *exe_of(pid_t pid, char *buf, size_t cap)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
	n = readlink(link, buf, cap - 1);
	buf[n > 0 ? n : 0] = 0;
	return buf;
}

/* chroot(root) after chdir(cwd), both under dir. */
static int jail(void *arg)
{
	char **p = arg, root[256], cwd[256];

	snprintf(root, sizeof(root), "%s/%s", dir, p[0]);
	snprintf(cwd, sizeof(cwd), "%s%s%s", dir, p[1][0] ? "/" : "", p[1]);
	return chdir(cwd) || chroot(root);
}

/* Paths seen from a chroot: below the root, the root itself, and paths
 * outside it or merely sharing its first bytes, which stay as they are. */
static void test_chroot(void)
{
	char *in[] = { "r", "r/sub" }, *at_root[] = { "r", "r" }, *beside[] = { "r", "r2" },
	     *above[] = { "r", "" };
	char want[256], exe[4200];
	pid_t pid;

	snprintf(want, sizeof(want), "%s/r", dir);
	mkdir(want, 0755);
	snprintf(want, sizeof(want), "%s/r/sub", dir);
	mkdir(want, 0755);
	snprintf(want, sizeof(want), "%s/r2", dir);
	mkdir(want, 0755);
	pid = child(jail, in);
	paths_of(pid);
	snprintf(want, sizeof(want), "%s/r", dir);
	CHECK(pid > 0 && is(rec.x.root, want) && is(rec.x.cwd, "/sub"));
	CHECK(is(rec.x.image, exe_of(pid, exe, sizeof(exe)))); /* outside the root: as it is */
	CHECK(rec.x.task.known & PN_KNOWN_ROOT);
	reap(pid);
	pid = child(jail, at_root);
	paths_of(pid);
	CHECK(pid > 0 && is(rec.x.cwd, "/"));
	reap(pid);
	pid = child(jail, beside);
	paths_of(pid);
	snprintf(want, sizeof(want), "%s/r2", dir);
	CHECK(pid > 0 && is(rec.x.cwd, want));
	reap(pid);
	pid = child(jail, above);
	paths_of(pid);
	CHECK(pid > 0 && is(rec.x.cwd, dir));
	reap(pid);
	/* Not chrooted: no root, and its bit stays clear. */
	paths_of(getpid());
	CHECK(rec.x.root.len == 0 && !(rec.x.task.known & PN_KNOWN_ROOT));
	CHECK(is(rec.x.image, exe_of(getpid(), exe, sizeof(exe))));
}

/* A working directory deeper than the kernel prints (over 4096 bytes). */
static int deep(void *unused)
{
	char name[250];

	memset(name, 'd', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	if (chdir(dir))
		return 1;
	for (int i = 0; i < 20; i++)
		if ((mkdir(name, 0700) && errno != EEXIST) || chdir(name))
			return 1;
	return 0;
}

static void test_deep_cwd(void)
{
	pid_t pid = child(deep, NULL);

	paths_of(pid);
	CHECK(pid > 0 && rec.x.cwd.len == 0 && !(rec.x.task.known & PN_KNOWN_CWD));
	CHECK(rec.x.flags & PN_EXEC_CWD_TRUNCATED);
	CHECK(rec.x.image.len > 0 && !(rec.x.flags & PN_EXEC_IMAGE_TRUNCATED));
	reap(pid);
}

/* ---- exec_argv: a process stopped by ptrace on entering execve ---- */

/* Runs argv under ptrace and stops it as it enters its first execve or
 * execveat (or, with any, its first system call of any kind); its pid. */
static pid_t stopped_in_exec(char *const argv[], int any)
{
	char path[64], buf[64];
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		execv(argv[0], argv); /* stops with SIGTRAP once it runs argv */
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status))
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	for (int i = 0; i < 200000; i++) {
		FILE *f;
		long nr = -1;

		if (ptrace(PTRACE_SYSCALL, pid, NULL, NULL) || waitpid(pid, &status, 0) != pid ||
		    !WIFSTOPPED(status))
			break;
		f = fopen(path, "re");
		if (f && fgets(buf, sizeof(buf), f))
			nr = strtol(buf, NULL, 10);
		if (f)
			fclose(f);
		if (any || nr == SYS_execve || nr == SYS_execveat)
			return pid;
	}
	reap(pid);
	return -1;
}

static long argv_of(pid_t pid, char *buf, size_t cap, uint32_t *argc, int *trunc)
{
	long n = pid > 0 ? pn__exec_argv_read((uint32_t)pid, buf, cap, argc, trunc) : -2;

	reap(pid);
	return n;
}

static void test_exec_argv(void)
{
	static char buf[16384];
	char *sh[] = { "/bin/sh", "-c", "exec /bin/true a 'b c' ''", NULL };
	char py_at[] = "import os; os.execve(os.open('/bin/true', os.O_RDONLY), ['t', 'x'], {})";
	char py_bad_vec[] = "import ctypes; ctypes.CDLL(None).syscall(59, b'/bin/true', 16, 0)";
	char py_bad_str[] = "import ctypes; s = ctypes.c_char_p(b'ok'); v = (ctypes.c_void_p * 3)("
			    "ctypes.cast(s, ctypes.c_void_p).value, 16, None); "
			    "ctypes.CDLL(None).syscall(59, b'/bin/true', v, 0)";
	char *at[] = { "/usr/bin/python3", "-c", py_at, NULL };
	char *bad_vec[] = { "/usr/bin/python3", "-c", py_bad_vec, NULL };
	char *bad_str[] = { "/usr/bin/python3", "-c", py_bad_str, NULL };
	char long_arg[10000], cmd[10100];
	char *long_sh[] = { "/bin/sh", "-c", cmd, NULL };
	uint32_t argc;
	int trunc;
	long n;

	n = argv_of(stopped_in_exec(sh, 0), buf, sizeof(buf), &argc, &trunc);
	CHECK(n == 17 && argc == 4 && !trunc && !memcmp(buf, "/bin/true\0a\0b c\0\0", 17));
	/* execveat (fexecve): the vector is its third argument. */
	n = argv_of(stopped_in_exec(at, 0), buf, sizeof(buf), &argc, &trunc);
	CHECK(n == 4 && argc == 2 && !trunc && !memcmp(buf, "t\0x\0", 4));
	/* Room for "/bin/true" and "a" only: cut there, and said so. */
	n = argv_of(stopped_in_exec(sh, 0), buf, 13, &argc, &trunc);
	CHECK(n == 12 && argc == 2 && trunc == 1);
	/* An argument over several pages, read whole. */
	memset(long_arg, 'x', sizeof(long_arg) - 1);
	long_arg[sizeof(long_arg) - 1] = 0;
	snprintf(cmd, sizeof(cmd), "exec /bin/echo %s", long_arg);
	n = argv_of(stopped_in_exec(long_sh, 0), buf, sizeof(buf), &argc, &trunc);
	CHECK(n == 10 + (long)sizeof(long_arg) && argc == 2 && !trunc &&
	      !strcmp(buf + 10, long_arg));
	/* Through the exec's context: more than its room, cut and said so. */
	{
		static char huge[40000], huge_cmd[40100];
		char *huge_sh[] = { "/bin/sh", "-c", huge_cmd, NULL };
		struct pn__exec_info *x = calloc(1, sizeof(*x));
		int fd = open("/bin/true", O_RDONLY | O_CLOEXEC);
		pid_t pid;

		memset(huge, 'y', sizeof(huge) - 1);
		snprintf(huge_cmd, sizeof(huge_cmd), "exec /bin/echo %s", huge);
		pid = stopped_in_exec(huge_sh, 0);
		CHECK(pid > 0 && pn__exec_info_fill(x, fd, (uint32_t)pid, NULL) == 0);
		pn__exec_info_need(x, PN_NEED_ARGV);
		reap(pid);
		CHECK((x->ev.have & PN_HAVE_ARGV) && (x->ev.flags & PN_EV_ARGV_TRUNCATED));
		CHECK(x->ev.argc == 1 && x->ev.argv.len == 10 && !strcmp(x->ev.argv.ptr, "/bin/echo"));
		close(fd);
		free(x);
	}
	/* A vector, or an argument, the kernel would refuse (EFAULT): the
	 * vector cannot be read; the argument cuts the list short. */
	n = argv_of(stopped_in_exec(bad_vec, 0), buf, sizeof(buf), &argc, &trunc);
	CHECK(n == -1);
	n = argv_of(stopped_in_exec(bad_str, 0), buf, sizeof(buf), &argc, &trunc);
	CHECK(n == 3 && argc == 1 && trunc == 1 && !strcmp(buf, "ok"));
	/* Stopped in another system call, or not in one at all. */
	n = argv_of(stopped_in_exec(sh, 1), buf, sizeof(buf), &argc, &trunc);
	CHECK(n == -1 && argc == 0);
	CHECK(pn__exec_argv_read((uint32_t)getpid(), buf, sizeof(buf), &argc, &trunc) == -1);
}

int main(void)
{
	char cmd[64];

	if (!mkdtemp(dir))
		return 1;
	test_parse_stat();
	test_parse_ids();
	test_readers();
	test_unlinked();
	if (geteuid() == 0)
		test_chroot();
	else
		CHECK(!"the chroot checks need root");
	test_deep_cwd();
	test_exec_argv();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd)) {
		/* a temporary directory left behind fails nothing */
	}
	return pn_test_done("test_procfs");
}
