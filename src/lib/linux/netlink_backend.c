/*
 * The netlink proc connector backend: the kernel's own process event
 * notifier (CN_IDX_PROC, as forkstat uses it), for hosts that cannot load
 * BPF. It needs only CAP_NET_ADMIN.
 *
 * The connector says which task forked, exec'd or exited, and with what exit
 * status, but nothing else: no start time, no name, no path, no arguments.
 * This backend reads the connector's socket (nl_socket.c), completes its
 * records from /proc the moment an event arrives (procfs.c) and from what
 * it remembers of live tasks (nl_tasks.c). What it
 * cannot know stays unknown: the record's known bit is left clear.
 *
 * Keys: the start time is /proc/PID/stat's starttime, in clock ticks since
 * boot (CLOCK_BOOTTIME), brought onto the monotonic clock of the event time
 * stamps with the offset between the two clocks taken once at open. So
 * netlink keys have tick precision (10 ms at USER_HZ 100) and differ from
 * BPF keys, which carry the kernel's start time in ns. The start time of a
 * process is read once, at its fork (or exec, or snapshot), and remembered:
 * its fork, exec and exit records carry the same key. A child reaped before
 * its fork event was read has no /proc entry left: its fork event's time
 * (ns, a few microseconds after the start) is its start time instead.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include "internal.h"
#include "nl_paths.h"
#include "nl_socket.h"
#include "nl_tasks.h"
#include "procfs.h"

/* Messages handled per drain, so a fork storm cannot starve the caller. */
#define DRAIN_BATCH 4096

struct nl_state {
	pn_handle *h;
	int fd;
	int overrun;            /* ENOBUFS seen: report the loss once the queue is read */
	uint64_t tick_ns;       /* ns per clock tick of /proc/PID/stat */
	uint64_t boot_minus_mono;
	struct pn__nt tasks;
	uint64_t msg[1024];     /* one datagram; uint64_t for alignment */
	uint64_t rec[PN_REC_MAX_SIZE / 8 + 1];
};

/* ---- records ---- */

static uint64_t start_ns(const struct nl_state *s, uint64_t ticks)
{
	uint64_t boot = ticks * s->tick_ns;

	return boot > s->boot_minus_mono ? boot - s->boot_minus_mono : 0;
}

static void fill_hdr(struct pn_rec_hdr *h, uint16_t type, size_t size, uint64_t time_ns)
{
	memset(h, 0, sizeof(*h));
	h->type = type;
	h->version = PN_REC_VERSION;
	h->size = (uint32_t)size;
	h->time_ns = time_ns;
}

/* A start read from /proc now names the same process as the remembered one:
 * equal, or within a tick of a fork event's time standing in for it. */
static int same_start(const struct nl_state *s, uint64_t remembered, uint64_t now)
{
	return (remembered > now ? remembered - now : now - remembered) < s->tick_ns;
}

/* The process entry of tgid brought up to date from /proc/tgid/stat, which
 * is read now; st is zeroed when the process has already gone. */
static struct pn__nt_entry *track(struct nl_state *s, uint32_t tgid, struct pn__procstat *st)
{
	struct pn__nt_entry *p = pn__nt_proc(&s->tasks, tgid);
	int ok = pn__procfs_stat(tgid, st) == 0;
	uint64_t start = ok ? start_ns(s, st->start_ticks) : 0;

	if (!ok)
		memset(st, 0, sizeof(*st));
	/* A known start time is never replaced by a different one unless the
	 * pid has a new owner, so one process keeps one key. */
	if (!p || (ok && (!p->has_start || !same_start(s, p->start_ns, start))))
		p = pn__nt_add_proc(&s->tasks, tgid, ok, start, 1);
	if (p && ok) {
		memcpy(p->comm, st->comm, sizeof(p->comm));
		p->has_comm = 1;
		/* A task already released by its parent still has a stat file
		 * for a moment, with ppid 0: keep the parent the fork named. */
		if (st->ppid)
			p->ppid = st->ppid;
	}
	return p;
}

