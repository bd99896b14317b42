/*
 * The handle: backend selection, registrations and dispatch, sequence
 * numbers, loss reporting and the process table. Its event loop is
 * loop.c's.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include "procnotify/decode.h"
#include "handle.h"
#include "loop.h"

static const struct pn__backend_ops *const backends[] = {
	&pn__bpf_backend,
	&pn__netlink_backend,
};

void pn__errmsg(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

uint64_t pn__clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * PN_NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

static int64_t mono_to_wall(void)
{
	int64_t wall = (int64_t)pn__clock_ns(CLOCK_REALTIME);

	return wall - (int64_t)pn__clock_ns(CLOCK_MONOTONIC);
}

/* The first 64 bits of this boot's id: pn_key.boot for this host. */
static uint64_t boot_id(void)
{
	char buf[64] = "";
	uint64_t v = 0;
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
	}
	for (int i = 0, n = 0; buf[i] && n < 16; i++) {
		char c = buf[i];
		int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;

		if (d >= 0) {
			v = v << 4 | (uint64_t)d;
			n++;
		}
	}
	return v ? v : pn__hash64(buf, strlen(buf));
}

/* The host's mount namespace: init's, read while the monitor is still
 * privileged; its own when init's cannot be read; 0 when neither can. */
static uint32_t host_mnt_ns(void)
{
	struct stat st;

	if (stat("/proc/1/ns/mnt", &st) && stat("/proc/self/ns/mnt", &st))
		return 0;
	return (uint32_t)st.st_ino;
}

/* The name events carry as host: the caller's, or the kernel's node name. */
static int set_host(pn_handle *h, const char *name, char *err, size_t errlen)
{
	struct utsname u;

	if (!name) {
		if (uname(&u))
			return -errno;
		name = u.nodename;
	}
	h->host_len = strlen(name);
	if (h->host_len > PN_HOST_MAX) {
		pn__errmsg(err, errlen, "the host name is longer than %d bytes", PN_HOST_MAX);
		return -ENAMETOOLONG;
	}
	memcpy(h->host, name, h->host_len);
	return 0;
}

/* ---- dispatch ---- */

static void compact_regs(pn_handle *h)
{
	size_t j = 0;

	for (size_t i = 0; i < h->nregs; i++)
		if (h->regs[i].cb)
			h->regs[j++] = h->regs[i];
	h->nregs = j;
	h->regs_dirty = 0;
}

void pn__dispatch(pn_handle *h, pn_event *ev)
{
	uint32_t bit = PN_MASK(ev->type);

	/* A dropped event takes no number: seq stays gapless, and a gap
	 * still means a loss (README, "Rules"). */
	if (!pn__live_rules_apply(&h->rules, &h->table, ev)) {
		h->stats.dropped++;
		return;
	}
	/* A snapshot states what runs; it is no record of the stream. */
	ev->seq = ev->type == PN_EVENT_SNAPSHOT ? 0 : ++h->seq;
	ev->host = (pn_str){ h->host, h->host_len };
	if (h->host_len)
		ev->have |= PN_HAVE_HOST;
	if (ev->type != PN_EVENT_LOST && !(ev->have & PN_HAVE_CGROUP)) {
		const struct pn__proc *p = pn__pt_find(&h->table, ev->pid, ev->key.start_ns);

		pn__cg_fill(ev, p ? p->cg : NULL);
	}
	if ((unsigned)ev->type < PN_STATS_TYPE_SLOTS)
		h->stats.delivered[ev->type]++;
	else if (ev->type == PN_EVENT_DENY)
		h->stats.delivered_deny++;
	h->dispatching++;
	/* Index, not pointer: a callback may register and grow the array. */
	for (size_t i = 0; i < h->nregs; i++)
		if (h->regs[i].cb && (h->regs[i].mask & bit))
			h->regs[i].cb(ev, h->regs[i].user);
	h->dispatching--;
	if (!h->dispatching && h->regs_dirty)
		compact_regs(h);
}

