/*
 * The visitors of `tree` and `report`: a visitor that returns an error
 * stops the walk at once, whichever call it is (an ancestor's enter, a
 * leaf's leave on the way up, a report section's begin, row or end), and
 * its error is what the walk returns; and both read one host when the
 * reader is scoped to it (--host). The log is built through import
 * (jsonlog.h), with two hosts restored from one snapshot: the same key
 * on both.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "check.h"
#include "testdir.h"
#include "jsonlog.h"
#include "procnotify.h"
#include "procnotify/report.h"
#include "procnotify/store.h"

#define NS 1000000000LL
#define DAY 1767312000LL /* 2026-01-02T00:00:00Z */

static char dir[] = "/tmp/pn-test-visitors-XXXXXX";
static char path[256];
static unsigned seq;

/* One event of process pid (key start pid * 1000, its parent's likewise)
 * on host at second t of 2026-01-02, with more members in extra. */
static void one(pn_store *s, const char *type, int t, const char *host, unsigned pid,
		unsigned ppid, const char *extra)
{
	CHECK(import_line(s, "{\"seq\":%u,\"type\":\"%s\",\"time\":\"2026-01-02T00:%02d:%02dZ\","
			  "\"host\":\"%s\",\"pid\":%u,\"ppid\":%u,\"uid\":%u,\"comm\":\"sh\","
			  "\"key\":\"L:00000000000000aa:%u:%u\","
			  "\"parent_key\":\"L:00000000000000aa:%u:%u\"%s}",
			  ++seq, type, t / 60, t % 60, host, pid, ppid, pid % 2 ? 1000 : 0,
			  pid * 1000, pid, ppid * 1000, ppid, extra) == 1);
}

/* Forked at t, its image run (unless NULL) a second later, ended a
 * minute later with code, or by sig (with a core dump for SIGSEGV). */
static void proc(pn_store *s, const char *host, unsigned pid, unsigned ppid, int t,
		 const char *image, int code, int sig)
{
	char x[256] = "";

	one(s, "fork", t, host, pid, ppid, "");
	if (image) {
		snprintf(x, sizeof(x), ",\"image\":\"%s\",\"argv\":[\"%s\"]", image, image);
		one(s, "exec", t + 1, host, pid, ppid, x);
	}
	if (sig)
		snprintf(x, sizeof(x), ",\"exit_code\":null,\"signal\":%d,\"core_dumped\":%s", sig,
			 sig == 11 ? "true" : "false");
	else
		snprintf(x, sizeof(x), ",\"exit_code\":%d,\"signal\":0,\"core_dumped\":false", code);
	one(s, "exit", t + 60, host, pid, ppid, x);
}

/* Host h: 100 (its parent unknown to the log) with children 101 and 102,
 * and 103 under 101. Host g, restored from the same snapshot, later: its
 * own 100 with the same key, and a loss. */
static void write_log(void)
{
	char err[256] = "";
	pn_store *s = NULL;

	CHECK(pn_store_open(&s, path, PN_STORE_WRITE, NULL, err, sizeof(err)) == 0 && s);
	if (!s)
		return;
	proc(s, "h", 100, 1, 100, "/bin/sh", 0, 0);
	proc(s, "h", 101, 100, 200, "/usr/bin/ls", 2, 0);
	proc(s, "h", 102, 100, 300, "/usr/bin/cat", 0, 11);
	proc(s, "h", 103, 101, 400, NULL, 0, 0);
	proc(s, "g", 100, 1, 1000, "/bin/sh", 0, 9);
	CHECK(import_line(s, "{\"seq\":%u,\"type\":\"lost\",\"time\":\"2026-01-02T00:30:00Z\","
			  "\"host\":\"g\",\"count\":4}", ++seq) == 1);
	CHECK(pn_store_close(s) == 0);
}

/* ---- a visitor that stops at its nth call ---- */

static struct stopper {
	int calls, stop_at;     /* stop_at 0: never */
	char trace[512];        /* what was called: E<pid>@<depth> L@<depth> */
} V;

static int step(void)
{
	return ++V.calls == V.stop_at ? -ECANCELED : 0;
}

static int t_enter(const pn_proc_node *n, unsigned depth, int selected, void *user)
{
	size_t len = strlen(V.trace);

	snprintf(V.trace + len, sizeof(V.trace) - len, "E%u@%u%s ", n->pid, depth,
		 selected ? "*" : "");
	return step();
}

static int t_leave(unsigned depth, void *user)
{
	size_t len = strlen(V.trace);

	snprintf(V.trace + len, sizeof(V.trace) - len, "L@%u ", depth);
	return step();
}

static const pn_store_tree_visitor tree_v = { t_enter, t_leave };

