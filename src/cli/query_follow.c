/*
 * `procnotify query --follow`: after the events so far, the new ones as
 * the monitor commits them, like `tail -f`.
 *
 * The monitor commits a batch every 200 ms at most while events come, and
 * each commit writes the log's WAL file (FILE-wal). The follower sleeps in
 * poll() on an inotify watch of the log's directory and wakes when that
 * file (or the log itself, after a checkpoint) is written or created: on
 * an idle machine it wakes for nothing, in a storm once per commit. Each
 * wake reads the rows past the last one printed, up to the newest there
 * is, so no row is printed twice or missed. A WAL log is only ever
 * shared on one host (its readers and writer share memory), where inotify
 * sees every write. When no watch can be made (no inotify instance left)
 * the follower looks every FALLBACK_MS instead: a delay a person watching
 * a terminal does not notice, for one indexed max(id) a second.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/inotify.h>
#include "query.h"

#define FALLBACK_MS 1000

static volatile sig_atomic_t stop_follow;

static void on_stop(int sig)
{
	(void)sig;
	stop_follow = 1;
}

/* SIGINT and SIGTERM end the follow (exit 0); poll() returns at once. */
static void catch_stop(void)
{
	struct sigaction sa = { .sa_handler = on_stop };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* An inotify watch of the directory of db, or -1 (the fallback polls). */
static int watch_dir(const char *db, const char **base)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(db, '/');
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	*base = slash ? slash + 1 : db;
	if (slash && (size_t)(slash - db) >= sizeof(dir))
		slash = NULL;
	if (slash && slash == db)
		strcpy(dir, "/");
	else if (slash)
		memcpy(dir, db, (size_t)(slash - db)), dir[slash - db] = 0;
	else
		strcpy(dir, ".");
	if (fd >= 0 && inotify_add_watch(fd, dir, IN_MODIFY | IN_CREATE | IN_MOVED_TO) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* Drains the watch; 1 when one of the events names the log or its WAL. */
static int log_written(int fd, const char *base)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	size_t n = strlen(base);
	ssize_t len;
	int hit = 0;

	while ((len = read(fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + len;) {
			const struct inotify_event *e = (const struct inotify_event *)p;

			hit |= e->len && !strncmp(e->name, base, n) &&
			       (!e->name[n] || !strcmp(e->name + n, "-wal"));
			p += sizeof(*e) + e->len;
		}
	}
	return hit;
}

/* Prints the rows past run->last_id; 0 or -errno. */
static int print_new(pn_store *s, struct query_run *run, pn_store_event_fn fn)
{
	pn_store_where w = run->q->w;
	int64_t last;
	int rc = pn_store_last_id(s, &last);

	if (rc || last <= run->last_id)
		return rc;
	w.after_id = run->last_id;
	w.upto_id = last;
	rc = pn_store_query_where(s, &w, fn, run);
	run->last_id = last;
	if (rc >= 0)
		rc = sink_flush(&run->sink);
	return rc < 0 ? rc : 0;
}

int query_follow(pn_store *s, struct query_run *run, pn_store_event_fn fn)
{
	const char *base;
	int fd = watch_dir(run->q->db, &base), rc = 0;
	struct pollfd p = { .fd = fd, .events = POLLIN };

	catch_stop();
	while (!rc && !stop_follow) {
		int n = poll(&p, fd >= 0 ? 1 : 0, fd >= 0 ? -1 : FALLBACK_MS);

		if (n < 0 && errno != EINTR)
			rc = -errno;
		else if (!stop_follow && (fd < 0 || (n > 0 && log_written(fd, base))))
			rc = print_new(s, run, fn);
	}
	if (fd >= 0)
		close(fd);
	return rc;
}
