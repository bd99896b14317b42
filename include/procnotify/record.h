/*
 * procnotify wire record: the one layout shared by every producer (the BPF
 * programs, the Windows driver, the user-space netlink backend) and every
 * consumer (libprocnotify's decoder, the Windows client).
 *
 * Rules that keep this header usable from clang -target bpf (with vmlinux.h),
 * gcc, and mingw-w64 (user and kernel mode):
 *  - only fixed-width integer types and char arrays, no pointers, no bool;
 *  - every field naturally aligned and every hole spelled out as padding;
 *  - a record is a fixed part followed by an optional variable data area,
 *    its size padded to a multiple of 8 so concatenated records stay aligned;
 *    strings in the data area are referenced by (offset, length) from the
 *    start of the record and are NOT NUL-terminated;
 *  - the layout is frozen by the _Static_asserts at the bottom.
 */
#ifndef PROCNOTIFY_RECORD_H
#define PROCNOTIFY_RECORD_H

#include "events.h"

#if defined(__bpf__)
/* vmlinux.h has already defined the kernel's __u8.. types. */
typedef __u8 pn_u8;
typedef __u16 pn_u16;
typedef __u32 pn_u32;
typedef __u64 pn_u64;
#else
#include <stdint.h>
typedef uint8_t pn_u8;
typedef uint16_t pn_u16;
typedef uint32_t pn_u32;
typedef uint64_t pn_u64;
#endif

/* 2: struct pn_rec_exec grew (image_dev .. root); every other record is
 * as in 1, and the decoder still takes those in version 1. */
#define PN_REC_VERSION 2

/* Record types, from PN_EVENT_TYPE_MAP (events.h): the event types have
 * the same values. SNAPSHOT: a process that existed when
 * monitoring began. COMM to COREDUMP are the netlink proc connector's
 * events besides the lifecycle, all as struct pn_rec_change. */
enum pn_rec_type {
#define PN__REC_ENUM(N, n, v, ...) PN_REC_##N = v,
	PN_EVENT_TYPE_MAP(PN__REC_ENUM)
#undef PN__REC_ENUM
	PN_REC_TYPE_MAX = PN_TYPE_LIMIT,
};

#define PN_REC_LOST_SLOTS PN_LOST_SLOTS

#define PN_COMM_LEN 16
#define PN_TTY_LEN 32

/* Limits of the variable data of one exec record. */
#define PN_PATH_MAX 4096
#define PN_ARGV_MAX 32768

/* Header of every record. */
struct pn_rec_hdr {
	pn_u16 type;    /* enum pn_rec_type */
	pn_u8 version;  /* PN_REC_VERSION */
	pn_u8 hdr_flags;
	pn_u32 size;    /* bytes in the whole record, header and data included */
	pn_u64 time_ns; /* when it happened, in the producer's clock */
	pn_u64 drops;   /* lost records the producer had counted when it made this one:
			 * the Windows ring's total; the making CPU's count from BPF */
};

/* hdr_flags */
#define PN_HDR_WALLCLOCK 0x01 /* time_ns is ns since the Unix epoch, not monotonic */
/* Records were lost since the producer's previous record (from BPF: made on
 * the same CPU), so the consumer's "lost" record belongs before this one. */
#define PN_HDR_AFTER_LOSS 0x02

/* The acting process, as every process record carries it. */
struct pn_rec_task {
	pn_u32 pid;        /* thread-group id (the process id) */
	pn_u32 tid;        /* the acting thread */
	pn_u32 ppid;       /* real parent's process id */
	pn_u32 uid;
	pn_u32 gid;
	pn_u32 euid;
	pn_u32 known;      /* PN_KNOWN_*: which fields the producer could fill */
	pn_u32 reserved;
	pn_u64 start_ns;   /* the process's start time, producer's clock */
	pn_u64 parent_start_ns;
	char comm[PN_COMM_LEN];
};

/*
 * pn_rec_task.known bits, from PN_PRESENCE_MAP: the same values as
 * pn_event.have's PN_HAVE_*. A producer that cannot know a field (the
 * netlink backend has no uid at exit, for one) leaves its bit clear.
 */
enum pn_rec_known_bits {
#define PN__KNOWN_ENUM(N, bit, ...) PN_KNOWN_##N = bit,
	PN_PRESENCE_MAP(PN__KNOWN_ENUM)
#undef PN__KNOWN_ENUM
};

/* A string in the record's data area. len 0 with off 0 means "absent". */
struct pn_strref {
	pn_u32 off;
	pn_u32 len;
};

struct pn_rec_fork {
	struct pn_rec_hdr hdr;
	struct pn_rec_task task; /* the child */
};

/* exec and create flags, from PN_FLAG_MAP's wire bits: the same values as
 * pn_event.flags' PN_EV_*, so the decoder copies them. */
enum pn_rec_exec_flags {
#define PN__EXEC_ENUM(N, bit, wire, ...) PN__IF_##wire(PN_EXEC_##N = bit,)
	PN_FLAG_MAP(PN__EXEC_ENUM)
#undef PN__EXEC_ENUM
};
#define PN__EXEC_OR(N, bit, wire, ...) PN__IF_##wire(| PN_EXEC_##N)
/* Every flag a producer may set. */
#define PN_EXEC_WIRE_FLAGS (0u PN_FLAG_MAP(PN__EXEC_OR))

