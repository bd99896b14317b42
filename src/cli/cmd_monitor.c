/* The live monitor: open the library, register the sink and the other
 * consumers, loop until told to stop (its options: monitor_opts.c). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "clock.h"
#include "notify.h"
#include "outfile.h"
#include "outputs.h"
#include "reload.h"
#include "enforce.h"
#include "procnotify/sandbox.h"

static volatile sig_atomic_t stop_signal, reload_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

static void on_reload(int sig)
{
	reload_signal = sig;
}

/* No SA_RESTART: the signal must interrupt the wait in pn_poll(). */
static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_reload;
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static double now_s(void)
{
	return (double)pn__clock_ns(CLOCK_MONOTONIC) / PN_NS_PER_SEC;
}

/* "procnotify: N events: fork N, exec N, exit N; lost N (fork N, exec N,
 * exit N)", and any other type with a count after exit; then the losses of
 * unknown count, if any. */
static void print_summary(pn_handle *h)
{
	pn_stats st = PN_STATS_INIT;
	pn_buf b = { 0 };
	uint64_t total = 0, by_type[PN_EVENT_TYPE_MAX] = { 0 };

	if (pn_get_stats(h, &st))
		return;
	memcpy(by_type, st.delivered, sizeof(st.delivered));
	by_type[PN_EVENT_DENY] = st.delivered_deny;
	for (int t = 0; t < PN_EVENT_TYPE_MAX; t++)
		total += by_type[t];
	pn_buf_printf(&b, "procnotify: %llu events: ", (unsigned long long)total);
	pn_fmt_type_counts(&b, by_type, PN_EVENT_TYPE_MAX);
	pn_buf_printf(&b, "; lost %llu (", (unsigned long long)st.lost);
	pn_fmt_type_counts(&b, st.lost_by_type, PN_LOST_SLOTS);
	pn_buf_putc(&b, ')');
	/* The netlink connector says that it lost, never how much: each loss
	 * of unknown count is one record or more. */
	if (st.lost_unknown)
		pn_buf_printf(&b, " and %llu losses of unknown count, at least %llu records",
			      (unsigned long long)st.lost_unknown,
			      (unsigned long long)(st.lost + st.lost_unknown));
	/* Not lost: the rules asked for it (README, Rules). */
	if (st.dropped)
		pn_buf_printf(&b, "; dropped by rules %llu", (unsigned long long)st.dropped);
	pn_buf_putc(&b, '\n');
	if (!b.oom)
		fputs(b.data, stderr);
	pn_buf_free(&b);
}

/* What the loop feeds: the output sink and, with --db, the activity log. */
struct consumers {
	struct sink sink;
	pn_store *store;
	struct pn_cli_outputs outs;
	struct pn_outfile *out;  /* the sink's file with -o, to reopen */
	const struct monitor_opts *o;
	uint32_t types;          /* the sink's mask: o->types, or the last reload's */
	int argc;                /* the command line, to read the options again */
	char **argv;
	int upgrading;           /* the log's schema before its upgrade, while it runs */
	double upgrade_start;
};

/* The log's migration runs on its own thread while the monitor watches
 * (PN_STORE_WRITE_UPGRADE_LATER): said when it begins, with the ready
 * line, and when it ends, since until then the log takes no event. */
static void upgrade_news(struct consumers *c)
{
	int from = c->store ? pn_store_upgrading(c->store) : 0;

	if (from && !c->upgrading) {
		fprintf(stderr, "procnotify: %s: upgrading the log from schema %d to %d; its "
				"events wait for it\n", c->o->db, from, PN_STORE_SCHEMA_VERSION);
		c->upgrade_start = now_s();
	} else if (!from && c->upgrading && !pn_store_failed(c->store)) {
		fprintf(stderr, "procnotify: %s: upgraded the log to schema %d in %.1f s\n",
			c->o->db, PN_STORE_SCHEMA_VERSION, now_s() - c->upgrade_start);
	}
	c->upgrading = from;
}

static int consumers_ok(const struct consumers *c)
{
	return !c->sink.failed && !(c->store && pn_store_failed(c->store));
}

/* The events the log or an output missed (it fell behind), as a lost
 * record in the other streams too; at the end, once the log has written
 * what it could. */