/* Identity, start, name and parent of process pid from what is remembered. */
static void fill_task(struct nl_state *s, struct pn_rec_task *t, uint32_t pid, uint32_t tid,
		      uint32_t ppid)
{
	const struct pn__nt_entry *p = pn__nt_proc(&s->tasks, pid);
	const struct pn__nt_entry *pp = ppid ? pn__nt_proc(&s->tasks, ppid) : NULL;

	memset(t, 0, sizeof(*t));
	t->pid = pid;
	t->tid = tid;
	t->known = PN_KNOWN_TID;
	if (p && p->has_start) {
		t->start_ns = p->start_ns;
		t->known |= PN_KNOWN_START;
	}
	if (p && p->has_comm) {
		memcpy(t->comm, p->comm, sizeof(t->comm));
		t->known |= PN_KNOWN_COMM;
	}
	if (pp && pp->has_start) {
		t->ppid = ppid;
		t->parent_start_ns = pp->start_ns;
		t->known |= PN_KNOWN_PARENT;
	} else if (p && p->has_parent_start && p->ppid == ppid) {
		/* The parent has gone since the fork, or /proc could not be read
		 * for it: its fork event said who it was. */
		t->ppid = ppid;
		t->parent_start_ns = p->parent_start_ns;
		t->known |= PN_KNOWN_PARENT;
	}
}

/* A child that left before its fork was read still had its parent's name. */
static void inherit_comm(struct nl_state *s, struct pn__nt_entry *p, uint32_t ppid)
{
	const struct pn__nt_entry *pp = pn__nt_proc(&s->tasks, ppid);

	if (pp && pp->has_comm) {
		memcpy(p->comm, pp->comm, sizeof(p->comm));
		p->has_comm = 1;
	}
}

static void on_fork_event(struct nl_state *s, const struct proc_event *ev)
{
	const struct fork_proc_event *f = &ev->event_data.fork;
	struct pn__procstat st;
	struct pn__nt_entry *p;
	struct pn_rec_fork r;

	/* A CLONE_THREAD child is a new thread of an existing process. */
	if (f->child_pid != f->child_tgid) {
		pn__nt_add_thread(&s->tasks, (uint32_t)f->child_pid, (uint32_t)f->child_tgid);
		return;
	}
	p = track(s, (uint32_t)f->child_tgid, &st);
	if (p)
		p->ppid = (uint32_t)f->parent_tgid; /* the event's parent is authoritative */
	/* Reaped before /proc could be read: the fork's own time, a few
	 * microseconds after the kernel's start time, stands in for it. */
	if (p && !p->has_start) {
		p->has_start = 1;
		p->start_ns = ev->timestamp_ns;
	}
	if (p && !p->has_comm)
		inherit_comm(s, p, (uint32_t)f->parent_tgid);
	fill_hdr(&r.hdr, PN_REC_FORK, sizeof(r), ev->timestamp_ns);
	fill_task(s, &r.task, (uint32_t)f->child_tgid, (uint32_t)f->child_pid,
		  (uint32_t)f->parent_tgid);
	if (p && (r.task.known & PN_KNOWN_PARENT)) {
		p->parent_start_ns = r.task.parent_start_ns;
		p->has_parent_start = 1;
	}
	pn__ingest(s->h, &r, sizeof(r));
}

/* Records a string a /proc reader left at rec + off; returns its length. */
static size_t take(struct pn_rec_exec *x, size_t off, ssize_t n, struct pn_strref *ref,
		   uint32_t known, int truncated, uint32_t trunc_flag)
{
	if (n <= 0)
		return 0;
	ref->off = (uint32_t)off;
	ref->len = (uint32_t)n;
	x->task.known |= known;
	if (truncated)
		x->flags |= trunc_flag;
	return (size_t)n;
}

/* Image, cwd, root, arguments, read from /proc as soon as the exec is seen. */
static size_t enrich_exec(struct pn_rec_exec *x, uint32_t pid)
{
	char *base = (char *)x;
	size_t off = sizeof(*x);
	int tr = 0;
	ssize_t n;

	off = pn__nl_paths(x, pid, off);
	n = pn__procfs_read(pid, "cmdline", base + off, PN_ARGV_MAX, &tr);
	off += take(x, off, n, &x->argv, PN_KNOWN_ARGV, tr, PN_EXEC_ARGV_TRUNCATED);
	for (ssize_t i = 0; i < n; i++)
		x->argc += base[x->argv.off + (size_t)i] == 0;
	if (pn__procfs_ids(pid, &x->task.uid, &x->task.gid, &x->task.euid) == 0)
		x->task.known |= PN_KNOWN_UID;
	return PN_REC_ALIGN(off);
}

