/*
 * The event queue: windows/common/pn_ring.c (portable, unit-tested on
 * Linux) behind one fast mutex. Every user runs at PASSIVE_LEVEL (the
 * notify routines, the IOCTLs), so a read may copy up to 64 KB without
 * holding off DPCs; holding the mutex raises to APC_LEVEL. A push wakes a
 * pending read after the mutex is dropped.
 */
#include "pn_driver.h"
#include "pn_ring.h"

static struct pn_ring pn_ring;
static FAST_MUTEX pn_ring_lock;

_IRQL_requires_max_(PASSIVE_LEVEL) NTSTATUS pn_queue_init(ULONG bytes)
{
	void *buf;

	PAGED_CODE();
	buf = pn_alloc(bytes, PN_TAG_RING);
	if (!buf)
		return STATUS_INSUFFICIENT_RESOURCES;
	ExInitializeFastMutex(&pn_ring_lock);
	pn_ring_init(&pn_ring, buf, bytes);
	return STATUS_SUCCESS;
}

/* At unload once the notify routine and every reader are gone: discards what nobody read. */
_IRQL_requires_max_(PASSIVE_LEVEL) void pn_queue_free(void)
{
	PAGED_CODE();
	if (!pn_ring.buf)
		return;
	if (pn_ring.used)
		PN_LOG("%lu bytes of unread records discarded\n", (unsigned long)pn_ring.used);
	ExFreePoolWithTag(pn_ring.buf, PN_TAG_RING);
	pn_ring.buf = NULL;
}

_IRQL_requires_max_(APC_LEVEL) void pn_queue_push(struct pn_rec_hdr *rec)
{
	ExAcquireFastMutex(&pn_ring_lock);
	pn_ring_push(&pn_ring, rec);
	ExReleaseFastMutex(&pn_ring_lock);
	pn_waitq_wake();
}

_IRQL_requires_max_(APC_LEVEL) void pn_queue_drop(pn_u16 type)
{
	ExAcquireFastMutex(&pn_ring_lock);
	pn_ring_drop(&pn_ring, type);
	ExReleaseFastMutex(&pn_ring_lock);
	pn_waitq_wake(); /* the drop is reported at the end of the next read */
}

/* Under the lock: pops what fits, or STATUS_BUFFER_TOO_SMALL. */
static NTSTATUS pn_queue_pop_locked(void *out, ULONG cap, ULONG *got, pn_u64 now_ns)
{
	if (pn_ring_next_size(&pn_ring) > cap)
		return STATUS_BUFFER_TOO_SMALL;
	*got = pn_ring_pop(&pn_ring, out, cap, now_ns, PN_HDR_WALLCLOCK);
	return STATUS_SUCCESS;
}

/*
 * As pn_queue_read, except that when nothing waits (no record, no
 * unreported drop) irp is parked (pn_waitq_park) and STATUS_PENDING
 * returned. Checking and parking under the ring's lock is what makes a
 * wake-up impossible to miss: a push after the check finds the irp parked.
 */
_IRQL_requires_max_(APC_LEVEL) NTSTATUS pn_queue_read_or_park(PIRP irp, void *out, ULONG cap,
							       ULONG *got)
{
	NTSTATUS st = STATUS_PENDING;
	LARGE_INTEGER now;

	KeQuerySystemTime(&now); /* the time of a lost record the read may end with */
	ExAcquireFastMutex(&pn_ring_lock);
	if (pn_ring.used || pn_ring.unreported || !irp)
		st = pn_queue_pop_locked(out, cap, got, pn_win_unix_ns((pn_u64)now.QuadPart));
	else
		pn_waitq_park(irp);
	ExReleaseFastMutex(&pn_ring_lock);
	return st;
}

_IRQL_requires_max_(APC_LEVEL) NTSTATUS pn_queue_read(void *out, ULONG cap, ULONG *got)
{
	return pn_queue_read_or_park(NULL, out, cap, got);
}

_IRQL_requires_max_(APC_LEVEL) void pn_queue_counters(struct pn_win_counters *c)
{
	RtlZeroMemory(c, sizeof(*c));
	ExAcquireFastMutex(&pn_ring_lock);
	c->queued = pn_ring.queued;
	c->dropped = pn_ring.dropped;
	c->read = pn_ring.read;
	c->drops_total = pn_ring.drops_total;
	RtlCopyMemory(c->drops_by_type, pn_ring.drops_by_type, sizeof(c->drops_by_type));
	c->ring_bytes = pn_ring.size;
	c->ring_used = pn_ring.used;
	ExReleaseFastMutex(&pn_ring_lock);
}

_IRQL_requires_max_(APC_LEVEL) void pn_queue_reset_counters(void)
{
	ExAcquireFastMutex(&pn_ring_lock);
	pn_ring_reset_counters(&pn_ring);
	ExReleaseFastMutex(&pn_ring_lock);
}
