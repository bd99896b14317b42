/*
 * The exec decider: fanotify FAN_OPEN_EXEC_PERM on every file system.
 *
 * Two threads. The reader never blocks on anything but poll(2): it reads
 * the kernel's questions into a queue, answers the monitor's own execs at
 * once, answers "allow" for every question still open at its deadline, and
 * marks new file systems when the mount table changes. The decider takes
 * the questions in order, reads what the rules need, calls the decision
 * callback and answers, unless the reader already did. A denial becomes a
 * PN_EVENT_DENY event, queued for the handle's thread (pn_poll), which
 * numbers and delivers it like any other event.
 *
 * The kernel answers "allow" for every open question when the group's
 * descriptor closes: a monitor that dies, even by SIGKILL, leaves nothing
 * enforcing and no exec waiting.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/eventfd.h>
#include <sys/fanotify.h>
#include "internal.h"
#include "procnotify/rules.h"
#include "rules/needs.h"
#include "exec_ctx.h"
#include "fan_marks.h"

#define QUEUE_LEN 1024
#define DEADLINE_MS_DEFAULT 100

/*
 * Decision latencies, read to answer, in buckets of a few percent: 16 per
 * power of two (HDR histogram style), enough for a median and a p99.
 */
#define LAT_SUB 16
#define LAT_BUCKETS (64 * LAT_SUB)
struct pn__latency {
	uint64_t n, max, bucket[LAT_BUCKETS];
};

/* Values under 32 have a bucket each; above, 16 buckets per power of two. */
static size_t lat_index(uint64_t ns)
{
	int top = 63 - __builtin_clzll(ns | 1) - 4;

	return ns < 32 ? (size_t)ns : (size_t)((top + 1) * LAT_SUB) + (size_t)((ns >> top) - LAT_SUB);
}

/* The smallest value of a bucket, the inverse of lat_index(). */
static uint64_t lat_value(size_t i)
{
	return i < 2 * LAT_SUB ? i : (uint64_t)(LAT_SUB + i % LAT_SUB) << (i / LAT_SUB - 1);
}

static void lat_add(struct pn__latency *l, uint64_t ns)
{
	l->bucket[lat_index(ns)]++;
	l->n++;
	if (ns > l->max)
		l->max = ns;
}

static uint64_t lat_quantile(const struct pn__latency *l, uint64_t permille)
{
	uint64_t want = (l->n * permille + 999) / 1000, seen = 0;

	for (size_t i = 0; i < LAT_BUCKETS && l->n; i++)
		if ((seen += l->bucket[i]) >= want)
			return lat_value(i);
	return 0;
}

struct question {
	int fd;          /* the file about to run; the kernel's name for the question */
	uint32_t pid;
	uint64_t t_ns;   /* when the reader took it (CLOCK_MONOTONIC) */
	int answered;
};

/* A denial's event, owning its strings, on its way to the handle's thread. */
struct denial {
	struct denial *next;
	struct pn__exec_info info;
	char rule[256];
};

struct pn__enforcer {
	int fan_fd, stop_fd, ready_fd;
	struct pn__fan_marks marks;
	pthread_t reader, decider;
	int threads;                 /* how many were started */
	pthread_mutex_t lock;        /* the queue, the answers, the denials, the stats */
	pthread_cond_t more;
	struct question q[QUEUE_LEN];
	size_t head, count;
	int stopping;
	uint64_t deadline_ns, stall_ns;
	pn_enforce_options opt;      /* opt.decide NULL: the deny rules below decide */
	pn_rules *rules;             /* a reference; swapped under the lock */
	uint32_t rules_needs;
	char rule[256];              /* the name of the rule that denied, copied */
	struct pn__hashcache cache;
	struct pn__exec_info work;   /* the decider's */
	struct denial *denials, **denials_tail;
	pn_enforce_stats st;
	struct pn__latency lat;
	pid_t self;
};

/* Under the lock. A question answered once; a second answer would fail. */
static void answer(struct pn__enforcer *e, struct question *q, uint32_t verdict)
{
	struct fanotify_response r = { .fd = q->fd, .response = verdict };

	q->answered = 1;
	if (write(e->fan_fd, &r, sizeof(r)) != sizeof(r))
		e->st.error_allowed++; /* the kernel has forgotten it: nothing waits */
}

/* ---- the reader ---- */

static void take(struct pn__enforcer *e, const struct fanotify_event_metadata *m)
{
	struct question q = { m->fd, (uint32_t)m->pid, pn__clock_ns(CLOCK_MONOTONIC), 0 };

	pthread_mutex_lock(&e->lock);
	e->st.asked++;
	if (m->pid == e->self) {
		e->st.self_allowed++;
		answer(e, &q, FAN_ALLOW);
		close(q.fd);
	} else if (e->count == QUEUE_LEN) {
		e->st.error_allowed++; /* fail open rather than keep an exec waiting */
		answer(e, &q, FAN_ALLOW);
		close(q.fd);
	} else {
		e->q[(e->head + e->count++) % QUEUE_LEN] = q;
		pthread_cond_signal(&e->more);
	}
	pthread_mutex_unlock(&e->lock);
}

