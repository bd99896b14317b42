/*
 * The exec decider: fanotify FAN_OPEN_EXEC_PERM on every file system.
 *
 * The decider thread reads the kernel's questions a batch at a time and
 * answers each in order, inline: the monitor's own execs at once, the
 * others with the decision callback or the deny rules, after reading what
 * they need (enforce_decide.c); one that needs a file hashed goes to the
 * hasher thread. It also marks new file systems when the mount table
 * changes.
 * A watchdog thread keeps the deadline: every quarter of it, while the
 * decider is busy, it allows each question of the batch that has waited
 * past the deadline, and, while the decider is stuck on one, every
 * question the kernel queues meanwhile. Idle for a second, the watchdog
 * sleeps until the next batch: no wake-ups on an idle machine, none per
 * question in a storm.
 *
 * A denial becomes a PN_EVENT_DENY event, queued for the handle's thread
 * (pn_poll), which numbers and delivers it like any other event.
 *
 * The kernel answers "allow" for every open question when the group's
 * descriptor closes: a monitor that dies, even by SIGKILL, leaves nothing
 * enforcing and no exec waiting.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/eventfd.h>
#include <sys/fanotify.h>
#include <sys/resource.h>
#include "rules/needs.h"
#include "enforce_int.h"

#define PARK_AFTER_NS PN_NS_PER_SEC
#define DEADLINE_MS_DEFAULT 100

void pn__enforce_answer(struct pn__enforcer *e, struct pn__question *q, uint32_t verdict)
{
	struct fanotify_response r = { .fd = q->fd, .response = verdict };

	q->answered = 1;
	if (write(e->fan_fd, &r, sizeof(r)) != sizeof(r))
		e->st.error_allowed++; /* the kernel has forgotten it: nothing waits */
}

/* ---- the watchdog ---- */

/* While the decider is stuck: allows what the kernel queues meanwhile,
 * unread. Under the lock; the decider reads only between batches. */
static void allow_unread(struct pn__enforcer *e)
{
	char buf[PN__READ_LEN] __attribute__((aligned(__alignof__(struct fanotify_event_metadata))));
	const struct fanotify_event_metadata *m;
	ssize_t n;

	while ((n = read(e->fan_fd, buf, sizeof(buf))) > 0) {
		for (m = (const void *)buf; FAN_EVENT_OK(m, n); m = FAN_EVENT_NEXT(m, n)) {
			struct pn__question q = { m->fd, (uint32_t)m->pid, 0, 0, 0 };

			if (m->vers != FANOTIFY_METADATA_VERSION || m->fd < 0)
				continue;
			e->st.asked++;
			e->st.deadline_allowed++;
			pn__enforce_answer(e, &q, FAN_ALLOW);
			close(q.fd);
		}
	}
}

/* Allows each question of the batch past its deadline. Under the lock. */
static void expire(struct pn__enforcer *e)
{
	uint64_t now = pn__clock_ns(CLOCK_MONOTONIC);
	int late = 0;

	for (size_t i = e->cur; i < e->nq; i++) {
		struct pn__question *q = &e->q[i];

		if (q->answered || q->deferred || now - q->t_ns < e->deadline_ns)
			continue;
		e->st.deadline_allowed++;
		pn__enforce_answer(e, q, FAN_ALLOW);
		late = 1;
	}
	if (late || (e->nq && e->q[e->cur].answered))
		allow_unread(e);
	for (size_t i = 0; i < e->dcount; i++) {
		struct pn__question *q = &e->deferred[(e->dhead + i) % PN__DEFER_LEN];

		if (!q->answered && now - q->t_ns >= e->deadline_ns) {
			e->st.deadline_allowed++;
			pn__enforce_answer(e, q, FAN_ALLOW);
		}
	}
}

static void *watchdog_main(void *arg)
{
	struct pn__enforcer *e = arg;
	uint64_t tick = e->deadline_ns / 4; /* a deadline is 1 ms at least */

	pthread_mutex_lock(&e->lock);
	while (!e->stopping) {
		uint64_t now = pn__clock_ns(CLOCK_MONOTONIC), until = now + tick;
		struct timespec ts = { (time_t)(until / PN_NS_PER_SEC), (long)(until % PN_NS_PER_SEC) };

		if (!e->nq && !e->dcount && now - e->last_busy_ns > PARK_AFTER_NS) {
			e->parked = 1;
			pthread_cond_wait(&e->wake, &e->lock);
			e->parked = 0;
			continue;
		}
		pthread_cond_timedwait(&e->wake, &e->lock, &ts);
		expire(e);
	}
	pthread_mutex_unlock(&e->lock);
	return NULL;
}

/* ---- the decider ---- */