int pn_register(pn_handle *h, uint32_t mask, pn_callback cb, void *user)
{
	if (!h || !cb || !(mask & PN__MASK_TYPES))
		return -EINVAL;
	for (size_t i = 0; i < h->nregs; i++)
		if (h->regs[i].cb == cb && h->regs[i].user == user)
			return -EEXIST;
	if (h->nregs == h->capregs) {
		size_t cap = h->capregs ? h->capregs * 2 : 4;
		struct reg *r = realloc(h->regs, cap * sizeof(*r));

		if (!r)
			return -ENOMEM;
		h->regs = r;
		h->capregs = cap;
	}
	h->regs[h->nregs++] = (struct reg){ cb, user, mask & PN__MASK_TYPES };
	return 0;
}

int pn_unregister(pn_handle *h, pn_callback cb, void *user)
{
	if (!h || !cb)
		return -EINVAL;
	for (size_t i = 0; i < h->nregs; i++) {
		if (h->regs[i].cb == cb && h->regs[i].user == user) {
			h->regs[i].cb = NULL; /* compacted once no dispatch is running */
			h->regs_dirty = 1;
			if (!h->dispatching)
				compact_regs(h);
			return 0;
		}
	}
	return -ENOENT;
}

/* ---- process table ---- */

/*
 * replace: the event is an exec, whose image replaces the process's. An
 * image it does not know (or that cannot be copied) leaves the process's
 * image unknown, never the one it ran before: its exit must not name it.
 */
static void remember(pn_handle *h, const pn_event *ev, int replace)
{
	struct pn__proc *p;
	int kept;

	if (!(ev->have & PN_HAVE_START))
		return;
	p = pn__pt_put(&h->table, ev->pid, ev->key.start_ns);
	if (!p) {
		if (!h->next_compact_ns)
			h->next_compact_ns = pn__clock_ns(CLOCK_MONOTONIC);
		return;
	}
	if (ev->have & PN_HAVE_COMM)
		pn__pt_set_comm(p, &ev->comm);
	if (ev->have & PN_HAVE_PARENT)
		pn__pt_set_parent(p, ev->ppid, ev->parent_key.start_ns);
	pn__cg_track(&h->cgroups, &h->table, p, ev);
	kept = (ev->have & PN_HAVE_IMAGE) && ev->image.len &&
	       !pn__pt_set_image(p, ev->image.ptr, ev->image.len);
	if (replace && !kept)
		(void)pn__pt_set_image(p, NULL, 0);
}

/* Fills what the record could not carry from what the table remembers. */
static void enrich(pn_handle *h, pn_event *ev, struct pn__proc *p)
{
	if (!p || !p->image || (ev->have & PN_HAVE_IMAGE))
		return;
	ev->image.ptr = p->image;
	ev->image.len = p->image_len;
	ev->have |= PN_HAVE_IMAGE;
	ev->flags |= PN_EV_IMAGE_FROM_TABLE;
}

static void apply(pn_handle *h, pn_event *ev)
{
	struct pn__proc *p;

	switch (ev->type) {
	case PN_EVENT_FORK:
		/* A child runs its parent's image until it execs. */
		p = pn__pt_find(&h->table, ev->ppid, ev->parent_key.start_ns);
		enrich(h, ev, p);
		remember(h, ev, 0);
		pn__dispatch(h, ev);
		break;
	case PN_EVENT_EXEC:
	case PN_EVENT_CREATE:
		remember(h, ev, 1);
		pn__dispatch(h, ev);
		break;
	case PN_EVENT_EXIT:
		p = pn__pt_find(&h->table, ev->pid, ev->key.start_ns);
		enrich(h, ev, p);
		pn__dispatch(h, ev); /* callbacks cannot reach the table: p stays valid */
		if (p) {
			pn__note_gone(h, p);
			pn__pt_remove(&h->table, p);
		}
		break;
	default:
		pn__dispatch(h, ev);
	}
}

/* ---- loss ---- */

static void resync(pn_handle *h)
{
	if (h->in_resync)
		return;
	h->in_resync = 1;
	h->snap.live = 1;
	pn__pt_begin_mark(&h->table);
	if (h->ops->snapshot(h->state) == 0)
		h->sweep_after_ns = pn__clock_ns(CLOCK_MONOTONIC);
	h->snap.live = 0;
	h->in_resync = 0;
	h->stats.resyncs++;
}

/*
 * Processes that were not in the snapshot are dead, but their exit records
 * may still wait in the ring behind the gap: sweep them only once the
 * stream has moved past the snapshot's time.
 */
