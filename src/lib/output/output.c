/*
 * The output layer: a bounded queue and a thread per output, reconnection
 * with backoff, and the exact count of what an output missed. The contract
 * is in include/procnotify/output.h; a sink only supplies its ops.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "procnotify/output.h"
#include "store/queue.h"

#define BACKOFF_FIRST_MS 100

struct pn_output {
	const pn__output_ops *ops;
	void *state;
	pn_output_options opt;
	char label[192];
	struct pn__queue q;         /* under mu */
	pthread_mutex_t mu;
	pthread_cond_t wake;        /* the thread: work, or stop */
	pthread_cond_t done;        /* pn__output_drain(): an entry was written */
	pthread_t thread;
	int started;
	volatile int stop;
	uint64_t sent, lost;        /* under mu */
};

/* "LABEL: what", to the owner's note callback. */
static void note(pn_output *out, const char *what, const char *why)
{
	char msg[512];

	if (!out->opt.note)
		return;
	snprintf(msg, sizeof(msg), "%s: %s%s%s", out->label, what, why ? ": " : "",
		 why ? why : "");
	out->opt.note(msg, out->opt.note_user);
}

/* ms from now on the monotonic clock, the clock of both conditions. */
static struct timespec deadline(int ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

/* Sleeps ms unless stop is set; with mu held. */
static void nap(pn_output *out, int ms)
{
	struct timespec ts = deadline(ms);

	if (!out->stop)
		pthread_cond_timedwait(&out->wake, &out->mu, &ts);
}

/* Connects, waiting longer after each failure; the first failure and the
 * recovery are noted, not every attempt. 0, or -1 when stopped. */
static int connect_with_backoff(pn_output *out, int *was_up)
{
	char err[256];
	int wait_ms = BACKOFF_FIRST_MS, failures = 0;

	while (!out->stop) {
		if (!out->ops->connect(out->state, err, sizeof(err))) {
			if (failures || *was_up)
				note(out, "connected again", NULL);
			*was_up = 1;
			return 0;
		}
		if (!failures++)
			note(out, "cannot connect, retrying with backoff", err);
		pthread_mutex_lock(&out->mu);
		nap(out, wait_ms);
		pthread_mutex_unlock(&out->mu);
		wait_ms = wait_ms * 2 > PN_OUTPUT_BACKOFF_MAX_MS ? PN_OUTPUT_BACKOFF_MAX_MS
								 : wait_ms * 2;
	}
	return -1;
}

/* Events handed to a sink in one go, at most: a sink may send them in one
 * write (syslog over TCP), so a storm costs a system call per batch. */
#define BATCH_MAX 64

/* The entries a batch wrote: from head, n of them, bytes of the ring;
 * bit i of refused set when entry i can never be sent (-EMSGSIZE). */
struct batch {
	size_t head, avail;         /* the queue's head and bytes used when it began */
	size_t bytes;
	unsigned n;
	uint64_t refused;
};

/* Frees the batch's entries (each written, or counted lost when refused)
 * and closes a gap the producer left, so the lost record follows even when
 * no event comes. */
static void release(pn_output *out, const struct batch *b)
{
	size_t off = b->head, len;

	pthread_mutex_lock(&out->mu);
	for (unsigned i = 0; i < b->n; i++) {
		const pn_event *ev = pn__queue_at(&out->q, off, &len);

		if (b->refused >> i & 1) {
			pn__queue_count_gap(&out->q, ev);
			out->lost++;
		} else {
			out->sent += ev->type != PN_EVENT_LOST;
		}
		off = (off + len) % out->q.cap;
	}
	pn__queue_release(&out->q, b->bytes);
	if (out->q.gap.lost_count)
		pn__queue_close_gap(&out->q);
	pthread_cond_broadcast(&out->done);
	pthread_mutex_unlock(&out->mu);
}

/* Hands the sink up to BATCH_MAX entries from b->head, the last with
 * more == 0. The entries stay in the ring, untouched by the producer,
 * until release(): they are read without the lock. 0 or -errno. */
static int write_batch(pn_output *out, struct batch *b)
{
	size_t off = b->head, len;

	b->bytes = 0;
	b->n = 0;
	b->refused = 0;
	while (b->bytes < b->avail && b->n < BATCH_MAX) {
		const pn_event *ev = pn__queue_at(&out->q, off, &len);
		int more = b->bytes + len < b->avail && b->n + 1 < BATCH_MAX;
		int rc = out->ops->write(out->state, ev, more, &out->stop);

		if (rc == -EMSGSIZE)
			b->refused |= 1ull << b->n;
		else if (rc)
			return rc;
		b->bytes += len;
		b->n++;
		off = (off + len) % out->q.cap;
	}
	return 0;
}

/* Writes a batch, reconnecting until it is written; 0, or -1 when stopped
 * first. */
static int write_entries(pn_output *out, struct batch *b, int *up, int *was_up)
{
	int rc;

	for (;;) {
		if (!*up && connect_with_backoff(out, was_up))
			return -1;
		*up = 1;
		rc = write_batch(out, b);
		if (rc == 0)
			return 0;
		if (rc == -EAGAIN && out->stop)
			return -1;
		note(out, "connection lost, reconnecting", strerror(-rc));
		*up = 0;
	}
}

static void *output_main(void *arg)
{
	pn_output *out = arg;
	int up = 0, was_up = 0;
	struct batch b;

	pthread_mutex_lock(&out->mu);
	for (;;) {
		while (!out->q.used && !out->stop)
			pthread_cond_wait(&out->wake, &out->mu);
		if (out->stop)
			break;
		b.head = out->q.head;
		b.avail = out->q.used;
		pthread_mutex_unlock(&out->mu);
		if (write_entries(out, &b, &up, &was_up)) {
			pthread_mutex_lock(&out->mu);
			break;
		}
		release(out, &b);
		pthread_mutex_lock(&out->mu);
	}
	pthread_mutex_unlock(&out->mu);
	return NULL;
}

static void init_sync(pn_output *out)
{
	pthread_condattr_t ca;

	/* Waits are timed on the monotonic clock (deadline()). */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_mutex_init(&out->mu, NULL);
	pthread_cond_init(&out->wake, &ca);
	pthread_cond_init(&out->done, &ca);
	pthread_condattr_destroy(&ca);
}

int pn__output_open(pn_output **res, const pn__output_ops *ops, const char *target,
		    const pn_output_options *o, char *err, size_t errlen)
{
	pn_output *out = calloc(1, sizeof(*out));
	char why[256] = "";
	int rc;

	*res = NULL;
	if (!out)
		return -ENOMEM;
	out->ops = ops;
	out->opt = *o;
	snprintf(out->label, sizeof(out->label), "%s %s", ops->name, target);
	rc = ops->open(&out->state, target, o, why, sizeof(why));
	if (!rc)
		rc = pn__queue_init(&out->q, o->queue_bytes ? o->queue_bytes : PN_OUTPUT_QUEUE_BYTES,
				    PN_LOST_OUTPUT);
	if (rc == -EINVAL && !*why)
		snprintf(why, sizeof(why), "a queue of %zu bytes: it needs %zu at least", o->queue_bytes,
			 pn__queue_min_bytes());
	if (rc) {
		snprintf(err, errlen, "%s: %s", out->label, *why ? why : strerror(-rc));
		pn__output_close(out);
		return rc;
	}
	init_sync(out);
	*res = out;
	return 0;
}

int pn__output_start(pn_output *out)
{
	int rc = pthread_create(&out->thread, NULL, output_main, out);

	if (rc)
		return -rc;
	out->started = 1;
	return 0;
}

void pn__output_event(const pn_event *ev, void *user)
{
	pn_output *out = user;

	pthread_mutex_lock(&out->mu);
	if (pn__queue_offer(&out->q, ev))
		out->lost++;
	else
		pthread_cond_signal(&out->wake);
	pthread_mutex_unlock(&out->mu);
}

int pn__output_take_lost(pn_output *out, pn_event *ev)
{
	int got;

	pthread_mutex_lock(&out->mu);
	got = pn__queue_take_report(&out->q, ev);
	pthread_mutex_unlock(&out->mu);
	return got;
}

/* After the thread stopped: every event still queued is lost; the lost
 * records among them were reported already. */
static void abandon(pn_output *out)
{
	size_t off = out->q.head, len;

	for (size_t done = 0; done < out->q.used; done += len) {
		const pn_event *ev = pn__queue_at(&out->q, off, &len);

		if (ev->type != PN_EVENT_LOST) {
			pn__queue_count_gap(&out->q, ev);
			out->lost++;
		}
		off = (off + len) % out->q.cap;
	}
	pn__queue_release(&out->q, out->q.used);
	if (out->q.gap.lost_count)
		pn__queue_close_gap(&out->q);
}

static void stop_thread(pn_output *out)
{
	if (!out->started)
		return;
	pthread_mutex_lock(&out->mu);
	out->stop = 1;
	pthread_cond_signal(&out->wake);
	pthread_mutex_unlock(&out->mu);
	pthread_join(out->thread, NULL);
	out->started = 0;
}

int pn__output_drain(pn_output *out, int timeout_ms)
{
	struct timespec end = deadline(timeout_ms);
	int left;

	pthread_mutex_lock(&out->mu);
	while (out->started && (out->q.used || out->q.gap.lost_count) &&
	       pthread_cond_timedwait(&out->done, &out->mu, &end) != ETIMEDOUT)
		;
	pthread_mutex_unlock(&out->mu);
	stop_thread(out);
	left = out->q.used || out->q.gap.lost_count;
	abandon(out);
	return left ? -ETIMEDOUT : 0;
}

void pn__output_stats(const pn_output *out, uint64_t *sent, uint64_t *lost)
{
	pthread_mutex_lock((pthread_mutex_t *)&out->mu);
	*sent = out->sent;
	*lost = out->lost;
	pthread_mutex_unlock((pthread_mutex_t *)&out->mu);
}

const char *pn__output_label(const pn_output *out)
{
	return out->label;
}

void pn__output_close(pn_output *out)
{
	if (!out)
		return;
	stop_thread(out);
	if (out->state)
		out->ops->close(out->state);
	if (out->q.ring) {
		pthread_mutex_destroy(&out->mu);
		pthread_cond_destroy(&out->wake);
		pthread_cond_destroy(&out->done);
		pn__queue_free(&out->q);
	}
	free(out);
}
