/*
 * spawn_storm: the workload of the storm benchmark. Starts N processes of a
 * program (default /bin/true) with posix_spawn, keeping J in flight, records
 * every child's pid and the CLOCK_REALTIME instant its exec had completed,
 * and prints its spawn rate and the CPU time charged to it and its children.
 *
 * glibc's posix_spawn uses CLONE_VFORK, so it returns only once the child has
 * exec'd: the stamp taken then is just after the kernel's exec event.
 *
 * Usage: spawn_storm [-n N] [-j INFLIGHT] [-r RATE] [-o PIDFILE] [-p PROGRAM]
 * Output (stdout, one line of key=value):
 *   n= inflight= elapsed_s= rate= failed= self_user_s= self_sys_s= child_user_s= child_sys_s=
 */
#include <errno.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

struct storm {
	long n;            /* processes to start */
	int inflight;      /* children alive at once, at most */
	double rate;       /* spawns per second; 0: as fast as possible */
	const char *pidfile;
	const char *program;
	long failed;       /* children that could not start or did not exit 0 */
};

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long long realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static double tv_s(struct timeval tv)
{
	return tv.tv_sec + tv.tv_usec / 1e6;
}

static int usage(void)
{
	fputs("Usage: spawn_storm [-n N] [-j INFLIGHT] [-r RATE] [-o PIDFILE] [-p PROGRAM]\n", stderr);
	return 2;
}

static int parse_args(int argc, char **argv, struct storm *s)
{
	int c;

	*s = (struct storm){ .n = 100000, .inflight = 4, .program = "/bin/true" };
	while ((c = getopt(argc, argv, "n:j:r:o:p:")) != -1) {
		switch (c) {
		case 'n': s->n = atol(optarg); break;
		case 'j': s->inflight = atoi(optarg); break;
		case 'r': s->rate = atof(optarg); break;
		case 'o': s->pidfile = optarg; break;
		case 'p': s->program = optarg; break;
		default: return -1;
		}
	}
	return s->n > 0 && s->inflight > 0 && s->rate >= 0 && optind == argc ? 0 : -1;
}

/* Rate-limited mode: spawn number i is due at start + i / rate. */
static void pace(const struct storm *s, struct timespec start, long i)
{
	struct timespec due = start;
	double off = i / s->rate;

	if (!s->rate)
		return;
	due.tv_sec += (time_t)off;
	due.tv_nsec += (long)((off - (time_t)off) * 1e9);
	if (due.tv_nsec >= 1000000000L)
		due.tv_sec++, due.tv_nsec -= 1000000000L;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, NULL) == EINTR)
		;
}

/* Reaps one child; a child that did not exit 0 counts as a failure. */
static void reap_one(struct storm *s)
{
	int status;

	while (waitpid(-1, &status, 0) < 0)
		if (errno != EINTR)
			return;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		s->failed++;
}

static void run(struct storm *s, FILE *pids)
{
	char *const argv[] = { (char *)s->program, NULL };
	struct timespec start;
	int alive = 0;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (long i = 0; i < s->n; i++) {
		pid_t pid;
		int rc;

		if (alive == s->inflight)
			reap_one(s), alive--;
		pace(s, start, i);
		rc = posix_spawn(&pid, s->program, NULL, NULL, argv, environ);
		if (rc) {
			fprintf(stderr, "spawn_storm: posix_spawn %s: %s\n", s->program, strerror(rc));
			s->failed++;
			continue;
		}
		alive++;
		if (pids)
			fprintf(pids, "%d %lld\n", (int)pid, realtime_ns());
	}
	while (alive--)
		reap_one(s);
}

static void report(const struct storm *s, double elapsed)
{
	struct rusage self, kids;

	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	printf("n=%ld inflight=%d elapsed_s=%.3f rate=%.1f failed=%ld "
	       "self_user_s=%.3f self_sys_s=%.3f child_user_s=%.3f child_sys_s=%.3f\n",
	       s->n, s->inflight, elapsed, s->n / elapsed, s->failed, tv_s(self.ru_utime),
	       tv_s(self.ru_stime), tv_s(kids.ru_utime), tv_s(kids.ru_stime));
}

int main(int argc, char **argv)
{
	struct storm s;
	FILE *pids = NULL;
	double t0;

	if (parse_args(argc, argv, &s))
		return usage();
	if (s.pidfile && !(pids = fopen(s.pidfile, "w"))) {
		fprintf(stderr, "spawn_storm: %s: %s\n", s.pidfile, strerror(errno));
		return 1;
	}
	t0 = mono_s();
	run(&s, pids);
	report(&s, mono_s() - t0);
	if (pids && fclose(pids)) {
		fprintf(stderr, "spawn_storm: writing %s: %s\n", s.pidfile, strerror(errno));
		return 1;
	}
	return s.failed ? 1 : 0;
}
