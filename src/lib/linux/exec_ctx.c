/* Reading an exec's context. Every /proc read may fail: the field stays unknown. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "internal.h"
#include "procfs.h"
#include "exec_argv.h"
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

/* One step up: the image of the parent of the last ancestor walked to. */
static int walk_one(struct pn__exec_info *x)
{
	struct pn__procstat st;
	int trunc;
	ssize_t n;

	if (!x->anc_pid || x->ctx.nancestors == PN__ANCESTORS_MAX ||
	    pn__procfs_stat(x->anc_pid, &st) || !st.ppid) {
		x->anc_pid = 0;
		return -ENOENT;
	}
	n = pn__procfs_link(st.ppid, "exe", x->anc_buf + x->anc_used,
			    sizeof(x->anc_buf) - x->anc_used, &trunc);
	if (n < 0 || trunc)
		n = 0; /* a kernel thread, or a process gone: no image, the walk goes on */
	x->anc[x->ctx.nancestors++] = (pn_str){ x->anc_buf + x->anc_used, (size_t)n };
	x->anc_used += (size_t)n;
	x->anc_pid = st.ppid;
	return 0;
}

int pn__exec_info_ancestor(void *user, unsigned depth, pn_str *image)
{
	struct pn__exec_info *x = user;

	while (x->ctx.nancestors < depth)
		if (walk_one(x))
			return -ENOENT;
	*image = x->anc[depth - 1];
	return image->len ? 0 : 1;
}

/* A cgroup v2 id is its directory's inode number. */
static void read_cgroup(struct pn__exec_info *x)
{
	char buf[PATH_MAX], path[PATH_MAX + 32];
	struct stat st;
	int trunc;
	ssize_t n = pn__procfs_read(x->ev.pid, "cgroup", buf, sizeof(buf) - 1, &trunc);
	char *v2;

	if (n <= 0 || trunc)
		return;
	buf[n] = 0;
	v2 = strstr(buf, "0::/");
	if (!v2 || (v2 != buf && v2[-1] != '\n'))
		return;
	v2[strcspn(v2, "\n")] = 0;
	snprintf(path, sizeof(path), "/sys/fs/cgroup%s", v2 + 3);
	if (stat(path, &st) == 0)
		x->ev.cgroup_id = st.st_ino;
}

static void read_ns(struct pn__exec_info *x)
{
	struct stat mnt, pid;

	if (pn__procfs_stat_link(x->ev.pid, "ns/mnt", &mnt) ||
	    pn__procfs_stat_link(x->ev.pid, "ns/pid", &pid))
		return;
	x->ev.mnt_ns = (uint32_t)mnt.st_ino;
	x->ev.pid_ns = (uint32_t)pid.st_ino;
	x->ev.have |= PN_HAVE_NS;
}

static void read_argv(struct pn__exec_info *x)
{
	int truncated;
	long n = pn__exec_argv_read(x->ev.pid, x->argv, sizeof(x->argv), &x->ev.argc, &truncated);

	if (n < 0)
		return;
	x->ev.argv = (pn_str){ x->argv, (size_t)n };
	x->ev.have |= PN_HAVE_ARGV;
	if (truncated)
		x->ev.flags |= PN_EV_ARGV_TRUNCATED;
}

static void read_sha256(struct pn__exec_info *x)
{
	int rc = x->cache_only ? pn__hashcache_lookup(x->cache, &x->st, x->sha256)
			       : pn__hashcache_get(x->cache, x->fd, &x->st, x->sha256);

	if (rc == 0)
		x->ctx.sha256 = x->sha256;
	else if (x->cache_only)
		x->hash_missing = 1;
}

int pn__exec_info_fill(struct pn__exec_info *x, int fd, uint32_t pid, struct pn__hashcache *cache)
{
	pn_event *ev = &x->ev;
	int err;

	memset(ev, 0, sizeof(*ev));
	x->ctx = (pn_exec_ctx){ .ev = ev, .ancestors = x->anc };
	x->fd = fd;
	x->cache = cache;
	x->done = 0;
	x->hash_missing = 0;
	x->anc_pid = pid;
	x->anc_used = 0;
	ev->type = PN_EVENT_DENY;
	ev->time_ns = (int64_t)pn__clock_ns(CLOCK_REALTIME);
	ev->pid = pid;
	ev->duration_ns = -1;
	if (fstat(fd, &x->st))
		return -errno;
	if ((err = file_path(fd, x->image, sizeof(x->image), &ev->image)))
		return err;
	ev->image_dev = (pn_dev){ major(x->st.st_dev), minor(x->st.st_dev) };
	ev->image_ino = x->st.st_ino;
	ev->have |= PN_HAVE_IMAGE | PN_HAVE_IMAGE_ID;
	return 0;
}

void pn__exec_info_need(struct pn__exec_info *x, uint32_t needs)
{
	uint32_t todo = needs & ~x->done;

	x->done |= needs;
	if (todo & PN_NEED_PROC)
		read_proc(x, x->ev.pid);
	if (todo & PN_NEED_CWD)
		read_cwd(x, x->ev.pid);
	if (todo & PN_NEED_ANCESTORS)
		while (walk_one(x) == 0)
			;
	if (todo & PN_NEED_CGROUP)
		read_cgroup(x);
	if (todo & PN_NEED_NS)
		read_ns(x);
	if (todo & PN_NEED_ARGV)
		read_argv(x);
	if (todo & PN_NEED_SHA256)
		read_sha256(x);
}

void pn__exec_info_complete(struct pn__exec_info *x)
{
	pn_str parent;

	pn__exec_info_need(x, PN_NEED_PROC | PN_NEED_CWD | PN_NEED_ARGV);
	if (pn__exec_info_ancestor(x, 1, &parent) == 0) {
		x->ev.parent_image = parent;
		x->ev.have |= PN_HAVE_PARENT_IMAGE;
	}
	if (x->ctx.sha256) {
		pn__sha256_hex(x->sha256, x->sha256_hex);
		x->ev.image_sha256 = (pn_str){ x->sha256_hex, 2 * PN_SHA256_LEN };
		x->ev.have |= PN_HAVE_SHA256;
	}
}

/* A string of the copy that pointed into the original [lo, hi) points
 * off bytes further; one elsewhere (static, or NULL) stays. */
static void rebase_str(pn_str *s, const char *lo, const char *hi, ptrdiff_t off)
{
	if (s->ptr >= lo && s->ptr < hi)
		s->ptr += off;
}

/* After a copy of src into dst: the copy's strings point into the copy. */
void pn__exec_info_rebase(struct pn__exec_info *dst, const struct pn__exec_info *src)
{
	const char *lo = (const char *)src, *hi = lo + sizeof(*src);
	ptrdiff_t off = (const char *)dst - lo;

#define PN__REBASE_str(name) rebase_str(&dst->ev.name, lo, hi, off);
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
