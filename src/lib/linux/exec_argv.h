/*
 * The arguments of an exec that has not happened yet, from the caller's
 * memory while it waits in execve(2) for the monitor's answer: the argv
 * pointer from /proc/PID/syscall, the strings by process_vm_readv(2).
 */
#ifndef PN_EXEC_ARGV_H
#define PN_EXEC_ARGV_H
#include <stddef.h>
#include <stdint.h>

/* Reads pid's exec arguments into buf (cap bytes, each argument followed
 * by one NUL): their length in buf, or -1 when they cannot be read (the
 * process waits elsewhere, or its memory is out of reach). *argc is the
 * count read; *truncated when the room ran out first. */
long pn__exec_argv_read(uint32_t pid, char *buf, size_t cap, uint32_t *argc, int *truncated);
#endif
