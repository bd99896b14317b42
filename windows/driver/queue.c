/*
 * The event queue: windows/common/pn_ring.c (portable, unit-tested on
 * Linux) behind one spin lock. Callers may be at up to DISPATCH_LEVEL except
 * where stated; the ring's storage is non-paged for that reason.
 */
#include "pn_driver.h"
#include "pn_ring.h"

static struct pn_ring pn_ring;
static KSPIN_LOCK pn_ring_lock;

/* PASSIVE_LEVEL. */
NTSTATUS pn_queue_init(ULONG bytes)
{
	void *buf = ExAllocatePoolWithTag(NonPagedPoolNx, bytes, PN_TAG_RING);

	if (!buf)
		return STATUS_INSUFFICIENT_RESOURCES;
	KeInitializeSpinLock(&pn_ring_lock);
	pn_ring_init(&pn_ring, buf, bytes);
	return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL, at unload once the notify routine is gone: discards what nobody read. */
void pn_queue_free(void)
{
	if (!pn_ring.buf)
		return;
	if (pn_ring.used)
		PN_LOG("%lu bytes of unread records discarded\n", (unsigned long)pn_ring.used);
	ExFreePoolWithTag(pn_ring.buf, PN_TAG_RING);
	pn_ring.buf = NULL;
}

void pn_queue_push(struct pn_rec_hdr *rec)
{
	KIRQL irql;

	KeAcquireSpinLock(&pn_ring_lock, &irql);
	pn_ring_push(&pn_ring, rec);
	KeReleaseSpinLock(&pn_ring_lock, irql);
}

void pn_queue_drop(pn_u16 type)
{
	KIRQL irql;

	KeAcquireSpinLock(&pn_ring_lock, &irql);
	pn_ring_drop(&pn_ring, type);
	KeReleaseSpinLock(&pn_ring_lock, irql);
}

NTSTATUS pn_queue_read(void *out, ULONG cap, ULONG *got)
{
	NTSTATUS st = STATUS_SUCCESS;
	LARGE_INTEGER now;
	KIRQL irql;

	KeQuerySystemTime(&now); /* the time of a lost record the read may end with */
	KeAcquireSpinLock(&pn_ring_lock, &irql);
	if (pn_ring_next_size(&pn_ring) > cap)
		st = STATUS_BUFFER_TOO_SMALL;
	else
		*got = pn_ring_pop(&pn_ring, out, cap, pn_win_unix_ns((pn_u64)now.QuadPart),
				   PN_HDR_WALLCLOCK);
	KeReleaseSpinLock(&pn_ring_lock, irql);
	return st;
}

void pn_queue_counters(struct pn_win_counters *c)
{
	KIRQL irql;

	RtlZeroMemory(c, sizeof(*c));
	KeAcquireSpinLock(&pn_ring_lock, &irql);
	c->queued = pn_ring.queued;
	c->dropped = pn_ring.dropped;
	c->read = pn_ring.read;
	c->drops_total = pn_ring.drops_total;
	RtlCopyMemory(c->drops_by_type, pn_ring.drops_by_type, sizeof(c->drops_by_type));
	c->ring_bytes = pn_ring.size;
	c->ring_used = pn_ring.used;
	KeReleaseSpinLock(&pn_ring_lock, irql);
	c->notify_ex = pn_notify_is_ex();
}

void pn_queue_reset_counters(void)
{
	KIRQL irql;

	KeAcquireSpinLock(&pn_ring_lock, &irql);
	pn_ring_reset_counters(&pn_ring);
	KeReleaseSpinLock(&pn_ring_lock, irql);
}
