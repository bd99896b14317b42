/*
 * The contract between procnotify.sys and its user-mode clients: device
 * names, IOCTL codes and the structures they carry. Include it after
 * <windows.h> + <winioctl.h> (user mode) or <ntddk.h> (the driver).
 *
 * Reading events and counters needs both read and write access to the
 * device. Windows grants write access to the default device object only to
 * SYSTEM and Administrators, so this keeps other users from reading the
 * command lines of every process on the machine.
 */
#ifndef PN_IOCTL_H
#define PN_IOCTL_H
#include "procnotify/record.h"

#define PN_WIN_DEVICE_NAME L"\\Device\\procnotify"
#define PN_WIN_LINK_NAME   L"\\DosDevices\\procnotify"
#define PN_WIN_USER_PATH   L"\\\\.\\procnotify"

#define PN_WIN_DEVICE_TYPE 0x8e5e /* in the range Microsoft leaves to vendors */
#define PN_WIN_IOCTL(fn, access) CTL_CODE(PN_WIN_DEVICE_TYPE, (fn), METHOD_BUFFERED, (access))

/*
 * Out: whole wire records back to back, oldest first; 0 bytes when none is
 * waiting. STATUS_BUFFER_TOO_SMALL when the oldest record does not fit:
 * a buffer of PN_WIN_READ_MIN bytes always holds at least one.
 */
#define IOCTL_PN_READ_EVENTS   PN_WIN_IOCTL(0x800, FILE_READ_DATA | FILE_WRITE_DATA)
/* Out: struct pn_win_counters. */
#define IOCTL_PN_GET_COUNTERS  PN_WIN_IOCTL(0x801, FILE_READ_DATA | FILE_WRITE_DATA)
/* No buffers. Zeroes queued, dropped and read; drops_total is never reset. */
#define IOCTL_PN_RESET_COUNTERS PN_WIN_IOCTL(0x802, FILE_READ_DATA | FILE_WRITE_DATA)
/* Test builds only (PN_TEST_INJECT); in: struct pn_win_inject + strings. */
#define IOCTL_PN_TEST_INJECT   PN_WIN_IOCTL(0x8f0, FILE_READ_DATA | FILE_WRITE_DATA)

/*
 * The driver cuts longer strings (and flags the record truncated). The caps
 * count UTF-16 units, each of which takes at most 3 bytes of UTF-8, so the
 * largest record the driver makes is known.
 */
#define PN_WIN_IMAGE_UNITS   4096
#define PN_WIN_CMDLINE_UNITS 8192
#define PN_WIN_READ_MIN \
	(sizeof(struct pn_rec_create) + 3 * (PN_WIN_IMAGE_UNITS + PN_WIN_CMDLINE_UNITS))

/* Windows time (100 ns units since 1601) to ns since 1970: PN_HDR_WALLCLOCK's clock. */
static inline pn_u64 pn_win_unix_ns(pn_u64 nt_time)
{
	const pn_u64 epoch_1970 = 116444736000000000ULL;

	return nt_time > epoch_1970 ? (nt_time - epoch_1970) * 100 : 0;
}

struct pn_win_counters {
	pn_u64 queued;      /* records put in the ring since the last reset */
	pn_u64 dropped;     /* records lost (ring full, no memory) since the last reset */
	pn_u64 read;        /* records handed to readers since the last reset */
	pn_u64 drops_total; /* records lost since load: the value hdr.drops carries */
	pn_u32 ring_bytes;  /* ring capacity */
	pn_u32 ring_used;   /* bytes waiting now */
	pn_u32 notify_ex;   /* 1: PsSetCreateProcessNotifyRoutineEx, 0: the legacy routine */
	pn_u32 reserved;
	pn_u64 drops_by_type[PN_REC_LOST_SLOTS]; /* drops_total by enum pn_rec_type */
};

/*
 * One synthetic process for the test IOCTL: the driver passes a create and
 * then an exit for it through its notify code, repeat times (at least once).
 * image_len and cmdline_len are bytes of UTF-16 that follow the structure,
 * the image first.
 */
struct pn_win_inject {
	pn_u32 pid, ppid, tid;
	pn_u32 exit_status;
	pn_u64 create_time; /* 100 ns units since 1601, as Windows keeps it */
	pn_u16 image_len;
	pn_u16 cmdline_len;
	pn_u32 repeat;
};
_Static_assert(sizeof(struct pn_win_counters) == 48 + 8 * PN_REC_LOST_SLOTS, "pn_win_counters layout");
_Static_assert(sizeof(struct pn_win_inject) == 32, "pn_win_inject layout");
#endif
