/*
 * procnotify.sys internals: what the driver's files share.
 *
 * Every function says the highest IRQL it may be called at, in the WDK's
 * annotation (_IRQL_requires_max_), which Code Analysis checks when the
 * driver is built with the WDK; mingw-w64 has no SAL, so there they expand
 * to nothing. Pageable-in-spirit functions start with PAGED_CODE().
 *
 * Locks, and why each is the kind it is:
 *  - the event ring and the image table: fast mutexes. Their users (the
 *    notify routines, the IOCTLs) run at PASSIVE_LEVEL; a copy of up to
 *    64 KB or a table update is too long to hold at DISPATCH_LEVEL.
 *  - the deny rules: an ERESOURCE, shared by every creation being checked,
 *    exclusive only while a new rule set is swapped in.
 *  - the pending reads: their list's spin lock, because the I/O
 *    manager may cancel at DISPATCH_LEVEL; it guards a few list links only.
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
#define PN_TAG_DENY   'nDnP' /* "PnDn": a deny rule set */
#define PN_TAG_SECURE 'cSnP' /* "PnSc": the device's security descriptor, briefly */

/* mingw-w64's headers lack these (values from the WDK's dpfilter.h). */
#ifndef DPFLTR_IHVDRIVER_ID
#define DPFLTR_IHVDRIVER_ID 77
#define DPFLTR_ERROR_LEVEL 0
#define DPFLTR_INFO_LEVEL 3
#endif
#define PN_LOG(...) DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_INFO_LEVEL, "procnotify: " __VA_ARGS__)
#define PN_ERR(...) DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL, "procnotify: " __VA_ARGS__)

/* The WDK's IRQL annotations, for its Code Analysis; nothing under mingw-w64. */
#ifndef _IRQL_requires_max_
#define _IRQL_requires_max_(irql)
#endif
/*
 * The WDK's PAGED_CODE(): code that may touch pageable memory or block must
 * not run above APC_LEVEL. Checked (by a bug check, as the checked WDK
 * build does) in the test build; nothing in the release build.
 */
#ifndef PAGED_CODE
#ifdef PN_TEST_INJECT
#define PAGED_CODE()                                                                        \
	do {                                                                                \
		if (KeGetCurrentIrql() > APC_LEVEL)                                         \
			KeBugCheckEx(IRQL_NOT_LESS_OR_EQUAL, KeGetCurrentIrql(), 0, 0,      \
				     (ULONG_PTR)__func__);                                  \
	} while (0)
#else
#define PAGED_CODE() ((void)0)
#endif
#endif

/* Exported by ntoskrnl but not declared by mingw-w64's headers. */
NTKERNELAPI NTSTATUS NTAPI PsGetProcessExitStatus(PEPROCESS Process);
NTKERNELAPI HANDLE NTAPI PsGetProcessInheritedFromUniqueProcessId(PEPROCESS Process);

/* What a notify routine learned about one process, however it learned it. */
struct pn_proc {
	HANDLE pid, ppid;
	HANDLE creator_pid;        /* create: the creating thread's process; NULL when unknown */
	HANDLE tid;                /* create: the creating thread; NULL when unknown */
	LONGLONG create_time;      /* 100 ns since 1601; 0 when unknown */
	NTSTATUS exit_status;      /* exit only */
	PCUNICODE_STRING image;    /* create: NT path of the image; NULL when unknown */
	BOOLEAN image_partial;     /* create: FileOpenNameAvailable was FALSE */
	PCUNICODE_STRING located;  /* create, partial image: SeLocateProcessImageName's */
	PCUNICODE_STRING cmdline;  /* create: NULL when unknown */
	BOOLEAN can_deny;          /* create: the routine can refuse it (Ex, Ex2) */
	PEPROCESS process;         /* exit: to look the image up; NULL when absent */
};

#define PN_WIN_RING_BYTES (1024 * 1024)

/* pool.c: ExAllocatePool2 where Windows has it, else the pool type it supports. */
_IRQL_requires_max_(PASSIVE_LEVEL) void pn_pool_init(void);
_IRQL_requires_max_(DISPATCH_LEVEL) void *pn_alloc(SIZE_T bytes, ULONG tag); /* not zeroed */
_IRQL_requires_max_(DISPATCH_LEVEL) BOOLEAN pn_pool2_used(void);

/* notify.c: registration and the events. */
_IRQL_requires_max_(PASSIVE_LEVEL) NTSTATUS pn_notify_register(void);
_IRQL_requires_max_(PASSIVE_LEVEL) void pn_notify_unregister(void);
/* Fills the counters notify.c keeps: routine and denied. */
_IRQL_requires_max_(DISPATCH_LEVEL) void pn_notify_counters(struct pn_win_counters *c);
/* Returns the CreationStatus to set: STATUS_SUCCESS, or STATUS_ACCESS_DENIED. */
_IRQL_requires_max_(PASSIVE_LEVEL) NTSTATUS pn_on_create(const struct pn_proc *p);
_IRQL_requires_max_(PASSIVE_LEVEL) void pn_on_exit(const struct pn_proc *p);

