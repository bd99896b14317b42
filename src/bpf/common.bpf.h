/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every program of procnotify.bpf.c shares: the load-time settings,
 * the ring, the scratch areas and the drop counters, and the header and
 * task identity each record starts with. Included once, by procnotify.bpf.c:
 * the BPF object is one translation unit.
 */
#ifndef PN_COMMON_BPF_H
#define PN_COMMON_BPF_H

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

static __always_inline void fill_hdr_at(struct pn_rec_hdr *h, __u16 type, __u32 size,
					__u64 time_ns)
{
	h->type = type;
	h->version = PN_REC_VERSION;
	h->hdr_flags = 0;
	h->size = size;
	h->time_ns = time_ns;
	h->drops = 0;
}

/* The header of a record of something that happens now. */
static __always_inline void fill_hdr(struct pn_rec_hdr *h, __u16 type, __u32 size)
{
	fill_hdr_at(h, type, size, bpf_ktime_get_ns());
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

/* The header of a record bound for the ring, of something at time_ns. */
static __always_inline void fill_ring_hdr_at(struct pn_rec_hdr *h, __u16 type, __u32 size,
					     __u64 time_ns)
{
	fill_hdr_at(h, type, size, time_ns);
	mark_loss(h);
}

/* The header of a record bound for the ring, of something that happens now. */
static __always_inline void fill_ring_hdr(struct pn_rec_hdr *h, __u16 type, __u32 size)
{
	fill_ring_hdr_at(h, type, size, bpf_ktime_get_ns());
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

#endif