struct pn_rec_exec {
	struct pn_rec_hdr hdr;
	struct pn_rec_task task;
	pn_u32 old_tid;    /* thread that called exec before it became the leader */
	pn_u32 sid;        /* session id */
	pn_u32 flags;      /* PN_EXEC_* */
	pn_u32 argc;
	pn_u64 cgroup_id;
	char tty[PN_TTY_LEN];       /* controlling tty name, "" when none */
	struct pn_strref filename;  /* as passed to exec */
	struct pn_strref image;     /* resolved absolute path of the executable */
	struct pn_strref cwd;
	struct pn_strref argv;      /* NUL-separated arguments */
	/* Since version 2: what the paths mean (PN_KNOWN_IMAGE_ID, _NS, _ROOT). */
	pn_u32 image_dev_major;     /* the image file's device */
	pn_u32 image_dev_minor;
	pn_u64 image_ino;           /* and inode number */
	pn_u32 mnt_ns;              /* the process's mount namespace, by inode number */
	pn_u32 pid_ns;              /* and pid namespace */
	struct pn_strref root;      /* its root directory, seen from the host's;
				     * known only when it is not the host's "/" */
	/* data follows */
};

/* exit status_kind */
#define PN_EXIT_WAITSTATUS 1 /* Linux wait status: code << 8 | core 0x80 | signal */
#define PN_EXIT_NTSTATUS   2 /* Windows process exit status */

struct pn_rec_exit {
	struct pn_rec_hdr hdr;
	struct pn_rec_task task;
	pn_u32 status;      /* see status_kind */
	pn_u32 status_kind; /* PN_EXIT_* */
	struct pn_strref image; /* optional: producers that know it (Windows) */
	/* data follows */
};

/* A process seen at start-up; same payload as exec, no arguments. */
struct pn_rec_snapshot {
	struct pn_rec_hdr hdr;
	struct pn_rec_task task;
	struct pn_strref image;
	/* data follows */
};

/* Windows creation: image and the command line as one string in argv. */
struct pn_rec_create {
	struct pn_rec_hdr hdr;
	struct pn_rec_task task;
	pn_u32 flags;       /* PN_EXEC_*: truncation, PN_EXEC_DENIED */
	pn_u32 creator_pid; /* CreatingThreadId.UniqueProcess, known with PN_KNOWN_CREATOR */
	struct pn_strref image;
	struct pn_strref cmdline;
	/* data follows */
};

/* Netlink connector extras, PN_REC_COMM to PN_REC_COREDUMP. */
struct pn_rec_change {
	struct pn_rec_hdr hdr;
	struct pn_rec_task task;
	pn_u32 id_real;      /* SETUID, SETGID: the new real id; PTRACE: tracer pid or 0 */
	pn_u32 id_effective; /* SETUID, SETGID: the new effective id */
};

struct pn_rec_lost {
	struct pn_rec_hdr hdr;
	pn_u64 count;                       /* records lost, 0 when unknown */
	pn_u64 by_type[PN_REC_LOST_SLOTS];  /* per pn_rec_type, when known */
	pn_u32 count_known;                 /* 1 when count is exact */
	pn_u32 reserved;
};

/* The largest record a producer may emit. */
#define PN_REC_MAX_SIZE (sizeof(struct pn_rec_exec) + 4 * PN_PATH_MAX + PN_ARGV_MAX)

/* Room for any record: the BPF program's scratch record, and user space's
 * buffer for the snapshot iterator's records. A power of two, because the
 * BPF program bounds its offsets with masks of it for the verifier. */
#define PN_REC_BUF 65536

/* A record's size rounded up to a multiple of 8, so that the next record
 * of a concatenated stream stays aligned. */
#define PN_REC_ALIGN(n) (((n) + 7) & ~(__typeof__(n))7)

#define PN__ASSERT_LAYOUT(t, sz) PN_STATIC_ASSERT(sizeof(struct t) == (sz), #t " layout changed")
PN__ASSERT_LAYOUT(pn_rec_hdr, 24);
PN__ASSERT_LAYOUT(pn_rec_task, 64);
PN__ASSERT_LAYOUT(pn_strref, 8);
PN__ASSERT_LAYOUT(pn_rec_fork, 88);
PN__ASSERT_LAYOUT(pn_rec_exec, 88 + 24 + 32 + 32 + 32);
PN__ASSERT_LAYOUT(pn_rec_exit, 88 + 16);
PN__ASSERT_LAYOUT(pn_rec_snapshot, 96);
PN__ASSERT_LAYOUT(pn_rec_create, 88 + 8 + 16);
PN__ASSERT_LAYOUT(pn_rec_lost, 24 + 8 + 8 * 7 + 8);
PN__ASSERT_LAYOUT(pn_rec_change, 88 + 8);
PN_STATIC_ASSERT(__builtin_offsetof(struct pn_rec_task, start_ns) == 32, "task.start_ns offset");
PN_STATIC_ASSERT(__builtin_offsetof(struct pn_rec_exec, filename) == 144, "exec.filename offset");
PN_STATIC_ASSERT(__builtin_offsetof(struct pn_rec_exec, image_dev_major) == 176, "exec.image_dev offset");
#undef PN__ASSERT_LAYOUT
PN_STATIC_ASSERT(PN_REC_MAX_SIZE <= PN_REC_BUF && (PN_REC_BUF & (PN_REC_BUF - 1)) == 0,
		 "PN_REC_BUF: a power of two that holds the largest record");

/* Every type fits the type tables, and a lost slot exists for each type
 * that claims one. */
#define PN__ASSERT_TYPE(N, n, v, rec, slot, ...)                                 \
	PN_STATIC_ASSERT((v) > 0 && (v) < PN_TYPE_LIMIT && (!(slot) || (v) < PN_LOST_SLOTS), \
			 #n ": type value out of range");
PN_EVENT_TYPE_MAP(PN__ASSERT_TYPE)
#undef PN__ASSERT_TYPE

#endif
