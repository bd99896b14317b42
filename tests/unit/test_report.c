/*
 * `procnotify report` without the kernel: a known history written through
 * the writer, reported over a window as a table and as JSON, each
 * section compared in full; the window's edges, --top, a hostile image
 * name, and an empty window.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "procnotify.h"
#include "procnotify/report.h"
#include "procnotify/store.h"

#define NS 1000000000LL
#define HOUR (3600 * NS)
#define T0 (1796169600LL * NS) /* 2026-12-02T00:00:00Z */
#define BOOT 0x1122334455667788ULL

static char dir[] = "/tmp/pn-test-report-XXXXXX";
static char path[256];
static uint64_t seq;

static const char hostile[] = "/tmp/\x1b[31m|x\nnew \"2\"";

static pn_str str(const char *p)
{
	return (pn_str){ p, strlen(p) };
}

static pn_event base(enum pn_event_type type, uint32_t pid, uint32_t ppid, int64_t t)
{
	pn_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.seq = ++seq;
	ev.type = type;
	ev.time_ns = t;
	ev.have = PN_HAVE_UID | PN_HAVE_START | PN_HAVE_TID | PN_HAVE_COMM | PN_HAVE_IMAGE |
		  (ppid ? PN_HAVE_PARENT : 0);
	ev.pid = ev.tid = pid;
	ev.ppid = ppid;
	ev.key = (pn_key){ BOOT, (uint64_t)pid * 1000, pid, 'L' };
	ev.parent_key = (pn_key){ BOOT, (uint64_t)ppid * 1000, ppid, 'L' };
	ev.comm = str("sh");
	ev.image = str("/bin/sh");
	ev.duration_ns = -1;
	return ev;
}

/* Process pid, child of ppid, forked at t, exec'ing image as uid (no
 * exec when image is NULL) and ending after a minute with code or sig. */
static void proc(pn_store *s, uint32_t pid, uint32_t ppid, int64_t t, const char *image,
		 uint32_t uid, int code, int sig)
{
	pn_event ev = base(PN_EVENT_FORK, pid, ppid, t);

	ev.uid = ev.euid = ev.gid = uid;
	pn_store_event(&ev, s);
	if (image) {
		ev.seq = ++seq;
		ev.type = PN_EVENT_EXEC;
		ev.time_ns = t + NS;
		ev.image = str(image);
		ev.have |= PN_HAVE_ARGV;
		ev.argv = (pn_str){ "run\0-x\0", 7 };
		ev.argc = 2;
		pn_store_event(&ev, s);
		ev.have &= ~PN_HAVE_ARGV;
	}
	ev.seq = ++seq;
	ev.type = PN_EVENT_EXIT;
	ev.time_ns = t + 60 * NS;
	ev.signal = sig;
	ev.exit_code = sig ? -1 : code;
	ev.core_dumped = sig == 11;
	ev.duration_ns = 60 * NS;
	pn_store_event(&ev, s);
}

/* Process pid, alive when a monitor started at t: a snapshot event. It is
 * no activity: no section counts it. */
static void snapshot(pn_store *s, uint32_t pid, uint32_t ppid, int64_t t, const char *image)
{
	pn_event ev = base(PN_EVENT_SNAPSHOT, pid, ppid, t);

	ev.seq = 0;
	ev.image = str(image);
	pn_store_event(&ev, s);
}

/*
 * Before the window: /bin/old and /bin/both run. In it (hours 1 and 2):
 * shell 200 (uid 1000, its parent not in the log) starts 201 /bin/both,
 * 202 and 203 the hostile image (exit 2; SIGSEGV with a core), 204
 * /usr/bin/new2 as uid 1001, and 205, which never execs and exits 1;
 * 201 starts 206 /usr/bin/new2; a monitor starting finds daemon 400 (a
 * snapshot, which no section counts). After it: /bin/late.
 */