/* Walks spec, stopping at every call in turn: each stop ends the walk at
 * that call with the visitor's error. */
static void tree_stops(pn_store *s, const char *spec, const char *want)
{
	int all, rc;

	memset(&V, 0, sizeof(V));
	CHECK(pn_store_tree(s, spec, &tree_v, NULL, NULL) == 0);
	CHECK_STR(V.trace, want);
	all = V.calls;
	for (int k = 1; k <= all; k++) {
		memset(&V, 0, sizeof(V));
		V.stop_at = k;
		rc = pn_store_tree(s, spec, &tree_v, NULL, NULL);
		CHECK(rc == -ECANCELED && V.calls == k);
	}
}

static void trees(void)
{
	pn_store *s = NULL;
	pn_buf note = { 0 };
	char err[256] = "";

	CHECK(pn_store_open(&s, path, PN_STORE_READ, NULL, err, sizeof(err)) == 0 && s);
	if (!s)
		return;
	/* The ancestors are found on the process's host. */
	tree_stops(s, "103", "E100@0 E101@1 E103@2* L@2 L@1 L@0 ");
	/* pid 100: g's, the most recent of two. */
	CHECK(pn_store_tree(s, "100", &tree_v, NULL, &note) == 0);
	CHECK_STR(note.data, "pid 100 was used by 2 processes in the log; showing the most "
		  "recent (select another by its key)");
	pn_buf_reset(&note);
	CHECK(pn_store_tree(s, "L:00000000000000aa:100000:100", &tree_v, NULL, &note) == 0);
	CHECK_STR(note.data, "key L:00000000000000aa:100000:100 is on 2 hosts in the log; "
		  "showing the last recorded (select one with --host)");
	memset(&V, 0, sizeof(V));
	CHECK(pn_store_tree(s, "L:00000000000000aa:100000:100", &tree_v, NULL, NULL) == 0);
	CHECK_STR(V.trace, "E100@0* L@0 "); /* g's: no note asked for, the same choice */
	/* Scoped to h: its 100, and its whole subtree. */
	CHECK(pn__store_scope_host(s, "h") == 0);
	pn_buf_reset(&note);
	memset(&V, 0, sizeof(V));
	CHECK(pn_store_tree(s, "100", &tree_v, NULL, &note) == 0);
	CHECK_STR(note.data, "pid 100 was used by 1 process in the log on that host; showing "
		  "the most recent (select another by its key)");
	tree_stops(s, "100", "E100@0* E101@1 E103@2 L@2 L@1 E102@1 L@1 L@0 ");
	pn_buf_reset(&note);
	CHECK(pn_store_tree(s, "L:00000000000000aa:100000:100", &tree_v, NULL, &note) == 0);
	CHECK(note.len == 0);
	/* A host the log does not know has no process. */
	CHECK(pn__store_scope_host(s, "nowhere") == 0);
	CHECK(pn_store_tree(s, "100", &tree_v, NULL, NULL) == -ENOENT);
	CHECK(pn__store_scope_host(s, NULL) == 0);
	/* Specs that are no pid. */
	CHECK(pn_store_tree(s, "", &tree_v, NULL, NULL) == -EINVAL);
	CHECK(pn_store_tree(s, "4294967296", &tree_v, NULL, NULL) == -EINVAL);
	CHECK(pn_store_tree(s, "4294967295", &tree_v, NULL, NULL) == -ENOENT);
	pn_store_close(s);
	pn_buf_free(&note);
}

/* ---- report ---- */

static struct reported {
	int calls, stop_at;
	uint64_t count, processes;      /* the summary's */
	char new_images[256];           /* new_images' rows */
	char hours[256];                /* hours' rows: "<hour>:<events> " */
	char parents[256];              /* parents' rows: "<pid>:<comm?><uid?> " */
} R;

static int r_begin(enum pn_report_section sec, const pn_report_window *w, void *user)
{
	return ++R.calls == R.stop_at ? -ECANCELED : 0;
}

static int r_row(enum pn_report_section sec, const pn_report_row *r, void *user)
{
	size_t len = strlen(R.new_images);

	if (sec == PN_REPORT_SUMMARY) {
		R.count = r->count;
		R.processes = r->processes;
	}
	if (sec == PN_REPORT_NEW_IMAGES)
		snprintf(R.new_images + len, sizeof(R.new_images) - len, "%.*s ", (int)r->image.len,
			 r->image.ptr);
	len = strlen(R.parents);
	if (sec == PN_REPORT_PARENTS)
		snprintf(R.parents + len, sizeof(R.parents) - len, "%u:%c%c ", r->pid,
			 r->have & PN_HAVE_COMM ? 'c' : '-', r->have & PN_HAVE_UID ? 'u' : '-');
	len = strlen(R.hours);
	if (sec == PN_REPORT_HOURS)
		snprintf(R.hours + len, sizeof(R.hours) - len, "%lld:%llu ",
			 (long long)((r->time_ns / NS - DAY) / 3600), (unsigned long long)r->count);
	return ++R.calls == R.stop_at ? -ECANCELED : 0;
}

