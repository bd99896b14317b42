/*
 * The queue between the monitor's thread and a writer thread (the log's,
 * an output's): a ring of bytes holding copies of events, their strings
 * included, so the monitor hands an event over with one copy and never
 * waits for the writer. One producer and one consumer; the caller holds
 * the lock around every call. When the ring is full the event is refused
 * and counted (the gap): the exact count goes into the ring as a lost
 * record (with the queue's reason) once there is room, and into the
 * report, which the monitor takes for its other streams.
 */
#ifndef PN_STORE_QUEUE_H
#define PN_STORE_QUEUE_H
#include <stddef.h>
#include <stdint.h>
#include "procnotify.h"

/* Room for events on their way to the log by default: about 80,000
 * events of a storm, several seconds of a busy machine. */
#define PN_STORE_QUEUE_BYTES (32u << 20)

struct pn__queue {
	unsigned char *ring;
	size_t cap;                 /* bytes, a multiple of 8 */
	size_t head, used;          /* the oldest entry; bytes in use */
	pn_event gap;               /* events refused since the last lost record */
	pn_event report;            /* gaps closed that the owner has not taken */
	uint32_t reason;            /* the lost records' enum pn_lost_reason */
	char gap_host[PN_HOST_MAX]; /* the gap's host: the first refused event's */
	char report_host[PN_HOST_MAX]; /* the report's */
};

/* The least room a queue may be given: a lost record (an event and its
 * host), which must fit once the writer has drained the queue, or a gap
 * would never be told. */
size_t pn__queue_min_bytes(void);
/* -EINVAL when cap is below pn__queue_min_bytes(). */
int pn__queue_init(struct pn__queue *q, size_t cap, uint32_t reason);
void pn__queue_free(struct pn__queue *q);
/* Copies ev in; -ENOSPC when there is no room (the caller counts it). */
int pn__queue_push(struct pn__queue *q, const pn_event *ev);
/* dst's host becomes src's, copied into room (PN_HOST_MAX bytes). */
void pn__queue_copy_host(pn_event *dst, char *room, const pn_event *src);
/* Counts ev in the gap: a refused event. The lost record carries its host. */
void pn__queue_count_gap(struct pn__queue *q, const pn_event *ev);
/* Queues the gap's lost record and adds it to the report: 0, or -ENOSPC
 * when it does not fit yet (nothing changes). */
int pn__queue_close_gap(struct pn__queue *q);
/* Queues ev after the gap, if any: 0, or -ENOSPC when ev was counted in
 * the gap instead. */
int pn__queue_offer(struct pn__queue *q, const pn_event *ev);
/* The report's lost record (counts summed over its gaps): 1 and *ev
 * filled, the report emptied; 0 when there is none. */
int pn__queue_take_report(struct pn__queue *q, pn_event *ev);
/* The entry at offset off of the ring, as an event whose strings point
 * into the ring; *next is the offset after it. Only [head, head + used)
 * holds entries, and the consumer reads them without the lock: the
 * producer only writes outside that range. */
const pn_event *pn__queue_at(const struct pn__queue *q, size_t off, size_t *len);
/* Frees n bytes from head on: what the consumer has read. */
void pn__queue_release(struct pn__queue *q, size_t n);
#endif