static void maybe_sweep(pn_handle *h, uint64_t rec_time)
{
	if (h->sweep_after_ns && rec_time > h->sweep_after_ns) {
		pn__pt_sweep(&h->table);
		h->sweep_after_ns = 0;
	}
}

static void emit_lost(pn_handle *h, uint64_t count, const uint64_t *by_type, int known)
{
	pn_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = PN_EVENT_LOST;
	ev.time_ns = (int64_t)pn__clock_ns(CLOCK_MONOTONIC) + h->dctx.mono_to_wall_ns;
	ev.duration_ns = -1;
	ev.lost_count = count;
	ev.lost_count_known = known;
	for (int t = 0; by_type && t < PN_LOST_SLOTS; t++)
		ev.lost_by_type[t] = by_type[t];
	h->stats.lost += count;
	h->stats.lost_unknown += !known;
	for (int t = 0; t < PN_LOST_SLOTS; t++)
		h->stats.lost_by_type[t] += ev.lost_by_type[t];
	pn__dispatch(h, &ev);
	resync(h);
}

/*
 * At the bound, entries of processes whose exits were never seen may fill
 * the table; a snapshot tells the live ones from the dead, which go. Live
 * processes are never evicted: at most an insert is refused (and counted)
 * while more processes live than the bound, and that only once a second.
 */
static void compact_table(pn_handle *h)
{
	uint64_t now = pn__clock_ns(CLOCK_MONOTONIC);

	if (!h->next_compact_ns || now < h->next_compact_ns)
		return;
	pn__pt_begin_mark(&h->table);
	if (h->ops->snapshot(h->state) == 0)
		pn__pt_sweep(&h->table);
	h->next_compact_ns = 0;
	if (h->table.used >= h->table.max)
		h->next_compact_ns = now + PN_NS_PER_SEC;
}

/* Puts a lost record in the stream if the producer dropped anything new. */
static void check_drops(pn_handle *h)
{
	uint64_t total, by[PN_REC_TYPE_MAX] = { 0 }, delta[PN_REC_TYPE_MAX];

	if (h->ops->drops(h->state, &total, by) || total <= h->drops_seen)
		return;
	for (int t = 0; t < PN_REC_TYPE_MAX; t++) {
		delta[t] = by[t] - h->drops_seen_by_type[t];
		h->drops_seen_by_type[t] = by[t];
	}
	total -= h->drops_seen;
	h->drops_seen += total;
	emit_lost(h, total, delta, 1);
}

void pn__lost_unknown(pn_handle *h)
{
	emit_lost(h, 0, NULL, 0);
}

void pn__ingest(pn_handle *h, const void *rec, size_t size)
{
	const struct pn_rec_hdr *hdr = rec;
	int type = pn__rec_check(rec, size);
	pn_event ev;

	if (type < 0 || pn__decode(rec, size, &h->dctx, &ev))
		return;
	if (type == PN_REC_SNAPSHOT) {
		remember(h, &ev, 0);
		pn__snapshot_record(h, &ev, rec, size);
		return;
	}
	if (hdr->hdr_flags & PN_HDR_AFTER_LOSS)
		check_drops(h);
	maybe_sweep(h, hdr->time_ns);
	apply(h, &ev);
}

/* ---- the handle ---- */

/* With auto, every backend tried says why it could not start, on one line. */
static void add_reason(char *why, size_t len, const char *name, const char *msg, int err)
{
	size_t used = strlen(why);

	pn__errmsg(why + used, len - used, "%s%s: %s", used ? "; " : "", name,
		   msg[0] ? msg : pn_strerror(err));
}

static int open_backend(pn_handle *h, pn_options *opt)
{
	char why[sizeof(opt->errmsg)] = "";
	int err = -ENOSYS;

	for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
		const struct pn__backend_ops *ops = backends[i];

		if (opt->backend != PN_BACKEND_AUTO && (size_t)opt->backend != i + 1)
			continue;
		opt->errmsg[0] = 0;
		err = ops->open(h, opt, &h->state, opt->errmsg, sizeof(opt->errmsg));
		if (err == 0) {
			h->ops = ops;
			return 0;
		}
		add_reason(why, sizeof(why), ops->name, opt->errmsg, err);
	}
	if (opt->backend == PN_BACKEND_AUTO)
		pn__errmsg(opt->errmsg, sizeof(opt->errmsg), "%s", why);
	return err;
}