static void losses_to_streams(struct consumers *c, int final)
{
	pn_event lost;

	pn_cli_outputs_losses(&c->outs, &c->sink, c->store);
	if (!c->store)
		return;
	if (final)
		pn_store_commit(c->store);
	if (pn_store_take_lost(c->store, &lost)) {
		sink_event(&lost, &c->sink);
		pn_cli_outputs_event(&c->outs, &lost, NULL);
	}
}

/* Writes out what the last delivery produced. The log writes on its own
 * thread and commits a batch every PN_STORE_BATCH_MS. */
static void consumers_flush(struct consumers *c)
{
	if (c->upgrading)
		upgrade_news(c);
	losses_to_streams(c, 0);
	sink_flush(&c->sink);
}

/* The options read again; only the types shown change live (reload.c). */
static void reload_config(pn_handle *h, struct consumers *c)
{
	struct monitor_opts fresh;

	if (pn_cli_parse_monitor(c->argc, c->argv, &fresh)) {
		fprintf(stderr, "procnotify: reload: keeping the running options\n");
		return;
	}
	pn_cli_reload_fixed(c->o, &fresh);
	/* Between two deliveries: every event sees the old set or the new. */
	pn_set_rules(h, fresh.rules);
	pn_cli_enforce_reload(h, fresh.rules);
	if (fresh.rule_srcs.n)
		fprintf(stderr, "procnotify: reload: %u rules\n", pn_rules_count(fresh.rules, 0));
	if (fresh.types != c->types) {
		pn_unregister(h, sink_event, &c->sink);
		pn_register(h, fresh.types, sink_event, &c->sink);
		pn_cli_outputs_unregister(&c->outs, h);
		pn_cli_outputs_register(&c->outs, h, fresh.types);
		c->types = fresh.types;
	}
	pn_cli_monitor_opts_free(&fresh);
}

/* SIGHUP, between two deliveries: everything rendered so far is written to
 * the old file, everything after goes to the new one, so a rotation loses
 * and repeats nothing. A file that cannot be reopened leaves the old one in
 * use (the reason is on stderr). Then the config is read again. */
static void reload(pn_handle *h, struct consumers *c)
{
	pn_cli_notify("RELOADING=1");
	if (c->out->dirfd >= 0 && pn_cli_outfile_reopen(c->out) == 0 &&
	    c->o->format == PN_OUT_TABLE && !c->o->no_header) {
		pn_fmt_table_header(&c->sink.buf);
		sink_flush(&c->sink);
	}
	reload_config(h, c);
	pn_cli_notify("READY=1");
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
		/* An idle monitor sleeps in pn_poll(): wake for the watchdog. */
		timeout = min_wait(timeout, pn_cli_notify_watchdog());
		rc = pn_poll(h, timeout);
		if (rc == -EINTR)
			rc = 0;
		if (rc < 0)
			break;
		rc = 0;
		consumers_flush(c);
		if (reload_signal) {
			reload_signal = 0;
			reload(h, c);
		}
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
	/* An old log's migration (some 20 s for 8.6 million events) runs on
	 * the log's thread while the monitor already watches. */
	rc = pn_store_open(out, o->db, PN_STORE_WRITE_UPGRADE_LATER, &o->db_opt, err,
			   sizeof(err));
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
		pn_register(h, PN_MASK_ALL | PN_MASK(PN_EVENT_SNAPSHOT), pn_store_event, c->store);
	pn_cli_outputs_register(&c->outs, h, o->types);
	if (o->format == PN_OUT_TABLE && !o->no_header) {
		pn_fmt_table_header(&c->sink.buf);
		sink_flush(&c->sink);
	}
}

/* Everything that needs privilege is done: the backend is attached, the
 * start-up snapshot taken, the outputs, the log and the notify socket are
 * open. */
static int enter_sandbox(const struct monitor_opts *o, pn_handle *h)
{
	char err[256];

	if (o->no_sandbox || !pn_sandbox(h, err, sizeof(err)))
		return 0;
	fprintf(stderr, "procnotify: %s\n", err);
	return -1;
}

/* The log and the outputs, before the library: a bad file or target stops
 * us early. */
static int open_consumers(const struct monitor_opts *o, struct consumers *c)
{
	if (open_store(o, &c->store))
		return -1;
	if (pn_cli_outputs_open(&c->outs, o) == 0)
		return 0;
	pn_cli_outputs_close(&c->outs);
	close_store(c->store, o->db);
	return -1;
}

