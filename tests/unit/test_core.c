/*
 * The handle's logic against a backend of the test's own: this program
 * defines pn__bpf_backend and pn__netlink_backend, so the linker takes
 * core.o from the library but not the real backends. The fake one hands
 * over the records the test queued and does, at the moment a race or a
 * failure needs, what a kernel might: a loss while the table resyncs, a
 * record just as the reader parks, a backend that cannot start.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/resource.h>
#include "internal.h"
#include "check.h"
#include "recbuild.h"
#include "procnotify/rules.h"

#define QMAX 64

static struct fake {
	pn_handle *h;
	int pipe[2];                   /* readable: the backend has work */
	struct recbuf q[QMAX];         /* records drain() hands over */
	int nq;
	uint64_t drops, drops_by[PN_REC_TYPE_MAX];
	int drops_rc, drain_rc, snapshot_rc, open_rc[2], bad_fd;
	const char *open_msg[2];
	uint32_t alive[QMAX];          /* pids the snapshot reports, start = pid * 10 */
	int nalive;
	int snapshots, snap_depth, snap_max_depth;
	int lose_in_snapshot;          /* a loss reported while the snapshot runs */
	int record_on_park;            /* a record lands just as the reader parks */
	int parks[8], nparks;
} F;

static void fake_reset(void)
{
	int p0 = F.pipe[0], p1 = F.pipe[1];

	memset(&F, 0, sizeof(F));
	F.pipe[0] = p0;
	F.pipe[1] = p1;
}

/* ---- records ---- */

static struct recbuf *queue(int type, size_t fixed, uint32_t pid, uint64_t t)
{
	struct recbuf *r = &F.q[F.nq++];

	rb_start(r, type, fixed, t);
	rb_task(&r->u.fork.task, pid, 1, pid * 10ULL, "fake");
	r->u.fork.task.parent_start_ns = 10;
	return r;
}

static struct recbuf *q_fork(uint32_t pid, uint32_t ppid, uint64_t t)
{
	struct recbuf *r = queue(PN_REC_FORK, sizeof(r->u.fork), pid, t);

	r->u.fork.task.ppid = ppid;
	r->u.fork.task.parent_start_ns = ppid * 10ULL;
	return r;
}

static struct recbuf *q_exec(uint32_t pid, const char *image, uint64_t t)
{
	struct recbuf *r = queue(PN_REC_EXEC, sizeof(r->u.exec), pid, t);

	r->u.exec.task.known |= PN_KNOWN_IMAGE;
	rb_str(r, &r->u.exec.image, image, strlen(image));
	return r;
}

static struct recbuf *q_exit(uint32_t pid, uint64_t t)
{
	return queue(PN_REC_EXIT, sizeof(((struct recbuf *)0)->u.exit), pid, t);
}

static void ingest_snapshot(uint32_t pid)
{
	struct recbuf r;

	rb_start(&r, PN_REC_SNAPSHOT, sizeof(r.u.snap), 1);
	rb_task(&r.u.snap.task, pid, 1, pid * 10ULL, "alive");
	pn__ingest(F.h, &r.u, r.len);
}

/* ---- the backend ---- */

static int fake_open(int which, pn_handle *h, void **state, char *err, size_t errlen)
{
	if (F.open_rc[which]) {
		if (F.open_msg[which])
			pn__errmsg(err, errlen, "%s", F.open_msg[which]);
		return F.open_rc[which];
	}
	F.h = h;
	*state = &F;
	return 0;
}

static int open_a(pn_handle *h, const pn_options *o, void **s, char *e, size_t n)
{
	return fake_open(0, h, s, e, n);
}

static int open_b(pn_handle *h, const pn_options *o, void **s, char *e, size_t n)
{
	return fake_open(1, h, s, e, n);
}

static int fake_fd(void *state)
{
	return F.bad_fd ? -1 : F.pipe[0];
}

static int fake_drain(void *state)
{
	char c;
	int n = F.nq;

	if (F.drain_rc)
		return F.drain_rc;
	while (read(F.pipe[0], &c, 1) == 1)
		;
	F.nq = 0;
	for (int i = 0; i < n; i++)
		pn__ingest(F.h, &F.q[i].u, F.q[i].len);
	return 0;
}

