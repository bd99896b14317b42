/*
 * The event types and the bits that say what an event carries: one
 * definition each, as X-macro lists (libuv's UV_ERRNO_MAP habit). Every
 * list the library, the wire format and the outputs need is generated from
 * these: enum pn_event_type and enum pn_rec_type, PN_MASK_ALL, the names,
 * the CLI's type parser, the summaries and loss breakdowns (PN_HAVE_* and
 * PN_KNOWN_*, PN_EV_* and PN_EXEC_* are one set of values).
 *
 * Only macros: the BPF program, the Windows driver and C++ include this.
 *
 * A consumer's X takes the columns it uses and ends with "...", so a column
 * added to every row (before the last, doc) breaks none of them.
 */
#ifndef PROCNOTIFY_EVENTS_H
#define PROCNOTIFY_EVENTS_H

/*
 * Event types: X(NAME, name, value, rec, lost_slot, shown, doc)
 *   NAME, name  PN_EVENT_NAME / PN_REC_NAME, and the name outputs print
 *   value       the wire value: part of the record format, never renumber
 *   rec         the wire record: struct pn_rec_<rec>
 *   lost_slot   1 when struct pn_rec_lost counts it in by_type[value]
 *   shown       in a count per type (summary, loss breakdown): ALWAYS even
 *               when 0, IFANY only when not 0, NEVER
 *   doc         what it reports, in words
 * Every list ends with a doc column, so a consumer's "..." always has an
 * argument (ISO C wants one).
 */
#define PN_EVENT_TYPE_MAP(X)                                                                 \
	X(FORK,     fork,     1,  fork,   1, ALWAYS, "a new process (never a new thread)")      \
	X(EXEC,     exec,     2,  exec,   1, ALWAYS, "a successful execve or execveat")        \
	X(EXIT,     exit,     3,  exit,   1, ALWAYS, "the whole thread group has ended")       \
	X(LOST,     lost,     4,  lost,   1, NEVER,  "records lost at this place in the stream") \
	X(CREATE,   create,   5,  create, 1, IFANY,  "Windows: a new process with its image")  \
	X(SNAPSHOT, snapshot, 6,  snapshot, 1, IFANY, "a process alive when monitoring began or at a resync") \
	X(COMM,     comm,     7,  change, 0, IFANY,  "the process renamed itself; comm is the new name") \
	X(SETUID,   setuid,   8,  change, 0, IFANY,  "new real and effective uid: new_id, new_eid") \
	X(SETGID,   setgid,   9,  change, 0, IFANY,  "new real and effective gid: new_id, new_eid") \
	X(SETSID,   setsid,   10, change, 0, IFANY,  "the process leads a new session (sid == pid)") \
	X(PTRACE,   ptrace,   11, change, 0, IFANY,  "tracer_pid attached, or 0: the tracer detached") \
	X(COREDUMP, coredump, 12, change, 0, IFANY,  "the process began dumping core; its exit follows") \
	X(DENY,     deny,     13, create, 0, IFANY,  "a deny rule refused an exec (Linux) or a creation (Windows)")

/* One past the largest value above. */
#define PN_TYPE_LIMIT 14

/* pn_stats.delivered counts the types of 1.0 by value: its layout is
 * frozen, so a later type is counted in a member of its own. */
#define PN_STATS_TYPE_SLOTS 13

/* A lost record counts the types with lost_slot 1, by value: its layout is
 * frozen, so a new type gets no slot. */
#define PN_LOST_SLOTS 7

/*
 * Presence bits, pn_event.have and pn_rec_task.known (one value for both):
 * X(NAME, bit, doc). A producer that cannot know a field leaves its bit
 * clear and outputs report the field as unknown. The wire carries all but
 * NTSTATUS, which the decoder derives from the exit status's kind.
 */
#define PN_PRESENCE_MAP(X)                                                   \
	X(UID,      0x0001, "uid, gid, euid")                                \
	X(IMAGE,    0x0002, "image")                                         \
	X(ARGV,     0x0004, "argv, argc")                                    \
	X(CWD,      0x0008, "cwd")                                           \
	X(FILENAME, 0x0010, "filename")                                      \
	X(PARENT,   0x0020, "ppid, parent_key")                              \
	X(START,    0x0040, "key.start_ns, and so duration_ns at exit")      \
	X(TID,      0x0080, "tid, old_tid")                                  \
	X(SID,      0x0100, "sid")                                           \
	X(COMM,     0x0200, "comm")                                          \
	X(NTSTATUS, 0x0400, "exit: nt_status is a Windows exit status")      \
	X(TTY,      0x0800, "tty")                                           \
	X(IMAGE_ID, 0x1000, "image_dev, image_ino")                          \
	X(NS,       0x2000, "mnt_ns, pid_ns")                                \
	X(ROOT,     0x4000, "root; set only when it is not the host's \"/\"")   \
	X(CREATOR,  0x8000, "Windows: creator_pid, creator_key")               \
	X(HOST,     0x10000, "host; the library sets it, no producer sends it") \
	X(PARENT_IMAGE, 0x20000, "parent_image")                                \
	X(SHA256,   0x40000, "image_sha256")                                 \
	X(CGROUP,   0x80000, "cgroup; the library reads it, no producer sends it") \
	X(CONTAINER, 0x100000, "container_id: the cgroup is a container's")

/*
 * Flag bits, pn_event.flags, and as PN_EXEC_* an exec or create record's
 * flags (one value for both): X(NAME, bit, wire, doc). wire 0: the library
 * sets it, no producer does. The activity log stores these values: never
 * renumber.
 */
#define PN_FLAG_MAP(X)                                                                     \
	X(ARGV_TRUNCATED,     0x0001, 1, "argv is cut short")                              \
	X(IMAGE_TRUNCATED,    0x0002, 1, "image is cut short")                             \
	X(CWD_TRUNCATED,      0x0004, 1, "cwd is cut short")                               \
	X(BEST_EFFORT,        0x0008, 1, "fields read after the event, may be stale")      \
	X(IMAGE_FROM_TABLE,   0x0010, 0, "image remembered from an earlier event")         \
	X(FILENAME_TRUNCATED, 0x0020, 1, "filename is cut short")                          \
	X(IMAGE_DELETED,      0x0040, 1, "image is unlinked, or a memfd never linked")     \
	X(OTHER_MNT_NS,       0x0080, 0, "mnt_ns is not the host's: paths name files there") \
	X(DENIED,             0x0100, 1, "Windows: a deny rule refused this creation")     \
	X(CREATOR_NOT_PARENT, 0x0200, 0, "Windows: creator_pid is not ppid (parent-PID spoofing, elevation)")

/* PN__IF_##column(x): x where a 0/1 column is 1, nothing where it is 0. */
#define PN__IF_1(...) __VA_ARGS__
#define PN__IF_0(...)

/* Static assertions for headers that are both C and C++. */
#if defined(__cplusplus)
#define PN_STATIC_ASSERT(c, msg) static_assert(c, msg)
#else
#define PN_STATIC_ASSERT(c, msg) _Static_assert(c, msg)
#endif

#endif