/* Hands the batch's question i to the hasher; a full ring allows it. */
static void defer(struct pn__enforcer *e, size_t i)
{
	struct pn__question *q = &e->q[i];

	if (q->answered)
		return;
	if (e->dcount == PN__DEFER_LEN) {
		e->st.error_allowed++;
		pn__enforce_answer(e, q, FAN_ALLOW);
		return;
	}
	q->deferred = 1;
	e->deferred[(e->dhead + e->dcount++) % PN__DEFER_LEN] = *q;
	pthread_cond_signal(&e->to_hash);
}

/* The batch's question i, decided unless the watchdog answered it. */
static void decide_one(struct pn__enforcer *e, size_t i)
{
	struct pn__question q;
	int verdict = 0, ours = 0;

	pthread_mutex_lock(&e->lock);
	e->cur = i;
	q = e->q[i];
	pthread_mutex_unlock(&e->lock);
	if (!q.answered)
		verdict = pn__enforce_decide(e, &e->main_d, &q, 1);
	pthread_mutex_lock(&e->lock);
	if (verdict == PN__VERDICT_DEFER) {
		defer(e, i);
	} else if (!e->q[i].answered) {
		ours = 1;
		pn__enforce_answer(e, &e->q[i], verdict == 1 ? FAN_DENY : FAN_ALLOW);
		e->st.denied += verdict == 1;
		e->st.allowed += verdict == 0;
		e->st.error_allowed += verdict < 0;
		pn__latency_add(&e->lat, pn__clock_ns(CLOCK_MONOTONIC) - q.t_ns);
	}
	pthread_mutex_unlock(&e->lock);
	if (verdict == PN__VERDICT_DEFER && e->q[i].deferred)
		return; /* the hasher closes it */
	close(q.fd);
	if (ours && verdict == 1)
		pn__enforce_queue_denial(e, &e->main_d);
}

/* Takes a batch: the monitor's own execs are allowed at once. */
static void take_batch(struct pn__enforcer *e, const char *buf, ssize_t n)
{
	const struct fanotify_event_metadata *m = (const void *)buf;
	uint64_t now = pn__clock_ns(CLOCK_MONOTONIC);

	pthread_mutex_lock(&e->lock);
	e->nq = e->cur = 0;
	for (; FAN_EVENT_OK(m, n); m = FAN_EVENT_NEXT(m, n)) {
		struct pn__question q = { m->fd, (uint32_t)m->pid, now, 0, 0 };

		if (m->vers != FANOTIFY_METADATA_VERSION || m->fd < 0)
			continue;
		e->st.asked++;
		if (m->pid == e->self) { /* never wait on ourselves */
			e->st.self_allowed++;
			pn__enforce_answer(e, &q, FAN_ALLOW);
			close(q.fd);
			continue;
		}
		e->q[e->nq++] = q;
	}
	if (e->nq && e->parked)
		pthread_cond_signal(&e->wake);
	pthread_mutex_unlock(&e->lock);
}

/*
 * Before a batch is answered: the mounts reported until now are marked (an
 * exec asked about after a mount in a namespace it knows is decided after
 * that mount is marked), and so is the namespace of each exec'ing process
 * not seen before (before its exec goes on, and the mounts it makes).
 */
static void learn_mounts(struct pn__enforcer *e, const char *buf, ssize_t n)
{
	const struct fanotify_event_metadata *m = (const void *)buf;

	if (pn__mntns_drain(&e->mntns))
		e->mntns_failed++;
	for (; FAN_EVENT_OK(m, n); m = FAN_EVENT_NEXT(m, n))
		if (m->pid != e->self && pn__mntns_check(&e->mntns, m->pid, m->fd))
			e->mntns_failed++;
}

static void decide_batch(struct pn__enforcer *e)
{
	char buf[PN__READ_LEN] __attribute__((aligned(__alignof__(struct fanotify_event_metadata))));
	ssize_t n = read(e->fan_fd, buf, sizeof(buf));

	if (n <= 0)
		return;
	learn_mounts(e, buf, n);
	take_batch(e, buf, n);
	for (size_t i = 0; i < e->nq; i++)
		decide_one(e, i);
	pthread_mutex_lock(&e->lock);
	e->nq = e->cur = 0;
	e->last_busy_ns = pn__clock_ns(CLOCK_MONOTONIC);
	pthread_mutex_unlock(&e->lock);
}

/* Every exec on the host waits for this thread: on a busy machine it must
 * not queue behind the programs it holds up. A higher priority (nice -10,
 * CAP_SYS_NICE, taken before the sandbox; without it the thread keeps the
 * process's) gets it the CPU first; it uses little of it. */
#define DECIDER_NICE -10