static int fake_drops(void *state, uint64_t *total, uint64_t by[PN_REC_TYPE_MAX])
{
	*total = F.drops;
	memcpy(by, F.drops_by, sizeof(F.drops_by));
	return F.drops_rc;
}

static void fake_park(void *state, int parked)
{
	if (F.nparks < 8)
		F.parks[F.nparks++] = parked;
	if (parked && F.record_on_park) {
		F.record_on_park = 0;
		q_exec(77, "/bin/raced", 50); /* queued, the pipe not written: no wake-up */
	}
}

static int fake_snapshot(void *state)
{
	F.snapshots++;
	if (++F.snap_depth > F.snap_max_depth)
		F.snap_max_depth = F.snap_depth;
	for (int i = 0; i < F.nalive; i++)
		ingest_snapshot(F.alive[i]);
	if (F.lose_in_snapshot) {
		/* The ring overflowed again while the table was being rebuilt:
		 * the next record says so. */
		struct recbuf r;

		F.lose_in_snapshot = 0;
		F.drops += 3;
		F.drops_by[PN_REC_EXEC] += 3;
		rb_start(&r, PN_REC_FORK, sizeof(r.u.fork), 2);
		rb_task(&r.u.fork.task, 90, 1, 900, "late");
		r.u.hdr.hdr_flags = PN_HDR_AFTER_LOSS;
		pn__ingest(F.h, &r.u, r.len);
	}
	F.snap_depth--;
	return F.snapshot_rc;
}

static void fake_close(void *state)
{
	F.h = NULL;
}

#define FAKE(nm, op) { .name = nm, .open = op, .fd = fake_fd, .drain = fake_drain, \
		       .drops = fake_drops, .park = fake_park, .snapshot = fake_snapshot, \
		       .close = fake_close }
const struct pn__backend_ops pn__bpf_backend = FAKE("bpf", open_a);
const struct pn__backend_ops pn__netlink_backend = FAKE("netlink", open_b);

/* ---- what the callbacks saw ---- */

static struct seen {
	pn_event ev[QMAX];
	char image[QMAX][64];
	int n;
} S;

static void record(const pn_event *ev, void *user)
{
	if (S.n == QMAX)
		return;
	S.ev[S.n] = *ev;
	snprintf(S.image[S.n], sizeof(S.image[0]), "%.*s",
		 (ev->have & PN_HAVE_IMAGE) ? (int)ev->image.len : 0, ev->image.ptr);
	S.n++;
}

static const pn_event *find(int type, uint32_t pid)
{
	for (int i = 0; i < S.n; i++)
		if ((int)S.ev[i].type == type && (type == PN_EVENT_LOST || S.ev[i].pid == pid))
			return &S.ev[i];
	return NULL;
}

static int count_type(int type)
{
	int n = 0;

	for (int i = 0; i < S.n; i++)
		n += (int)S.ev[i].type == type;
	return n;
}

static pn_handle *open_fake(uint32_t table_max)
{
	pn_options o = PN_OPTIONS_INIT;
	pn_handle *h = NULL;

	o.table_max = table_max;
	memset(&S, 0, sizeof(S));
	CHECK(pn_open(&h, &o) == 0 && h);
	if (h)
		CHECK(pn_register(h, PN_MASK_ALL, record, NULL) == 0);
	return h;
}

static void wake(void)
{
	CHECK(write(F.pipe[1], "x", 1) == 1);
}

/* ---- the tests ---- */

/* auto tries each backend and names every reason; a set-up step failing
 * after open undoes the open. */
