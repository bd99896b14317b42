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

#include "common.bpf.h"
#include "path.bpf.h"

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
	fill_task(&r->task, child);
	/* The fork happened when the kernel stamped the child's start time
	 * (copy_process(), CLOCK_MONOTONIC like bpf_ktime_get_ns()), a few
	 * microseconds before this tracepoint: that time is the event's, and
	 * reusing it saves a clock read, a tenth of this program's cost. */
	fill_ring_hdr_at(&r->hdr, PN_REC_FORK, sizeof(*r), r->task.start_ns);
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
