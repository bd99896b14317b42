/*
 * Processes with known, awkward lifecycles for the end-to-end tests. Each
 * mode ends the process in one precise way the monitor must report right.
 *
 *   workload exit CODE            exit(CODE)
 *   workload linger CODE ARG...   exit(CODE) after 300 ms, long enough for a
 *                                 backend that reads /proc after the exec on a
 *                                 quiet machine; with PN_LINGER_STDIN=1, only
 *                                 once a line (or EOF) comes on stdin: the
 *                                 test sends it when the monitors have shown
 *                                 the exec, however late that is
 *   workload signal SIG           kill itself with SIG (core dumps disabled)
 *   workload segv                 a real SIGSEGV from a bad store
 *   workload core                 the same, dumping core (into the cwd when
 *                                 core_pattern is a file name)
 *   workload threads N CODE       N threads exit first, then exit(CODE)
 *   workload leader-exit CODE     main thread pthread_exit()s; a second thread
 *                                 exits the process with CODE later
 *   workload thread-exec PATH ARG...  a non-leader thread calls execv(PATH)
 *   workload raw-thread-exit CODE last thread leaves with SYS_exit, not exit_group
 */
#include <pthread.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/syscall.h>

static int code_arg;
static char **exec_argv;

static void *thread_exit_now(void *arg)
{
	return arg;
}

static void *thread_exit_process_later(void *arg)
{
	usleep(50000); /* let the leader finish pthread_exit() first */
	exit(code_arg);
}

static void *thread_exec(void *arg)
{
	execv(exec_argv[0], exec_argv);
	perror("execv");
	exit(127);
}

static void *thread_raw_exit_later(void *arg)
{
	usleep(50000);
	syscall(SYS_exit, code_arg);
	return NULL;
}

static int run_threads(int n, int code)
{
	pthread_t t[64];

	if (n > 64)
		n = 64;
	for (int i = 0; i < n; i++)
		pthread_create(&t[i], NULL, thread_exit_now, NULL);
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	return code;
}

static void leader_exit(void *(*fn)(void *))
{
	pthread_t t;

	pthread_create(&t, NULL, fn, NULL);
	pthread_exit(NULL);
}

static void linger(void)
{
	const char *gated = getenv("PN_LINGER_STDIN");
	char c;

	if (!gated || strcmp(gated, "1")) {
		usleep(300000);
		return;
	}
	while (read(0, &c, 1) == 1 && c != '\n')
		;
}

int main(int argc, char **argv)
{
	struct rlimit no_core = { 0, 0 };

	if (argc < 3) {
		fprintf(stderr, "usage: workload MODE ARG...\n");
		return 2;
	}
	if (strcmp(argv[1], "core"))
		setrlimit(RLIMIT_CORE, &no_core);
	code_arg = atoi(argv[argc - 1]);
	if (!strcmp(argv[1], "exit"))
		return atoi(argv[2]);
	if (!strcmp(argv[1], "linger")) {
		linger();
		return atoi(argv[2]);
	}
	if (!strcmp(argv[1], "signal")) {
		kill(getpid(), atoi(argv[2]));
		pause();
	}
	if (!strcmp(argv[1], "segv") || !strcmp(argv[1], "core")) {
		volatile int *p = (int *)(uintptr_t)atoi(argv[2]);

		*p = 1;
	}
	if (!strcmp(argv[1], "threads") && argc > 3)
		return run_threads(atoi(argv[2]), atoi(argv[3]));
	if (!strcmp(argv[1], "leader-exit"))
		leader_exit(thread_exit_process_later);
	if (!strcmp(argv[1], "raw-thread-exit"))
		leader_exit(thread_raw_exit_later);
	if (!strcmp(argv[1], "thread-exec")) {
		pthread_t t;

		exec_argv = argv + 2;
		pthread_create(&t, NULL, thread_exec, NULL);
		pause();
	}
	fprintf(stderr, "workload: unknown mode %s\n", argv[1]);
	return 2;
}
