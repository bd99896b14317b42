/*
 * The inverted call: IOCTL_PN_WAIT_EVENTS requests wait here until a record
 * arrives, the reader cancels them, or its handle is closed.
 *
 * A cancel-safe queue in the shape Microsoft documents for drivers that do
 * not use IoCsq (which Wine only stubs): the list has its own spin lock,
 * because the I/O manager may cancel at DISPATCH_LEVEL; whoever clears a
 * request's cancel routine first owns the request, so a cancel racing a
 * wake-up completes it exactly once. Records are copied with no spin lock
 * held.
 */
#include "pn_driver.h"

static LIST_ENTRY pn_waits;
static KSPIN_LOCK pn_waits_lock;
static LONG pn_waits_count; /* under pn_waits_lock */

/* DISPATCH_LEVEL, called with the cancel spin lock held, which it drops first. */
static VOID NTAPI pn_wait_cancelled(PDEVICE_OBJECT dev, PIRP irp)
{
	KIRQL irql;

	IoReleaseCancelSpinLock(irp->CancelIrql);
	KeAcquireSpinLock(&pn_waits_lock, &irql);
	RemoveEntryList(&irp->Tail.Overlay.ListEntry);
	pn_waits_count--;
	KeReleaseSpinLock(&pn_waits_lock, irql);
	pn_complete(irp, STATUS_CANCELLED, 0);
}

_IRQL_requires_max_(PASSIVE_LEVEL) void pn_waitq_init(void)
{
	PAGED_CODE();
	InitializeListHead(&pn_waits);
	KeInitializeSpinLock(&pn_waits_lock);
}

/*
 * Called by pn_queue_read_or_park under the ring's lock (a fast mutex,
 * APC_LEVEL). The request is pending from here on, whoever completes it.
 */
_IRQL_requires_max_(APC_LEVEL) void pn_waitq_park(PIRP irp)
{
	KIRQL irql;

	IoMarkIrpPending(irp);
	KeAcquireSpinLock(&pn_waits_lock, &irql);
	IoSetCancelRoutine(irp, pn_wait_cancelled);
	/* Cancelled already, and the routine not taken by the I/O manager: ours to end. */
	if (irp->Cancel && IoSetCancelRoutine(irp, NULL)) {
		KeReleaseSpinLock(&pn_waits_lock, irql);
		pn_complete(irp, STATUS_CANCELLED, 0);
		return;
	}
	InsertTailList(&pn_waits, &irp->Tail.Overlay.ListEntry);
	pn_waits_count++;
	KeReleaseSpinLock(&pn_waits_lock, irql);
}

/*
 * Takes the oldest parked request (of file f, if not NULL) off the list,
 * unless its cancel routine is already running, which then completes it.
 */
static PIRP pn_waitq_take(PFILE_OBJECT f)
{
	PIRP found = NULL;
	PLIST_ENTRY e;
	KIRQL irql;

	KeAcquireSpinLock(&pn_waits_lock, &irql);
	for (e = pn_waits.Flink; e != &pn_waits && !found; e = e->Flink) {
		PIRP irp = CONTAINING_RECORD(e, IRP, Tail.Overlay.ListEntry);

		if (f && IoGetCurrentIrpStackLocation(irp)->FileObject != f)
			continue;
		if (!IoSetCancelRoutine(irp, NULL))
			continue; /* being cancelled */
		RemoveEntryList(e);
		pn_waits_count--;
		found = irp;
	}
	KeReleaseSpinLock(&pn_waits_lock, irql);
	return found;
}

/* Serves irp from the ring, or parks it again when another read took the records. */
static NTSTATUS pn_waitq_serve(PIRP irp)
{
	PIO_STACK_LOCATION sl = IoGetCurrentIrpStackLocation(irp);
	ULONG out = sl->Parameters.DeviceIoControl.OutputBufferLength, got = 0;
	NTSTATUS st = pn_queue_read_or_park(irp, irp->AssociatedIrp.SystemBuffer, out, &got);

	return st == STATUS_PENDING ? st : pn_complete(irp, st, got);
}

_IRQL_requires_max_(PASSIVE_LEVEL) NTSTATUS pn_waitq_wait(PIRP irp)
{
	PIO_STACK_LOCATION sl = IoGetCurrentIrpStackLocation(irp);
	LONG waiting;
	KIRQL irql;

	PAGED_CODE();
	if (!irp->AssociatedIrp.SystemBuffer ||
	    sl->Parameters.DeviceIoControl.OutputBufferLength < sizeof(struct pn_rec_hdr))
		return pn_complete(irp, STATUS_BUFFER_TOO_SMALL, 0);
	KeAcquireSpinLock(&pn_waits_lock, &irql);
	waiting = pn_waits_count;
	KeReleaseSpinLock(&pn_waits_lock, irql);
	/* A bound on what one reader may park, not a lock: a race may pass it by one. */
	if (waiting >= PN_WIN_WAITS_MAX)
		return pn_complete(irp, STATUS_DEVICE_BUSY, 0);
	return pn_waitq_serve(irp);
}

/* After a push or a drop, outside the ring's lock: hands records to a parked read. */
_IRQL_requires_max_(APC_LEVEL) void pn_waitq_wake(void)
{
	PIRP irp = pn_waitq_take(NULL);

	if (irp)
		pn_waitq_serve(irp);
}

/* The reader's handle is closing, so its parked reads end. */
_IRQL_requires_max_(PASSIVE_LEVEL) void pn_waitq_cancel_file(PFILE_OBJECT f)
{
	PIRP irp;

	PAGED_CODE();
	while ((irp = pn_waitq_take(f)) != NULL)
		pn_complete(irp, STATUS_CANCELLED, 0);
}
