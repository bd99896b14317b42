/* Reading an exec's context. Every /proc read may fail: the field stays unknown. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include "internal.h"
#include "procfs.h"
#include "exec_ctx.h"

/* The path of the open file, as the monitor's mount namespace names it. */
static int file_path(int fd, char *buf, size_t cap, pn_str *out)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, cap);
	if (n < 0)
		return -errno;
	if ((size_t)n == cap)
		return -ENAMETOOLONG;
	*out = (pn_str){ buf, (size_t)n };
	return 0;
}

static void read_proc(struct pn__exec_info *x, uint32_t pid)
{
	struct pn__procstat st;
	pn_event *ev = &x->ev;

	if (pn__procfs_stat(pid, &st) == 0) {
		memcpy(x->comm, st.comm, sizeof(x->comm));
		ev->comm = (pn_str){ x->comm, strnlen(x->comm, sizeof(x->comm)) };
		ev->ppid = st.ppid;
		ev->have |= PN_HAVE_COMM | PN_HAVE_PARENT;
	}
	if (pn__procfs_ids(pid, &ev->uid, &ev->gid, &ev->euid) == 0)
		ev->have |= PN_HAVE_UID;
}

static void read_cwd(struct pn__exec_info *x, uint32_t pid)
{
	int trunc;
	ssize_t n = pn__procfs_link(pid, "cwd", x->cwd, sizeof(x->cwd), &trunc);

	if (n < 0 || trunc)
		return;
	x->ev.cwd = (pn_str){ x->cwd, (size_t)n };
	x->ev.have |= PN_HAVE_CWD;
}

/* The parent's image, then its parent's, up to init or the bound. */
static void read_ancestors(struct pn__exec_info *x, uint32_t pid)
{
	struct pn__procstat st;
	size_t used = 0;
	uint32_t p = pid;

	x->ctx.nancestors = 0;
	while (x->ctx.nancestors < PN__ANCESTORS_MAX && pn__procfs_stat(p, &st) == 0 && st.ppid) {
		int trunc;
		ssize_t n = pn__procfs_link(st.ppid, "exe", x->anc_buf + used,
					    sizeof(x->anc_buf) - used, &trunc);

		if (n < 0 || trunc)
			n = 0; /* a kernel thread or a process gone: no image, the walk goes on */
		x->anc[x->ctx.nancestors++] = (pn_str){ x->anc_buf + used, (size_t)n };
		used += (size_t)n;
		p = st.ppid;
	}
	x->ctx.ancestors = x->anc;
}

int pn__exec_info_fill(struct pn__exec_info *x, int fd, uint32_t pid, uint32_t needs,
		       struct pn__hashcache *cache)
{
	pn_event *ev = &x->ev;
	struct stat st;
	int err;

	memset(ev, 0, sizeof(*ev));
	x->ctx = (pn_exec_ctx){ .ev = ev };
	ev->type = PN_EVENT_DENY;
	ev->time_ns = (int64_t)pn__clock_ns(CLOCK_REALTIME);
	ev->pid = pid;
	ev->duration_ns = -1;
	if (fstat(fd, &st))
		return -errno;
	if ((err = file_path(fd, x->image, sizeof(x->image), &ev->image)))
		return err;
	ev->image_dev = (pn_dev){ major(st.st_dev), minor(st.st_dev) };
	ev->image_ino = st.st_ino;
	ev->have |= PN_HAVE_IMAGE | PN_HAVE_IMAGE_ID;
	if (needs & PN_NEED_PROC)
		read_proc(x, pid);
	if (needs & PN_NEED_CWD)
		read_cwd(x, pid);
	if (needs & PN_NEED_ANCESTORS)
		read_ancestors(x, pid);
	if ((needs & PN_NEED_SHA256) && pn__hashcache_get(cache, fd, &st, x->sha256) == 0)
		x->ctx.sha256 = x->sha256;
	return 0;
}

/* /proc/PID/syscall: "NR arg0 arg1 ..." while the task sleeps in a system
 * call; "running" (or EAGAIN) when it was found awake. */
static ssize_t read_syscall(uint32_t pid, char *buf, size_t size)
{
	int trunc;
	ssize_t n = pn__procfs_read(pid, "syscall", buf, size - 1, &trunc);

	if (n > 0)
		buf[n] = 0;
	return n > 0 && !strncmp(buf, "running", 7) ? -EAGAIN : n;
}

/* The argv pointer of the execve (arg1) or execveat (arg2) pid waits in;
 * 0 when it waits elsewhere or cannot be read. */
