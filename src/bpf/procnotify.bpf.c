// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel side of procnotify: the Linux counterpart of the seed's
 * ProcessNotifyCallback. Three BTF tracepoints report process fork, exec and
 * exit into one BPF ring buffer, and a task iterator reports the processes
 * that already exist when monitoring begins.
 *
 * Everything here must stay small and fast: each handler fills one record
 * and submits it. Records that do not fit in the ring are counted, per CPU
 * and type, and the next record made on that CPU is marked, so the library
 * can put a "lost" record in the stream at the gap.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "procnotify/record.h"
#include "procnotify/bpf_drops.h"

char LICENSE[] SEC("license") = "GPL";

/* include/linux/sched/signal.h; a #define, so not in BTF. Stable since 2.6. */
#define PN_SIGNAL_GROUP_EXIT 0x00000004

/* Set by the library before load. */
const volatile __u64 wakeup_bytes = 0; /* 0: let the ring wake the reader itself */
const volatile __u32 nr_cpus = 1;      /* possible CPUs: the iterator's scratch slot */
/* For tests only (PN_TEST_CGROUP): nonzero reports only the tasks of this
 * cgroup v2, so a test can watch an idle monitor on a busy machine. At 0 the
 * verifier prunes the check, so it costs nothing. */
const volatile __u64 only_cgroup = 0;

/* Written by the library through the mmapped .bss: nonzero while it sleeps
 * with its flush timer stopped, so that only a record can wake it. */
__u32 consumer_parked = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20); /* resized by the library */
} events SEC(".maps");

/* The exec record and the path being assembled are too large for the stack. */
#define PN_NAME_MAX 255

/*
 * The verifier must see every offset into the scratch and every length
 * copied bounded. A mask of a power of two minus one bounds a value without
 * a branch whose range it could lose: a copy into rec starts in its first
 * half and is shorter than the rest, so it ends inside rec.
 */
#define PN_REC_OFF_MASK (PN_REC_BUF / 2 - 1)   /* where a string starts in rec */
#define PN_REC_SIZE_MASK (PN_REC_BUF - 1)      /* a whole record's size */
#define PN_PATH_POS_MASK (PN_PATH_MAX - 1)     /* a position in path */
#define PN_PATH_LEN_MASK (PN_PATH_MAX * 2 - 1) /* a path's length */
#define PN_ARGV_LEN_MASK (PN_ARGV_MAX * 2 - 1) /* the arguments' length */
#define PN_NAME_LEN_MASK PN_NAME_MAX          /* a path component's length */
_Static_assert(PN_REC_OFF_MASK + PN_PATH_MAX < PN_REC_BUF &&
		       PN_REC_OFF_MASK + PN_ARGV_MAX < PN_REC_BUF &&
		       (PN_NAME_MAX & (PN_NAME_MAX + 1)) == 0,
	       "a copy that starts in rec's first half ends inside rec");

struct scratch {
	char rec[PN_REC_BUF];
	char path[PN_PATH_MAX + PN_NAME_MAX + 1];
	__u32 path_pos; /* first used byte of path (see struct walk) */
};

/*
 * One scratch area per CPU for the tracepoints, and one more, slot nr_cpus,
 * for the task iterator. The tracepoints run with preemption disabled, so
 * on a CPU one handler ends before the next begins; the iterator only stays
 * on its CPU, and on a preemptible kernel an exec there would overwrite a
 * snapshot record half built in a shared slot. The library reads one
 * iterator at a time, so one slot serves it. A per-CPU array cannot hold
 * values over 32 KiB, so this is a plain array, sized by the library at
 * load time.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch_map SEC(".maps");

/*
 * Lost records, one entry per CPU (see procnotify/bpf_drops.h), sized by the
 * library at load time. An array indexed by CPU rather than a per-CPU array
 * because only an array can be mmapped: the library sums the counters after
 * every drain without a system call.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pn_cpu_drops);
} drops SEC(".maps");

/* The task the tracepoint runs in (the parent, for a fork) is not watched. */
static __always_inline bool out_of_scope(void)
{
	return only_cgroup && bpf_get_current_cgroup_id() != only_cgroup;
}

static __always_inline struct scratch *get_scratch(__u32 slot)
{
	return bpf_map_lookup_elem(&scratch_map, &slot);
}

static __always_inline struct pn_cpu_drops *cpu_drops(void)
{
	__u32 cpu = bpf_get_smp_processor_id();

	return bpf_map_lookup_elem(&drops, &cpu);
}

/*
 * Atomic although the entry is this CPU's own: a handler can be preempted by
 * another task's handler on the same CPU. The add is uncontended, so cheap.
 */