static void write_history(void)
{
	char err[256];
	pn_store *s;

	CHECK(pn_store_open(&s, path, PN_STORE_WRITE, NULL, err, sizeof(err)) == 0);
	proc(s, 100, 1, T0, "/bin/old", 0, 0, 0);
	proc(s, 101, 1, T0 + 60 * NS, "/bin/both", 0, 0, 0);
	proc(s, 200, 150, T0 + HOUR, "/bin/sh", 1000, 0, 0);
	proc(s, 201, 200, T0 + HOUR + 5 * NS, "/bin/both", 1000, 0, 0);
	proc(s, 202, 200, T0 + HOUR + 10 * NS, hostile, 1000, 2, 0);
	proc(s, 203, 200, T0 + 2 * HOUR, hostile, 1000, 0, 11);
	proc(s, 204, 200, T0 + 2 * HOUR + 5 * NS, "/usr/bin/new2", 1001, 0, 0);
	proc(s, 205, 200, T0 + 2 * HOUR + 10 * NS, NULL, 1000, 1, 0);
	proc(s, 206, 201, T0 + 2 * HOUR + 15 * NS, "/usr/bin/new2", 1000, 0, 0);
	proc(s, 300, 1, T0 + 5 * HOUR, "/bin/late", 0, 0, 0);
	snapshot(s, 400, 1, T0 + HOUR + 30 * NS, "/sbin/daemon");
	CHECK(pn_store_close(s) == 0);
}

static int v_begin(enum pn_report_section sec, const pn_report_window *w, void *user)
{
	pn__fmt_report_begin(user, sec, w);
	return 0;
}

static int v_row(enum pn_report_section sec, const pn_report_row *r, void *user)
{
	pn__fmt_report_row(user, sec, r);
	return 0;
}

static int v_end(enum pn_report_section sec, uint64_t total, void *user)
{
	pn__fmt_report_end(user, sec, total);
	return 0;
}

static int keep_all(const pn_event *ev, void *user)
{
	return 1;
}

/* Drops process 202 (the hostile image's non-zero exit). */
static int keep_not_202(const pn_event *ev, void *user)
{
	return ev->pid != 202;
}

static int (*keep)(const pn_event *ev, void *user);
static int64_t (*offset)(int64_t unix_ns, void *user);

/* India: five and a half hours east. */
static int64_t india(int64_t unix_ns, void *user)
{
	return (5 * 3600 + 1800) * NS;
}

/* The report of [since, until] with top rows, as text, JSON (json 1) or
 * HTML (json 2), of the events keep keeps (all when it is NULL). */
static char *report(int64_t since, int64_t until, uint32_t top, int json)
{
	static const pn_report_visitor v = { v_begin, v_row, v_end };
	pn_report_scope sc = { .since_ns = since, .until_ns = until, .keep = keep };
	pn_buf out = { 0 };
	pn_fmt_report fmt = { .out = &out, .json = json == 1, .html = json == 2,
			      .zone = offset ? "local" : NULL, .offset = offset };
	char err[256];
	pn_store *s;

	CHECK(pn_store_open(&s, path, PN_STORE_READ, NULL, err, sizeof(err)) == 0);
	CHECK(pn__store_report(s, &sc, top, &v, &fmt) == 0);
	pn_store_close(s);
	pn__fmt_report_free(&fmt);
	return out.data;
}

static const char want_text[] =
	"Report from 2026-12-02 01:00:00 to 2026-12-02 02:59:59 (UTC)\n"
	"The log holds events from 2026-12-02 00:00:00 to 2026-12-02 05:01:00.\n"
	"\n"
	"Summary\n"
	"  events             20  (fork 7, exec 6, exit 7)\n"
	"  processes           7  started\n"
	"\n"
	"Top images (executions)\n"
	"     COUNT  IMAGE\n"
	"         2  \"/tmp/\\x1b[31m\\x7cx\\nnew \\\"2\\\"\"\n"
	"         2  /usr/bin/new2\n"
	"  ... and 2 more (--top 0 shows all)\n"
	"\n"
	"Top parents (children started)\n"
	"  CHILDREN       PID  PROCESS : ARGUMENTS  KEY\n"
	"         5       200  /bin/sh : run -x  L:1122334455667788:200000:200\n"
	"         1       150  ? (not in the log)  L:1122334455667788:150000:150\n"
	"  ... and 1 more (--top 0 shows all)\n"
	"\n"
	"Executions per user\n"
	"     COUNT         UID  USER\n"
	"         5        1000\n"
	"         1        1001\n"
	"\n"
	"Failures (exits with a non-zero status or by a signal)\n"
	"  NON-ZERO  SIGNALED      CORE     EXITS  IMAGE\n"
	"         1         1         1         2  \"/tmp/\\x1b[31m\\x7cx\\nnew \\\"2\\\"\"\n"
	"         1         0         0         2  /bin/sh\n"
	"\n"
	"Images run for the first time in the log\n"
	"FIRST RUN (UTC)         COUNT  IMAGE\n"
	"2026-12-02 01:00:01         1  /bin/sh\n"
	"2026-12-02 01:00:11         2  \"/tmp/\\x1b[31m\\x7cx\\nnew \\\"2\\\"\"\n"
	"  ... and 1 more (--top 0 shows all)\n"
	"\n"
	"Activity per hour\n"
	"HOUR (UTC)          EVENTS      FORK      EXEC      EXIT    FAILED\n"
	"2026-12-02 01:00         9         3         3         3         1\n"
	"2026-12-02 02:00        11         4         3         4         2\n";