static void read_questions(struct pn__enforcer *e)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct fanotify_event_metadata))));
	ssize_t n = read(e->fan_fd, buf, sizeof(buf));
	const struct fanotify_event_metadata *m = (const void *)buf;

	for (; n > 0 && FAN_EVENT_OK(m, n); m = FAN_EVENT_NEXT(m, n)) {
		if (m->vers != FANOTIFY_METADATA_VERSION || m->fd < 0)
			continue;
		take(e, m);
	}
}

/* Allows what waited past the deadline; the time to the next deadline
 * (ms, for poll), or -1 when nothing waits. Under the lock. */
static int expire(struct pn__enforcer *e)
{
	uint64_t now = pn__clock_ns(CLOCK_MONOTONIC);

	for (size_t i = 0; i < e->count; i++) {
		struct question *q = &e->q[(e->head + i) % QUEUE_LEN];
		uint64_t due = q->t_ns + e->deadline_ns;

		if (q->answered)
			continue;
		if (due > now) /* in arrival order: the rest are due later */
			return (int)((due - now + PN_NS_PER_MS - 1) / PN_NS_PER_MS);
		e->st.deadline_allowed++;
		answer(e, q, FAN_ALLOW);
	}
	return -1;
}

static void *reader_main(void *arg)
{
	struct pn__enforcer *e = arg;
	struct pollfd p[3] = { { .fd = e->fan_fd, .events = POLLIN },
			       { .fd = e->marks.mountinfo_fd, .events = POLLPRI },
			       { .fd = e->stop_fd, .events = POLLIN } };
	int timeout = -1;

	for (;;) {
		if (poll(p, 3, timeout) < 0 && errno != EINTR)
			break;
		if (p[2].revents)
			break;
		if (p[1].revents & POLLPRI) {
			pthread_mutex_lock(&e->lock);
			pn__marks_rescan(&e->marks);
			pthread_mutex_unlock(&e->lock);
		}
		if (p[0].revents & POLLIN)
			read_questions(e);
		pthread_mutex_lock(&e->lock);
		timeout = expire(e);
		pthread_mutex_unlock(&e->lock);
	}
	return NULL;
}

/* ---- the decider ---- */

static void queue_denial(struct pn__enforcer *e)
{
	struct denial *d = malloc(sizeof(*d));
	uint64_t one = 1;

	if (!d)
		return;
	d->next = NULL;
	d->info = e->work;
	pn__exec_info_rebase(&d->info, &e->work);
	memcpy(d->rule, e->rule, sizeof(d->rule));
	pthread_mutex_lock(&e->lock);
	*e->denials_tail = d;
	e->denials_tail = &d->next;
	pthread_mutex_unlock(&e->lock);
	if (write(e->ready_fd, &one, sizeof(one)) < 0) {
		/* the counter is far from full: the handle reads it every poll */
	}
}

/* The deny rules' verdict: the set in force when the decision began, even
 * if a reload swaps it meanwhile. 1 deny, 0 allow, -1 error. */
static int decide_rules(struct pn__enforcer *e)
{
	struct pn__exec_info *x = &e->work;
	pn_rules_input in = { &x->ev, NULL, pn__exec_info_ancestor, x };
	pn_rules_verdict v;
	pn_rules *set;
	uint32_t needs;
	int rc;

	pthread_mutex_lock(&e->lock);
	set = pn_rules_ref(e->rules);
	needs = e->rules_needs;
	pthread_mutex_unlock(&e->lock);
	/* Ancestors are walked as deep as a rule looks, by the engine. */
	pn__exec_info_need(x, needs & ~(uint32_t)PN_NEED_ANCESTORS);
	in.image_sha256 = x->ctx.sha256;
	x->ev.type = PN_EVENT_EXEC; /* what the rules test: the exec about to be */
	rc = pn_rules_eval(set, &in, PN_RULES_DENY, &v);
	x->ev.type = PN_EVENT_DENY;
	if (!rc && v.deny)
		snprintf(e->rule, sizeof(e->rule), "%s", v.deny);
	pn_rules_free(set);
	return rc ? -1 : v.deny != NULL;
}

static int decide_callback(struct pn__enforcer *e)
{
	const char *rule = NULL;
	int deny;

	pn__exec_info_need(&e->work, e->opt.needs);
	deny = e->opt.decide(&e->work.ctx, e->opt.user, &rule) == 1;
	if (deny)
		snprintf(e->rule, sizeof(e->rule), "%s", rule ? rule : "");
	return deny;
}

