/*
 * The contract between procnotify.sys and its user-mode clients: device
 * names, IOCTL codes and the structures they carry. Include it after
 * <windows.h> + <winioctl.h> (user mode) or <ntddk.h> (the driver).
 *
 * Who may do what. The device's DACL lets only SYSTEM and Administrators
 * open it at all (the driver sets it, protected from inheritance). Each
 * code's access bits below say what the handle must have been opened for:
 * reading events needs FILE_READ_DATA, changing state (counters reset,
 * deny rules, injection) FILE_WRITE_DATA, the version and the counters
 * nothing, so a handle with no data access is harmless. Only one handle
 * reads events: the first one that reads becomes the reader until it is
 * closed, and reads through any other fail with STATUS_SHARING_VIOLATION
 * (ERROR_SHARING_VIOLATION), so two readers never split the stream.
 */
#ifndef PN_IOCTL_H
#define PN_IOCTL_H
#include "procnotify/record.h"

/*
 * The test build (PN_TEST_INJECT) has names of its own, so that it can never
 * be mistaken for, or collide with, an installed release driver.
 */
#ifdef PN_TEST_INJECT
#define PN_WIN_DEVICE_NAME L"\\Device\\procnotify-test"
#define PN_WIN_LINK_NAME   L"\\DosDevices\\procnotify-test"
#else
#define PN_WIN_DEVICE_NAME L"\\Device\\procnotify"
#define PN_WIN_LINK_NAME   L"\\DosDevices\\procnotify"
#endif
#define PN_WIN_USER_PATH      L"\\\\.\\procnotify"
#define PN_WIN_TEST_USER_PATH L"\\\\.\\procnotify-test"

/*
 * The protocol this header describes: codes, access bits and structures.
 * Bumped on any change; a client refuses a driver that answers another.
 * (Drivers before GET_VERSION spoke protocol 1.)
 */
#define PN_WIN_PROTOCOL 2

#define PN_WIN_DEVICE_TYPE 0x8e5e /* in the range Microsoft leaves to vendors */
#define PN_WIN_IOCTL(fn, access) CTL_CODE(PN_WIN_DEVICE_TYPE, (fn), METHOD_BUFFERED, (access))

/* Out: struct pn_win_version. Any handle. */
#define IOCTL_PN_GET_VERSION    PN_WIN_IOCTL(0x803, FILE_ANY_ACCESS)
/*
 * Reader only. Out: whole wire records back to back, oldest first; 0 bytes
 * when none is waiting. STATUS_BUFFER_TOO_SMALL when the oldest record does
 * not fit: a buffer of PN_WIN_READ_MIN bytes always holds at least one.
 */
#define IOCTL_PN_READ_EVENTS    PN_WIN_IOCTL(0x800, FILE_READ_DATA)
/*
 * Reader only. As READ_EVENTS, but when nothing is waiting the request
 * pends until a record arrives, the request is cancelled, or the handle is
 * closed: an idle reader costs nothing and a record reaches it as soon as
 * the driver queues it. At most PN_WIN_WAITS_MAX may pend at once.
 */
#define IOCTL_PN_WAIT_EVENTS    PN_WIN_IOCTL(0x804, FILE_READ_DATA)
/* Out: struct pn_win_counters. Any handle. */
#define IOCTL_PN_GET_COUNTERS   PN_WIN_IOCTL(0x801, FILE_ANY_ACCESS)
/* No buffers. Zeroes queued, dropped and read; drops_total is never reset. */
#define IOCTL_PN_RESET_COUNTERS PN_WIN_IOCTL(0x802, FILE_WRITE_DATA)
/* In: struct pn_win_deny_set + rules; replaces every rule (count 0: none). */
#define IOCTL_PN_SET_DENY       PN_WIN_IOCTL(0x805, FILE_WRITE_DATA)
/*
 * Test builds only (PN_TEST_INJECT); in: struct pn_win_inject + strings;
 * out (optional): a pn_u32, the CreationStatus the notify routine would set.
 */
#define IOCTL_PN_TEST_INJECT    PN_WIN_IOCTL(0x8f0, FILE_WRITE_DATA)
/* Test builds only; in: a pn_u32 of PN_WIN_SKEW_* bits, to test clients. */
#define IOCTL_PN_TEST_SKEW      PN_WIN_IOCTL(0x8f1, FILE_WRITE_DATA)
#define PN_WIN_SKEW_PROTOCOL      0x1 /* GET_VERSION answers another protocol */
#define PN_WIN_SKEW_SHORT_COUNTERS 0x2 /* GET_COUNTERS answers 8 bytes short */

#define PN_WIN_WAITS_MAX 4

/*
 * The driver cuts longer strings (and flags the record truncated). The caps
 * count UTF-16 units, each of which takes at most PN_UTF8_PER_UTF16 bytes of
 * UTF-8, so the largest record the driver makes is known.
 */
#define PN_WIN_IMAGE_UNITS   4096
#define PN_WIN_CMDLINE_UNITS 8192
/* UTF-8 bytes one UTF-16 code unit can become, at most: a surrogate pair is
 * two units and four bytes, any other unit up to three bytes. */