static void open_failures(void)
{
	pn_options o = PN_OPTIONS_INIT;
	pn_handle *h = NULL;

	fake_reset();
	F.open_rc[0] = -EPERM;
	F.open_msg[0] = "no BPF here";
	F.open_rc[1] = -EPROTONOSUPPORT;
	CHECK(pn_open(&h, &o) == -EPROTONOSUPPORT && !h);
	CHECK_STR(o.errmsg, "bpf: no BPF here; netlink: Protocol not supported");

	/* Asked for by name, one backend's own message, nothing added. */
	o.backend = PN_BACKEND_BPF;
	CHECK(pn_open(&h, &o) == -EPERM);
	CHECK_STR(o.errmsg, "no BPF here");

	fake_reset();
	F.open_rc[0] = -EPERM;
	o.backend = PN_BACKEND_AUTO;
	CHECK(pn_open(&h, &o) == 0 && h);
	CHECK_STR(pn_backend_name(h), "netlink");
	pn_close(h);

	/* The backend opened, but its fd cannot be watched. */
	fake_reset();
	F.bad_fd = 1;
	h = NULL;
	CHECK(pn_open(&h, &o) == -EBADF && !h);
	CHECK(strstr(o.errmsg, "Bad file descriptor") != NULL);
	CHECK(F.h == NULL); /* closed again */

	/* The first snapshot fails: the open fails with it. */
	fake_reset();
	F.snapshot_rc = -ENOMEM;
	CHECK(pn_open(&h, &o) == -ENOMEM && !h);
	CHECK_STR(o.errmsg, "cannot list the running processes: Cannot allocate memory");
	CHECK(F.h == NULL);

	CHECK(pn_open(NULL, &o) == -EINVAL);
	CHECK_STR(pn_backend_name(NULL), "none");
	CHECK(pn_fd(NULL) == -EINVAL);
	CHECK_STR(pn_strerror(0), "success");
	/* A backend's message with no room for it goes nowhere. */
	pn__errmsg(NULL, 16, "%s", "lost");
	memcpy(o.errmsg, "kept", 5);
	pn__errmsg(o.errmsg, 0, "%s", "lost");
	CHECK_STR(o.errmsg, "kept");
}

/* What the table remembers fills what a record could not carry. */
static void enrichment(void)
{
	pn_handle *h;

	fake_reset();
	h = open_fake(0);
	q_fork(100, 1, 10);
	q_exec(100, "/usr/bin/first", 11);
	q_fork(101, 100, 12);
	q_exit(101, 13);
	q_exit(100, 14);
	q_exit(555, 15); /* never seen */
	/* An exit that names its image keeps it: the table's is not put in. */
	q_exec(102, "/usr/bin/table", 16);
	{
		struct recbuf *r = q_exit(102, 17);

		r->u.exit.task.known |= PN_KNOWN_IMAGE;
		rb_str(r, &r->u.exit.image, "/usr/bin/own", 12);
	}
	wake();
	CHECK(pn_poll(h, 1000) == 8);
	CHECK_STR(S.image[7], "/usr/bin/own");
	CHECK(!(S.ev[7].flags & PN_EV_IMAGE_FROM_TABLE));
	CHECK_STR(S.image[2], "/usr/bin/first"); /* the child runs its parent's image */
	CHECK(find(PN_EVENT_EXIT, 101) && (find(PN_EVENT_EXIT, 101)->flags & PN_EV_IMAGE_FROM_TABLE));
	CHECK_STR(S.image[4], "/usr/bin/first");
	CHECK(!(find(PN_EVENT_EXIT, 555)->have & PN_HAVE_IMAGE));
	for (int i = 0; i < S.n; i++)
		CHECK(S.ev[i].seq == (uint64_t)i + 1);
	pn_close(h);
}

/* A loss reported while the resync it caused is running: its lost record
 * is delivered, and the resync in progress covers it: no snapshot inside
 * the snapshot (the table is being rebuilt: a nested one would mark it
 * again half-way and sweep the live processes already seen). */