static void test_text(void)
{
	char *got = report(T0 + HOUR, T0 + 3 * HOUR - NS, 2, 0);

	CHECK_STR(got, want_text);
	free(got);
}

static const char want_json[] =
	"{\"report\":1,\"since\":\"2026-12-02T01:00:00.000000000Z\","
	"\"until\":\"2026-12-02T02:59:59.000000000Z\","
	"\"log_first\":\"2026-12-02T00:00:00.000000000Z\","
	"\"log_last\":\"2026-12-02T05:01:00.000000000Z\","
	"\"summary\":{\"events\":20,\"by_type\":{\"fork\":7,\"exec\":6,\"exit\":7},\"processes\":7},"
	"\"images\":{\"rows\":["
	"{\"image\":\"/tmp/\\u001b[31m|x\\nnew \\\"2\\\"\",\"executions\":2},"
	"{\"image\":\"/usr/bin/new2\",\"executions\":2},"
	"{\"image\":\"/bin/both\",\"executions\":1},"
	"{\"image\":\"/bin/sh\",\"executions\":1}],\"total\":4},"
	"\"parents\":{\"rows\":["
	"{\"pid\":200,\"key\":\"L:1122334455667788:200000:200\",\"comm\":\"sh\",\"image\":\"/bin/sh\","
	"\"argv\":[\"run\",\"-x\"],\"uid\":1000,\"children\":5},"
	"{\"pid\":150,\"key\":\"L:1122334455667788:150000:150\",\"comm\":null,\"image\":null,"
	"\"argv\":null,\"uid\":null,\"children\":1},"
	"{\"pid\":201,\"key\":\"L:1122334455667788:201000:201\",\"comm\":\"sh\",\"image\":\"/bin/both\","
	"\"argv\":[\"run\",\"-x\"],\"uid\":1000,\"children\":1}],\"total\":3},"
	"\"users\":{\"rows\":[{\"uid\":1000,\"user\":null,\"executions\":5},"
	"{\"uid\":1001,\"user\":null,\"executions\":1}],"
	"\"total\":2},"
	"\"failures\":{\"rows\":["
	"{\"image\":\"/tmp/\\u001b[31m|x\\nnew \\\"2\\\"\",\"exits\":2,\"nonzero\":1,\"signaled\":1,"
	"\"core_dumped\":1},"
	"{\"image\":\"/bin/sh\",\"exits\":2,\"nonzero\":1,\"signaled\":0,\"core_dumped\":0}],"
	"\"total\":2},"
	"\"new_images\":{\"rows\":["
	"{\"image\":\"/bin/sh\",\"executions\":1,\"first\":\"2026-12-02T01:00:01.000000000Z\"},"
	"{\"image\":\"/tmp/\\u001b[31m|x\\nnew \\\"2\\\"\",\"executions\":2,"
	"\"first\":\"2026-12-02T01:00:11.000000000Z\"},"
	"{\"image\":\"/usr/bin/new2\",\"executions\":2,\"first\":\"2026-12-02T02:00:06.000000000Z\"}],"
	"\"total\":3},"
	"\"hours\":["
	"{\"hour\":\"2026-12-02T01:00:00.000000000Z\",\"events\":9,"
	"\"by_type\":{\"fork\":3,\"exec\":3,\"exit\":3},\"failed\":1},"
	"{\"hour\":\"2026-12-02T02:00:00.000000000Z\",\"events\":11,"
	"\"by_type\":{\"fork\":4,\"exec\":3,\"exit\":4},\"failed\":2}]}\n";

static void test_json(void)
{
	char *got = report(T0 + HOUR, T0 + 3 * HOUR - NS, 0, 1);

	CHECK_STR(got, want_json);
	free(got);
}

