/*
 * DriverEntry and DriverUnload, both at PASSIVE_LEVEL. The notify routine
 * is registered last and unregistered first, so it never runs while the
 * queue, the image table or the device is missing.
 */
#include "pn_driver.h"

static PDEVICE_OBJECT pn_device;
static BOOLEAN pn_linked;

/* Frees what pn_driver_entry made, in reverse order; safe on a half-made driver. */
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
	pn_deny_free();
	pn_queue_free();
	pn_images_stop();
}

static VOID pn_unload(PDRIVER_OBJECT drv)
{
	PAGED_CODE();
	pn_notify_unregister();
	pn_wait_files_closed();
	pn_teardown();
	PN_LOG("Driver unloaded\n");
}

/*
 * The device is not exclusive: exclusivity let any opener, even one with no
 * data access, hold the only handle. Its DACL decides who opens it, and the
 * create dispatch allows one reader (ioctl.c).
 */
static NTSTATUS pn_make_device(PDRIVER_OBJECT drv)
{
	UNICODE_STRING name, link;
	NTSTATUS st;

	RtlInitUnicodeString(&name, PN_WIN_DEVICE_NAME);
	RtlInitUnicodeString(&link, PN_WIN_LINK_NAME);
	st = IoCreateDevice(drv, 0, &name, PN_WIN_DEVICE_TYPE, FILE_DEVICE_SECURE_OPEN, FALSE,
			    &pn_device);
	if (!NT_SUCCESS(st))
		return st;
	st = pn_secure_device(pn_device);
	if (!NT_SUCCESS(st)) {
		PN_ERR("cannot set the device's DACL: 0x%08lx\n", (unsigned long)st);
		return st;
	}
	st = IoCreateSymbolicLink(&link, &name);
	pn_linked = NT_SUCCESS(st);
	return st;
}

_IRQL_requires_max_(PASSIVE_LEVEL) NTSTATUS pn_driver_entry(PDRIVER_OBJECT drv,
							    PUNICODE_STRING registry_path)
{
	NTSTATUS st;

	PAGED_CODE();
	pn_pool_init();
	pn_images_start();
	pn_waitq_init();
	pn_deny_init();
	st = pn_queue_init(PN_WIN_RING_BYTES);
	if (NT_SUCCESS(st))
		st = pn_make_device(drv);
	if (!NT_SUCCESS(st))
		goto Exit;
	drv->MajorFunction[IRP_MJ_CREATE] = pn_dispatch_create;
	drv->MajorFunction[IRP_MJ_CLEANUP] = pn_dispatch_cleanup;
	drv->MajorFunction[IRP_MJ_CLOSE] = pn_dispatch_close;
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