static __always_inline void count_drop(__u16 type)
{
	struct pn_cpu_drops *d = cpu_drops();

	if (!d)
		return;
	if (type < PN_REC_TYPE_MAX)
		__sync_fetch_and_add(&d->by_type[type], 1);
	__sync_fetch_and_add(&d->total, 1);
}

/*
 * Wake the reader only when the ring has filled past a threshold, or when it
 * is parked: a wake-up per event costs more than everything else a handler
 * does, and a reader that is not parked polls on a short timer for the rest.
 */
static __always_inline __u64 submit_flags(void)
{
	if (!wakeup_bytes)
		return 0;
	if (consumer_parked ||
	    bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes)
		return BPF_RB_FORCE_WAKEUP;
	return BPF_RB_NO_WAKEUP;
}

/*
 * The reader parks by setting the flag, then draining once more. A record
 * committed without a wake-up while it did so may have been missed by that
 * drain, and then nothing would wake the reader for it. The commit was an
 * xchg, a full barrier, as is the reader's store of the flag: if the drain
 * missed the record, this load sees the flag. A discarded reservation then
 * carries the wake-up; the reader skips it.
 */
static __always_inline void wake_if_parked(__u64 flags)
{
	void *nudge;

	if (flags != BPF_RB_NO_WAKEUP || !*(volatile __u32 *)&consumer_parked)
		return;
	nudge = bpf_ringbuf_reserve(&events, 8, 0);
	if (nudge)
		bpf_ringbuf_discard(nudge, BPF_RB_FORCE_WAKEUP);
}

/* Submits a reserved record. */
static __always_inline void submit(void *rec)
{
	__u64 flags = submit_flags();

	bpf_ringbuf_submit(rec, flags);
	wake_if_parked(flags);
}

static __always_inline void fill_hdr(struct pn_rec_hdr *h, __u16 type, __u32 size)
{
	h->type = type;
	h->version = PN_REC_VERSION;
	h->hdr_flags = 0;
	h->size = size;
	h->time_ns = bpf_ktime_get_ns();
	h->drops = 0;
}

/*
 * Marks the first ring record this CPU makes after it lost some. The value
 * read is the one stored: if a preempting handler counts a loss meanwhile,
 * total and marked still differ and the next record is marked too. A mark
 * too many only makes the library look at the counters for nothing.
 */
static __always_inline void mark_loss(struct pn_rec_hdr *h)
{
	struct pn_cpu_drops *d = cpu_drops();
	__u64 total;

	if (!d)
		return;
	total = d->total;
	h->drops = total;
	if (total != d->marked) {
		h->hdr_flags |= PN_HDR_AFTER_LOSS;
		d->marked = total;
	}
}

/* The header of a record bound for the ring. */
static __always_inline void fill_ring_hdr(struct pn_rec_hdr *h, __u16 type, __u32 size)
{
	fill_hdr(h, type, size);
	mark_loss(h);
}

/*
 * Kernel structures are read through untrusted BTF pointers: plain, CO-RE
 * relocated loads that the kernel guards against faults, far cheaper than a
 * bpf_probe_read_kernel() call per field. A tracepoint's own arguments are
 * trusted pointers, but the verifier checks every pointer loaded through a
 * trusted one against a list of trusted fields, a search of the kernel's
 * whole BTF each time (most of the start-up's CPU when they were used), so
 * the programs cast them to untrusted first. bpf_rdonly_cast() is inlined by
 * the verifier into a register move: it costs nothing when the program runs.
 */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

#define untrusted(p) ((typeof(p))bpf_rdonly_cast((void *)(p), \
						 bpf_core_type_id_kernel(typeof(*(p)))))
/* From a kernel pointer kept as a number. */
#define as_dentry(v) ((struct dentry *)bpf_rdonly_cast((void *)(v), \
						       bpf_core_type_id_kernel(struct dentry)))
#define as_mount(v) ((struct mount *)bpf_rdonly_cast((void *)(v), \
						     bpf_core_type_id_kernel(struct mount)))

