/*
 * The verifier's own figures for each procnotify BPF program: loads the
 * object as the library does and prints, per program, the instructions the
 * verifier processed (bpf_prog_info.verified_insns), its verification time
 * and the states it kept, from the statistics log (log_level 4), and the
 * wall time of the whole load. Used by `make bench` (bench/bpf_cost.py) and
 * by the verifier budget test (tests/suites/21-bpf-verifier.sh).
 *
 * Output: one line per program,
 *   PROG verified_insns=N verify_us=N states=N peak_states=N
 * then `load_ms=X` for the whole object (maps included). Needs root.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "procnotify.skel.h"

#define LOG_SIZE 4096 /* the statistics log is a few lines */
#define MAX_PROGS 16

struct prog_log {
	struct bpf_program *prog;
	char buf[LOG_SIZE];
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The figure after `key` in the verifier's statistics log, or -1. */
static long log_figure(const char *log, const char *key)
{
	const char *p = strstr(log, key);

	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

static void print_prog(const struct prog_log *pl)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(bpf_program__fd(pl->prog), &info, &len)) {
		fprintf(stderr, "bpf_verifier: %s: no program info: %s\n",
			bpf_program__name(pl->prog), strerror(errno));
		return;
	}
	printf("%s verified_insns=%u verify_us=%ld states=%ld peak_states=%ld\n",
	       bpf_program__name(pl->prog), info.verified_insns,
	       log_figure(pl->buf, "verification time "), log_figure(pl->buf, "total_states "),
	       log_figure(pl->buf, "peak_states "));
}

int main(void)
{
	static struct prog_log logs[MAX_PROGS];
	struct bpf_program *prog;
	struct pn_bpf *skel;
	int n = 0, rc, ncpus = libbpf_num_possible_cpus();
	double t0;

	skel = pn_bpf__open();
	if (!skel || ncpus < 0) {
		fprintf(stderr, "bpf_verifier: cannot open the BPF object\n");
		return 1;
	}
	/* Sized as the library sizes them, so the load is the library's. */
	skel->rodata->nr_cpus = ncpus;
	bpf_map__set_max_entries(skel->maps.scratch_map, ncpus + 1);
	bpf_map__set_max_entries(skel->maps.drops, ncpus);
	bpf_object__for_each_program(prog, skel->obj) {
		if (n == MAX_PROGS)
			break;
		logs[n].prog = prog;
		bpf_program__set_log_buf(prog, logs[n].buf, LOG_SIZE);
		bpf_program__set_log_level(prog, 4); /* statistics only */
		n++;
	}
	t0 = now_ms();
	rc = pn_bpf__load(skel);
	if (rc) {
		fprintf(stderr, "bpf_verifier: load failed: %s\n", strerror(-rc));
		pn_bpf__destroy(skel);
		return 1;
	}
	for (int i = 0; i < n; i++)
		print_prog(&logs[i]);
	printf("load_ms=%.1f\n", now_ms() - t0);
	pn_bpf__destroy(skel);
	return 0;
}
