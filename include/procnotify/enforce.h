/*
 * Exec enforcement (Linux): the kernel asks before every exec, through
 * fanotify's FAN_OPEN_EXEC_PERM on every mounted file system, and a
 * decision callback allows or denies it. A denied exec fails with EPERM in
 * its caller, and the handle delivers a PN_EVENT_DENY event to its
 * callbacks (and so to every output and the log).
 *
 * Failing open is the rule: an exec is allowed when the decision is not
 * made within the deadline, when the monitor cannot read what it needs,
 * and when the monitor goes away (the kernel answers for a closed group).
 * The monitor's own process is allowed at once and never waits on itself.
 */
#ifndef PROCNOTIFY_ENFORCE_H
#define PROCNOTIFY_ENFORCE_H

#include <stddef.h>
#include <stdint.h>
#include "procnotify.h"
#include "procnotify/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What a decision needs beyond the file (its path, device and inode, which
 * are always there): the enforcer reads only what is asked for. */
enum pn_exec_needs {
	PN_NEED_PROC = 0x1,      /* uid, gid, euid, comm, ppid of the exec'ing process */
	PN_NEED_SHA256 = 0x2,    /* the SHA-256 of the file's content */
	PN_NEED_ANCESTORS = 0x4, /* the images of its parent, grandparent, ... */
	PN_NEED_CWD = 0x8,       /* its working directory */
	PN_NEED_ARGV = 0x10,     /* the exec's arguments (from the caller's memory) */
	PN_NEED_CGROUP = 0x20,   /* its cgroup v2 (cgroup_id) */
	PN_NEED_NS = 0x40,       /* its mount and pid namespaces */
};

/* The exec the kernel asks about, before it happens. ev is the event a
 * denial would deliver: type PN_EVENT_DENY, pid and comm those of the
 * exec'ing process (which goes on running its old image when denied),
 * image the file about to run, as the monitor's mount namespace names it. */
typedef struct pn_exec_ctx {
	const pn_event *ev;
	const uint8_t *sha256;          /* 32 bytes; NULL when not asked or unreadable */
	const pn_str *ancestors;        /* [0] the parent's image, [1] its parent's... */
	size_t nancestors;
} pn_exec_ctx;

/* Returns 1 to deny, 0 to allow, with *rule naming the deny rule (a
 * string it copies at once). Called on the enforcer's threads, never on
 * the thread of pn_poll(): the decider's, and the hasher's for an exec
 * whose file had to be hashed first (PN_NEED_SHA256), so two calls may
 * run at once: it must be safe from two threads. */
typedef int (*pn_decide_cb)(const pn_exec_ctx *ctx, void *user, const char **rule);

typedef struct pn_enforce_options {
	uint32_t size;          /* sizeof(pn_enforce_options) as compiled */
	uint32_t needs;         /* PN_NEED_* */
	uint32_t deadline_ms;   /* allow what is not decided by then; 0: 100 */
	pn_decide_cb decide;
	void *user;
} pn_enforce_options;

#define PN_ENFORCE_OPTIONS_INIT { .size = sizeof(pn_enforce_options) }

typedef struct pn_enforce_stats {
	uint32_t size;           /* sizeof(pn_enforce_stats) as compiled */
	uint64_t asked;          /* permission events the kernel sent */
	uint64_t allowed;        /* decided: allow */
	uint64_t denied;         /* decided: deny */
	uint64_t deadline_allowed; /* allowed because the decision was late */
	uint64_t error_allowed;  /* allowed because of an internal error (fail open) */
	uint64_t self_allowed;   /* the monitor's own execs */
	uint64_t hash_read;      /* files hashed */
	uint64_t hash_cached;    /* hashes served by the cache */
	uint64_t filesystems;    /* file systems marked */
	uint64_t mark_refused;   /* file systems that refuse permission events */
	uint64_t latency_p50_ns; /* read to answer, over the decisions made */
	uint64_t latency_p99_ns;
	uint64_t latency_max_ns;
	/* File systems mounted in other mount namespaces only (unshare -m, a
	 * container's): marked through a process of theirs (README). */
	uint64_t namespaces;     /* other mount namespaces whose file systems are marked */
	uint64_t ns_filesystems; /* file systems only they mount, marked */
	uint64_t ns_unread;      /* times a namespace's mount table could not be read */
} pn_enforce_stats;

#define PN_ENFORCE_STATS_INIT { .size = sizeof(pn_enforce_stats) }

/* Starts enforcing on h: marks every mounted file system, and every one
 * mounted later, and decides each exec with opt->decide. Needs
 * CAP_SYS_ADMIN (and CAP_SYS_PTRACE to read other users' processes).
 * Once only per handle; stopped by pn_close(). 0 or -errno, with the
 * reason in err. */
PN_EXPORT int pn_enforce(pn_handle *h, const pn_enforce_options *opt, char *err, size_t errlen);

/* Enforces the deny rules of r (procnotify/rules.h) on h: pn_enforce()
 * with the rule engine deciding. Each exec is tested as an exec event
 * would be (type exec), with what the rules read: the image's path,
 * device, inode and SHA-256, the process's ids, comm, parent, ancestors'
 * images, cwd, cgroup, namespaces and the exec's arguments, each read only
 * when a rule tests it. Called again on the same handle, it swaps the set
 * (a decision under way finishes with the set it began with); the
 * deadline is the first call's. r NULL or without deny rules: every exec
 * is allowed. The handle takes a reference of r. -EBUSY when h enforces
 * with pn_enforce(). */
struct pn_rules;
PN_EXPORT int pn_enforce_rules(pn_handle *h, struct pn_rules *r, uint32_t deadline_ms, char *err,
			       size_t errlen);

/* Fills st up to st->size; -ENOENT when h does not enforce. */
PN_EXPORT int pn_enforce_get_stats(pn_handle *h, pn_enforce_stats *st);

#ifdef __cplusplus
}
#endif
#endif
