/* Marks on the file systems of other mount namespaces (fan_mntns.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/fanotify.h>
#include <sys/stat.h>
#include "fan_mntns.h"

/* Kernel 6.14's mount reports, 6.8's unique mount ids: not in every libc's
 * headers yet. */
#ifndef FAN_REPORT_MNT
#define FAN_REPORT_MNT 0x00004000
#endif
#ifndef FAN_MARK_MNTNS
#define FAN_MARK_MNTNS 0x00000110
#endif
#ifndef FAN_MNT_ATTACH
#define FAN_MNT_ATTACH 0x01000000ULL
#endif
#ifndef STATX_MNT_ID_UNIQUE
#define STATX_MNT_ID_UNIQUE 0x00004000U
#endif

#define PRUNE_AT 64
#define MNTS_MAX 64

/* The mount that is pid's root ("self" for the monitor): its namespace's. */
static int root_key(const char *pid, uint64_t *key)
{
	char path[64];
	struct statx st;

	snprintf(path, sizeof(path), "/proc/%s/root", pid);
	if (statx(AT_FDCWD, path, 0, STATX_MNT_ID_UNIQUE | STATX_MNT_ID, &st))
		return -errno;
	if (!(st.stx_mask & (STATX_MNT_ID_UNIQUE | STATX_MNT_ID)))
		return -EOPNOTSUPP;
	*key = st.stx_mnt_id;
	return 0;
}

/*
 * pid's namespace: asked for its mount reports first, so that a mount
 * made while its table is read is reported; then its table, each mount
 * point reached through pid's root. -ENOENT when pid is gone.
 */
static int scan_ns(struct pn__fan_mntns *n, const char *pid, struct pn__marks_pass *p)
{
	char path[64], root[64];
	int fd, rc;

	snprintf(path, sizeof(path), "/proc/%s/ns/mnt", pid);
	if (n->mnt_fd >= 0 &&
	    fanotify_mark(n->mnt_fd, FAN_MARK_ADD | FAN_MARK_MNTNS, FAN_MNT_ATTACH, AT_FDCWD, path)) {
		/* gone, or not reachable: its table says which */
	}
	snprintf(path, sizeof(path), "/proc/%s/mountinfo", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	snprintf(root, sizeof(root), "/proc/%s/root", pid);
	p->root = root;
	rc = pn__marks_table(n->marks, fd, p);
	close(fd);
	return rc;
}

/* Every process's namespace, once each: what no process uses is forgotten. */
static int walk(struct pn__fan_mntns *n)
{
	struct pn__marks_pass p = { 0 };
	uint64_t *roots = NULL, key;
	size_t nroots = 0, cap = 0;
	DIR *d = opendir("/proc");
	struct dirent *de;
	int rc = 0;

	if (!d)
		return -errno;
	while (!rc && (de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9' || root_key(de->d_name, &key) ||
		    key == n->own_root || pn__ids_has(roots, nroots, key))
			continue;
		if (scan_ns(n, de->d_name, &p) == 0)
			rc = pn__ids_add(&roots, &nroots, &cap, key);
	}
	closedir(d);
	free(n->roots);
	n->roots = roots;
	n->nroots = nroots;
	n->rcap = cap;
	free(n->devs);
	n->devs = p.seen;
	n->ndevs = p.nseen;
	n->dcap = p.cap;
	return rc;
}

/* The namespace whose root mount is key, read again through pid. Each of
 * its file systems is marked again, even one whose device is listed: a
 * device number freed with its file system is soon another's. */
static int rescan(struct pn__fan_mntns *n, const char *pid, uint64_t key)
{
	struct pn__marks_pass p = { 0 };
	int rc = scan_ns(n, pid, &p);

	for (size_t i = 0; i < p.nseen && !rc; i++)
		if (!pn__ids_has(n->devs, n->ndevs, p.seen[i]))
			rc = pn__ids_add(&n->devs, &n->ndevs, &n->dcap, p.seen[i]);
	free(p.seen);
	if (rc || pn__ids_has(n->roots, n->nroots, key))
		return rc;
	return pn__ids_add(&n->roots, &n->nroots, &n->rcap, key);
}

/* pid's namespace, scanned if it was not. */
static int check_pid(struct pn__fan_mntns *n, pid_t pid)
{
	char name[16];
	uint64_t key;
	int rc;

	snprintf(name, sizeof(name), "%d", (int)pid);
	if (root_key(name, &key) || key == n->own_root || pn__ids_has(n->roots, n->nroots, key))
		return 0;
	/* Namespaces come and go unseen: the list is pruned, not grown, each
	 * time it is full (the walk reads pid's namespace too). */
	if (n->nroots == n->rcap && n->rcap >= PRUNE_AT)
		return walk(n);
	rc = rescan(n, name, key);
	return rc == -ENOENT ? 0 : rc; /* gone: nothing of it runs */
}

/*
 * Reading pid's root through /proc costs several times what reading the
 * mount of the file it execs costs: a mount whose file was exec'd by a
 * process whose namespace was then known is not asked about again (a
 * mount is in one namespace, and its unique id is never reused). A
 * process that execs only files of another namespace's mounts
 * (/proc/PID/root/...) leaves its own namespace unseen until it execs one
 * of its own.
 */
int pn__mntns_check(struct pn__fan_mntns *n, pid_t pid, int fd)
{
	struct statx st;
	int cached = !statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID_UNIQUE, &st) &&
		     (st.stx_mask & STATX_MNT_ID_UNIQUE);
	int rc;

	if (cached && pn__ids_has(n->mnts, n->nmnts, st.stx_mnt_id))
		return 0;
	if ((rc = check_pid(n, pid)) || !cached)
		return rc;
	if (n->nmnts == MNTS_MAX)
		n->nmnts = 0;
	return pn__ids_add(&n->mnts, &n->nmnts, &n->mcap, st.stx_mnt_id);
}