/* The verdict for the question at the head of the queue (q is a copy):
 * 1 deny, 0 allow, -1 error (allowed). */
static int decide(struct pn__enforcer *e, const struct question *q)
{
	int deny;

	e->rule[0] = 0;
	if (pn__exec_info_fill(&e->work, q->fd, q->pid, &e->cache))
		return -1;
	deny = e->opt.decide ? decide_callback(e) : decide_rules(e);
	if (deny == 1)
		pn__exec_info_complete(&e->work);
	if (deny == 1 && e->stall_ns) /* tests only: a decision that comes too late */
		nanosleep(&(struct timespec){ (time_t)(e->stall_ns / PN_NS_PER_SEC),
					      (long)(e->stall_ns % PN_NS_PER_SEC) }, NULL);
	return deny;
}

static void decide_head(struct pn__enforcer *e)
{
	struct question q = e->q[e->head];
	int verdict = q.answered ? 0 : decide(e, &q);
	int ours = 0;

	pthread_mutex_lock(&e->lock);
	if (!e->q[e->head].answered) {
		ours = 1;
		answer(e, &e->q[e->head], verdict == 1 ? FAN_DENY : FAN_ALLOW);
		e->st.denied += verdict == 1;
		e->st.allowed += verdict == 0;
		e->st.error_allowed += verdict < 0;
		lat_add(&e->lat, pn__clock_ns(CLOCK_MONOTONIC) - q.t_ns);
	}
	e->head = (e->head + 1) % QUEUE_LEN;
	e->count--;
	pthread_mutex_unlock(&e->lock);
	close(q.fd);
	if (ours && verdict == 1)
		queue_denial(e);
}

static void *decider_main(void *arg)
{
	struct pn__enforcer *e = arg;

	pthread_mutex_lock(&e->lock);
	for (;;) {
		while (!e->count && !e->stopping)
			pthread_cond_wait(&e->more, &e->lock);
		if (e->stopping)
			break;
		pthread_mutex_unlock(&e->lock);
		decide_head(e);
		pthread_mutex_lock(&e->lock);
	}
	pthread_mutex_unlock(&e->lock);
	return NULL;
}

/* ---- the handle's side ---- */