static uint64_t argv_pointer(uint32_t pid)
{
	char buf[256];
	unsigned long long a[6];
	long nr;
	ssize_t n = -EAGAIN;

	/* The task waits for the answer on the group's queue, which every
	 * other answer wakes for a moment: it is then found running. A few
	 * tries, 4 ms at most, on a denial's path only. */
	for (int i = 0; i < 20 && n == -EAGAIN; i++) {
		if (i)
			nanosleep(&(struct timespec){ 0, 200000 }, NULL);
		n = read_syscall(pid, buf, sizeof(buf));
	}
	if (n <= 0 || sscanf(buf, "%ld %llx %llx %llx %llx", &nr, &a[0], &a[1], &a[2], &a[3]) != 5)
		return 0;
	if (nr == SYS_execve)
		return a[1];
	if (nr == SYS_execveat)
		return a[2];
	return 0;
}

static ssize_t peek(uint32_t pid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len }, remote = { (void *)(uintptr_t)addr, len };

	return process_vm_readv((pid_t)pid, &local, 1, &remote, 1, 0);
}

/* One argument at addr, NUL included, into out; its length, or -1. */
static ssize_t peek_string(uint32_t pid, uint64_t addr, char *out, size_t cap)
{
	size_t got = 0;

	/* Page by page: a string may end just before an unmapped page. */
	while (got < cap) {
		size_t chunk = 4096 - ((addr + got) & 4095);
		ssize_t n;
		char *nul;

		if (chunk > cap - got)
			chunk = cap - got;
		n = peek(pid, addr + got, out + got, chunk);
		if (n <= 0)
			return -1;
		nul = memchr(out + got, 0, (size_t)n);
		if (nul)
			return nul - out;
		got += (size_t)n;
	}
	return -1;
}

static void read_argv(struct pn__exec_info *x)
{
	uint64_t vec = argv_pointer(x->ev.pid), ptr;
	size_t used = 0;
	uint32_t argc = 0;

	if (!vec)
		return;
	for (;; argc++) {
		ssize_t n;

		if (peek(x->ev.pid, vec + argc * sizeof(ptr), &ptr, sizeof(ptr)) != sizeof(ptr))
			return;
		if (!ptr)
			break;
		n = peek_string(x->ev.pid, ptr, x->argv + used, sizeof(x->argv) - used);
		if (n < 0) { /* longer than the room left: cut here */
			x->ev.flags |= PN_EV_ARGV_TRUNCATED;
			break;
		}
		used += (size_t)n + 1;
	}
	x->ev.argv = (pn_str){ x->argv, used };
	x->ev.argc = argc;
	x->ev.have |= PN_HAVE_ARGV;
}

void pn__exec_info_complete(struct pn__exec_info *x, uint32_t needs)
{
	if (!(needs & PN_NEED_PROC))
		read_proc(x, x->ev.pid);
	if (!(needs & PN_NEED_CWD))
		read_cwd(x, x->ev.pid);
	if (!(needs & PN_NEED_ANCESTORS))
		read_ancestors(x, x->ev.pid);
	if (x->ctx.nancestors && x->anc[0].len) {
		x->ev.parent_image = x->anc[0];
		x->ev.have |= PN_HAVE_PARENT_IMAGE;
	}
	if (x->ctx.sha256) {
		pn__sha256_hex(x->sha256, x->sha256_hex);
		x->ev.image_sha256 = (pn_str){ x->sha256_hex, 2 * PN_SHA256_LEN };
		x->ev.have |= PN_HAVE_SHA256;
	}
	read_argv(x);
}

/* After a copy of src into dst: the copy's strings point into the copy. */
void pn__exec_info_rebase(struct pn__exec_info *dst, const struct pn__exec_info *src)
{
	const char *lo = (const char *)src, *hi = lo + sizeof(*src);
	ptrdiff_t off = (const char *)dst - lo;

#define PN__REBASE_str(name)                                                  \
	if (dst->ev.name.ptr >= lo && dst->ev.name.ptr < hi)                  \
		dst->ev.name.ptr += off;
#define PN__REBASE_argv PN__REBASE_str
#define PN__REBASE_u32(name)
#define PN__REBASE_u64(name)
#define PN__REBASE_i32(name)
#define PN__REBASE_i64(name)
#define PN__REBASE_key(name)
#define PN__REBASE_tty(name)
#define PN__REBASE_dev(name)
#define PN__REBASE_flag(name)
#define PN__REBASE(name, kind, ...) PN__REBASE_##kind(name)
	PN_FIELD_MAP(PN__REBASE)
	for (size_t i = 0; i < dst->ctx.nancestors; i++)
		dst->anc[i].ptr += off;
	dst->ctx.ev = &dst->ev;
	dst->ctx.ancestors = dst->anc;
	if (dst->ctx.sha256)
		dst->ctx.sha256 = dst->sha256;
}