static void on_exec_event(struct nl_state *s, const struct proc_event *ev)
{
	uint32_t pid = (uint32_t)ev->event_data.exec.process_tgid;
	struct pn_rec_exec *x = (struct pn_rec_exec *)s->rec;
	struct pn__procstat st;
	struct pn__nt_entry *p = track(s, pid, &st);
	size_t size;

	if (p) {
		pn__nt_exec(&s->tasks, p);
		/* The name from before the exec is not the new image's. */
		p->has_comm = st.state != 0;
	}
	memset(x, 0, sizeof(*x));
	/* Which thread called exec is not reported: tid and old_tid stay unknown. */
	fill_task(s, &x->task, pid, pid, p ? p->ppid : 0);
	x->task.known &= ~PN_KNOWN_TID;
	x->flags = PN_EXEC_BEST_EFFORT;
	if (st.sid) {
		x->sid = st.sid;
		x->task.known |= PN_KNOWN_SID;
	}
	size = enrich_exec(x, pid);
	fill_hdr(&x->hdr, PN_REC_EXEC, size, ev->timestamp_ns);
	pn__ingest(s->h, x, size);
}

/*
 * The connector reports every task's exit. The process has ended when its
 * last counted task exits; for a process never seen (its fork fell in a
 * loss), the leader's exit is taken as the process's.
 *
 * The connector does not say whether the group exited as a whole
 * (exit_group, a fatal signal), so the status is inferred: a thread that
 * was already leaving with 0 when the leader called exit_group(5) can be the
 * last task reported, and the parent sees 5. A nonzero status of the last
 * task wins (a signal, or SYS_exit(N) after the leader's pthread_exit);
 * otherwise the leader's own status is the process's.
 */
static void on_exit_event(struct nl_state *s, const struct proc_event *ev, size_t len)
{
	const struct exit_proc_event *x = &ev->event_data.exit;
	uint32_t tgid = (uint32_t)x->process_tgid, tid = (uint32_t)x->process_pid, ppid = 0;
	struct pn__nt_entry *p = pn__nt_proc(&s->tasks, tgid);
	uint32_t status = x->exit_code;
	struct pn_rec_exit r;
	int last;

	if (p && tid == tgid)
		p->leader_status = x->exit_code;
	if (p && tid != tgid && !status && !p->leader_live)
		status = p->leader_status;
	last = pn__nt_task_exit(&s->tasks, tid, tgid);
	if (last == 0 || (last < 0 && tid != tgid))
		return;
	/* Older kernels send no parent; a released task reports parent 0. */
	if (len >= offsetof(struct proc_event, event_data.exit.parent_tgid) + sizeof(x->parent_tgid))
		ppid = (uint32_t)x->parent_tgid;
	p = pn__nt_proc(&s->tasks, tgid);
	if (!ppid && p)
		ppid = p->ppid;
	fill_hdr(&r.hdr, PN_REC_EXIT, sizeof(r), ev->timestamp_ns);
	fill_task(s, &r.task, tgid, tid, ppid);
	r.status = status;
	r.status_kind = PN_EXIT_WAITSTATUS;
	r.image.off = r.image.len = 0;
	pn__ingest(s->h, &r, sizeof(r));
	pn__nt_forget(&s->tasks, tgid);
}

/*
 * The connector's other events, for the process as a whole: a rename or a
 * credential change is reported once per thread (setuid() changes every
 * thread), so only the leader's counts; a session, a core dump and a
 * tracer are per process, named by the thread that acted.
 */
static void on_change(struct nl_state *s, const struct proc_event *ev, uint16_t type,
		      uint32_t id_real, uint32_t id_effective, int leader_only)
{
	/* Every one of these events starts with process_pid, process_tgid. */
	uint32_t tid = (uint32_t)ev->event_data.id.process_pid;
	uint32_t tgid = (uint32_t)ev->event_data.id.process_tgid;
	struct pn__nt_entry *p = pn__nt_proc(&s->tasks, tgid);
	struct pn_rec_change r;

	if (leader_only && tid != tgid)
		return;
	if (type == PN_REC_COMM && p) {
		memcpy(p->comm, ev->event_data.comm.comm, sizeof(p->comm));
		p->comm[sizeof(p->comm) - 1] = 0;
		p->has_comm = 1;
	}
	fill_hdr(&r.hdr, type, sizeof(r), ev->timestamp_ns);
	fill_task(s, &r.task, tgid, tid, p ? p->ppid : 0);
	r.id_real = id_real;
	r.id_effective = id_effective;
	pn__ingest(s->h, &r, sizeof(r));
}