/* On the handle's thread: each denial becomes an event, numbered there. */
static void deliver(pn_handle *h, void *state)
{
	struct pn__enforcer *e = state;
	struct denial *d, *next;
	uint64_t n;

	if (read(e->ready_fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return;
	pthread_mutex_lock(&e->lock);
	d = e->denials;
	e->denials = NULL;
	e->denials_tail = &e->denials;
	pthread_mutex_unlock(&e->lock);
	for (; d; d = next) {
		next = d->next;
		d->info.ev.rules = (pn_str){ d->rule, strlen(d->rule) + 1 };
		pn__deliver(h, &d->info.ev);
		free(d);
	}
}

/* Stops both threads, then allows whatever still waits: nothing is left
 * for the kernel to answer but what closing the group answers anyway. */
static void stop(void *state)
{
	struct pn__enforcer *e = state;
	uint64_t one = 1;

	pthread_mutex_lock(&e->lock);
	e->stopping = 1;
	pthread_cond_broadcast(&e->more);
	pthread_mutex_unlock(&e->lock);
	if (e->stop_fd >= 0 && write(e->stop_fd, &one, sizeof(one)) < 0)
		one = 0; /* an eventfd write fails only at its limit */
	if (e->threads > 1)
		pthread_join(e->decider, NULL);
	if (e->threads > 0)
		pthread_join(e->reader, NULL);
	for (; e->count; e->head = (e->head + 1) % QUEUE_LEN, e->count--) {
		if (!e->q[e->head].answered)
			answer(e, &e->q[e->head], FAN_ALLOW);
		close(e->q[e->head].fd);
	}
	pn__marks_close(&e->marks);
	for (int *fd = &e->fan_fd; fd <= &e->ready_fd; fd++)
		if (*fd >= 0)
			close(*fd);
	while (e->denials) {
		struct denial *d = e->denials;

		e->denials = d->next;
		free(d);
	}
	pn__hashcache_free(&e->cache);
	pn_rules_free(e->rules);
	pthread_mutex_destroy(&e->lock);
	pthread_cond_destroy(&e->more);
	free(e);
}

/* The system calls the enforcer's steady state adds to pn_sandbox()'s. */
static const char *const enforce_syscalls[] = {
	"poll", "ppoll", "fanotify_mark", "process_vm_readv", "eventfd2", NULL,
};

/* PN_TEST_DENY_STALL_MS (tests only): hold every denial that long before
 * answering, to reach the deadline with an exec only the test makes. */
static uint64_t test_stall_ns(void)
{
	const char *v = getenv("PN_TEST_DENY_STALL_MS");

	return v ? strtoull(v, NULL, 10) * PN_NS_PER_MS : 0;
}

static int start(struct pn__enforcer *e, char *err, size_t errlen)
{
	int rc;

	e->fan_fd = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC | FAN_NONBLOCK,
				  O_RDONLY | O_LARGEFILE | O_CLOEXEC);
	if (e->fan_fd < 0) {
		rc = -errno;
		pn__errmsg(err, errlen, "cannot start exec enforcement (fanotify): %s%s",
			   strerror(-rc), rc == -EPERM ? " (needs CAP_SYS_ADMIN)" : "");
		return rc;
	}
	e->stop_fd = eventfd(0, EFD_CLOEXEC);
	e->ready_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (e->stop_fd < 0 || e->ready_fd < 0)
		return -errno;
	if ((rc = pn__hashcache_init(&e->cache, 4096)))
		return rc;
	if ((rc = pn__marks_open(&e->marks, e->fan_fd, FAN_OPEN_EXEC_PERM, err, errlen)))
		return rc;
	if ((rc = -pthread_create(&e->reader, NULL, reader_main, e)))
		return rc;
	e->threads++;
	if ((rc = -pthread_create(&e->decider, NULL, decider_main, e)))
		return rc;
	e->threads++;
	return 0;
}

/* Starts an enforcer on h with opt (its decide NULL: deny rules). */
static int enforce_start(pn_handle *h, const pn_enforce_options *opt, char *err, size_t errlen,
			 struct pn__enforcer **out)
{
	struct pn__enforcer *e;
	int rc;

	if (pn__source_state(h, stop))
		return -EBUSY;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->fan_fd = e->stop_fd = e->ready_fd = -1;
	e->marks.mountinfo_fd = -1;
	e->opt = *opt;
	e->deadline_ns = (uint64_t)(opt->deadline_ms ? opt->deadline_ms : DEADLINE_MS_DEFAULT) *
			 PN_NS_PER_MS;
	e->stall_ns = test_stall_ns();
	e->self = getpid();
	e->denials_tail = &e->denials;
	pthread_mutex_init(&e->lock, NULL);
	pthread_cond_init(&e->more, NULL);
	rc = start(e, err, errlen);
	if (!rc)
		rc = pn__add_source(h, &(struct pn__source){
			.fd = e->ready_fd, .drain = deliver, .close = stop, .state = e,
			.steady_caps = 1ULL << CAP_SYS_ADMIN | 1ULL << CAP_SYS_PTRACE,
			.syscalls = enforce_syscalls });
	if (rc) {
		if (err && !err[0])
			pn__errmsg(err, errlen, "cannot start exec enforcement: %s", strerror(-rc));
		stop(e);
		return rc;
	}
	*out = e;
	return 0;
}

int pn_enforce(pn_handle *h, const pn_enforce_options *opt, char *err, size_t errlen)
{
	struct pn__enforcer *e;

	if (!h || !opt || !opt->decide || opt->size < sizeof(pn_enforce_options))
		return -EINVAL;
	return enforce_start(h, opt, err, errlen, &e);
}

int pn_enforce_rules(pn_handle *h, pn_rules *r, uint32_t deadline_ms, char *err, size_t errlen)
{
	pn_enforce_options opt = { .size = sizeof(opt), .deadline_ms = deadline_ms };
	struct pn__enforcer *e = h ? pn__source_state(h, stop) : NULL;
	pn_rules *old;
	int rc;

	if (!h)
		return -EINVAL;
	if (e && e->opt.decide)
		return -EBUSY; /* enforcing with a callback of the caller's */
	if (!e && (rc = enforce_start(h, &opt, err, errlen, &e)))
		return rc;
	pthread_mutex_lock(&e->lock);
	old = e->rules;
	e->rules = pn_rules_ref(r);
	e->rules_needs = pn__rules_needs(r, PN_RULE_DENY);
	pthread_mutex_unlock(&e->lock);
	pn_rules_free(old);
	return 0;
}

int pn_enforce_get_stats(pn_handle *h, pn_enforce_stats *st)
{
	struct pn__enforcer *e = h ? pn__source_state(h, stop) : NULL;
	pn_enforce_stats ours;

	if (!st)
		return -EINVAL;
	if (!e)
		return -ENOENT;
	pthread_mutex_lock(&e->lock);
	ours = e->st;
	ours.hash_read = e->cache.misses;
	ours.hash_cached = e->cache.hits;
	ours.filesystems = e->marks.ndevs;
	ours.mark_refused = e->marks.refused;
	ours.latency_p50_ns = lat_quantile(&e->lat, 500);
	ours.latency_p99_ns = lat_quantile(&e->lat, 990);
	ours.latency_max_ns = e->lat.max;
	pthread_mutex_unlock(&e->lock);
	return pn__struct_out(st, st->size, &ours, sizeof(ours), sizeof(ours));
}