#define PN_UTF8_PER_UTF16 3
#define PN_WIN_READ_MIN \
	(sizeof(struct pn_rec_create) + PN_UTF8_PER_UTF16 * (PN_WIN_IMAGE_UNITS + PN_WIN_CMDLINE_UNITS))

/* Windows time (100 ns units since 1601) to ns since 1970: PN_HDR_WALLCLOCK's clock. */
static inline pn_u64 pn_win_unix_ns(pn_u64 nt_time)
{
	const pn_u64 epoch_1970 = 116444736000000000ULL;

	return nt_time > epoch_1970 ? (nt_time - epoch_1970) * 100 : 0;
}

struct pn_win_version {
	pn_u32 protocol;    /* PN_WIN_PROTOCOL */
	pn_u32 rec_version; /* PN_REC_VERSION of the records it queues */
	pn_u32 test_build;  /* 1: the injection IOCTL is there */
	pn_u32 reserved;
};

/* pn_win_counters.routine: which process notify routine Windows calls. */
#define PN_WIN_ROUTINE_LEGACY 0 /* PsSetCreateProcessNotifyRoutine: no command line, no deny */
#define PN_WIN_ROUTINE_EX     1 /* PsSetCreateProcessNotifyRoutineEx */
#define PN_WIN_ROUTINE_EX2    2 /* PsSetCreateProcessNotifyRoutineEx2: subsystem processes too */

struct pn_win_counters {
	pn_u64 queued;      /* records put in the ring since the last reset */
	pn_u64 dropped;     /* records lost (ring full, no memory) since the last reset */
	pn_u64 read;        /* records handed to readers since the last reset */
	pn_u64 drops_total; /* records lost since load: the value hdr.drops carries */
	pn_u32 ring_bytes;  /* ring capacity */
	pn_u32 ring_used;   /* bytes waiting now */
	pn_u32 routine;     /* PN_WIN_ROUTINE_* */
	pn_u32 pool2;       /* 1: allocations through ExAllocatePool2 */
	pn_u64 drops_by_type[PN_REC_LOST_SLOTS]; /* drops_total by enum pn_rec_type */
	pn_u64 read_requests; /* READ_EVENTS and WAIT_EVENTS requests since load */
	pn_u64 denied;      /* process creations denied since load */
	pn_u32 deny_rules;  /* rules in force */
	pn_u32 reserved;
};

/*
 * Deny rules (IOCTL_PN_SET_DENY): a pn_win_deny_set, then count rules, each
 * a pn_win_deny_rule followed by its strings (UTF-16, image first), padded
 * to a multiple of 8 bytes. A creation is denied when some rule matches:
 * both of its strings that are not empty must match.
 *  - image: a glob over the NT image path Windows reports (for example
 *    \??\C:\Windows\System32\notepad.exe): '*' any run of characters,
 *    separators included, '?' one character; ASCII letters match either case.
 *  - cmdline: a substring of the command line, case sensitive.
 * A rule with both strings empty is refused (it would deny everything).
 */
#define PN_WIN_DENY_MAX_RULES 64
#define PN_WIN_DENY_MAX_UNITS 512 /* per string */

struct pn_win_deny_set {
	pn_u32 count;
	pn_u32 reserved;
};

struct pn_win_deny_rule {
	pn_u16 image_len;   /* bytes of UTF-16 */
	pn_u16 cmdline_len; /* bytes of UTF-16 */
	pn_u32 reserved;
};

/* inject flags */
#define PN_WIN_INJECT_CREATE_ONLY   0x1 /* no exit */
#define PN_WIN_INJECT_EXIT_ONLY     0x2 /* no create */
#define PN_WIN_INJECT_NAME_PARTIAL  0x4 /* FileOpenNameAvailable FALSE */

/*
 * One synthetic process for the test IOCTL: the driver passes a create and
 * then an exit for it through its notify code, repeat times (at least once).
 * image_len, cmdline_len and located_len are bytes of UTF-16 that follow the
 * structure in that order; located is what SeLocateProcessImageName would
 * give (empty: it fails).
 */
struct pn_win_inject {
	pn_u32 pid, ppid, tid;
	pn_u32 exit_status;
	pn_u64 create_time; /* 100 ns units since 1601, as Windows keeps it */
	pn_u16 image_len;
	pn_u16 cmdline_len;
	pn_u32 repeat;
	pn_u32 creator_pid; /* CreatingThreadId.UniqueProcess */
	pn_u16 located_len;
	pn_u16 flags;       /* PN_WIN_INJECT_* */
};
_Static_assert(sizeof(struct pn_win_version) == 16, "pn_win_version layout");
_Static_assert(sizeof(struct pn_win_counters) == 72 + 8 * PN_REC_LOST_SLOTS, "pn_win_counters layout");
_Static_assert(sizeof(struct pn_win_deny_rule) == 8, "pn_win_deny_rule layout");
_Static_assert(sizeof(struct pn_win_inject) == 40, "pn_win_inject layout");
#endif
