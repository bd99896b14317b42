/*
 * Least privilege for a monitor built on libprocnotify (Linux).
 *
 * Call pn_sandbox() once everything that needs privilege is done: after
 * pn_open(), and after the program opened its outputs and its activity log.
 * It
 *  - keeps only the capabilities the open backend still needs (the eBPF
 *    backend none; the netlink backend CAP_SYS_PTRACE, to read /proc/PID/exe
 *    and cwd of other users' processes at each exec), and clears every other
 *    one from the effective, permitted, inheritable, ambient and (with
 *    CAP_SETPCAP) bounding sets, with securebits locked so that uid 0 gains
 *    none back;
 *  - sets no_new_privs;
 *  - installs a seccomp filter allowing only the system calls of the steady
 *    state: the event loop, a resync (a new BPF task iterator, or /proc),
 *    writing and reopening files, an SQLite log, threads, signals and exit;
 *    and when an output opened before it will reconnect (syslog, journald),
 *    socket() of that output's family and type only, connect() and poll();
 *    for journald also memfd_create() (a message too large for a datagram
 *    goes in a sealed memfd) and setsockopt(SOL_SOCKET, SO_SNDBUF).
 *    Any other system call kills the process with SIGSYS (the kernel logs
 *    the call's number: `dmesg | grep 'type=1326'`).
 *
 * Capabilities belong to each thread: threads already running (a log's
 * writer) drop theirs in a handler of a real-time signal (SIGRTMIN + 3,
 * its previous action restored), so none may block it (-EBUSY, checked in
 * /proc). Threads started afterwards inherit the sandbox. Returns 0 or
 * -errno, with the reason in err.
 */
#ifndef PROCNOTIFY_SANDBOX_H
#define PROCNOTIFY_SANDBOX_H

#include <stddef.h>
#include "procnotify.h"
#include "procnotify/export.h"

#ifdef __cplusplus
extern "C" {
#endif

PN_EXPORT int pn_sandbox(pn_handle *h, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
