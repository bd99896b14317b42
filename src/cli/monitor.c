/* The live monitor: open the library, register the sink, loop until told to stop. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

/* No SA_RESTART: the signal must interrupt the wait in pn_poll(). */
static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static int open_output(const struct monitor_opts *o)
{
	int fd;

	if (!o->output)
		return STDOUT_FILENO;
	fd = open(o->output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		fprintf(stderr, "procnotify: cannot open %s: %s\n", o->output, strerror(errno));
	return fd;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void print_summary(pn_handle *h)
{
	pn_stats st;

	if (pn_get_stats(h, &st))
		return;
	fprintf(stderr,
		"procnotify: %llu events: fork %llu, exec %llu, exit %llu; lost %llu "
		"(fork %llu, exec %llu, exit %llu)\n",
		(unsigned long long)(st.delivered[PN_EVENT_FORK] + st.delivered[PN_EVENT_EXEC] +
				     st.delivered[PN_EVENT_EXIT] + st.delivered[PN_EVENT_LOST]),
		(unsigned long long)st.delivered[PN_EVENT_FORK],
		(unsigned long long)st.delivered[PN_EVENT_EXEC],
		(unsigned long long)st.delivered[PN_EVENT_EXIT], (unsigned long long)st.lost,
		(unsigned long long)st.lost_by_type[PN_EVENT_FORK],
		(unsigned long long)st.lost_by_type[PN_EVENT_EXEC],
		(unsigned long long)st.lost_by_type[PN_EVENT_EXIT]);
}

static int run_loop(pn_handle *h, struct sink *s, double duration_s)
{
	double end = duration_s > 0 ? now_s() + duration_s : 0;
	int rc = 0;

	while (!stop_signal && !s->failed) {
		int timeout = end ? (int)((end - now_s()) * 1000) : -1;

		if (end && timeout <= 0)
			break;
		rc = pn_poll(h, timeout);
		if (rc == -EINTR)
			rc = 0;
		if (rc < 0)
			break;
		rc = 0;
		sink_flush(s);
	}
	/* Deliver what the kernel produced before we stopped. */
	if (rc == 0 && pn_flush(h) >= 0)
		sink_flush(s);
	return rc;
}

static int monitor(const struct monitor_opts *o, int fd)
{
	struct monitor_opts opts = *o;
	struct sink sink;
	pn_handle *h = NULL;
	int rc = pn_open(&h, &opts.lib);

	if (rc) {
		fprintf(stderr, "procnotify: %s\n", opts.lib.errmsg);
		return PN_EXIT_FAIL;
	}
	sink_init(&sink, fd, o->format);
	pn_register(h, o->types, sink_event, &sink);
	if (o->format == PN_OUT_TABLE && !o->no_header) {
		pn_fmt_table_header(&sink.buf);
		sink_flush(&sink);
	}
	fprintf(stderr, "procnotify: ready (backend %s)\n", pn_backend_name(h));
	rc = run_loop(h, &sink, o->duration_s);
	if (rc < 0)
		fprintf(stderr, "procnotify: %s\n", pn_strerror(rc));
	if (sink.failed && sink.failed != EPIPE)
		fprintf(stderr, "procnotify: writing events: %s\n", strerror(sink.failed));
	print_summary(h);
	pn_close(h);
	sink_free(&sink);
	return rc < 0 || (sink.failed && sink.failed != EPIPE) ? PN_EXIT_FAIL : PN_EXIT_OK;
}

int pn_cli_monitor(int argc, char **argv)
{
	struct monitor_opts o;
	int rc = pn_cli_parse_monitor(argc, argv, &o), fd;

	if (rc)
		return rc < 0 ? PN_EXIT_OK : rc;
	fd = open_output(&o);
	if (fd < 0)
		return PN_EXIT_FAIL;
	install_signals();
	rc = monitor(&o, fd);
	if (fd != STDOUT_FILENO)
		close(fd);
	return rc;
}