/* queue.c: the event ring under its fast mutex. */
_IRQL_requires_max_(PASSIVE_LEVEL) NTSTATUS pn_queue_init(ULONG bytes);
_IRQL_requires_max_(PASSIVE_LEVEL) void pn_queue_free(void); /* no user left */
_IRQL_requires_max_(APC_LEVEL) void pn_queue_push(struct pn_rec_hdr *rec);
_IRQL_requires_max_(APC_LEVEL) void pn_queue_drop(pn_u16 type);
/* STATUS_BUFFER_TOO_SMALL when the oldest record does not fit in cap. */
_IRQL_requires_max_(APC_LEVEL) NTSTATUS pn_queue_read(void *out, ULONG cap, ULONG *got);
/* As pn_queue_read, but parks irp (STATUS_PENDING) when nothing waits. */
_IRQL_requires_max_(APC_LEVEL) NTSTATUS pn_queue_read_or_park(PIRP irp, void *out, ULONG cap,
							       ULONG *got);
_IRQL_requires_max_(APC_LEVEL) void pn_queue_counters(struct pn_win_counters *c);
_IRQL_requires_max_(APC_LEVEL) void pn_queue_reset_counters(void);

/* waitq.c: reads pending until a record arrives (a cancel-safe queue). */
_IRQL_requires_max_(PASSIVE_LEVEL) void pn_waitq_init(void);
/* IOCTL_PN_WAIT_EVENTS: completes irp with records, or leaves it pending. */
_IRQL_requires_max_(PASSIVE_LEVEL) NTSTATUS pn_waitq_wait(PIRP irp);
_IRQL_requires_max_(APC_LEVEL) void pn_waitq_park(PIRP irp);   /* under the ring's lock */
_IRQL_requires_max_(APC_LEVEL) void pn_waitq_wake(void);       /* records arrived */
_IRQL_requires_max_(PASSIVE_LEVEL) void pn_waitq_cancel_file(PFILE_OBJECT f); /* IRP_MJ_CLEANUP */

/* imagetab.c: image names kept from create to exit. */
_IRQL_requires_max_(PASSIVE_LEVEL) void pn_images_start(void);
_IRQL_requires_max_(APC_LEVEL) void pn_images_keep(HANDLE pid, LONGLONG create_time, char *image,
						   ULONG len);
_IRQL_requires_max_(APC_LEVEL) char *pn_images_take_for(HANDLE pid, LONGLONG create_time,
							 ULONG *len);
_IRQL_requires_max_(PASSIVE_LEVEL) void pn_images_stop(void); /* notify routine gone */

/* deny.c: the deny rules in force. */
_IRQL_requires_max_(PASSIVE_LEVEL) void pn_deny_init(void);
_IRQL_requires_max_(PASSIVE_LEVEL) NTSTATUS pn_deny_set_rules(const void *req, ULONG len);
/* The rule the creation matches, or -1. */
_IRQL_requires_max_(APC_LEVEL) int pn_deny_check(PCUNICODE_STRING image, PCUNICODE_STRING cmdline);
_IRQL_requires_max_(APC_LEVEL) ULONG pn_deny_rule_count(void);
_IRQL_requires_max_(PASSIVE_LEVEL) void pn_deny_free(void);

/* ioctl.c: IRP_MJ_CREATE, CLEANUP, CLOSE and DEVICE_CONTROL (PASSIVE_LEVEL). */
_IRQL_requires_max_(PASSIVE_LEVEL) NTSTATUS pn_dispatch_create(PDEVICE_OBJECT dev, PIRP irp);
_IRQL_requires_max_(PASSIVE_LEVEL) NTSTATUS pn_dispatch_cleanup(PDEVICE_OBJECT dev, PIRP irp);
_IRQL_requires_max_(PASSIVE_LEVEL) NTSTATUS pn_dispatch_close(PDEVICE_OBJECT dev, PIRP irp);
/* How long DriverUnload waits for the handles still open to be closed. */
#define PN_UNLOAD_WAIT_MS 5000
#define PN_UNLOAD_STEP_MS 10
_IRQL_requires_max_(PASSIVE_LEVEL) void pn_wait_files_closed(void);
_IRQL_requires_max_(PASSIVE_LEVEL) NTSTATUS pn_dispatch_ioctl(PDEVICE_OBJECT dev, PIRP irp);
_IRQL_requires_max_(DISPATCH_LEVEL) NTSTATUS pn_complete(PIRP irp, NTSTATUS st, ULONG_PTR got);

/* secure.c: the device's protected DACL (SYSTEM and Administrators). */
_IRQL_requires_max_(PASSIVE_LEVEL) NTSTATUS pn_secure_device(PDEVICE_OBJECT dev);

#ifdef PN_TEST_INJECT
/* inject.c, test builds only. */
_IRQL_requires_max_(PASSIVE_LEVEL) NTSTATUS pn_test_inject(const void *in, ULONG len, void *out,
							    ULONG cap, ULONG *got);
_IRQL_requires_max_(PASSIVE_LEVEL) NTSTATUS pn_test_set_skew(const void *in, ULONG len);
extern ULONG pn_test_skew; /* PN_WIN_SKEW_* */
#endif
#endif
