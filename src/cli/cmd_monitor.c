/* The live monitor: open the library, register the sink, loop until told to stop. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "outfile.h"

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

/* What the loop feeds: the output sink and, with --db, the activity log. */
struct consumers {
	struct sink sink;
	pn_store *store;
};

static int consumers_ok(const struct consumers *c)
{
	return !c->sink.failed && !(c->store && pn_store_failed(c->store));
}

/* Writes out what the last delivery produced; the log commits a batch
 * when one is due, so a crash loses at most PN_STORE_BATCH_MS of events. */
static void consumers_flush(struct consumers *c)
{
	sink_flush(&c->sink);
	if (c->store)
		pn_store_tick(c->store);
}

/* The shorter of two waits, where -1 is forever. */
static int min_wait(int a, int b)
{
	return a < 0 ? b : b < 0 ? a : a < b ? a : b;
}

static int run_loop(pn_handle *h, struct consumers *c, double duration_s)
{
	double end = duration_s > 0 ? now_s() + duration_s : 0;
	int rc = 0;

	while (!stop_signal && consumers_ok(c)) {
		int timeout = end ? (int)((end - now_s()) * 1000) : -1;

		if (end && timeout <= 0)
			break;
		/* On an idle machine pn_poll() sleeps until the next event: the
		 * log's pending batch must not wait for it. */
		if (c->store)
			timeout = min_wait(timeout, pn_store_due_ms(c->store));
		rc = pn_poll(h, timeout);
		if (rc == -EINTR)
			rc = 0;
		if (rc < 0)
			break;
		rc = 0;
		consumers_flush(c);
	}
	/* Deliver what the kernel produced before we stopped. */
	if (rc == 0 && pn_flush(h) >= 0)
		consumers_flush(c);
	return rc;
}

/* Opens the log before monitoring starts, so a bad file stops us early. */
static int open_store(const struct monitor_opts *o, pn_store **out)
{
	char err[256];
	int rc;

	*out = NULL;
	if (!o->db)
		return 0;
	rc = pn_store_open(out, o->db, PN_STORE_WRITE, &o->db_opt, err, sizeof(err));
	if (rc)
		fprintf(stderr, "procnotify: %s: %s\n", o->db, err);
	return rc;
}

/* Commits the last batch and says what went wrong with the log, if anything. */
static int close_store(pn_store *store, const char *path)
{
	int rc;

	if (!store)
		return 0;
	rc = pn_store_failed(store);
	if (rc)
		fprintf(stderr, "procnotify: %s: %s\n", path, pn_store_errmsg(store));
	if (pn_store_close(store) && !rc) {
		fprintf(stderr, "procnotify: %s: the last events could not be saved\n", path);
		rc = -EIO;
	}
	return rc;
}

static void register_consumers(pn_handle *h, const struct monitor_opts *o, struct consumers *c)
{
	pn_register(h, o->types, sink_event, &c->sink);
	/* The log keeps every event, whatever --types shows. */
	if (c->store)
		pn_register(h, PN_MASK_ALL, pn_store_event, c->store);
	if (o->format == PN_OUT_TABLE && !o->no_header) {
		pn_fmt_table_header(&c->sink.buf);
		sink_flush(&c->sink);
	}
}

static int monitor(const struct monitor_opts *o, int fd)
{
	struct monitor_opts opts = *o;
	struct consumers c;
	pn_handle *h = NULL;
	int rc, store_rc;

	if (open_store(o, &c.store))
		return PN_EXIT_FAIL;
	rc = pn_open(&h, &opts.lib);
	if (rc) {
		fprintf(stderr, "procnotify: %s\n", opts.lib.errmsg);
		close_store(c.store, o->db);
		return PN_EXIT_FAIL;
	}
	sink_init(&c.sink, fd, o->format);
	register_consumers(h, o, &c);
	fprintf(stderr, "procnotify: ready (backend %s)\n", pn_backend_name(h));
	rc = run_loop(h, &c, o->duration_s);
	if (rc < 0)
		fprintf(stderr, "procnotify: %s\n", pn_strerror(rc));
	if (c.sink.failed && c.sink.failed != EPIPE)
		fprintf(stderr, "procnotify: writing events: %s\n", strerror(c.sink.failed));
	print_summary(h);
	pn_close(h);
	store_rc = close_store(c.store, o->db);
	sink_free(&c.sink);
	return rc < 0 || store_rc || (c.sink.failed && c.sink.failed != EPIPE) ? PN_EXIT_FAIL
										   : PN_EXIT_OK;
}

int pn_cli_monitor(int argc, char **argv)
{
	struct monitor_opts o;
	struct pn_outfile out = { .fd = STDOUT_FILENO, .dirfd = -1 };
	int rc = pn_cli_parse_monitor(argc, argv, &o);

	if (rc)
		return rc < 0 ? PN_EXIT_OK : rc;
	if (o.output && pn_cli_outfile_open(&out, o.output) < 0)
		return PN_EXIT_FAIL;
	/* The log is opened by the store; its file gets the same checks first. */
	if (o.db && pn_cli_check_private(o.db)) {
		pn_cli_outfile_close(&out);
		return PN_EXIT_FAIL;
	}
	install_signals();
	rc = monitor(&o, out.fd);
	if (o.output)
		pn_cli_outfile_close(&out);
	return rc;
}