/* The process identity every record carries; task is the process's thread. */
static __always_inline void fill_task(struct pn_rec_task *t, struct task_struct *task)
{
	struct task_struct *parent = task->real_parent;
	const struct cred *cred = task->cred;

	t->pid = task->tgid;
	t->tid = (__u32)bpf_get_current_pid_tgid();
	t->ppid = parent->tgid;
	t->uid = cred->uid.val;
	t->gid = cred->gid.val;
	t->euid = cred->euid.val;
	t->known = PN_KNOWN_UID | PN_KNOWN_PARENT | PN_KNOWN_START | PN_KNOWN_TID |
		   PN_KNOWN_COMM;
	t->reserved = 0;
	t->start_ns = task->group_leader->start_time;
	t->parent_start_ns = parent->group_leader->start_time;
	__builtin_memcpy(t->comm, task->comm, sizeof(t->comm));
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(pn_fork, struct task_struct *parent, struct task_struct *child)
{
	struct pn_rec_fork *r;

	child = untrusted(child);
	/* A CLONE_THREAD child is a new thread of an existing process. */
	if (child->pid != child->tgid || out_of_scope())
		return 0;
	r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		count_drop(PN_REC_FORK);
		return 0;
	}
	fill_ring_hdr(&r->hdr, PN_REC_FORK, sizeof(*r));
	fill_task(&r->task, child);
	submit(r);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(pn_exit, struct task_struct *p)
{
	struct signal_struct *sig;
	struct pn_rec_exit *r;

	p = untrusted(p);
	sig = p->signal;
	/* Only the last thread of the group ends the process. */
	if (sig->live.counter != 0 || out_of_scope())
		return 0;
	r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		count_drop(PN_REC_EXIT);
		return 0;
	}
	fill_ring_hdr(&r->hdr, PN_REC_EXIT, sizeof(*r));
	fill_task(&r->task, p);
	/* The wait status the parent will see, computed as wait_task_zombie() does. */
	if (sig->flags & PN_SIGNAL_GROUP_EXIT)
		r->status = sig->group_exit_code;
	else
		r->status = p->group_leader->exit_code;
	r->status_kind = PN_EXIT_WAITSTATUS;
	r->image.off = 0;
	r->image.len = 0;
	submit(r);
	return 0;
}

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

static __always_inline void set_ref(struct pn_strref *ref, __u32 off, __u32 len)
{
	ref->off = len ? off : 0;
	ref->len = len;
}

/*
 * Copies the new image's arguments; they sit in its freshly built stack.
 * They are known (PN_KNOWN_ARGV in *known) only when they could be read:
 * a failed read is unknown, null, not an empty list.
 */