/* A mount reported: the mounter's namespace first, the quickest to read,
 * where the mount most often is (the race with an exec from it). */
static void reported(struct pn__fan_mntns *n, int pid)
{
	char name[16];
	uint64_t key;

	snprintf(name, sizeof(name), "%d", pid);
	if (pid > 0 && !root_key(name, &key) && key != n->own_root && rescan(n, name, key)) {
		/* gone since: the walk that follows finds its namespace */
	}
}

/* Then every namespace: the mounter may be gone (mount(8) exits at once),
 * or have mounted into another namespace than its own. */
int pn__mntns_drain(struct pn__fan_mntns *n)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct fanotify_event_metadata))));
	const struct fanotify_event_metadata *m;
	ssize_t len;
	int reports = 0;

	while (n->mnt_fd >= 0 && (len = read(n->mnt_fd, buf, sizeof(buf))) > 0)
		for (m = (const void *)buf; FAN_EVENT_OK(m, len); m = FAN_EVENT_NEXT(m, len)) {
			reported(n, m->pid);
			reports = 1;
		}
	return reports ? walk(n) : 0;
}

int pn__mntns_open(struct pn__fan_mntns *n, struct pn__fan_marks *m)
{
	int rc;

	*n = (struct pn__fan_mntns){ .marks = m };
	/* EINVAL before 6.14: namespaces are scanned when first seen only. */
	n->mnt_fd = fanotify_init(FAN_CLASS_NOTIF | FAN_REPORT_MNT | FAN_CLOEXEC | FAN_NONBLOCK,
				  O_RDONLY);
	if ((rc = root_key("self", &n->own_root)))
		return rc;
	return walk(n);
}

void pn__mntns_close(struct pn__fan_mntns *n)
{
	if (n->mnt_fd >= 0)
		close(n->mnt_fd);
	n->mnt_fd = -1;
	free(n->roots);
	free(n->devs);
	free(n->mnts);
	n->roots = NULL;
	n->devs = NULL;
	n->mnts = NULL;
}
