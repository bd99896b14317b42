/*
 * The fields of an event, one row each: the members of pn_event are
 * declared from these rows, and the outputs that name fields read them (the
 * JSON writer's members, CSV's columns, the activity log's event columns
 * with their binding and reading, src/lib/store/columns.h). Adding a field
 * is one row here, the producer that fills it, and its tests (and for an
 * sql column, the migration that adds it).
 *
 * X(name, kind, have, types, json, table, sql, doc)
 *   name   the pn_event member (for kind flag: the PN_EV_ bit, lower case)
 *   kind   how it is stored and written: u32, u64, i32, i64, str (a pn_str
 *          of untrusted bytes), argv (NUL-separated strings), key (pn_key),
 *          tty (a short NUL-terminated name, "" when none), dev (pn_dev, a
 *          device number, "MAJ:MIN" in JSON), flag (a bit of pn_event.flags,
 *          no member of its own)
 *   have   the PN_HAVE_ bit that says it is known, ALWAYS, or for a flag the
 *          PN_EV_ bit itself
 *   types  the event types that carry it (PN_MASK(...) bits): outside them
 *          it is unknown whatever its have bit says
 *   json   its JSON member, "" when JSON does not write it
 *   table  its column in the live table, "" when none
 *   sql    its column in the activity log's event table, "" when none
 *   doc    what it is, in words (the last column, so that a consumer's "..."
 *          always has an argument, as ISO C wants)
 *
 * A consumer's X takes the columns it uses and ends with "...", so a new
 * column (an ECS name, a journald name) is one more entry before doc in
 * every row and breaks no consumer.
 *
 * The lists are split by where JSON writes them; the order of rows is the
 * order of JSON members (and of pn_event's members, PN_FIELDS_PATH and the
 * lists added since after the 1.0 layout). PN_FIELDS_HOST is written right
 * after the head (seq, type, time), on every event, lost ones included.
 * The exit, change and lost lists are written by hand (their JSON depends
 * on the event type).
 */
#ifndef PROCNOTIFY_FIELDS_H
#define PROCNOTIFY_FIELDS_H

#define PN__PROC_TYPES (PN__MASK_TYPES & ~PN_MASK(PN_EVENT_LOST))
/* A snapshot carries what an exec would, as far as it is known (its
 * arguments, read from /proc afterwards: best_effort). */
#define PN__EXEC_TYPES (PN_MASK(PN_EVENT_EXEC) | PN_MASK(PN_EVENT_CREATE) | PN_MASK(PN_EVENT_DENY) | \
			PN_MASK(PN_EVENT_SNAPSHOT))

/* Every process event (all but lost). */
#define PN_FIELDS_PROCESS(X)                                                                   \
	X(pid,        u32, ALWAYS,   PN__PROC_TYPES, "pid",        "PID",          "pid", "the process id") \
	X(ppid,       u32, PARENT,   PN__PROC_TYPES, "ppid",       "PPID",         "ppid", "the parent's process id") \
	X(tid,        u32, TID,      PN__PROC_TYPES, "tid",        "",             "tid", "the acting thread") \
	X(uid,        u32, UID,      PN__PROC_TYPES, "uid",        "",             "uid", "real user id") \
	X(gid,        u32, UID,      PN__PROC_TYPES, "gid",        "",             "gid", "real group id") \
	X(euid,       u32, UID,      PN__PROC_TYPES, "euid",       "",             "euid", "effective user id") \
	X(comm,       str, COMM,     PN__PROC_TYPES, "comm",       "PROCESS NAME", "comm", "the process name (16 bytes at most)") \
	X(image,      str, IMAGE,    PN__PROC_TYPES, "image",      "",             "image", "the executable's absolute path") \
	X(key,        key, START,    PN__PROC_TYPES, "key",        "",             "", "this process, unique across pid reuse and hosts") \
	X(parent_key, key, PARENT,   PN__PROC_TYPES, "parent_key", "",             "parent_start", "the parent's key")

