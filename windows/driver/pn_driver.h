/*
 * procnotify.sys internals: what the driver's files share.
 *
 * Each function says the IRQL it may be called at. The notify routines run
 * at PASSIVE_LEVEL; the event ring is protected by a spin lock, so its
 * functions work at up to DISPATCH_LEVEL.
 */
#ifndef PN_DRIVER_H
#define PN_DRIVER_H
#include <ntifs.h>
#include <ntddk.h>
#include "pn_ioctl.h"

/* Pool tags, all in one place so a pool dump names every allocation. */
#define PN_TAG_RING   'gRnP' /* "PnRg": the event ring's storage */
#define PN_TAG_RECORD 'cRnP' /* "PnRc": a record being built */
#define PN_TAG_IMAGE  'mInP' /* "PnIm": an image name kept until exit */

/* mingw-w64's headers lack these (values from the WDK's dpfilter.h). */
#ifndef DPFLTR_IHVDRIVER_ID
#define DPFLTR_IHVDRIVER_ID 77
#define DPFLTR_ERROR_LEVEL 0
#define DPFLTR_INFO_LEVEL 3
#endif
#define PN_LOG(...) DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL, "procnotify: " __VA_ARGS__)
#define PN_ERR(...) DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL, "procnotify: " __VA_ARGS__)

/* Exported by ntoskrnl but not declared by mingw-w64's headers. */
NTKERNELAPI NTSTATUS NTAPI PsGetProcessExitStatus(PEPROCESS Process);
NTKERNELAPI HANDLE NTAPI PsGetProcessInheritedFromUniqueProcessId(PEPROCESS Process);

/* What a notify routine learned about one process, however it learned it. */
struct pn_proc {
	HANDLE pid, ppid;
	HANDLE tid;                /* create: the creating thread; NULL when unknown */
	LONGLONG create_time;      /* 100 ns since 1601; 0 when unknown */
	NTSTATUS exit_status;      /* exit only */
	PCUNICODE_STRING image;    /* create: NT path of the image; NULL when unknown */
	PCUNICODE_STRING cmdline;  /* create: NULL when unknown */
	PEPROCESS process;         /* exit: to look the image up; NULL when absent */
};

#define PN_WIN_RING_BYTES (1024 * 1024)

/* notify.c: registration and the events (PASSIVE_LEVEL). */
NTSTATUS pn_notify_register(void);
void pn_notify_unregister(void);
BOOLEAN pn_notify_is_ex(void);
void pn_on_create(const struct pn_proc *p);
void pn_on_exit(const struct pn_proc *p);

/* queue.c: the spin-locked event ring (<= DISPATCH_LEVEL unless stated). */
NTSTATUS pn_queue_init(ULONG bytes); /* PASSIVE_LEVEL */
void pn_queue_free(void);            /* PASSIVE_LEVEL, no user left */
void pn_queue_push(struct pn_rec_hdr *rec);
void pn_queue_drop(pn_u16 type);
/* STATUS_BUFFER_TOO_SMALL when the oldest record does not fit in cap. */
NTSTATUS pn_queue_read(void *out, ULONG cap, ULONG *got);
void pn_queue_counters(struct pn_win_counters *c);
void pn_queue_reset_counters(void);

/* imagetab.c: image names kept from create to exit (PASSIVE_LEVEL). */
void pn_images_init(void);
void pn_images_put(HANDLE pid, LONGLONG create_time, char *image, ULONG len);
char *pn_images_take(HANDLE pid, LONGLONG create_time, ULONG *len);
void pn_images_free(void);

/* ioctl.c: IRP_MJ_CREATE, IRP_MJ_CLOSE and IRP_MJ_DEVICE_CONTROL (PASSIVE_LEVEL). */
NTSTATUS pn_dispatch_open_close(PDEVICE_OBJECT dev, PIRP irp);
NTSTATUS pn_dispatch_ioctl(PDEVICE_OBJECT dev, PIRP irp);

#ifdef PN_TEST_INJECT
/* inject.c, test builds only: IOCTL_PN_TEST_INJECT (PASSIVE_LEVEL). */
NTSTATUS pn_test_inject(const void *in, ULONG len);
#endif
#endif