static void loss_during_resync(void)
{
	pn_handle *h;
	pn_stats st = PN_STATS_INIT;
	const pn_event *lost;

	fake_reset();
	h = open_fake(0);
	F.snapshots = 0;
	F.drops = 5;
	F.drops_by[PN_REC_FORK] = 5;
	F.lose_in_snapshot = 1;
	q_fork(200, 1, 20)->u.hdr.hdr_flags = PN_HDR_AFTER_LOSS;
	wake();
	CHECK(pn_poll(h, 1000) == 4); /* lost, lost during the resync, its fork, the fork */
	CHECK(F.snapshots == 1 && F.snap_max_depth == 1);
	CHECK(count_type(PN_EVENT_LOST) == 2);
	lost = find(PN_EVENT_LOST, 0);
	CHECK(lost && lost->lost_count == 5 && lost->lost_count_known &&
	      lost->lost_by_type[PN_REC_FORK] == 5);
	CHECK(lost && lost[1].type == PN_EVENT_LOST && lost[1].lost_count == 3 &&
	      lost[1].lost_by_type[PN_REC_EXEC] == 3);
	CHECK(pn_get_stats(h, &st) == 0 && st.lost == 8 && st.resyncs == 1);
	/* Counters that did not move: no lost record. */
	q_fork(201, 1, 21)->u.hdr.hdr_flags = PN_HDR_AFTER_LOSS;
	wake();
	CHECK(pn_poll(h, 1000) == 1 && count_type(PN_EVENT_LOST) == 2);
	pn_close(h);
}

/* Processes the resync's snapshot did not see are forgotten, but only
 * once the stream has passed the snapshot: their exits may still wait. */
static void sweep_after_resync(void)
{
	pn_handle *h;
	uint64_t now = pn__clock_ns(CLOCK_MONOTONIC);

	fake_reset();
	h = open_fake(0);
	q_exec(300, "/bin/dead", 30);      /* its exit is lost for good */
	q_exec(301, "/bin/alive", 31);
	q_exec(303, "/bin/behind", 32);    /* its exit waits behind the gap */
	wake();
	CHECK(pn_poll(h, 1000) == 3);
	F.nalive = 1;
	F.alive[0] = 301;
	pn__lost_unknown(h); /* netlink's ENOBUFS: a loss of unknown size, then a resync */
	CHECK(S.ev[3].type == PN_EVENT_LOST && !S.ev[3].lost_count_known);
	q_exit(303, now - PN_NS_PER_SEC); /* made before the snapshot: still named */
	wake();
	CHECK(pn_poll(h, 1000) == 1);
	CHECK_STR(S.image[4], "/bin/behind");
	q_exit(300, now + 61 * PN_NS_PER_SEC);
	q_exit(301, now + 62 * PN_NS_PER_SEC);
	wake();
	CHECK(pn_poll(h, 1000) == 2);
	CHECK_STR(S.image[5], "");          /* swept: not in the snapshot */
	CHECK_STR(S.image[6], "/bin/alive");
	pn_close(h);
}

/*
 * The parking race: a tick finds nothing, the reader asks to be woken and
 * a record lands in that moment without a wake-up. The drain after the
 * request must find it, deliver it and keep the timer running; had the
 * reader parked, the record would wait for the next process on the host.
 */
static void park_race(uint32_t flush_ms)
{
	pn_handle *h;
	int n;

	fake_reset();
	{
		pn_options o = PN_OPTIONS_INIT;

		o.flush_ms = flush_ms;
		memset(&S, 0, sizeof(S));
		CHECK(pn_open(&h, &o) == 0);
		CHECK(pn_register(h, PN_MASK_ALL, record, NULL) == 0);
	}
	F.record_on_park = 1;
	n = pn_poll(h, 1000); /* the timer's tick */
	CHECK(n == 1 && S.n == 1 && S.ev[0].pid == 77);
	CHECK(F.nparks == 2 && F.parks[0] == 1 && F.parks[1] == 0);
	/* Still batching: the timer ticks again. */
	F.nparks = 0;
	CHECK(pn_poll(h, 1000) == 0);
	CHECK(F.nparks == 1 && F.parks[0] == 1); /* this time it parks */
	/* Parked: no tick comes; a record wakes it, back to the timer. */
	CHECK(pn_poll(h, 50) == 0 && F.nparks == 1);
	q_exec(78, "/bin/woke", 60);
	wake();
	CHECK(pn_poll(h, 1000) == 1 && F.nparks == 2 && F.parks[1] == 0);
	/* The timer runs again: its tick finds nothing and parks. (A poll
	 * that only timed out would return 0 as well, without parking.) */
	CHECK(pn_poll(h, 1000) == 0 && F.nparks == 3 && F.parks[2] == 1);
	pn_close(h);
}