/* What an exec (and a Windows create) carries besides. */
#define PN_FIELDS_EXEC(X)                                                                      \
	X(filename,       str,  FILENAME,       PN__EXEC_TYPES, "filename",       "", "filename", "the path as passed to exec") \
	X(argv,           argv, ARGV,           PN__EXEC_TYPES, "argv",           "", "argv", "the arguments, each followed by one NUL") \
	X(argc,           u32,  ARGV,           PN__EXEC_TYPES, "",               "", "argc", "the number of arguments in argv") \
	X(argv_truncated, flag, ARGV_TRUNCATED, PN__EXEC_TYPES, "argv_truncated", "", "", "argv was cut short") \
	X(cwd,            str,  CWD,            PN__EXEC_TYPES, "cwd",            "", "cwd", "the working directory") \
	X(sid,            u32,  SID,            PN__EXEC_TYPES | PN_MASK(PN_EVENT_SETSID), "sid", "", "sid", "the session id; setsid: the new one") \
	X(old_tid,        u32,  TID,            PN_MASK(PN_EVENT_EXEC), "old_tid", "", "old_tid", "the thread that called exec") \
	X(tty,            tty,  TTY,            PN__EXEC_TYPES, "tty",            "", "tty", "the controlling terminal, \"\" when none") \
	X(best_effort,    flag, BEST_EFFORT,    PN__EXEC_TYPES, "best_effort",    "", "", "read after the event, may be stale") \
	X(cgroup_id,      u64,  ALWAYS,         PN__EXEC_TYPES, "",               "", "cgroup_id", "the cgroup v2 id")

/*
 * What an exec's paths mean (Linux only): the image and cwd are written as
 * the process saw them, from its own root, so these say which files they
 * name. Added in 1.1: pn_event declares them after lost_by_type, so the
 * members of 1.0 keep their offsets.
 */
#define PN__PATH_TYPES (PN_MASK(PN_EVENT_EXEC) | PN_MASK(PN_EVENT_DENY))
#define PN_FIELDS_PATH(X)                                                                      \
	X(image_truncated, flag, IMAGE_TRUNCATED, PN__PATH_TYPES, "image_truncated", "", "", "image was cut short: too long, or too deep for the walk") \
	X(image_deleted,   flag, IMAGE_DELETED,   PN__PATH_TYPES, "image_deleted",   "", "", "image was unlinked (the path may name another file now), or is a memfd, \"memfd:NAME\"") \
	X(image_dev,       dev,  IMAGE_ID,        PN__PATH_TYPES, "image_dev",       "", "image_dev", "the image file's device, MAJ:MIN") \
	X(image_ino,       u64,  IMAGE_ID,        PN__PATH_TYPES, "image_ino",       "", "image_ino", "the image file's inode number") \
	X(cwd_truncated,   flag, CWD_TRUNCATED,   PN__PATH_TYPES, "cwd_truncated",   "", "", "cwd was cut short") \
	X(root,            str,  ROOT,            PN__PATH_TYPES, "root",            "", "root", "the process's root directory (a chroot); unknown when the host's \"/\"") \
	X(mnt_ns,          u32,  NS,              PN__PATH_TYPES, "mnt_ns",          "", "mnt_ns", "the mount namespace, by inode number") \
	X(pid_ns,          u32,  NS,              PN__PATH_TYPES, "pid_ns",          "", "pid_ns", "the pid namespace the process is in, by inode number") \
	X(other_mnt_ns,    flag, OTHER_MNT_NS,    PN__PATH_TYPES, "",                "", "", "mnt_ns is not the host's: paths name files there")

#define PN__EXIT_TYPES PN_MASK(PN_EVENT_EXIT)

/* An exit's status and lifetime. */
#define PN_FIELDS_EXIT(X)                                                                      \
	X(exit_code,   i32, ALWAYS,   PN__EXIT_TYPES, "exit_code",   "", "exit_code", "-1 when killed by a signal; the outputs write it unsigned") \
	X(nt_status,   u32, NTSTATUS, PN__EXIT_TYPES, "nt_status",   "", "nt_status", "Windows' exit status (exit_code holds it too)") \
	X(signal,      i32, ALWAYS,   PN__EXIT_TYPES, "signal",      "", "signal", "0 when it exited") \
	X(core_dumped, i32, ALWAYS,   PN__EXIT_TYPES, "core_dumped", "", "core_dumped", "1 when it dumped core") \
	X(duration_ns, i64, START,    PN__EXIT_TYPES, "duration_ns", "", "duration_ns", "its lifetime; -1 when the start is unknown")

