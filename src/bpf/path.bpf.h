/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The path walk (put_path()) that exec and the snapshot use for the image,
 * the working directory and the root. Included once, by procnotify.bpf.c,
 * after common.bpf.h.
 */
#ifndef PN_PATH_BPF_H
#define PN_PATH_BPF_H

/*
 * d_path() is not callable from tracepoints, so paths are assembled here by
 * walking dentries up to the task's root, crossing mount points, one
 * component per bpf_loop() step, right to left into scratch->path.
 *
 * The walk is one global subprogram, put_path(): the verifier checks a
 * global function once, on its own, whatever its callers' states, where an
 * inlined walk was checked again for every state of every caller (337,000
 * instructions and over a second of start-up for the exec program). Its
 * argument is a request in the caller's memory, whose fields it sees as
 * unknown numbers: the kernel pointers in it are cast back with
 * bpf_rdonly_cast(), which makes them untrusted BTF pointers, read with
 * plain loads that the kernel guards against faults (far cheaper than a
 * bpf_probe_read_kernel() call per field).
 *
 * put_path() says in the request's flags when a path is cut short or
 * names an unlinked file; its callers add what a path means (device and
 * inode, root, namespaces) to the record themselves.
 */

/*
 * Enough steps for the deepest path that fits in PN_PATH_MAX ("/a" per
 * component) and 64 mount crossings; a walk that runs out of them is
 * marked truncated. The bound costs the verifier nothing: bpf_loop().
 */
#define PN_PATH_STEPS (PN_PATH_MAX / 2 + 64)

/* put_path() flags */
#define PN_PATH_TRUNCATED 0x1 /* longer than PN_PATH_MAX, or deeper than PN_PATH_STEPS */
#define PN_PATH_DELETED   0x2 /* unlinked, or never linked (a memfd's "memfd:NAME") */

struct path_req {
	__u64 mnt;         /* in: the path's vfsmount, a kernel pointer */
	__u64 dentry;      /* in */
	__u64 root_mnt;    /* in: the task's root; the walk stops there */
	__u64 root_dentry; /* in */
	__u32 slot;        /* in: the scratch slot whose record gets the path */
	__u32 off;         /* in: where in the record the path goes */
	__u32 flags;       /* out: PN_PATH_* */
	__u32 reserved;
};

/*
 * The loop's state. The position in the path is kept in the scratch map,
 * not here: the verifier tracks the values on the stack, and a position that
 * it knew exactly made it check the step again for each one it could take.
 * What it reads from a map is just some number, so the step is checked
 * about twice, whatever the loop's length.
 */
struct walk {
	struct mount *mnt; /* untrusted BTF pointers, read with guarded loads */
	struct dentry *dentry;
	struct mount *root_mnt;
	struct dentry *root_dentry;
	struct scratch *s;
	__u32 flags;       /* PN_PATH_* */
	__u32 done;        /* reached the root */
};

/* The struct mount holding a vfsmount (the kernel's real_mount()). */
static __always_inline struct mount *real_mount(__u64 vfsmnt)
{
	return as_mount(vfsmnt - bpf_core_field_offset(struct mount, mnt));
}

static long walk_step(__u32 i, struct walk *w)
{
	struct dentry *d = w->dentry, *up;
	struct mount *mnt = w->mnt;
	struct scratch *s = w->s;
	const unsigned char *name;
	__u32 len, pos;

	if (d == w->root_dentry && mnt == w->root_mnt)
		goto done;
	if (d == mnt->mnt.mnt_root) {
		struct mount *parent = mnt->mnt_parent;

		if (parent == mnt)
			goto done; /* the root of the mount tree */
		w->dentry = mnt->mnt_mountpoint;
		w->mnt = parent;
		return 0;
	}
	up = d->d_parent;
	len = d->d_name.len;
	name = d->d_name.name;
	pos = s->path_pos;
	if (len > PN_NAME_MAX || len + 1 > pos) {
		w->flags |= PN_PATH_TRUNCATED;
		return 1;
	}
	pos -= len;
	bpf_probe_read_kernel(&s->path[pos & PN_PATH_POS_MASK], len & PN_NAME_LEN_MASK, name);
	/* The top of a detached tree: a file never linked anywhere, as a
	 * memfd ("memfd:NAME"). Its name is all there is, so it is written
	 * without the '/' that would make it look like a path from the root. */
	if (up == d) {
		w->flags |= PN_PATH_DELETED;
		s->path_pos = pos;
		goto done;
	}
	pos -= 1;
	s->path[pos & PN_PATH_POS_MASK] = '/';
	s->path_pos = pos;
	w->dentry = up;
	return 0;
done:
	w->done = 1;
	return 1;
}

/*
 * Writes the absolute path of (req->mnt, req->dentry), as seen from the
 * root in req, into the record of scratch slot req->slot at req->off.
 * Returns the length written.
 */
__noinline int put_path(struct path_req *req)
{
	struct walk w = {};
	__u32 len, pos;

	if (!req)
		return 0;
	req->flags = 0;
	w.s = get_scratch(req->slot);
	if (!w.s || !req->mnt || !req->dentry)
		return 0;
	w.mnt = real_mount(req->mnt);
	w.dentry = as_dentry(req->dentry);
	/* No root: the walk goes up to the top of the mount tree. */
	w.root_mnt = req->root_mnt ? real_mount(req->root_mnt) : NULL;
	w.root_dentry = req->root_dentry ? as_dentry(req->root_dentry) : NULL;
	/* Unlinked: unhashed, and not the top of its tree (the kernel's
	 * d_unlinked(), which d_path() marks " (deleted)"). */
	if (!w.dentry->d_hash.pprev && w.dentry->d_parent != w.dentry)
		w.flags |= PN_PATH_DELETED;
	w.s->path_pos = PN_PATH_MAX;
	bpf_loop(PN_PATH_STEPS, walk_step, &w, 0);
	if (!w.done)
		w.flags |= PN_PATH_TRUNCATED;
	pos = w.s->path_pos;
	if (pos >= PN_PATH_MAX) {
		pos = PN_PATH_MAX - 1;
		w.s->path[pos] = '/';
	}
	req->flags = w.flags;
	len = PN_PATH_MAX - pos;
	bpf_probe_read_kernel(&w.s->rec[req->off & PN_REC_OFF_MASK], len & PN_PATH_LEN_MASK,
			      &w.s->path[pos & PN_PATH_POS_MASK]);
	return len;
}

/* The request for a path of task's, with the root it is seen from. */
static __always_inline struct path_req path_of(struct task_struct *task, struct vfsmount *mnt,
					       struct dentry *dentry, __u32 slot, __u32 off)
{
	struct fs_struct *fs = task->fs;
	struct path_req req = {
		.mnt = (__u64)mnt,
		.dentry = (__u64)dentry,
		.root_mnt = (__u64)fs->root.mnt,
		.root_dentry = (__u64)fs->root.dentry,
		.slot = slot,
		.off = off,
	};

	return req;
}

#endif