/* After the drop: the writer threads start with what is left. */
static int start_consumers(struct consumers *c)
{
	if (c->store && pn_store_start(c->store))
		return -1;
	return pn_cli_outputs_start(&c->outs);
}

/* The outputs write what they can, and every stream learns what the log
 * and the outputs missed, before the summary. */
static void finish_consumers(struct consumers *c)
{
	pn_cli_outputs_drain(&c->outs);
	losses_to_streams(c, 1);
	upgrade_news(c);
	sink_flush(&c->sink);
}

static int monitor(const struct monitor_opts *o, struct pn_outfile *out, int argc, char **argv)
{
	struct monitor_opts opts = *o;
	struct consumers c = { 0 };
	pn_handle *h = NULL;
	int rc, store_rc;

	if (open_consumers(o, &c))
		return PN_EXIT_FAIL;
	rc = pn_open(&h, &opts.lib);
	if (rc) {
		fprintf(stderr, "procnotify: %s\n", opts.lib.errmsg);
		pn_cli_outputs_close(&c.outs);
		close_store(c.store, o->db);
		return PN_EXIT_FAIL;
	}
	sink_init(&c.sink, out->fd, o->format);
	c.sink.ecs.host_id = pn_cli_machine_id();
	c.out = out;
	c.o = o;
	c.types = o->types;
	c.argc = argc;
	c.argv = argv;
	pn_set_rules(h, o->rules);
	register_consumers(h, o, &c);
	if ((rc = pn_cli_enforce_start(h, o))) {
		pn_close(h);
		pn_cli_outputs_close(&c.outs);
		close_store(c.store, o->db);
		sink_free(&c.sink);
		return rc;
	}
	rc = enter_sandbox(o, h);
	if (rc == 0)
		rc = start_consumers(&c);
	if (rc == 0) {
		fprintf(stderr, "procnotify: ready (backend %s)\n", pn_backend_name(h));
		upgrade_news(&c);
		pn_cli_notify("READY=1");
		rc = run_loop(h, &c, o->duration_s);
		pn_cli_notify("STOPPING=1");
		/* The loop's error: a start that failed has said why, and its
		 * -1 names no error of its own. */
		if (rc < 0)
			fprintf(stderr, "procnotify: %s\n", pn_strerror(rc));
	}
	if (c.sink.failed && c.sink.failed != EPIPE)
		fprintf(stderr, "procnotify: writing events: %s\n", strerror(c.sink.failed));
	finish_consumers(&c);
	print_summary(h);
	pn_cli_enforce_summary(h);
	pn_cli_outputs_summary(&c.outs);
	pn_close(h);
	pn_cli_outputs_close(&c.outs);
	store_rc = close_store(c.store, o->db);
	sink_free(&c.sink);
	return rc < 0 || store_rc || (c.sink.failed && c.sink.failed != EPIPE) ? PN_EXIT_FAIL
										   : PN_EXIT_OK;
}

/* Opens what the monitor writes, refusing files it must not, then runs it. */
static int open_and_monitor(const struct monitor_opts *o, struct pn_outfile *out, int argc,
			    char **argv)
{
	int rc;

	if (o->output && pn_cli_outfile_open(out, o->output) < 0)
		return PN_EXIT_FAIL;
	/* The log is opened by the store; its file gets the same checks first. */
	if (o->db && pn_cli_check_private(o->db))
		return PN_EXIT_FAIL;
	install_signals();
	pn_cli_notify_open();
	rc = monitor(o, out, argc, argv);
	pn_cli_notify_close();
	return rc;
}

int pn_cli_monitor(int argc, char **argv)
{
	struct monitor_opts o;
	struct pn_outfile out = { .fd = STDOUT_FILENO, .dirfd = -1 };
	int rc = pn_cli_parse_monitor(argc, argv, &o);

	if (rc)
		return rc < 0 ? PN_EXIT_OK : rc;
	rc = o.check_config ? PN_EXIT_OK : open_and_monitor(&o, &out, argc, argv);
	if (o.output)
		pn_cli_outfile_close(&out);
	pn_cli_monitor_opts_free(&o);
	return rc;
}