static __always_inline __u32 put_argv(struct scratch *s, __u32 off, struct task_struct *task,
				      __u32 *flags, __u32 *known)
{
	struct mm_struct *mm = task->mm;
	unsigned long start = mm->arg_start;
	unsigned long end = mm->arg_end;
	__u64 len = end - start;

	if (end <= start) {
		*known |= PN_KNOWN_ARGV;
		return 0;
	}
	if (len > PN_ARGV_MAX)
		len = PN_ARGV_MAX;
	if (bpf_probe_read_user(&s->rec[off & PN_REC_OFF_MASK], len & PN_ARGV_LEN_MASK,
				(void *)start))
		return 0;
	if (len < end - start)
		*flags |= PN_EXEC_ARGV_TRUNCATED;
	*known |= PN_KNOWN_ARGV;
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

/*
 * The process's root directory, walked up to the top of its mount tree:
 * a chroot's directory. The host's "/" is written as nothing, and the
 * field stays unknown. Returns the length written.
 */
static __always_inline __u32 put_root(struct pn_rec_exec *r, struct task_struct *task,
				      __u32 slot, __u32 off)
{
	struct fs_struct *fs = task->fs;
	struct vfsmount *vfsmnt = fs->root.mnt;
	struct mount *mnt = real_mount((__u64)vfsmnt);
	struct path_req req = {
		.mnt = (__u64)vfsmnt,
		.dentry = (__u64)fs->root.dentry,
		.slot = slot,
		.off = off,
	};
	__u32 len = 0;

	/* Nearly every process's root is the top of its mount tree, whose walk
	 * would end at once with "/": that is seen here, without the walk. */
	if (req.dentry != (__u64)vfsmnt->mnt_root || mnt->mnt_parent != mnt)
		len = put_path(&req);
	if (len <= 1) {
		set_ref(&r->root, 0, 0);
		return 0;
	}
	set_ref(&r->root, off, len);
	r->task.known |= PN_KNOWN_ROOT;
	return len;
}

/* The image file's device (the kernel's MAJOR() and MINOR()) and inode. */
static __always_inline void put_image_id(struct pn_rec_exec *r, struct file *file)
{
	struct inode *inode = file->f_inode;
	__u32 dev = inode->i_sb->s_dev;

	r->image_dev_major = dev >> 20;
	r->image_dev_minor = dev & 0xfffff;
	r->image_ino = inode->i_ino;
	r->task.known |= PN_KNOWN_IMAGE_ID;
}

/*
 * The mount namespace, and the pid namespace the process itself is in
 * (task_active_pid_ns(): its pid's deepest level), not the one its
 * children will get, which unshare(CLONE_NEWPID) changes.
 */
static __always_inline void put_namespaces(struct pn_rec_exec *r, struct task_struct *task)
{
	struct pid *pid = task->thread_pid;
	struct upid up = {};
	__u64 at = (__u64)pid + bpf_core_field_offset(struct pid, numbers) +
		   (__u64)pid->level * sizeof(struct upid);

	r->mnt_ns = task->nsproxy->mnt_ns->ns.inum;
	bpf_probe_read_kernel(&up, sizeof(up), (void *)at);
	r->pid_ns = up.ns ? untrusted(up.ns)->ns.inum : 0;
	if (r->pid_ns)
		r->task.known |= PN_KNOWN_NS;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(pn_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct pn_rec_exec *r;
	struct scratch *s;
	struct file *file;
	struct fs_struct *fs;
	struct signal_struct *sig;
	struct tty_struct *tty;
	struct path_req req;
	__u32 slot = bpf_get_smp_processor_id();
	__u32 off, len, flags = 0;
	__u64 wake;
	long n;

	if (out_of_scope())
		return 0;
	p = untrusted(p);
	bprm = untrusted(bprm);
	file = bprm->file;
	fs = p->fs;
	sig = p->signal;
	s = get_scratch(slot);
	if (!s)
		return 0;
	r = (struct pn_rec_exec *)s->rec;
	fill_task(&r->task, p);
	r->old_tid = old_pid;
	r->sid = sig->pids[PIDTYPE_SID]->numbers[0].nr;
	r->argc = bprm->argc;
	r->cgroup_id = bpf_get_current_cgroup_id();
	r->tty[0] = 0;
	tty = sig->tty;
	if (tty)
		BPF_CORE_READ_STR_INTO(&r->tty, tty, name);

	off = sizeof(*r);
	n = bpf_probe_read_kernel_str(&s->rec[off], PN_PATH_MAX, bprm->filename);
	len = n > 0 ? n - 1 : 0;
	if (len == PN_PATH_MAX - 1)
		flags |= PN_EXEC_FILENAME_TRUNCATED;
	set_ref(&r->filename, off, len);
	off += len;

	req = path_of(p, file->f_path.mnt, file->f_path.dentry, slot, off);
	len = put_path(&req);
	if (req.flags & PN_PATH_TRUNCATED)
		flags |= PN_EXEC_IMAGE_TRUNCATED;
	if (req.flags & PN_PATH_DELETED)
		flags |= PN_EXEC_IMAGE_DELETED;
	set_ref(&r->image, off, len);
	off += len;

	req = path_of(p, fs->pwd.mnt, fs->pwd.dentry, slot, off);
	len = put_path(&req);
	if (req.flags & PN_PATH_TRUNCATED)
		flags |= PN_EXEC_CWD_TRUNCATED;
	set_ref(&r->cwd, off, len);
	off += len;

	len = put_root(r, p, slot, off);
	off += len;
	put_image_id(r, file);
	put_namespaces(r, p);

	len = put_argv(s, off, p, &flags, &r->task.known);
	set_ref(&r->argv, off, len);
	off += len;

	r->flags = flags;
	off = PN_REC_ALIGN(off);
	r->task.known |= PN_KNOWN_FILENAME | PN_KNOWN_IMAGE | PN_KNOWN_CWD | PN_KNOWN_SID |
			 PN_KNOWN_TTY;
	off &= PN_REC_SIZE_MASK;
	fill_ring_hdr(&r->hdr, PN_REC_EXEC, off);
	wake = submit_flags();
	if (bpf_ringbuf_output(&events, r, off, wake))
		count_drop(PN_REC_EXEC);
	else
		wake_if_parked(wake);
	return 0;
}

/* One record per process alive when the iterator is read. */
SEC("iter/task")
int pn_snapshot(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	struct pn_rec_snapshot *r;
	struct scratch *s;
	struct file *exe;
	struct path_req req;
	__u32 slot = nr_cpus;
	__u32 len = 0, off = sizeof(*r);

	if (!task)
		return 0;
	task = untrusted(task);
	if (task->pid != task->tgid)
		return 0;
	s = get_scratch(slot);
	if (!s)
		return 0;
	r = (struct pn_rec_snapshot *)s->rec;
	fill_task(&r->task, task);
	r->task.tid = task->pid;
	exe = task->mm ? task->mm->exe_file : NULL;
	if (exe) {
		req = path_of(task, exe->f_path.mnt, exe->f_path.dentry, slot, off);
		len = put_path(&req);
	}
	set_ref(&r->image, off, len);
	if (len)
		r->task.known |= PN_KNOWN_IMAGE;
	off = PN_REC_ALIGN(off + len) & PN_REC_OFF_MASK;
	fill_hdr(&r->hdr, PN_REC_SNAPSHOT, off);
	bpf_seq_write(ctx->meta->seq, r, off);
	return 0;
}
