/*
 * Outputs: sinks that ship events elsewhere (syslog, journald), each with
 * a bounded queue and a thread of its own, so that a slow or absent
 * collector never delays the kernel pipeline, the live stream, the other
 * outputs or the activity log. Internal (pn__ names, not exported by the
 * shared library) until the set of sinks has settled.
 *
 * A sink is a driver, one file each in src/lib/output/: a struct
 * pn__output_ops. The layer (src/lib/output/output.c) owns the queue, the
 * thread, reconnection with backoff and the loss count; a driver only
 * connects, writes one event and closes:
 *
 *   monitor thread                         the output's thread
 *   pn__output_event() -> queue (bounded) -> ops->write(), blocking at will
 *                          full: counted  <- ops->connect() again after an
 *                          in the gap         error, waiting 0.1 s, 0.2 s, ...
 *                                             up to PN_OUTPUT_BACKOFF_MAX_MS
 *
 * Loss: when the queue is full the event is counted; once there is room
 * the exact count goes into the queue as a lost record with reason
 * PN_LOST_OUTPUT (so the collector sees the gap where it is), and into a
 * report that the monitor takes (pn__output_take_lost()) to put the same
 * record in its other streams, the activity log and the other outputs.
 * An event a sink cannot carry at all (ops->write() returns -EMSGSIZE: too
 * large for a datagram) is counted the same way. Events that a dead TCP
 * peer's kernel had already accepted cannot be known: a reliable hop needs
 * RELP (see README, "Fleet").
 *
 * Threads: pn__output_event(), _take_lost(), _drain(), _stats() and
 * _close() are called from the monitor's thread; the ops run on the
 * output's thread, but for open and close.
 */
#ifndef PROCNOTIFY_OUTPUT_H
#define PROCNOTIFY_OUTPUT_H
#include <stddef.h>
#include <stdint.h>
#include "procnotify.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The queue of an output by default: about 20,000 events of a storm. */
#define PN_OUTPUT_QUEUE_BYTES (8u << 20)
/* The longest wait between two connection attempts. */
#define PN_OUTPUT_BACKOFF_MAX_MS 5000

typedef struct pn_output pn_output;

/* What every output is given; a driver reads the members it needs. */
typedef struct pn_output_options {
	size_t queue_bytes;      /* 0: PN_OUTPUT_QUEUE_BYTES; less than one lost
				  * record (about 1 KiB) is refused: -EINVAL */
	const char *hostname;    /* the host's name in messages; NULL: gethostname() */
	int facility;            /* syslog facility (LOG_AUTHPRIV >> 3 ...) */
	int severity;            /* syslog severity of process events (LOG_INFO ...);
				  * lost records are sent at LOG_WARNING or above */
	/* Says what happens to the connection (lost, back), once per change,
	 * from the output's thread, as one line "LABEL: what: why" without a
	 * newline; NULL: nothing is said. */
	void (*note)(const char *what, void *user);
	void *note_user;
} pn_output_options;

typedef struct pn__output_ops {
	const char *name;        /* "syslog": in notes and the summary */
	/* Parses target, resolves names, opens nothing that can go away;
	 * before the sandbox. 0 or -errno with err set. */
	int (*open)(void **state, const char *target, const pn_output_options *o, char *err,
		    size_t errlen);
	/* (Re)connects: 0, or -errno with err set (retried with backoff).
	 * Events kept by write() and not sent are dropped: they come again. */
	int (*connect)(void *state, char *err, size_t errlen);
	/* Sends ev, or with more (another event follows at once) may keep it
	 * to send with the next ones in one go; a call with more == 0 sends
	 * all that is kept. Returns 0; -EMSGSIZE when ev can never be sent
	 * (counted lost; a driver that keeps events never refuses one);
	 * -EAGAIN when stop became set while waiting; any other -errno when
	 * the connection broke: every event since the last call with more == 0
	 * is written again after a reconnect (a collector may get some twice).
	 * May block, but must return soon after *stop is set. */
	int (*write)(void *state, const pn_event *ev, int more, const volatile int *stop);
	void (*close)(void *state);
} pn__output_ops;

/* The drivers. */
extern const pn__output_ops pn__output_syslog;
/* journald's native protocol (src/lib/output/journal.c); target: the
 * socket's path, "" for PN_JOURNAL_SOCKET. */
extern const pn__output_ops pn__output_journal;
#define PN_JOURNAL_SOCKET "/run/systemd/journal/socket"

/* Prepares an output (ops->open) and its queue; no thread yet. 0 or
 * -errno with err set ("syslog tcp://...: why"). */
int pn__output_open(pn_output **out, const pn__output_ops *ops, const char *target,
		    const pn_output_options *o, char *err, size_t errlen);
/* Starts the thread, which connects: after the monitor's sandbox. */
int pn__output_start(pn_output *out);
/* A pn_callback (user is the pn_output): queues a copy of ev, never waits. */
void pn__output_event(const pn_event *ev, void *user);
/* The lost record of the events this output missed since the last call,
 * for the other streams: 1 and *ev filled, or 0. */
int pn__output_take_lost(pn_output *out, pn_event *ev);
/* Waits up to timeout_ms for the queue to be written; then counts what is
 * left as lost (taken with pn__output_take_lost()). 0 when all was written. */
int pn__output_drain(pn_output *out, int timeout_ms);
/* Events written, and events lost, so far. */
void pn__output_stats(const pn_output *out, uint64_t *sent, uint64_t *lost);
/* "syslog tcp://127.0.0.1:514" */
const char *pn__output_label(const pn_output *out);
/* Stops the thread (without waiting for the queue) and frees. NULL is fine. */
void pn__output_close(pn_output *out);

/* Syslog targets: "unix:PATH", "udp://HOST[:PORT]", "tcp://HOST[:PORT]"
 * (port 514; an IPv6 address in brackets). 0 when target is well formed,
 * else -EINVAL and why. Also for the option parser. */
int pn__syslog_check_target(const char *target, char *why, size_t whylen);
/* "authpriv.info" to facility and severity numbers; -EINVAL when unknown. */
int pn__syslog_parse_priority(const char *s, int *facility, int *severity);
#ifdef __cplusplus
}
#endif
#endif
