/*
 * The netlink backend's exec paths and what they mean, from /proc, in the
 * form the BPF side gives them (include/procnotify/fields.h, PN_FIELDS_PATH):
 *  - a path is the one the process saw: /proc prints it from the monitor's
 *    root, so a chrooted process's root is taken off its front;
 *  - an unlinked image loses the " (deleted)" the kernel appends and gets
 *    the flag instead, told by its link count (a file may be named so), and
 *    a memfd's "/memfd:NAME" is "memfd:NAME";
 *  - a path the kernel will not print (over 4096 bytes) is unknown and
 *    marked truncated; the image's device and inode are known regardless.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "nl_paths.h"
#include "procfs.h"

#define DELETED_SUFFIX " (deleted)"

/* Reads link name of pid into rec at *off; returns its reference. */
static struct pn_strref read_link(char *rec, size_t *off, uint32_t pid, const char *name,
				  int *too_long)
{
	struct pn_strref ref = { 0, 0 };
	int tr = 0;
	ssize_t n = pn__procfs_link(pid, name, rec + *off, PN_PATH_MAX, &tr);

	*too_long = n == -ENAMETOOLONG || (n > 0 && tr);
	if (n <= 0 || tr)
		return ref;
	ref.off = (uint32_t)*off;
	ref.len = (uint32_t)n;
	*off += (size_t)n;
	return ref;
}

/* An unlinked image: the kernel's suffix off, and a memfd's '/' too. */
static void unlinked(const char *rec, struct pn_strref *image)
{
	const size_t sl = sizeof(DELETED_SUFFIX) - 1;
	const char *s = rec + image->off;

	if (image->len > sl && !memcmp(s + image->len - sl, DELETED_SUFFIX, sl))
		image->len -= (uint32_t)sl;
	if (image->len > 7 && !memcmp(s, "/memfd:", 7) && !memchr(s + 1, '/', image->len - 1)) {
		image->off++;
		image->len--;
	}
}

/* A path below root, as the process sees it: root's length off its front. */
static void below_root(const char *rec, struct pn_strref root, struct pn_strref *path)
{
	const char *p = rec + path->off;

	if (!path->len || path->len < root.len || memcmp(p, rec + root.off, root.len))
		return;
	if (path->len == root.len) {
		path->len = 1; /* the root itself: "/", the path's first byte */
		return;
	}
	if (p[root.len] == '/') {
		path->off += root.len;
		path->len -= root.len;
	}
}

static int ns_inode(uint32_t pid, const char *name, uint32_t *ino)
{
	struct stat st;
	int rc = pn__procfs_stat_link(pid, name, &st);

	if (!rc)
		*ino = (uint32_t)st.st_ino;
	return rc;
}

/* The image file's identity, and whether it is still linked. */
static int image_file(struct pn_rec_exec *x, uint32_t pid)
{
	struct stat st;

	if (pn__procfs_stat_link(pid, "exe", &st))
		return 0;
	x->image_dev_major = major(st.st_dev);
	x->image_dev_minor = minor(st.st_dev);
	x->image_ino = st.st_ino;
	x->task.known |= PN_KNOWN_IMAGE_ID;
	return st.st_nlink == 0;
}

size_t pn__nl_paths(struct pn_rec_exec *x, uint32_t pid, size_t off)
{
	char *rec = (char *)x;
	int long_image, long_cwd, long_root;

	x->image = read_link(rec, &off, pid, "exe", &long_image);
	x->cwd = read_link(rec, &off, pid, "cwd", &long_cwd);
	x->root = read_link(rec, &off, pid, "root", &long_root);
	if (image_file(x, pid)) {
		x->flags |= PN_EXEC_IMAGE_DELETED;
		unlinked(rec, &x->image);
	}
	if (x->root.len > 1) {
		below_root(rec, x->root, &x->image);
		below_root(rec, x->root, &x->cwd);
		x->task.known |= PN_KNOWN_ROOT;
	} else {
		x->root = (struct pn_strref){ 0, 0 };
	}
	x->task.known |= (x->image.len ? PN_KNOWN_IMAGE : 0) | (x->cwd.len ? PN_KNOWN_CWD : 0);
	x->flags |= (long_image ? PN_EXEC_IMAGE_TRUNCATED : 0) |
		    (long_cwd ? PN_EXEC_CWD_TRUNCATED : 0);
	if (!ns_inode(pid, "ns/mnt", &x->mnt_ns) && !ns_inode(pid, "ns/pid", &x->pid_ns))
		x->task.known |= PN_KNOWN_NS;
	return off;
}
