/*
 * The writer thread: the monitor hands each event to a bounded queue and
 * goes on; this thread writes the queue into the log, commits batches on
 * time and runs retention. A log another process keeps locked, a slow
 * disk or a long retention step delay the log, never the live stream:
 * when the queue is full the events are counted, and once there is room
 * the log records the exact count as a lost record (reason "store"), which
 * the caller also takes for its own streams (pn_store_take_lost()).
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "schema.h"
#include "store_internal.h"

/* A writer that found only a few events waits this long before looking
 * again, so a steady trickle wakes it a few hundred times a second at
 * most, not once per event; a full queue is written without a pause. */
#define NAP_US 2000
#define NAP_BELOW 256

static int start(pn_store *s);

static void lock(pn_store *s)
{
	pthread_mutex_lock(&s->mu);
}

static void unlock(pn_store *s)
{
	pthread_mutex_unlock(&s->mu);
}

/* Wakes the writer if it sleeps; with the lock held. */
static void kick(pn_store *s)
{
	if (s->sleeping) {
		s->sleeping = 0;
		pthread_cond_signal(&s->wake);
	}
}

void pn_store_event(const pn_event *ev, void *user)
{
	pn_store *s = user;

	if (pn_store_failed(s) || (!s->thread_started && start(s)))
		return;
	lock(s);
	if (!pn__queue_offer(&s->q, ev))
		kick(s);
	unlock(s);
}

int pn_store_take_lost(pn_store *s, pn_event *ev)
{
	int got;

	lock(s);
	got = pn__queue_take_report(&s->q, ev);
	unlock(s);
	return got;
}

/* Asks the writer to write everything queued so far and commit it (and,
 * for tick, run its timers now), and waits until it has. A log another
 * process keeps locked is waited for once (the busy timeout), not as
 * long as it is held: the caller would hang with it. */
static int ask(pn_store *s, int tick)
{
	uint64_t id;

	__atomic_add_fetch(&s->impatient, 1, __ATOMIC_ACQ_REL);
	lock(s);
	id = ++s->asked;
	s->tick_asked |= tick;
	kick(s);
	while (s->answered < id)
		pthread_cond_wait(&s->done, &s->mu);
	unlock(s);
	__atomic_sub_fetch(&s->impatient, 1, __ATOMIC_ACQ_REL);
	return pn_store_failed(s);
}

/* The queue written, then the gap it may have left, then that written. */
static int flush(pn_store *s, int tick)
{
	int gap;

	ask(s, 0);
	lock(s);
	gap = s->q.gap.lost_count && !pn__queue_close_gap(&s->q);
	unlock(s);
	return gap || tick ? ask(s, tick) : pn_store_failed(s);
}

/* A store whose upgrade is still due writes on its thread only: this
 * starts it. *rc is why it could not. */
static int threaded(pn_store *s, int *rc)
{
	*rc = !s->thread_started && pn_store_upgrading(s) ? start(s) : 0;
	return s->thread_started;
}

int pn_store_commit(pn_store *s)
{
	int rc;

	if (threaded(s, &rc))
		return flush(s, 0);
	return rc ? rc : pn__store_commit_batch(s);
}

int pn_store_tick(pn_store *s)
{
	int rc;

	if (threaded(s, &rc))
		return flush(s, 1);
	return rc ? rc : pn__store_timers(s, 1);
}

int pn_store_due_ms(const pn_store *s)
{
	return -1;
}

/* Until there are events, a request or a stop, or a batch or retention
 * is due; with the lock held. */
static void wait_for_work(pn_store *s)
{
	struct timespec ts;
	uint64_t due, now;

	while (!s->q.used && !s->stop && s->answered == s->asked) {
		due = pn__store_next_due_ns(s);
		now = pn__store_mono_ns();
		if (due <= now)
			return;
		s->sleeping = 1;
		if (due == UINT64_MAX) {
			pthread_cond_wait(&s->wake, &s->mu);
		} else {
			ts.tv_sec = (time_t)(due / 1000000000ULL);
			ts.tv_nsec = (long)(due % 1000000000ULL);
			pthread_cond_timedwait(&s->wake, &s->mu, &ts);
		}
		s->sleeping = 0;
	}
}