static int r_end(enum pn_report_section sec, uint64_t total, void *user)
{
	return ++R.calls == R.stop_at ? -ECANCELED : 0;
}

static const pn_report_visitor report_v = { r_begin, r_row, r_end };

static int keep_all(const pn_event *ev, void *user)
{
	return 1;
}

static void report_stops(pn_store *s, const pn_report_scope *sc)
{
	int all;

	memset(&R, 0, sizeof(R));
	CHECK(pn__store_report(s, sc, 0, &report_v, NULL) == 0);
	all = R.calls;
	CHECK(all > 7 * 2);
	for (int k = 1; k <= all; k++) {
		int rc;

		memset(&R, 0, sizeof(R));
		R.stop_at = k;
		rc = pn__store_report(s, sc, 0, &report_v, NULL);
		CHECK(rc == -ECANCELED && R.calls == k);
	}
}

static void reports(void)
{
	pn_report_scope all = { 0 }, keep = { .keep = keep_all };
	/* From the exec of h's 102 on: cat ran first there, and g's sh. */
	pn_report_scope late = { .since_ns = (DAY + 301) * NS };
	pn_store *s = NULL;
	char err[256] = "";

	CHECK(pn_store_open(&s, path, PN_STORE_READ, NULL, err, sizeof(err)) == 0 && s);
	if (!s)
		return;
	report_stops(s, &all);
	report_stops(s, &keep);
	memset(&R, 0, sizeof(R));
	CHECK(pn__store_report(s, &all, 0, &report_v, NULL) == 0);
	CHECK(R.count == 11 + 3 + 1 && R.processes == 5);
	memset(&R, 0, sizeof(R));
	CHECK(pn__store_report(s, &late, 0, &report_v, NULL) == 0);
	CHECK_STR(R.new_images, "/usr/bin/cat ");
	/* One host: its events only; an image is new when that host had not
	 * run it before (g's sh, which h ran first). */
	CHECK(pn__store_scope_host(s, "h") == 0);
	report_stops(s, &all);
	memset(&R, 0, sizeof(R));
	CHECK(pn__store_report(s, &all, 0, &report_v, NULL) == 0);
	CHECK(R.count == 11 && R.processes == 4);
	CHECK(pn__store_scope_host(s, "g") == 0);
	memset(&R, 0, sizeof(R));
	CHECK(pn__store_report(s, &late, 0, &report_v, NULL) == 0);
	CHECK(R.count == 3 + 1 && R.processes == 1);
	CHECK_STR(R.new_images, "/bin/sh ");
	pn_store_close(s);
}

/* A log whose rows are not in time order (import of an older file after
 * a newer one): the hours still come in time order, each with its own
 * events, on the indexed passes as through a filter, which reads the
 * rows in their order. In it, a parent known by its key alone (no name,
 * no user: a row with no strings) with two children whose images first
 * ran at the same time: new images tie in the order of their bytes. */
static void out_of_order(void)
{
	static const int hours[] = { 5, 1, 3, 1, 0, 5, 5 };
	pn_report_scope all = { 0 }, keep = { .keep = keep_all };
	char err[256] = "";
	pn_store *s = NULL;

	snprintf(path, sizeof(path), "%s/order.db", dir);
	CHECK(pn_store_open(&s, path, PN_STORE_WRITE, NULL, err, sizeof(err)) == 0 && s);
	for (size_t i = 0; s && i < sizeof(hours) / sizeof(hours[0]); i++)
		CHECK(import_line(s, "{\"seq\":%zu,\"type\":\"exit\",\"time\":\"2026-01-02T%02d:30:00Z\","
				  "\"pid\":%zu,\"exit_code\":0,\"signal\":0,\"core_dumped\":false}",
				  i + 1, hours[i], i + 1) == 1);
	CHECK(import_line(s, "{\"seq\":20,\"type\":\"fork\",\"time\":\"2026-01-02T00:10:00Z\","
			  "\"pid\":999,\"key\":\"L:00000000000000aa:999000:999\"}") == 1);
	one(s, "fork", 1199, "", 1001, 999, "");
	one(s, "fork", 1199, "", 1002, 999, "");
	one(s, "exec", 1200, "", 1001, 999, ",\"image\":\"/bin/b\"");
	one(s, "exec", 1200, "", 1002, 999, ",\"image\":\"/bin/a\"");
	CHECK(s && pn_store_close(s) == 0);
	s = NULL;
	CHECK(pn_store_open(&s, path, PN_STORE_READ, NULL, err, sizeof(err)) == 0 && s);
	if (!s)
		return;
	memset(&R, 0, sizeof(R));
	CHECK(pn__store_report(s, &keep, 0, &report_v, NULL) == 0);
	CHECK_STR(R.hours, "0:6 1:2 3:1 5:3 ");
	CHECK_STR(R.new_images, "/bin/a /bin/b ");
	CHECK_STR(R.parents, "999:-- ");
	memset(&R, 0, sizeof(R));
	CHECK(pn__store_report(s, &all, 0, &report_v, NULL) == 0);
	CHECK_STR(R.hours, "0:6 1:2 3:1 5:3 ");
	CHECK_STR(R.new_images, "/bin/a /bin/b ");
	CHECK_STR(R.parents, "999:-- ");
	pn_store_close(s);
}

