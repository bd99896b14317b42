/*
 * LD_PRELOAD shim for test_faults.py: makes one libbpf call of the monitor
 * fail, so the set-up steps no kernel refusal reaches (opening the BPF
 * object, counting the CPUs, sizing the maps, making the task iterator)
 * run their error paths; and for test_enforce.py, one pthread_create()
 * (the enforcer's second or third thread: a seccomp filter can refuse
 * every clone, not the Nth).
 * PN_FAIL_LIBBPF=NAME[:N] fails the Nth call (the first by default) of
 * NAME; every other call goes to libbpf.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <bpf/libbpf.h>

static int failing(const char *name)
{
	static int calls;
	const char *want = getenv("PN_FAIL_LIBBPF");
	size_t n = strlen(name);

	if (!want || strncmp(want, name, n) || (want[n] && want[n] != ':'))
		return 0;
	return ++calls == (want[n] ? atoi(want + n + 1) : 1);
}

#define REAL(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

int bpf_object__open_skeleton(struct bpf_object_skeleton *s, const struct bpf_object_open_opts *o)
{
	return failing("bpf_object__open_skeleton") ? -ENOEXEC : REAL(bpf_object__open_skeleton)(s, o);
}

int libbpf_num_possible_cpus(void)
{
	return failing("libbpf_num_possible_cpus") ? -EIO : REAL(libbpf_num_possible_cpus)();
}

int bpf_map__set_max_entries(struct bpf_map *map, __u32 max_entries)
{
	return failing("bpf_map__set_max_entries") ? -EINVAL :
	       REAL(bpf_map__set_max_entries)(map, max_entries);
}

struct bpf_link *bpf_program__attach_iter(const struct bpf_program *p,
					  const struct bpf_iter_attach_opts *o)
{
	if (failing("bpf_program__attach_iter")) {
		errno = EMFILE;
		return NULL;
	}
	return REAL(bpf_program__attach_iter)(p, o);
}

int pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*fn)(void *), void *arg)
{
	return failing("pthread_create") ? EAGAIN : REAL(pthread_create)(t, a, fn, arg);
}
