/*
 * The device's requests. Every IOCTL is METHOD_BUFFERED: the I/O manager
 * copies the caller's buffers into one system buffer, and each code checks
 * the lengths it needs before touching it. All run at PASSIVE_LEVEL.
 */
#include "pn_driver.h"

static NTSTATUS pn_complete(PIRP irp, NTSTATUS st, ULONG_PTR got)
{
	irp->IoStatus.Status = st;
	irp->IoStatus.Information = got;
	IoCompleteRequest(irp, IO_NO_INCREMENT);
	return st;
}

/* Opening and closing the device need no state: every reader shares the one queue. */
NTSTATUS pn_dispatch_open_close(PDEVICE_OBJECT dev, PIRP irp)
{
	return pn_complete(irp, STATUS_SUCCESS, 0);
}

static NTSTATUS pn_read_events(void *buf, ULONG out, ULONG *got)
{
	if (!buf || out < sizeof(struct pn_rec_hdr))
		return STATUS_BUFFER_TOO_SMALL;
	return pn_queue_read(buf, out, got);
}

static NTSTATUS pn_get_counters(void *buf, ULONG out, ULONG *got)
{
	if (!buf || out < sizeof(struct pn_win_counters))
		return STATUS_BUFFER_TOO_SMALL;
	pn_queue_counters(buf);
	*got = sizeof(struct pn_win_counters);
	return STATUS_SUCCESS;
}

NTSTATUS pn_dispatch_ioctl(PDEVICE_OBJECT dev, PIRP irp)
{
	PIO_STACK_LOCATION sl = IoGetCurrentIrpStackLocation(irp);
	ULONG out = sl->Parameters.DeviceIoControl.OutputBufferLength;
	void *buf = irp->AssociatedIrp.SystemBuffer;
	ULONG got = 0;
	NTSTATUS st;

	switch (sl->Parameters.DeviceIoControl.IoControlCode) {
	case IOCTL_PN_READ_EVENTS:
		st = pn_read_events(buf, out, &got);
		break;
	case IOCTL_PN_GET_COUNTERS:
		st = pn_get_counters(buf, out, &got);
		break;
	case IOCTL_PN_RESET_COUNTERS:
		pn_queue_reset_counters();
		st = STATUS_SUCCESS;
		break;
#ifdef PN_TEST_INJECT
	case IOCTL_PN_TEST_INJECT:
		st = pn_test_inject(buf, sl->Parameters.DeviceIoControl.InputBufferLength);
		break;
#endif
	default:
		st = STATUS_INVALID_DEVICE_REQUEST;
	}
	return pn_complete(irp, st, got);
}
