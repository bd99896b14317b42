/*
 * DriverEntry and DriverUnload: the seed's, with a device for readers.
 * Both run at PASSIVE_LEVEL. The notify routine is registered last and
 * unregistered first, so it never runs while the queue, the image table or
 * the device is missing.
 */
#include "pn_driver.h"

static PDEVICE_OBJECT pn_device;
static BOOLEAN pn_linked;

/* Frees what DriverEntry made, in reverse order; safe on a half-made driver. */
static void pn_teardown(void)
{
	UNICODE_STRING link;

	if (pn_linked) {
		RtlInitUnicodeString(&link, PN_WIN_LINK_NAME);
		IoDeleteSymbolicLink(&link);
		pn_linked = FALSE;
	}
	if (pn_device) {
		IoDeleteDevice(pn_device);
		pn_device = NULL;
	}
	pn_queue_free();
	pn_images_free();
}

static VOID pn_unload(PDRIVER_OBJECT drv)
{
	pn_notify_unregister();
	pn_teardown();
	PN_LOG("Driver unloaded\n");
}

NTSTATUS DriverEntry(PDRIVER_OBJECT drv, PUNICODE_STRING registry_path)
{
	UNICODE_STRING name, link;
	NTSTATUS st;

	RtlInitUnicodeString(&name, PN_WIN_DEVICE_NAME);
	RtlInitUnicodeString(&link, PN_WIN_LINK_NAME);
	pn_images_init();
	st = pn_queue_init(PN_WIN_RING_BYTES);
	if (!NT_SUCCESS(st))
		goto Exit;
	/* Exclusive: two readers would split the one stream between them. */
	st = IoCreateDevice(drv, 0, &name, PN_WIN_DEVICE_TYPE, FILE_DEVICE_SECURE_OPEN, TRUE,
			    &pn_device);
	if (!NT_SUCCESS(st))
		goto Exit;
	st = IoCreateSymbolicLink(&link, &name);
	if (!NT_SUCCESS(st))
		goto Exit;
	pn_linked = TRUE;
	drv->MajorFunction[IRP_MJ_CREATE] = pn_dispatch_open_close;
	drv->MajorFunction[IRP_MJ_CLOSE] = pn_dispatch_open_close;
	drv->MajorFunction[IRP_MJ_DEVICE_CONTROL] = pn_dispatch_ioctl;
	drv->DriverUnload = pn_unload;
	st = pn_notify_register();
Exit:
	if (!NT_SUCCESS(st)) {
		PN_ERR("not loaded: 0x%08lx\n", (unsigned long)st);
		drv->DriverUnload = NULL;
		pn_teardown();
		return st;
	}
#ifdef PN_TEST_INJECT
	PN_LOG("TEST BUILD: IOCTL_PN_TEST_INJECT is enabled\n");
#endif
	PN_LOG("Driver loaded and process notify routine registered\n");
	return STATUS_SUCCESS;
}