/* At its bound the table refuses entries; a snapshot tells the dead
 * (exits never seen) from the live, and the dead go. All live: refused
 * and counted, and no snapshot more than once a second. */
static void compaction(void)
{
	pn_handle *h;
	pn_stats st = PN_STATS_INIT;

	fake_reset();
	h = open_fake(4);
	for (uint32_t pid = 400; pid < 405; pid++)
		q_exec(pid, "/bin/many", pid);
	wake();
	F.nalive = 2;
	F.alive[0] = 400;
	F.alive[1] = 401;
	F.snapshots = 0;
	CHECK(pn_poll(h, 1000) == 5);
	CHECK(F.snapshots == 1);
	CHECK(pn_get_stats(h, &st) == 0 && st.table_size == 2 && st.table_evicted == 1);
	q_exit(400, 500);
	wake();
	CHECK(pn_poll(h, 1000) == 1);
	CHECK_STR(S.image[5], "/bin/many"); /* a live one kept its image */
	/* Four live ones, a fifth refused: one snapshot, then none for a second. */
	F.nalive = 0;
	for (uint32_t pid = 410; pid < 413; pid++)
		F.alive[F.nalive++] = pid;
	F.alive[F.nalive++] = 401;
	for (uint32_t pid = 410; pid < 414; pid++)
		q_exec(pid, "/bin/more", pid);
	wake();
	F.snapshots = 0;
	CHECK(pn_poll(h, 1000) == 4 && F.snapshots == 1);
	q_exec(415, "/bin/more", 600);
	wake();
	CHECK(pn_poll(h, 1000) == 1 && F.snapshots == 1);
	CHECK(pn_get_stats(h, &st) == 0 && st.table_size == 4 && st.table_evicted == 3);
	pn_close(h);
}

static pn_handle *reentrant_h;
static int reentrant_flush, reentrant_poll;

static void reenter(const pn_event *ev, void *user)
{
	reentrant_flush = pn_flush(reentrant_h);
	reentrant_poll = pn_poll(reentrant_h, 0);
}

/* Errors the loop passes on, and calls a callback may not make. */
static void loop_errors(void)
{
	pn_handle *h;
	pn_stats st;

	fake_reset();
	h = open_fake(0);
	reentrant_h = h;
	CHECK(pn_register(h, PN_MASK(PN_EVENT_EXEC), reenter, NULL) == 0);
	q_exec(500, "/bin/x", 1);
	wake();
	CHECK(pn_poll(h, 1000) == 1);
	CHECK(reentrant_flush == -EBUSY && reentrant_poll == -EBUSY);
	F.drain_rc = -EIO;
	wake();
	CHECK(pn_poll(h, 1000) == -EIO);
	CHECK(pn_flush(h) == -EIO);
	F.drain_rc = 0;
	/* A backend that reports losses itself: its counters are not read. */
	F.drops_rc = -ENOTSUP;
	F.drops = 9;
	q_exec(501, "/bin/y", 2)->u.hdr.hdr_flags = PN_HDR_AFTER_LOSS;
	wake();
	CHECK(pn_poll(h, 1000) == 1 && count_type(PN_EVENT_LOST) == 0);
	/* A record the decoder refuses is dropped, not delivered. */
	q_exec(502, "/bin/z", 3)->u.hdr.version = 99;
	wake();
	CHECK(pn_poll(h, 1000) == 0);
	CHECK(pn_get_stats(NULL, &st) == -EINVAL && pn_get_stats(h, NULL) == -EINVAL);
	CHECK(pn_register(h, 0, record, NULL) == -EINVAL);
	CHECK(pn_register(h, PN_MASK_ALL, NULL, NULL) == -EINVAL);
	CHECK(pn_register(h, PN_MASK_ALL, record, NULL) == -EEXIST);
	CHECK(pn_unregister(h, record, &st) == -ENOENT);
	CHECK(pn_unregister(NULL, record, NULL) == -EINVAL);
	CHECK(pn_poll(NULL, 0) == -EINVAL);
	pn_close(h);
	pn_close(NULL);
}


/* The host name events carry: too long for an event is refused at open,
 * and an empty one is no host at all. */