static void *decider_main(void *arg)
{
	struct pn__enforcer *e = arg;
	struct pollfd p[4] = { { .fd = e->fan_fd, .events = POLLIN },
			       { .fd = e->marks.mountinfo_fd, .events = POLLPRI },
			       { .fd = e->stop_fd, .events = POLLIN },
			       { .fd = e->mntns.mnt_fd, .events = POLLIN } };

	if (setpriority(PRIO_PROCESS, (id_t)gettid(), DECIDER_NICE)) {
		/* not allowed: the default priority, as any thread */
	}
	for (;;) {
		if (poll(p, 4, -1) < 0 && errno != EINTR)
			break;
		if (p[2].revents)
			break;
		if (p[1].revents & POLLPRI)
			pn__marks_rescan(&e->marks);
		if ((p[3].revents & POLLIN) && pn__mntns_drain(&e->mntns))
			e->mntns_failed++;
		if (p[0].revents & POLLIN)
			decide_batch(e);
	}
	return NULL;
}

/* ---- the handle's side ---- */

/* On the handle's thread: each denial becomes an event, numbered there. */
static void deliver(pn_handle *h, void *state)
{
	struct pn__enforcer *e = state;
	struct pn__denial *d, *next;
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
	pthread_cond_broadcast(&e->wake);
	pthread_cond_broadcast(&e->to_hash);
	pthread_mutex_unlock(&e->lock);
	if (e->stop_fd >= 0 && write(e->stop_fd, &one, sizeof(one)) < 0)
		one = 0; /* an eventfd write fails only at its limit */
	/* The decider first: it finishes its batch and defers no more. */
	if (e->threads > 0)
		pthread_join(e->decider, NULL);
	if (e->threads > 1)
		pthread_join(e->watchdog, NULL);
	if (e->threads > 2)
		pthread_join(e->hasher, NULL);
	pn__marks_close(&e->marks);
	pn__mntns_close(&e->mntns);
	for (int *fd = &e->fan_fd; fd <= &e->ready_fd; fd++)
		if (*fd >= 0)
			close(*fd);
	pn__enforcer_free(e);
}

void pn__enforcer_free(struct pn__enforcer *e)
{
	while (e->denials) {
		struct pn__denial *d = e->denials;

		e->denials = d->next;
		free(d);
	}
	pn__hashcache_free(&e->cache);
	pn_rules_free(e->rules);
	pthread_mutex_destroy(&e->lock);
	pthread_cond_destroy(&e->wake);
	pthread_cond_destroy(&e->to_hash);
	free(e);
}

/* The system calls the enforcer's steady state adds to pn_sandbox()'s. */
static const char *const enforce_syscalls[] = {
	"poll", "ppoll",          /* the decider's wait */
	"fanotify_mark",          /* file systems mounted later */
	"process_vm_readv",       /* an exec's arguments */
	"setpriority",            /* the decider's nice, should it start after the filter */
	NULL,
};

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
	if ((rc = pn__mntns_open(&e->mntns, &e->marks))) {
		pn__errmsg(err, errlen, "cannot watch execs in other mount namespaces: %s",
			   strerror(-rc));
		return rc;
	}
	if ((rc = -pthread_create(&e->decider, NULL, decider_main, e)))
		return rc;
	e->threads++;
	if ((rc = -pthread_create(&e->watchdog, NULL, watchdog_main, e)))
		return rc;
	e->threads++;
	if ((rc = -pthread_create(&e->hasher, NULL, pn__enforce_hasher_main, e)))
		return rc;
	e->threads++;
	return 0;
}

/* Starts an enforcer on h with opt (its decide NULL: deny rules). */
static int enforce_start(pn_handle *h, const pn_enforce_options *opt, char *err, size_t errlen,
			 struct pn__enforcer **out)
{
	struct pn__enforcer *e;
	pthread_condattr_t ca;
	int rc;

	if (pn__source_state(h, stop))
		return -EBUSY;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->fan_fd = e->stop_fd = e->ready_fd = -1;
	e->marks.mountinfo_fd = e->mntns.mnt_fd = -1;
	e->opt = *opt;
	e->deadline_ns = (uint64_t)(opt->deadline_ms ? opt->deadline_ms : DEADLINE_MS_DEFAULT) *
			 PN_NS_PER_MS;
	e->self = getpid();
	e->denials_tail = &e->denials;
	pthread_mutex_init(&e->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* the watchdog's ticks */
	pthread_cond_init(&e->wake, &ca);
	pthread_cond_init(&e->to_hash, NULL);
	pthread_condattr_destroy(&ca);
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
	ours.namespaces = e->mntns.nroots;
	ours.ns_filesystems = e->mntns.ndevs;
	ours.ns_unread = e->mntns_failed;
	ours.latency_p50_ns = pn__latency_quantile(&e->lat, 500);
	ours.latency_p99_ns = pn__latency_quantile(&e->lat, 990);
	ours.latency_max_ns = e->lat.max;
	pthread_mutex_unlock(&e->lock);
	return pn__struct_out(st, st->size, &ours, sizeof(ours), sizeof(ours));
}