/* Opens with the caller's options read under the size rule into o. */
static int open_with(pn_handle **out, pn_options *o)
{
	pn_handle *h = calloc(1, sizeof(*h));
	int err;

	if (!h)
		return -ENOMEM;
	h->epfd = h->timerfd = -1;
	h->dctx = (struct pn__decode_ctx){ mono_to_wall(), boot_id(), 'L', host_mnt_ns() };
	err = set_host(h, o->host, o->errmsg, sizeof(o->errmsg));
	if (!err)
		err = pn__pt_init(&h->table, o->table_max);
	if (!err)
		err = open_backend(h, o);
	if (!err)
		err = pn__loop_open(h, o->flush_ms);
	h->snap.keep = 1;
	if (!err && (err = h->ops->snapshot(h->state)))
		pn__errmsg(o->errmsg, sizeof(o->errmsg), "cannot list the running processes: %s",
			   pn_strerror(err));
	h->snap.keep = 0;
	if (err) {
		if (!o->errmsg[0])
			pn__errmsg(o->errmsg, sizeof(o->errmsg), "%s", pn_strerror(err));
		pn_close(h);
		return err;
	}
	*out = h;
	return 0;
}

int pn_open(pn_handle **out, pn_options *opt)
{
	pn_options o;
	int err;

	if (!out)
		return -EINVAL;
	if (!opt)
		return open_with(out, &(pn_options){ 0 });
	err = pn__struct_in(&o, sizeof(o), opt, opt->size, PN__OPTIONS_V1_SIZE);
	if (err) {
		/* errmsg is in every layout the size check lets through, and the
		 * -EINVAL case is a caller whose struct may be shorter: leave it. */
		if (err == -E2BIG)
			pn__errmsg(opt->errmsg, sizeof(opt->errmsg), "pn_options has members "
				   "this library (%s) does not know", pn_version());
		return err;
	}
	o.errmsg[0] = 0;
	err = open_with(out, &o);
	memcpy(opt->errmsg, o.errmsg, sizeof(o.errmsg));
	return err;
}

int pn_flush(pn_handle *h)
{
	uint64_t before = h->seq;
	int err;

	/* Event strings point into the table and the ring: no delivery inside one. */
	if (h->dispatching)
		return -EBUSY;
	h->dctx.mono_to_wall_ns = mono_to_wall();
	if (!h->snap.replayed)
		pn__snapshot_replay(h);
	err = h->ops->drain(h->state);
	if (err)
		return err;
	if (h->src.close)
		h->src.drain(h, h->src.state);
	check_drops(h);
	maybe_sweep(h, pn__clock_ns(CLOCK_MONOTONIC));
	compact_table(h);
	return (int)(h->seq - before);
}

int pn_set_rules(pn_handle *h, pn_rules *r)
{
	if (!h)
		return -EINVAL;
	pn__live_rules_set(&h->rules, r);
	return 0;
}

int pn_get_stats(pn_handle *h, pn_stats *st)
{
	pn_stats ours;

	if (!h || !st)
		return -EINVAL;
	ours = h->stats;
	ours.table_size = h->table.used;
	ours.table_evicted = h->table.evicted;
	return pn__struct_out(st, st->size, &ours, sizeof(ours), PN__STATS_V1_SIZE);
}

const char *pn_backend_name(pn_handle *h)
{
	return h ? h->ops->name : "none"; /* an open handle always has its backend */
}

uint64_t pn__steady_caps(pn_handle *h)
{
	return h->ops->steady_caps | (h->src.close ? h->src.steady_caps : 0);
}

void pn_close(pn_handle *h)
{
	if (!h)
		return;
	if (h->src.close)
		h->src.close(h->src.state); /* stop deciding first: the kernel allows */
	if (h->ops)
		h->ops->close(h->state); /* detach first: nothing more will arrive */
	pn__loop_close(h);
	pn__pt_free(&h->table);
	pn__snapkeep_replay(&h->snap.kept, NULL, NULL);
	pn__cg_free(&h->cgroups);
	pn__live_rules_set(&h->rules, NULL);
	free(h->regs);
	free(h);
}

const char *pn_strerror(int err)
{
	if (err >= 0)
		return "success";
	return strerror(-err);
}