/* No window: every image is new, the whole log counts. */
static void test_whole_log(void)
{
	char *got = report(0, 0, 0, 1);

	CHECK(got && strstr(got, "\"summary\":{\"events\":29,\"by_type\":{\"fork\":10,"
				 "\"exec\":9,\"exit\":10},\"processes\":10}"));
	CHECK(got && strstr(got, "\"new_images\":{\"rows\":[{\"image\":\"/bin/old\""));
	CHECK(got && strstr(got, "\"since\":null,\"until\":null,"));
	free(got);
}

static void test_empty_window(void)
{
	char *got = report(T0 + 10 * HOUR, T0 + 11 * HOUR, 10, 0);

	CHECK(got && strstr(got, "  events              0  (fork 0, exec 0, exit 0)\n"));
	CHECK(got && strstr(got, "Top images (executions)\n     COUNT  IMAGE\n  (none)\n"));
	CHECK(got && strstr(got, "FAILED\n  (none)\n"));
	free(got);
}

/* The page: the hostile image as text in the images, failures and new
 * images tables, no script, every section, the hours as bars. */
static void test_html(void)
{
	char *got = report(T0 + HOUR, T0 + 3 * HOUR - NS, 0, 2);
	const char *img = "<td>/tmp/\\x1b[31m|x\\nnew &quot;2&quot;</tr>";
	int n = 0;

	for (const char *p = got; p && (p = strstr(p, img)); p++)
		n++;
	CHECK(n == 3);
	CHECK(got && !strstr(got, "<script") && !strchr(got, '\x1b'));
	CHECK(got && strstr(got, "script-src 'none'"));
	CHECK(got && strstr(got, "<section id=\"hours\">") && strstr(got, "</body></html>\n"));
	CHECK(got && strstr(got, "<tr><td>2026-12-02 02:00<td class=n>11<td class=n>4<td class=n>3"
				 "<td class=n>4<td class=n>2<td><span class=bar style=\"width:245.5px\">"));
	free(got);
}

/* --where: every event rebuilt and tested gives the report the indexes
 * give, and an event filtered out is not counted anywhere. */
static void test_keep(void)
{
	char *got, *want;

	keep = keep_all;
	got = report(T0 + HOUR, T0 + 3 * HOUR - NS, 2, 0);
	CHECK_STR(got, want_text);
	free(got);
	got = report(0, 0, 0, 1);
	keep = NULL;
	want = report(0, 0, 0, 1);
	CHECK_STR(got, want);
	free(got);
	free(want);
	keep = keep_not_202;
	got = report(T0 + HOUR, T0 + 3 * HOUR - NS, 0, 1);
	keep = NULL;
	CHECK(got && strstr(got, "\"summary\":{\"events\":17,\"by_type\":{\"fork\":6,\"exec\":5,"
				 "\"exit\":6},\"processes\":6}"));
	CHECK(got && strstr(got, "{\"image\":\"/tmp/\\u001b[31m|x\\nnew \\\"2\\\"\",\"exits\":1,"
				 "\"nonzero\":0,\"signaled\":1,\"core_dumped\":1}"));
	CHECK(got && strstr(got, "{\"uid\":1000,\"user\":null,\"executions\":4}"));
	free(got);
}

/* Times in a zone: shifted by its offset, and named. */
static void test_zone(void)
{
	char *got;

	offset = india;
	got = report(T0 + HOUR, T0 + 3 * HOUR - NS, 2, 0);
	offset = NULL;
	CHECK(got && strstr(got, "Report from 2026-12-02 06:30:00 to 2026-12-02 08:29:59 (local)\n"));
	CHECK(got && strstr(got, "HOUR (local)        EVENTS"));
	CHECK(got && strstr(got, "\n2026-12-02 07:30        11         4"));
	CHECK(got && strstr(got, "FIRST RUN (local)       COUNT  IMAGE\n2026-12-02 06:30:01"));
	free(got);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/log.db", dir);
	write_history();
	test_text();
	test_json();
	test_html();
	test_keep();
	test_zone();
	test_whole_log();
	test_empty_window();
	unlink(path);
	snprintf(path, sizeof(path), "%s/log.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/log.db-shm", dir);
	unlink(path);
	rmdir(dir);
	return pn_test_done("test_report");
}