static void on_other_event(struct nl_state *s, const struct proc_event *ev)
{
	const struct id_proc_event *id = &ev->event_data.id;

	switch (ev->what) {
	case PROC_EVENT_COMM:
		on_change(s, ev, PN_REC_COMM, 0, 0, 1);
		break;
	case PROC_EVENT_UID:
		on_change(s, ev, PN_REC_SETUID, id->r.ruid, id->e.euid, 1);
		break;
	case PROC_EVENT_GID:
		on_change(s, ev, PN_REC_SETGID, id->r.rgid, id->e.egid, 1);
		break;
	case PROC_EVENT_SID:
		on_change(s, ev, PN_REC_SETSID, 0, 0, 0);
		break;
	case PROC_EVENT_PTRACE:
		on_change(s, ev, PN_REC_PTRACE, (uint32_t)ev->event_data.ptrace.tracer_tgid, 0, 0);
		break;
	case PROC_EVENT_COREDUMP:
		on_change(s, ev, PN_REC_COREDUMP, 0, 0, 0);
		break;
	default:
		break;
	}
}

static void on_event(struct nl_state *s, const struct proc_event *ev, size_t len)
{
	/* The longest fixed part read, the comm event's, sets the minimum. */
	if (len < offsetof(struct proc_event, event_data.comm.comm) + sizeof(ev->event_data.comm.comm))
		return;
	switch (ev->what) {
	case PROC_EVENT_FORK:
		on_fork_event(s, ev);
		break;
	case PROC_EVENT_EXEC:
		on_exec_event(s, ev);
		break;
	case PROC_EVENT_EXIT:
		on_exit_event(s, ev, len);
		break;
	default:
		on_other_event(s, ev);
	}
}

/* One datagram: netlink messages, each a connector message with one event. */
static void on_datagram(struct nl_state *s, size_t n)
{
	struct nlmsghdr *nl = (struct nlmsghdr *)s->msg;
	struct proc_event ev;

	for (; NLMSG_OK(nl, n); nl = NLMSG_NEXT(nl, n)) {
		const struct cn_msg *cn = NLMSG_DATA(nl);
		size_t payload = NLMSG_PAYLOAD(nl, 0);

		if (nl->nlmsg_type != NLMSG_DONE || payload < sizeof(*cn) ||
		    cn->id.idx != CN_IDX_PROC || cn->id.val != CN_VAL_PROC ||
		    cn->len > payload - sizeof(*cn))
			continue;
		/* The event sits 4 bytes past an 8-byte boundary (netlink and
		 * connector headers are 36 bytes): copy it out to read it. */
		memset(&ev, 0, sizeof(ev));
		memcpy(&ev, cn->data, cn->len < sizeof(ev) ? cn->len : sizeof(ev));
		on_event(s, &ev, cn->len);
	}
}

/* ---- the backend ---- */

static int nl_drain(void *state)
{
	struct nl_state *s = state;
	struct sockaddr_nl from;
	socklen_t fromlen;

	for (int i = 0; i < DRAIN_BATCH; i++) {
		ssize_t n;

		fromlen = sizeof(from);
		n = recvfrom(s->fd, s->msg, sizeof(s->msg), 0, (struct sockaddr *)&from, &fromlen);
		if (n < 0 && errno == EAGAIN)
			break;
		if (n < 0 && errno == ENOBUFS)
			s->overrun = 1;
		else if (n < 0 && errno != EINTR)
			return -errno;
		else if (n > 0 && from.nl_pid == 0) /* only the kernel speaks for the connector */
			on_datagram(s, (size_t)n);
		if (i + 1 == DRAIN_BATCH)
			return 0;
	}
	/*
	 * The kernel drops the events that find the queue full and keeps the
	 * older ones, so the gap lies after everything queued: report it, and
	 * resynchronise, only once the queue has been read.
	 */
	if (s->overrun) {
		s->overrun = 0;
		pn__lost_unknown(s->h);
	}
	return 0;
}

struct snap_ctx {
	struct nl_state *s;
	uint32_t pid;
};

static int snap_thread(uint32_t tid, void *ctx)
{
	struct snap_ctx *c = ctx;

	pn__nt_add_thread(&c->s->tasks, tid, c->pid);
	return 0;
}

/* A parent /proc lists after its child (a reused, lower pid) is not in the
 * task table yet: its start comes from its own stat. */
static void snap_parent(struct nl_state *s, struct pn_rec_task *t, uint32_t ppid)
{
	struct pn__procstat pst;

	if ((t->known & PN_KNOWN_PARENT) || !ppid || pn__procfs_stat(ppid, &pst))
		return;
	t->ppid = ppid;
	t->parent_start_ns = start_ns(s, pst.start_ticks);
	t->known |= PN_KNOWN_PARENT;
}

/* One live process: into the task table, and to the core as a snapshot
 * record with its parent, ids and image. */