/* Writes the entries in [head, head + used) of the queue, without the
 * lock: the producer writes only outside them. Returns how many. */
static size_t write_queued(pn_store *s, size_t head, size_t used, size_t *bytes)
{
	size_t off = head, n = 0, len;

	for (*bytes = 0; *bytes < used; *bytes += len, n++) {
		const pn_event *ev = pn__queue_at(&s->q, off, &len);
		int rc = pn_store_failed(s) ? 0 : pn__store_add(s, ev);

		if (rc)
			pn__store_fail(s, rc);
		off = (off + len) % s->q.cap;
	}
	return n;
}

/* The migration pn_store_open() left to this thread, then the writer's
 * statements, which need the new schema. Events queue meanwhile. Another
 * process's write lock is waited for as a batch waits for it: for as long
 * as it is held, unless someone waits for the writer; each step is a
 * transaction, so the next try starts from the schema the file has. */
static void upgrade(pn_store *s)
{
	int64_t version = pn_store_upgrading(s);
	int rc;

	while ((rc = pn__schema_upgrade(&s->db, version)) == -EBUSY && !pn__store_impatient(s) &&
	       !(rc = pn__schema_check(&s->db, PN_STORE_WRITE, &version)))
		;
	if (!rc)
		rc = pn__store_writer_open(s);
	if (rc)
		pn__store_fail(s, rc);
	__atomic_store_n(&s->upgrading, 0, __ATOMIC_RELEASE);
}

static void *writer_main(void *arg)
{
	pn_store *s = arg;
	size_t head, used, bytes, n;
	uint64_t asked;
	int tick;

	if (pn_store_upgrading(s))
		upgrade(s);
	lock(s);
	for (;;) {
		wait_for_work(s);
		if (s->stop && !s->q.used && s->answered == s->asked)
			break;
		head = s->q.head;
		used = s->q.used;
		asked = s->asked;
		tick = s->tick_asked;
		s->tick_asked = 0;
		unlock(s);
		n = write_queued(s, head, used, &bytes);
		if (asked != s->answered)
			pn__store_commit_batch(s);
		pn__store_timers(s, tick);
		lock(s);
		pn__queue_release(&s->q, bytes);
		if (asked != s->answered) {
			s->answered = asked;
			pthread_cond_broadcast(&s->done);
		}
		if (n && n < NAP_BELOW && !s->stop && s->answered == s->asked) {
			unlock(s);
			usleep(NAP_US);
			lock(s);
		}
	}
	unlock(s);
	return NULL;
}

int pn__store_thread_init(pn_store *s)
{
	pthread_condattr_t ca;
	int rc = pn__queue_init(&s->q, s->opt.queue_bytes ? s->opt.queue_bytes
							   : PN_STORE_QUEUE_BYTES, PN_LOST_STORE);

	if (rc)
		return rc;
	/* Batch and retention times are monotonic, so are the waits. */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->wake, &ca);
	pthread_cond_init(&s->done, NULL);
	pthread_condattr_destroy(&ca);
	return 0;
}

static int start(pn_store *s)
{
	int rc;

	pn__ckpt_start(&s->ckpt); /* before the writer's first commit */
	rc = pthread_create(&s->thread, NULL, writer_main, s);

	if (rc) {
		pn__db_refuse(&s->db, -rc, "cannot start the log's writer thread");
		pn__store_fail(s, -rc);
		return -rc;
	}
	s->thread_started = 1;
	return 0;
}

int pn_store_start(pn_store *s)
{
	return s->q.ring && !s->thread_started ? start(s) : 0;
}

void pn__store_thread_stop(pn_store *s)
{
	if (s->thread_started) {
		flush(s, 0);
		lock(s);
		s->stop = 1;
		kick(s);
		unlock(s);
		pthread_join(s->thread, NULL);
		s->thread_started = 0;
	}
	if (!s->q.ring)
		return;
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->wake);
	pthread_cond_destroy(&s->done);
	pn__queue_free(&s->q);
}