/* The netlink connector's extras: the new ids of setuid and setgid (JSON
 * names them new_uid, new_euid or new_gid, new_egid), the tracer of ptrace. */
#define PN_FIELDS_CHANGE(X)                                                                    \
	X(new_id,     u32, ALWAYS, PN_MASK(PN_EVENT_SETUID) | PN_MASK(PN_EVENT_SETGID), "",           "", "new_id", "setuid, setgid: the new real id") \
	X(new_eid,    u32, ALWAYS, PN_MASK(PN_EVENT_SETUID) | PN_MASK(PN_EVENT_SETGID), "",           "", "new_eid", "setuid, setgid: the new effective id") \
	X(tracer_pid, u32, ALWAYS, PN_MASK(PN_EVENT_PTRACE),                            "tracer_pid", "", "tracer_pid", "ptrace: the tracer; 0: the tracer detached")

/* A lost record's count; its count per type follows as lost_by_type. */
#define PN_FIELDS_LOST(X)                                                                      \
	X(lost_count,       u64, ALWAYS, PN_MASK(PN_EVENT_LOST), "count", "", "lost_count", "records lost; 0 when unknown") \
	X(lost_count_known, i32, ALWAYS, PN_MASK(PN_EVENT_LOST), "",      "", "", "1 when lost_count is exact")

/* The fields of the 1.0 layout of pn_event, in its order. */
#define PN_FIELD_MAP_1_0(X) \
	PN_FIELDS_PROCESS(X) PN_FIELDS_EXEC(X) PN_FIELDS_EXIT(X) PN_FIELDS_CHANGE(X) \
	PN_FIELDS_LOST(X)

/* Who lost a lost record's events. Added in 1.1, after the path fields. */
#define PN_FIELDS_LOST_REASON(X)                                                               \
	X(lost_reason, u32, ALWAYS, PN_MASK(PN_EVENT_LOST), "reason", "", "lost_reason", "enum pn_lost_reason: 0 the producer, 1 the activity log, 2 an output; JSON writes \"store\" and \"output\"")

/*
 * Windows: who really made a process, and a creation a deny rule refused.
 * The parent Windows records (ppid) is whatever the creator named with
 * PROC_THREAD_ATTRIBUTE_PARENT_PROCESS, and elevation makes it the
 * requester; the creator is the process whose thread made the call.
 * Added in 1.1, after lost_reason.
 */
#define PN__CREATE_TYPES (PN_MASK(PN_EVENT_CREATE) | PN_MASK(PN_EVENT_DENY))
#define PN_FIELDS_CREATOR(X)                                                                   \
	X(creator_pid,        u32,  CREATOR,            PN__CREATE_TYPES, "creator_pid",        "", "creator_pid", "Windows: the process whose thread created this one") \
	X(creator_key,        key,  CREATOR,            PN__CREATE_TYPES, "creator_key",        "", "creator_start", "the creator's key") \
	X(creator_not_parent, flag, CREATOR_NOT_PARENT, PN__CREATE_TYPES, "creator_not_parent", "", "", "creator_pid is not ppid: the parent was named, not the creator") \
	X(denied,             flag, DENIED,             PN__CREATE_TYPES, "",                   "", "", "a deny rule refused the creation (the event is a deny): the process never ran")

/*
 * A denial: an exec (Linux) or a creation (Windows) that a deny rule
 * refused. The process keeps running its old image (Linux) or never ran
 * (Windows); image, argv and the exec's fields describe what would have
 * run, rules (PN_FIELDS_RULES) names the deny rule first. Added in 1.1,
 * after the rules.
 */
#define PN__DENY_TYPES PN_MASK(PN_EVENT_DENY)
#define PN_FIELDS_DENY(X)                                                                      \
	X(parent_image, str,  PARENT_IMAGE, PN__DENY_TYPES, "parent_image", "", "parent_image", "the parent's image (Linux: the parent of the exec'ing process)") \
	X(image_sha256, str,  SHA256,       PN__DENY_TYPES, "image_sha256", "", "image_sha256", "the SHA-256 of the image's content, 64 hex digits, when a rule asked for it")