static void host_names(void)
{
	char longname[PN_HOST_MAX + 2];
	pn_options o = PN_OPTIONS_INIT;
	pn_handle *h = NULL;

	fake_reset();
	memset(longname, 'h', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	o.host = longname;
	CHECK(pn_open(&h, &o) == -ENAMETOOLONG && !h);
	CHECK(strstr(o.errmsg, "host name is longer than") != NULL);
	CHECK(F.h == NULL); /* refused before any backend opened */
	longname[PN_HOST_MAX] = 0;
	CHECK(pn_open(&h, &o) == 0 && h);
	CHECK(pn_register(h, PN_MASK_ALL, record, NULL) == 0);
	memset(&S, 0, sizeof(S));
	q_fork(610, 1, 1);
	wake();
	CHECK(pn_poll(h, 1000) == 1 && (S.ev[0].have & PN_HAVE_HOST) &&
	      S.ev[0].host.len == PN_HOST_MAX);
	pn_close(h);

	fake_reset();
	o.host = "";
	CHECK(pn_open(&h, &o) == 0 && h);
	CHECK(pn_register(h, PN_MASK_ALL, record, NULL) == 0);
	memset(&S, 0, sizeof(S));
	q_fork(611, 1, 1);
	wake();
	CHECK(pn_poll(h, 1000) == 1 && !(S.ev[0].have & PN_HAVE_HOST) && S.ev[0].host.len == 0);
	pn_close(h);
}

/* ---- registrations changed from a callback ---- */

static pn_handle *self_h;
static int self_calls, after_calls, added_calls;

static void added(const pn_event *ev, void *user)
{
	added_calls++;
}

/* Unregisters itself on its first event, and registers five others,
 * which grows the array while it is being walked. */
static void once(const pn_event *ev, void *user)
{
	self_calls++;
	CHECK(pn_unregister(self_h, once, NULL) == 0);
	CHECK(pn_unregister(self_h, once, NULL) == -ENOENT); /* gone already */
	for (intptr_t i = 0; i < 5; i++)
		CHECK(pn_register(self_h, PN_MASK_ALL, added, (void *)i) == 0);
}

static void after(const pn_event *ev, void *user)
{
	after_calls++;
}

/* pn_unregister() is "safe from inside any callback", its own included:
 * those registered after it still get the event, it gets no more, and
 * registrations it adds meanwhile (the array grows under the loop) are
 * called, in their turn, from that event on. */
static void callbacks_change_registrations(void)
{
	pn_handle *h;

	fake_reset();
	h = open_fake(0);
	self_h = h;
	self_calls = after_calls = added_calls = 0;
	CHECK(pn_register(h, PN_MASK_ALL, once, NULL) == 0);
	CHECK(pn_register(h, PN_MASK_ALL, after, NULL) == 0);
	q_fork(620, 1, 1);
	q_fork(621, 1, 2);
	wake();
	CHECK(pn_poll(h, 1000) == 2);
	CHECK(self_calls == 1 && after_calls == 2);
	/* Registered during the first event, after the others in the list,
	 * the five got that event too, and the second. */
	CHECK(added_calls == 10);
	CHECK(S.n == 2);
	added_calls = 0;
	q_fork(622, 1, 3);
	wake();
	CHECK(pn_poll(h, 1000) == 1 && self_calls == 1 && after_calls == 3 && added_calls == 5);
	/* A mask with no event type in it, and no callback, are refused. */
	CHECK(pn_register(h, 1u << 31, after, &h) == -EINVAL);
	CHECK(pn_register(NULL, PN_MASK_ALL, after, &h) == -EINVAL);
	CHECK(pn_unregister(h, NULL, NULL) == -EINVAL);
	CHECK(pn_set_rules(NULL, NULL) == -EINVAL);
	pn_close(h);
}

/* A resync whose snapshot fails knows nothing of who is alive: it must
 * forget no process (a sweep would drop every one), and a table at its
 * bound whose snapshot fails stays as it is. */
static void failed_snapshots(void)
{
	pn_handle *h;
	pn_stats st = PN_STATS_INIT;
	uint64_t now = pn__clock_ns(CLOCK_MONOTONIC);

	fake_reset();
	h = open_fake(0);
	q_exec(630, "/bin/kept", 1);
	wake();
	CHECK(pn_poll(h, 1000) == 1);
	F.snapshot_rc = -EIO;
	pn__lost_unknown(h);
	CHECK(pn_get_stats(h, &st) == 0 && st.resyncs == 1 && st.lost_unknown == 1);
	q_exit(630, now + 61 * PN_NS_PER_SEC);
	wake();
	CHECK(pn_poll(h, 1000) == 1);
	CHECK_STR(S.image[S.n - 1], "/bin/kept");
	pn_close(h);

	fake_reset();
	h = open_fake(2);
	F.snapshot_rc = -EIO;
	for (uint32_t pid = 640; pid < 643; pid++)
		q_exec(pid, "/bin/full", pid);
	wake();
	F.snapshots = 0;
	CHECK(pn_poll(h, 1000) == 3 && F.snapshots == 1);
	CHECK(pn_get_stats(h, &st) == 0 && st.table_size == 2 && st.table_evicted == 1);
	pn_close(h);
}

/* A record whose header is sound but whose string points outside it is
 * dropped by the decoder: delivered to nobody, numbered never. */
static void undecodable_record(void)
{
	pn_handle *h;

	fake_reset();
	h = open_fake(0);
	q_exec(650, "/bin/bad", 1)->u.exec.image.len = 60000;
	q_exec(651, "/bin/good", 2);
	wake();
	CHECK(pn_poll(h, 1000) == 1 && S.n == 1 && S.ev[0].pid == 651 && S.ev[0].seq == 1);
	/* An exec that names an empty image: the process's old image is not
	 * kept for its exit; a fork of a parent with no image has none. */
	q_exec(651, "", 3)->u.exec.task.known |= PN_KNOWN_IMAGE;
	q_fork(652, 651, 4)->u.fork.task.parent_start_ns = 6510;
	q_exit(651, 5);
	wake();
	CHECK(pn_poll(h, 1000) == 3);
	CHECK(!(S.ev[2].have & PN_HAVE_IMAGE) && !(S.ev[3].have & PN_HAVE_IMAGE));
	pn_close(h);
}

/* No file descriptor left for the event loop: the open fails with the
 * kernel's reason and closes the backend it opened. */
static void no_fds(void)
{
	pn_options o = PN_OPTIONS_INIT;
	pn_handle *h = NULL;
	struct rlimit was, low;
	int fds[256], n = 0;

	fake_reset();
	CHECK(getrlimit(RLIMIT_NOFILE, &was) == 0);
	low = (struct rlimit){ 64, was.rlim_max };
	CHECK(setrlimit(RLIMIT_NOFILE, &low) == 0);
	while (n < 256 && (fds[n] = dup(0)) >= 0)
		n++;
	CHECK(n < 256 && errno == EMFILE);
	CHECK(pn_open(&h, &o) == -EMFILE && !h);
	CHECK(strstr(o.errmsg, "Too many open files") != NULL);
	CHECK(F.h == NULL);
	/* One left: the epoll fd opens, the timer's does not. */
	if (n)
		close(fds[--n]);
	CHECK(pn_open(&h, &o) == -EMFILE && !h && F.h == NULL);
	while (n)
		close(fds[--n]);
	CHECK(setrlimit(RLIMIT_NOFILE, &was) == 0);
	CHECK(pn_open(&h, &o) == 0 && h);
	pn_close(h);
}

/* ---- a source beside the backend (the exec enforcer's denials) ---- */

static struct fake_source {
	int pipe[2];
	pn_event q[8];
	int nq, closed;
} Src;

static void src_drain(pn_handle *h, void *state)
{
	char c;
	int n = Src.nq;

	while (read(Src.pipe[0], &c, 1) == 1)
		;
	Src.nq = 0;
	for (int i = 0; i < n; i++)
		pn__deliver(h, &Src.q[i]);
}

static void src_close(void *state)
{
	Src.closed++;
}

static void src_other_close(void *state)
{
}

static pn_event *q_deny(uint32_t pid, uint32_t ppid)
{
	pn_event *ev = &Src.q[Src.nq++];

	memset(ev, 0, sizeof(*ev));
	ev->type = PN_EVENT_DENY;
	ev->pid = pid;
	ev->ppid = ppid;
	ev->have = PN_HAVE_PARENT;
	ev->duration_ns = -1;
	CHECK(write(Src.pipe[1], "d", 1) == 1);
	return ev;
}

/* A denial names its process and parent by pid; their keys come from the
 * table, or from the processes that exited last; a parent the table does
 * not know is no parent (a pid without its key could name another). */
static void denials(void)
{
	static const char *const calls[] = { "fanotify_init", NULL };
	pn_handle *h;
	pn_stats st = PN_STATS_INIT;
	struct pn__source src = { 0, src_drain, src_close, &Src, 0, calls };
	const pn_event *d;

	fake_reset();
	memset(&Src, 0, sizeof(Src));
	CHECK(pipe(Src.pipe) == 0 && fcntl(Src.pipe[0], F_SETFL, O_NONBLOCK) == 0);
	src.fd = Src.pipe[0];
	h = open_fake(0);
	CHECK(pn__source_syscalls(h) == NULL);
	CHECK(pn__add_source(h, &(struct pn__source){ .fd = -1, .close = src_close }) == -EBADF);
	CHECK(pn__add_source(h, &src) == 0);
	CHECK(pn__add_source(h, &src) == -EBUSY);
	CHECK(pn__source_state(h, src_close) == &Src && pn__source_state(h, src_other_close) == NULL);
	CHECK(pn__source_syscalls(h) == calls);
	q_exec(700, "/bin/parent", 1);
	q_fork(701, 700, 2);
	q_exit(701, 3);
	wake();
	CHECK(pn_poll(h, 1000) == 3);
	q_deny(701, 700);     /* exited: its key from the last exits */
	q_deny(702, 700);     /* never seen */
	q_deny(700, 9999);    /* a parent the table does not know */
	q_deny(700, 0)->have = 0; /* no parent named */
	/* Another type from the source is delivered as it is: keys and all. */
	q_deny(703, 700)->type = PN_EVENT_EXEC;
	Src.q[4].key.start_ns = 42;
	CHECK(pn_poll(h, 1000) == 5);
	d = &S.ev[3];
	CHECK(d->type == PN_EVENT_DENY && d->pid == 701 && (d->have & PN_HAVE_START) &&
	      d->key.start_ns == 7010 && (d->have & PN_HAVE_PARENT) &&
	      d->parent_key.start_ns == 7000 && d->seq == 4);
	d = &S.ev[4];
	CHECK(d->pid == 702 && !(d->have & PN_HAVE_START) && (d->have & PN_HAVE_PARENT));
	d = &S.ev[5];
	CHECK(d->pid == 700 && d->key.start_ns == 7000 && !(d->have & PN_HAVE_PARENT));
	d = &S.ev[6];
	CHECK(d->pid == 700 && (d->have & PN_HAVE_START) && !(d->have & PN_HAVE_PARENT));
	d = &S.ev[7];
	CHECK(d->type == PN_EVENT_EXEC && d->key.start_ns == 42 && !(d->have & PN_HAVE_START) &&
	      (d->have & PN_HAVE_PARENT) && d->seq == 8);
	CHECK(pn_get_stats(h, &st) == 0 && st.delivered_deny == 4);
	/* A caller's pn_stats shorter than version 1's is refused. */
	st.size = 8;
	CHECK(pn_get_stats(h, &st) == -EINVAL);
	pn_close(h);
	CHECK(Src.closed == 1);
	close(Src.pipe[0]);
	close(Src.pipe[1]);
}

int main(void)
{
	if (pipe(F.pipe)) {
		perror("pipe");
		return 1;
	}
	CHECK(fcntl(F.pipe[0], F_SETFL, O_NONBLOCK) == 0);
	open_failures();
	enrichment();
	loss_during_resync();
	sweep_after_resync();
	park_race(5);
	park_race(3); /* the first tick after a wake-up: 1 ms, not flush_ms / 5 */
	compaction();
	loop_errors();
	host_names();
	callbacks_change_registrations();
	failed_snapshots();
	undecodable_record();
	no_fds();
	denials();
	return pn_test_done("test_core");
}