static int snap_process(uint32_t pid, void *ctx)
{
	struct snap_ctx *c = ctx;
	struct nl_state *s = c->s;
	struct pn_rec_snapshot *r = (struct pn_rec_snapshot *)s->rec;
	struct pn__procstat st;
	struct pn__nt_entry *p;
	ssize_t n;
	int tr;

	if (pn__procfs_stat(pid, &st))
		return 0; /* gone already */
	p = pn__nt_add_proc(&s->tasks, pid, 1, start_ns(s, st.start_ticks), st.state != 'Z');
	if (!p)
		return 0;
	memcpy(p->comm, st.comm, sizeof(p->comm));
	p->has_comm = 1;
	p->ppid = st.ppid;
	c->pid = pid;
	pn__procfs_each_task(pid, snap_thread, c);
	memset(r, 0, sizeof(*r));
	fill_task(s, &r->task, pid, pid, st.ppid);
	snap_parent(s, &r->task, st.ppid);
	if (pn__procfs_ids(pid, &r->task.uid, &r->task.gid, &r->task.euid) == 0)
		r->task.known |= PN_KNOWN_UID;
	n = pn__procfs_link(pid, "exe", (char *)r + sizeof(*r), PN_PATH_MAX, &tr);
	if (n > 0) {
		r->image = (struct pn_strref){ sizeof(*r), (uint32_t)n };
		r->task.known |= PN_KNOWN_IMAGE;
	}
	n = (ssize_t)PN_REC_ALIGN(sizeof(*r) + (size_t)(n > 0 ? n : 0));
	fill_hdr(&r->hdr, PN_REC_SNAPSHOT, (size_t)n, pn__clock_ns(CLOCK_MONOTONIC));
	pn__ingest(s->h, r, (size_t)n);
	return 0;
}

static int nl_snapshot(void *state)
{
	struct snap_ctx c = { state, 0 };

	/* /proc is the truth now: forget what may have gone stale in a loss. */
	pn__nt_clear(&c.s->tasks);
	return pn__procfs_each(snap_process, &c);
}

static void nl_close(void *state)
{
	struct nl_state *s = state;

	if (s->fd >= 0)
		close(s->fd);
	pn__nt_free(&s->tasks);
	free(s);
}

static int nl_open(pn_handle *h, const pn_options *opt, void **state, char *err, size_t errlen)
{
	struct nl_state *s;
	long hz = sysconf(_SC_CLK_TCK);
	uint64_t mono;
	int rc;

	if (!pn__has_cap(CAP_NET_ADMIN)) {
		pn__errmsg(err, errlen, "not permitted: the netlink backend needs CAP_NET_ADMIN "
			   "(run as root)");
		return -EPERM;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->h = h;
	s->fd = -1;
	s->tick_ns = PN_NS_PER_SEC / (uint64_t)(hz > 0 ? hz : 100);
	/* Read in this order the difference is never made negative by the reads'
	 * own delay; rounded to whole ticks it is 0 on a host never suspended,
	 * and keys are exact multiples of a tick. */
	mono = pn__clock_ns(CLOCK_MONOTONIC);
	s->boot_minus_mono = (pn__clock_ns(CLOCK_BOOTTIME) - mono + s->tick_ns / 2) / s->tick_ns *
			     s->tick_ns;
	rc = pn__nt_init(&s->tasks, opt->table_max);
	if (!rc && (s->fd = pn__nl_socket_open(opt->netlink_rcvbuf, err, errlen)) < 0)
		rc = s->fd;
	if (rc) {
		nl_close(s);
		return rc;
	}
	*state = s;
	return 0;
}

static int nl_fd(void *state)
{
	return ((struct nl_state *)state)->fd;
}

/* Every message makes the socket readable, so a parked reader is always
 * woken: there is nothing to ask of the kernel. */
static void nl_park(void *state, int parked)
{
}

/* Losses are reported as they are found (ENOBUFS), with no count. */
static int nl_drops(void *state, uint64_t *total, uint64_t by_type[PN_REC_TYPE_MAX])
{
	return -ENOTSUP;
}

const struct pn__backend_ops pn__netlink_backend = {
	.name = "netlink",
	.open = nl_open,
	.fd = nl_fd,
	.drain = nl_drain,
	.drops = nl_drops,
	.park = nl_park,
	.snapshot = nl_snapshot,
	.close = nl_close,
	/* /proc/PID/exe and cwd (at each exec and in a resync) are readable only
	 * with ptrace access: other users' processes, and root's, which hold
	 * capabilities a process without any lacks. The socket is bound and
	 * subscribed: receiving needs nothing. */
	.steady_caps = 1ULL << CAP_SYS_PTRACE,
};