/*
 * The names of the tag rules an event matched (procnotify/rules.h), each
 * followed by one NUL; empty when none did. The library sets it, no
 * producer does. JSON writes "rules" only when there are some (by hand:
 * an absent list is not null), so events without tags print as before.
 * Added after the creator fields.
 */
#define PN_FIELDS_RULES(X)                                                                     \
	X(rules, argv, ALWAYS, PN__PROC_TYPES, "", "", "rules", "the tag rules that matched, each followed by one NUL")

/*
 * Which host an event happened on, so that the lines of many hosts stay
 * apart once a central collector gathers them (`procnotify import`). The
 * library sets it on every event it delivers, from pn_options.host or the
 * kernel's node name (uname -n); a name set in a container's UTS namespace
 * is untrusted like any process string. The activity log keeps each name
 * once (its host table) and the event's row its id, a head column of its
 * own: no sql name here. Added in 1.1, after the rules.
 */
#define PN_FIELDS_HOST(X)                                                                      \
	X(host, str, HOST, PN__MASK_TYPES, "host", "", "", "the name of the host the event happened on")

/*
 * Elastic Common Schema (ECS 8.11) names of the fields that have one, for
 * `--format ecs` (src/lib/fmt/ecs.c): X(name, ecs, as). as: NUM a number,
 * STR a string, KEYWORD a number written as a string (ECS ids are
 * keywords). Every other field with a JSON member goes under
 * "procnotify.<json name>", so nothing the JSON has is lost. The kind,
 * have bit and types of each field are PN_FIELD_MAP's.
 */
#define PN_FIELD_ECS_MAP(X)                                   \
	X(pid,        "process.pid",                 NUM)     \
	X(ppid,       "process.parent.pid",          NUM)     \
	X(tid,        "process.thread.id",           NUM)     \
	X(uid,        "user.id",                     KEYWORD) \
	X(gid,        "group.id",                    KEYWORD) \
	X(euid,       "user.effective.id",           KEYWORD) \
	X(comm,       "process.name",                STR)     \
	X(image,      "process.executable",          STR)     \
	X(key,        "process.entity_id",           STR)     \
	X(parent_key, "process.parent.entity_id",    STR)     \
	X(argv,       "process.args",                STR)     \
	X(cwd,        "process.working_directory",   STR)     \
	X(sid,        "process.session_leader.pid",  NUM)     \
	X(parent_image, "process.parent.executable", STR)     \
	X(image_sha256, "process.hash.sha256",       STR)     \
	X(rules,      "tags",                        STR)     \
	X(host,       "host.name",                   STR)     \
	X(container_id, "container.id",              STR)

/*
 * Which cgroup a process was in, and the container that cgroup belongs to
 * (Docker, containerd and Kubernetes, CRI-O, Podman, systemd-nspawn, LXC:
 * src/lib/container.h). The library sets them on every Linux process event
 * (both backends): a process's cgroup is read from /proc at its snapshot
 * and exec and inherited at fork. JSON writes them only when known, so
 * Windows events print as before; container_id is null outside a
 * container. A cgroup path and a container name are chosen by whoever
 * made the cgroup: untrusted, as any process string. Added in 1.1, after
 * the denial's fields.
 */
#define PN_FIELDS_CGROUP(X)                                                                    \
	X(cgroup,       str, CGROUP,    PN__PROC_TYPES, "cgroup",       "", "cgroup",       "the cgroup v2 path, as /proc/PID/cgroup shows it") \
	X(container_id, str, CONTAINER, PN__PROC_TYPES, "container_id", "", "container_id", "the container's id (64 hex digits) or name (nspawn, LXC)")

#define PN_FIELD_MAP(X) PN_FIELD_MAP_1_0(X) PN_FIELDS_PATH(X) PN_FIELDS_LOST_REASON(X) \
	PN_FIELDS_CREATOR(X) PN_FIELDS_RULES(X) PN_FIELDS_HOST(X) PN_FIELDS_DENY(X) \
	PN_FIELDS_CGROUP(X)

#endif
