/*
 * The device's requests. Every IOCTL is METHOD_BUFFERED: the I/O manager
 * copies the caller's buffers into one system buffer, and each code checks
 * the lengths it needs before touching it. All run at PASSIVE_LEVEL.
 *
 * One reader (pn_ioctl.h): the first handle that reads events becomes the
 * reader, by an interlocked flag, until its last handle is closed; reads
 * through any other handle fail with STATUS_SHARING_VIOLATION. Claiming at
 * the first read rather than at IRP_MJ_CREATE means opening needs no
 * access information (Wine passes none, Windows does) and a handle that
 * never reads, whatever it asked for, never holds the reader's place.
 * Windows lets only handles with read data send a read at all (the codes'
 * access bits); that and the device's DACL are what Wine does not enforce.
 */
#include "pn_driver.h"

#define PN_MARK_READER ((PVOID)(ULONG_PTR)0x7265646165720001) /* FsContext */

static volatile LONG pn_reader_open;
static volatile LONG64 pn_read_requests;
static volatile LONG pn_open_files; /* created and not yet closed */

_IRQL_requires_max_(DISPATCH_LEVEL) NTSTATUS pn_complete(PIRP irp, NTSTATUS st, ULONG_PTR got)
{
	irp->IoStatus.Status = st;
	irp->IoStatus.Information = got;
	IoCompleteRequest(irp, IO_NO_INCREMENT);
	return st;
}

_IRQL_requires_max_(PASSIVE_LEVEL) NTSTATUS pn_dispatch_create(PDEVICE_OBJECT dev, PIRP irp)
{
	PAGED_CODE();
	IoGetCurrentIrpStackLocation(irp)->FileObject->FsContext = NULL;
	InterlockedIncrement(&pn_open_files);
	return pn_complete(irp, STATUS_SUCCESS, 0);
}

/* A read: its handle is the reader, or becomes it if there is none. */
static BOOLEAN pn_claim_reader(PFILE_OBJECT f)
{
	InterlockedIncrement64(&pn_read_requests);
	if (f->FsContext == PN_MARK_READER)
		return TRUE;
	if (InterlockedCompareExchange(&pn_reader_open, 1, 0) != 0)
		return FALSE;
	f->FsContext = PN_MARK_READER;
	return TRUE;
}

/* The reader's handle is going: its parked reads end and the reader's place is free. */
static NTSTATUS pn_release_reader(PIRP irp)
{
	PFILE_OBJECT f = IoGetCurrentIrpStackLocation(irp)->FileObject;

	if (f->FsContext == PN_MARK_READER) {
		pn_waitq_cancel_file(f);
		f->FsContext = NULL;
		InterlockedExchange(&pn_reader_open, 0);
	}
	return pn_complete(irp, STATUS_SUCCESS, 0);
}

/* The last handle of a file object closed (Windows; Wine 8 sends no cleanup). */
_IRQL_requires_max_(PASSIVE_LEVEL) NTSTATUS pn_dispatch_cleanup(PDEVICE_OBJECT dev, PIRP irp)
{
	PAGED_CODE();
	return pn_release_reader(irp);
}

/* The last reference went: the reader is released here if cleanup did not. */
_IRQL_requires_max_(PASSIVE_LEVEL) NTSTATUS pn_dispatch_close(PDEVICE_OBJECT dev, PIRP irp)
{
	NTSTATUS st;

	PAGED_CODE();
	st = pn_release_reader(irp);
	InterlockedDecrement(&pn_open_files);
	return st;
}

/*
 * Called by DriverUnload: waits, at most PN_UNLOAD_WAIT_MS, for the close of
 * every handle opened. Windows keeps a driver's image until its devices'
 * last reference is gone, but Wine unmaps it when DriverUnload returns, and
 * a client's CloseHandle reaches the driver after the client has gone on:
 * a stop right after it ran the close in an unmapped image (a page fault in
 * winedevice, seen under load in 50-windows). A handle still open then
 * (a reader that never closes) does not hold the unload longer.
 */