/* query --where's ancestors, asked from inside a query's visitor, as the
 * rules ask them: depth 1, then each next one. A depth that skips one, or
 * that follows an unknown ancestor, is not known; an ancestor that had
 * exited before the event is not known either. */
struct ancestors {
	pn_store *s;
	int checked;
};

static int ask_ancestors(const pn_event *ev, void *user)
{
	struct ancestors *a = user;
	pn_str img = { 0 };

	if (ev->type != PN_EVENT_EXEC || ev->pid != 302)
		return 0;
	a->checked++;
	pn__store_ancestry_begin(a->s, ev);
	CHECK(pn__store_ancestor(a->s, 1, &img) == 0 && img.len == 6 && !memcmp(img.ptr, "/bin/c", 6));
	CHECK(pn__store_ancestor(a->s, 2, &img) == 0 && img.len == 6 && !memcmp(img.ptr, "/bin/p", 6));
	CHECK(pn__store_ancestor(a->s, 4, &img) == -ENOENT);   /* 3 skipped */
	CHECK(pn__store_ancestor(a->s, 5, &img) == -ENOENT);   /* after an unknown one */
	pn__store_ancestry_begin(a->s, ev);
	CHECK(pn__store_ancestor(a->s, 2, &img) == -ENOENT);   /* 1 not asked */
	return 0;
}

static int dead_parent(const pn_event *ev, void *user)
{
	struct ancestors *a = user;
	pn_str img = { 0 };

	if (ev->type != PN_EVENT_FORK || ev->pid != 103)
		return 0;
	a->checked++;
	pn__store_ancestry_begin(a->s, ev);
	CHECK(pn__store_ancestor(a->s, 1, &img) == -ENOENT); /* 101 exited at 4:20 */
	return 0;
}

static void ancestors(void)
{
	char err[256] = "";
	pn_store *s = NULL;
	struct ancestors a = { 0 };

	snprintf(path, sizeof(path), "%s/anc.db", dir);
	CHECK(pn_store_open(&s, path, PN_STORE_WRITE, NULL, err, sizeof(err)) == 0 && s);
	if (!s)
		return;
	one(s, "fork", 10, "a", 300, 1, "");
	one(s, "exec", 11, "a", 300, 1, ",\"image\":\"/bin/p\"");
	one(s, "fork", 12, "a", 301, 300, ",\"image\":\"/bin/p\"");
	one(s, "exec", 13, "a", 301, 300, ",\"image\":\"/bin/c\"");
	one(s, "fork", 14, "a", 302, 301, ",\"image\":\"/bin/c\"");
	one(s, "exec", 15, "a", 302, 301, ",\"image\":\"/bin/g\"");
	CHECK(pn_store_close(s) == 0);
	s = NULL;
	CHECK(pn_store_open(&s, path, PN_STORE_READ, NULL, err, sizeof(err)) == 0 && s);
	a.s = s;
	CHECK(s && pn_store_query(s, &(pn_store_filter){ 0 }, ask_ancestors, &a) == 6);
	CHECK(a.checked == 1);
	pn_store_close(s);
	snprintf(path, sizeof(path), "%s/log.db", dir);
	s = NULL;
	CHECK(pn_store_open(&s, path, PN_STORE_READ, NULL, err, sizeof(err)) == 0 && s);
	a = (struct ancestors){ s, 0 };
	CHECK(s && pn_store_query(s, &(pn_store_filter){ 0 }, dead_parent, &a) > 0);
	CHECK(a.checked == 1);
	pn_store_close(s);
}

int main(void)
{
	if (testdir_make(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/log.db", dir);
	write_log();
	trees();
	reports();
	out_of_order();
	ancestors();
	testdir_remove(dir);
	return pn_test_done("test_store_visitors");
}
