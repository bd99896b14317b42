/* An exec's arguments, read from its caller while it waits (exec_argv.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include "procfs.h"
#include "exec_argv.h"

/* /proc/PID/syscall: "NR arg0 arg1 ..." while the task sleeps in a system
 * call; "running" (or EAGAIN) when it was found awake. */
static ssize_t read_syscall(uint32_t pid, char *buf, size_t size)
{
	int trunc;
	ssize_t n = pn__procfs_read(pid, "syscall", buf, size - 1, &trunc);

	if (n > 0)
		buf[n] = 0;
	return n > 0 && !strncmp(buf, "running", 7) ? -EAGAIN : n;
}

/* The argv pointer of the execve (arg1) or execveat (arg2) pid waits in;
 * 0 when it waits elsewhere or cannot be read. */
static uint64_t argv_pointer(uint32_t pid)
{
	char buf[256];
	unsigned long long a[6];
	long nr;
	ssize_t n = -EAGAIN;

	/* The task waits for the answer on the group's queue, which every
	 * other answer wakes for a moment: it is then found running. A few
	 * tries, 4 ms at most. */
	for (int i = 0; i < 20 && n == -EAGAIN; i++) {
		if (i)
			nanosleep(&(struct timespec){ 0, 200000 }, NULL);
		n = read_syscall(pid, buf, sizeof(buf));
	}
	if (n <= 0 || sscanf(buf, "%ld %llx %llx %llx %llx", &nr, &a[0], &a[1], &a[2], &a[3]) != 5)
		return 0;
	if (nr == SYS_execve)
		return a[1];
	if (nr == SYS_execveat)
		return a[2];
	return 0;
}

static ssize_t peek(uint32_t pid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len }, remote = { (void *)(uintptr_t)addr, len };

	return process_vm_readv((pid_t)pid, &local, 1, &remote, 1, 0);
}

/* One argument at addr, NUL included, into out; its length, or -1. */
static ssize_t peek_string(uint32_t pid, uint64_t addr, char *out, size_t cap)
{
	size_t got = 0;

	/* Page by page: a string may end just before an unmapped page. */
	while (got < cap) {
		size_t chunk = 4096 - ((addr + got) & 4095);
		ssize_t n;
		char *nul;

		if (chunk > cap - got)
			chunk = cap - got;
		n = peek(pid, addr + got, out + got, chunk);
		if (n <= 0)
			return -1;
		nul = memchr(out + got, 0, (size_t)n);
		if (nul)
			return nul - out;
		got += (size_t)n;
	}
	return -1;
}

long pn__exec_argv_read(uint32_t pid, char *buf, size_t cap, uint32_t *argc, int *truncated)
{
	uint64_t vec = argv_pointer(pid), ptr;
	size_t used = 0;

	*argc = 0;
	*truncated = 0;
	if (!vec)
		return -1;
	for (;; (*argc)++) {
		ssize_t n;

		if (peek(pid, vec + *argc * sizeof(ptr), &ptr, sizeof(ptr)) != sizeof(ptr))
			return -1;
		if (!ptr)
			break;
		n = peek_string(pid, ptr, buf + used, cap - used);
		if (n < 0) { /* longer than the room left: cut here */
			*truncated = 1;
			break;
		}
		used += (size_t)n + 1;
	}
	return (long)used;
}