_IRQL_requires_max_(PASSIVE_LEVEL) void pn_wait_files_closed(void)
{
	LARGE_INTEGER step;
	int waited = 0;

	PAGED_CODE();
	step.QuadPart = -10000LL * PN_UNLOAD_STEP_MS; /* relative, in 100 ns */
	while (InterlockedCompareExchange(&pn_open_files, 0, 0) > 0 &&
	       waited < PN_UNLOAD_WAIT_MS) {
		KeDelayExecutionThread(KernelMode, FALSE, &step);
		waited += PN_UNLOAD_STEP_MS;
	}
	if (waited >= PN_UNLOAD_WAIT_MS)
		PN_ERR("unloading with %ld handles still open\n", (long)pn_open_files);
	else if (waited)
		PN_LOG("unload waited %d ms for the handles still open to close\n", waited);
}

static NTSTATUS pn_read_events(void *buf, ULONG out, ULONG *got)
{
	if (!buf || out < sizeof(struct pn_rec_hdr))
		return STATUS_BUFFER_TOO_SMALL;
	return pn_queue_read(buf, out, got);
}

static NTSTATUS pn_get_version(void *buf, ULONG out, ULONG *got)
{
	struct pn_win_version v = { PN_WIN_PROTOCOL, PN_REC_VERSION, 0, 0 };

	if (!buf || out < sizeof(v))
		return STATUS_BUFFER_TOO_SMALL;
#ifdef PN_TEST_INJECT
	v.test_build = 1;
	if (pn_test_skew & PN_WIN_SKEW_PROTOCOL)
		v.protocol++;
#endif
	RtlCopyMemory(buf, &v, sizeof(v));
	*got = sizeof(v);
	return STATUS_SUCCESS;
}

static NTSTATUS pn_get_counters(void *buf, ULONG out, ULONG *got)
{
	struct pn_win_counters *c = buf;

	if (!buf || out < sizeof(*c))
		return STATUS_BUFFER_TOO_SMALL;
	pn_queue_counters(c);
	pn_notify_counters(c);
	c->pool2 = pn_pool2_used();
	c->read_requests = (pn_u64)pn_read_requests;
	c->deny_rules = pn_deny_rule_count();
	*got = sizeof(*c);
#ifdef PN_TEST_INJECT
	if (pn_test_skew & PN_WIN_SKEW_SHORT_COUNTERS)
		*got -= 8;
#endif
	return STATUS_SUCCESS;
}

_IRQL_requires_max_(PASSIVE_LEVEL) NTSTATUS pn_dispatch_ioctl(PDEVICE_OBJECT dev, PIRP irp)
{
	PIO_STACK_LOCATION sl = IoGetCurrentIrpStackLocation(irp);
	ULONG in = sl->Parameters.DeviceIoControl.InputBufferLength;
	ULONG out = sl->Parameters.DeviceIoControl.OutputBufferLength;
	ULONG code = sl->Parameters.DeviceIoControl.IoControlCode;
	void *buf = irp->AssociatedIrp.SystemBuffer;
	ULONG got = 0;
	NTSTATUS st;

	PAGED_CODE();
	if ((code == (ULONG)IOCTL_PN_READ_EVENTS || code == (ULONG)IOCTL_PN_WAIT_EVENTS) &&
	    !pn_claim_reader(sl->FileObject))
		return pn_complete(irp, STATUS_SHARING_VIOLATION, 0);
	switch (code) {
	case IOCTL_PN_GET_VERSION:
		st = pn_get_version(buf, out, &got);
		break;
	case IOCTL_PN_READ_EVENTS:
		st = pn_read_events(buf, out, &got);
		break;
	case IOCTL_PN_WAIT_EVENTS:
		return pn_waitq_wait(irp); /* completes irp, or leaves it pending */
	case IOCTL_PN_GET_COUNTERS:
		st = pn_get_counters(buf, out, &got);
		break;
	case IOCTL_PN_RESET_COUNTERS:
		pn_queue_reset_counters();
		st = STATUS_SUCCESS;
		break;
	case IOCTL_PN_SET_DENY:
		st = pn_deny_set_rules(buf, in);
		break;
#ifdef PN_TEST_INJECT
	case IOCTL_PN_TEST_INJECT:
		st = pn_test_inject(buf, in, buf, out, &got);
		break;
	case IOCTL_PN_TEST_SKEW:
		st = pn_test_set_skew(buf, in);
		break;
#endif
	default:
		st = STATUS_INVALID_DEVICE_REQUEST;
	}
	return pn_complete(irp, st, got);
}
