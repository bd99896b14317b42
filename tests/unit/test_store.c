/*
 * The activity log without the kernel: schema and file mode, exact
 * round-trip of hostile bytes, every query filter, bound parameters,
 * refusal of files it must not touch, time parsing, trees, the gap a
 * crash leaves, and retention.
 */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "check.h"
#include "sqlite_int.h"
#include "store_open.h"
#include "procnotify.h"
#include "procnotify/format.h"
#include "procnotify/store.h"
#include "store/schema.h"

#define NS 1000000000LL
#define T0 (1800000000LL * NS)
#define BOOT 0x1122334455667788ULL

static char dir[] = "/tmp/pn-test-store-XXXXXX";
static char path[256];

static const char hostile_comm[] = "ev\xffil\n\x1b[31m";
static const char hostile_argv[] = "rm\0-rf\0'; DROP TABLE event; --\0\xc3\xa9t\xe9\0";
static const char drop_comm[] = "'; DROP TABLE";

static pn_str str(const char *p, size_t n)
{
	return (pn_str){ p, n };
}

static pn_event proc_event(enum pn_event_type type, uint32_t pid, uint32_t ppid, int64_t t)
{
	pn_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.time_ns = t;
	ev.have = PN_HAVE_UID | PN_HAVE_PARENT | PN_HAVE_START | PN_HAVE_TID | PN_HAVE_COMM;
	ev.pid = ev.tid = pid;
	ev.ppid = ppid;
	ev.uid = ev.gid = ev.euid = pid == 30 ? 1000 : 0;
	ev.key = (pn_key){ BOOT, (uint64_t)pid * 100, pid, 'L' };
	ev.parent_key = (pn_key){ BOOT, (uint64_t)ppid * 100, ppid, 'L' };
	ev.comm = str("sh", 2);
	ev.duration_ns = -1;
	return ev;
}

static pn_event exec_event(uint32_t pid, uint32_t ppid, int64_t t, const char *image,
			   const char *argv, size_t argv_len, const char *comm, size_t comm_len)
{
	pn_event ev = proc_event(PN_EVENT_EXEC, pid, ppid, t);

	ev.have |= PN_HAVE_IMAGE | PN_HAVE_ARGV | PN_HAVE_CWD | PN_HAVE_FILENAME;
	ev.image = ev.filename = str(image, strlen(image));
	ev.argv = str(argv, argv_len);
	ev.cwd = str("/tmp/a b", 8);
	ev.comm = str(comm, comm_len);
	ev.argc = 2;
	return ev;
}

static pn_event exit_event(uint32_t pid, uint32_t ppid, int64_t t, int code, int sig)
{
	pn_event ev = proc_event(PN_EVENT_EXIT, pid, ppid, t);

	ev.exit_code = sig ? -1 : code;
	ev.signal = sig;
	ev.duration_ns = 5000;
	return ev;
}

/*
 * The history: 10 (sh) forks 20 which execs a hostile program and is
 * killed by SIGKILL; 10 forks 30 (uid 1000), which execs /usr/bin/curl
 * and exits 7; 30 forks 40 named "'; DROP TABLE", which exits 0.
 */
static int history(pn_event *ev)
{
	static const char curl_argv[] = "curl\0-s\0http://x/\0";
	int n = 0;

	ev[n++] = proc_event(PN_EVENT_FORK, 20, 10, T0 + 1 * NS);
	ev[n++] = exec_event(20, 10, T0 + 2 * NS, "/opt/\xff/evil", hostile_argv,
			     sizeof(hostile_argv) - 1, hostile_comm, sizeof(hostile_comm) - 1);
	ev[n++] = proc_event(PN_EVENT_FORK, 30, 10, T0 + 3 * NS);
	ev[n++] = exec_event(30, 10, T0 + 4 * NS, "/usr/bin/curl", curl_argv,
			     sizeof(curl_argv) - 1, "curl", 4);
	ev[n] = exit_event(20, 10, T0 + 5 * NS, 0, 9);
	ev[n++].comm = str(hostile_comm, sizeof(hostile_comm) - 1);
	ev[n++] = proc_event(PN_EVENT_FORK, 40, 30, T0 + 6 * NS);
	ev[n] = proc_event(PN_EVENT_EXIT, 40, 30, T0 + 7 * NS);
	ev[n++].comm = str(drop_comm, strlen(drop_comm));
	ev[n++] = exit_event(30, 10, T0 + 8 * NS, 7, 0);
	memset(&ev[n], 0, sizeof(ev[n]));
	ev[n].type = PN_EVENT_LOST;
	ev[n].time_ns = T0 + 9 * NS;
	ev[n].duration_ns = -1;
	ev[n].lost_count = 3;
	ev[n].lost_count_known = 1;
	ev[n++].lost_by_type[PN_EVENT_EXEC] = 3;
	for (int i = 0; i < n; i++)
		ev[i].seq = (uint64_t)i + 1;
	return n;
}

static void write_history(void)
{
	pn_event ev[16];
	int n = history(ev);
	pn_store *s = store_open(path, PN_STORE_WRITE, NULL);

	if (!s)
		return;
	for (int i = 0; i < n; i++)
		pn_store_event(&ev[i], s);
	CHECK(pn_store_close(s) == 0);
}

/* A chain of n processes, each the child of the one before, as a fork
 * bomb that forks and exits leaves it: each forks, execs and exits. */
static void write_chain(const char *p, uint32_t n)
{
	static const char argv[] = "sh\0-c\0sh $0 & exit\0";
	pn_store *s = NULL;
	pn_event ev[3];
	int64_t t = T0;

	CHECK(pn_store_open(&s, p, PN_STORE_WRITE, NULL, NULL, 0) == 0);
	if (!s)
		return;
	for (uint32_t pid = 1000; pid < 1000 + n; pid++, t += 3) {
		ev[0] = proc_event(PN_EVENT_FORK, pid, pid - 1, t);
		ev[1] = exec_event(pid, pid - 1, t + 1, "/bin/sh", argv, sizeof(argv) - 1, "sh", 2);
		ev[2] = exit_event(pid, pid - 1, t + 2, 0, 0);
		for (int i = 0; i < 3; i++) {
			ev[i].seq = (uint64_t)(t - T0) + (uint64_t)i + 1;
			pn_store_event(&ev[i], s);
		}
		/* Faster than any writer: wait for it before the queue is full. */
		if (pid % 4096 == 0)
			CHECK(pn_store_commit(s) == 0);
	}
	CHECK(pn_store_close(s) == 0);
}

/* Collects query results as JSON Lines, the CLI's --json output. */
static int to_json(const pn_event *ev, void *user)
{
	pn_fmt_json(user, ev);
	return 0;
}

/* The tree of spec, formatted into out as `procnotify tree` prints it. */
static int tree(pn_store *s, const char *spec, int json, pn_buf *out, pn_buf *note)
{
	pn_fmt_tree fmt = { out, json, 0 };

	return pn_store_tree_fmt(s, spec, &fmt, note);
}

static int query_json(const pn_store_filter *f, pn_buf *out)
{
	pn_store *s = store_open(path, PN_STORE_READ, NULL);
	int n;

	pn_buf_reset(out);
	if (!s)
		return -1;
	n = pn_store_query(s, f, to_json, out);
	pn_store_close(s);
	return n;
}

static int64_t db_int(const char *sql)
{
	return sql_int(path, sql);
}

static void test_schema(void)
{
	struct stat st;

	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK(db_int("PRAGMA user_version") == PN_STORE_SCHEMA_VERSION);
	CHECK(db_int("SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'") == 1);
	CHECK(db_int("SELECT count(*) FROM process") == 3);
	CHECK(db_int("SELECT count(*) FROM event") == 9);
	CHECK(db_int("SELECT count(*) FROM run WHERE ended_ns IS NOT NULL") == 1);
	/* A field the event did not have is NULL, not 0 or "". */
	CHECK(db_int("SELECT count(*) FROM event WHERE type = 1 AND image IS NULL AND argv IS NULL"
		     " AND exit_code IS NULL") == 3);
	CHECK(db_int("SELECT count(*) FROM event WHERE type = 4 AND pid IS NULL") == 1);
}

/* Every event comes back exactly as it went in: same JSON, same bytes. */
static void test_round_trip(void)
{
	pn_store_filter all = { 0 };
	pn_buf want = { 0 }, got = { 0 };
	pn_event ev[16];
	int n = history(ev);

	for (int i = 0; i < n; i++)
		pn_fmt_json(&want, &ev[i]);
	CHECK(query_json(&all, &got) == n);
	CHECK_STR(got.data, want.data);
	CHECK(db_int("SELECT length(argv) FROM event_view WHERE pid = 20 AND type = 2") ==
	      (int64_t)sizeof(hostile_argv) - 1);
	CHECK(db_int("SELECT count(*) FROM event_view WHERE comm = CAST(x'6576ff696c0a1b5b33316d' AS BLOB)") == 2);
	CHECK(db_int("SELECT count(*) FROM process_view WHERE argv = CAST(x'6375726c002d7300687474703a2f2f782f00'"
		     " AS BLOB)") == 1);
	/* Each string is stored once: "sh" is the name in four events. */
	CHECK(db_int("SELECT count(*) FROM str WHERE value = CAST('sh' AS BLOB)") == 1);
	CHECK(db_int("SELECT count(*) FROM event WHERE comm = (SELECT id FROM str WHERE value = CAST('sh' AS BLOB))") == 4);
	pn_buf_free(&want);
	pn_buf_free(&got);
}

/* The number of events a filter matches (lost records included). */
static int count(pn_store_filter f)
{
	pn_buf out = { 0 };
	int n = query_json(&f, &out);

	pn_buf_free(&out);
	return n;
}

static void test_filters(void)
{
	CHECK(count((pn_store_filter){ .have_pid = 1, .pid = 20 }) == 3 + 1);
	CHECK(count((pn_store_filter){ .have_ppid = 1, .ppid = 30 }) == 2 + 1);
	CHECK(count((pn_store_filter){ .have_uid = 1, .uid = 1000 }) == 3 + 1);
	CHECK(count((pn_store_filter){ .name = "curl" }) == 1 + 1);    /* comm */
	CHECK(count((pn_store_filter){ .name = "evi?" }) == 1 + 1);    /* image basename */
	CHECK(count((pn_store_filter){ .name = "c*" }) == 1 + 1);
	CHECK(count((pn_store_filter){ .image = "/usr/bin/*" }) == 1 + 1);
	CHECK(count((pn_store_filter){ .argv = "-s http" }) == 1 + 1); /* across arguments */
	CHECK(count((pn_store_filter){ .argv = "DROP TABLE event" }) == 1 + 1);
	CHECK(count((pn_store_filter){ .argv = "nothing" }) == 1);
	/* A fork carries its parent's name: 20's fork is "sh", its row and
	 * later events are not (the lookup of schema 13 knows every name a
	 * process's events had, not only its row's). */
	CHECK(count((pn_store_filter){ .name = "sh" }) == 4 + 1);
	/* --argv of fewer than three characters, or not ASCII, reads every
	 * string; of three or more, the trigram index, case and all. */
	CHECK(count((pn_store_filter){ .argv = "-s" }) == 1 + 1);
	CHECK(count((pn_store_filter){ .argv = "\xc3\xa9t\xe9" }) == 1 + 1);
	CHECK(count((pn_store_filter){ .argv = "DROP" }) == 1 + 1);
	CHECK(count((pn_store_filter){ .argv = "drop" }) == 1);
	CHECK(count((pn_store_filter){ .signaled = 1 }) == 1 + 1);
	CHECK(count((pn_store_filter){ .have_exit_code = 1, .exit_code = 7 }) == 1 + 1);
	CHECK(count((pn_store_filter){ .have_exit_code = 1, .exit_code = 0 }) == 1 + 1);
	CHECK(count((pn_store_filter){ .types = PN_MASK(PN_EVENT_FORK) }) == 3);
	CHECK(count((pn_store_filter){ .types = PN_MASK(PN_EVENT_FORK) | PN_MASK(PN_EVENT_LOST) }) == 4);
	CHECK(count((pn_store_filter){ .since_ns = T0 + 3 * NS, .until_ns = T0 + 5 * NS }) == 3);
	CHECK(count((pn_store_filter){ .since_ns = T0 + 9 * NS + 1 }) == 0);
	CHECK(count((pn_store_filter){ .have_pid = 1, .pid = 30, .name = "curl" }) == 1 + 1);
}

/* The events a list of terms matches (lost records included). */
static int count_where(const pn_store_term *t, size_t n)
{
	pn_store *s = store_open(path, PN_STORE_READ, NULL);
	pn_buf out = { 0 };
	pn_store_where w = { .terms = t, .nterms = n };
	int rc = s ? pn_store_query_where(s, &w, to_json, &out) : -1;

	pn_store_close(s);
	pn_buf_free(&out);
	return rc;
}

/* Terms of one field are ORed, fields ANDed, whatever their order. */
static void test_where(void)
{
	const pn_store_term pids[] = { { PN_WHERE_PID, NULL, 20 }, { PN_WHERE_PID, NULL, 30 } };
	const pn_store_term names[] = { { PN_WHERE_NAME, "curl", 0 }, { PN_WHERE_NAME, "evi?", 0 } };
	const pn_store_term mixed[] = { { PN_WHERE_NAME, "curl", 0 }, { PN_WHERE_UID, NULL, 0 },
					{ PN_WHERE_NAME, "evi?", 0 } };
	const pn_store_term uids[] = { { PN_WHERE_UID, NULL, 0 }, { PN_WHERE_UID, NULL, 1000 } };
	const pn_store_term bad[] = { { PN_STORE_WHERE_FIELDS, NULL, 0 } };
	const pn_store_term no_string[] = { { PN_WHERE_NAME, NULL, 0 } };

	CHECK(count_where(pids, 1) == 3 + 1);
	CHECK(count_where(pids, 2) == 3 + 3 + 1);
	CHECK(count_where(names, 2) == 1 + 1 + 1);
	/* curl runs as 1000: of the two names only the image evi? is root's. */
	CHECK(count_where(mixed, 3) == 1 + 1);
	CHECK(count_where(mixed + 1, 2) == 1 + 1);
	CHECK(count_where(uids, 2) == count((pn_store_filter){ 0 }));
	CHECK(count_where(bad, 1) == -EINVAL);
	CHECK(count_where(no_string, 1) == -EINVAL);
}

/* SQL in a filter is data: it matches itself and nothing else happens. */
static void test_sql_metacharacters(void)
{
	pn_buf out = { 0 };
	pn_store_filter f = { .name = drop_comm };

	CHECK(query_json(&f, &out) == 2);
	CHECK(strstr(out.data, "\"pid\":40") != NULL);
	f.name = "'; DROP TABLE event; --";
	CHECK(query_json(&f, &out) == 1); /* the lost record only */
	f = (pn_store_filter){ .image = "' OR 1=1 --" };
	CHECK(query_json(&f, &out) == 1);
	CHECK(db_int("SELECT count(*) FROM event") == 9);
	pn_buf_free(&out);
}

static void test_tree(void)
{
	pn_store *s = store_open(path, PN_STORE_READ, NULL);
	pn_buf out = { 0 }, note = { 0 };

	if (!s)
		return;
	CHECK(tree(s, "30", 0, &out, &note) == 0);
	CHECK_STR(out.data,
		  "30 /usr/bin/curl : curl -s http://x/ [exit 7] L:1122334455667788:3000:30 <= selected\n"
		  "  40 ['; DROP TABLE] [exit 0] L:1122334455667788:4000:40\n");
	CHECK(strstr(note.data, "most recent") != NULL);
	pn_buf_reset(&out);
	CHECK(tree(s, "L:1122334455667788:4000:40", 0, &out, NULL) == 0);
	CHECK(strncmp(out.data, "30 /usr/bin/curl", 16) == 0); /* its parent above it */
	CHECK(strstr(out.data, "\n  40 ") != NULL);
	pn_buf_reset(&out);
	CHECK(tree(s, "20", 1, &out, NULL) == 0);
	CHECK(strstr(out.data, "\"comm\":\"ev\\udcffil\\n\\u001b[31m\"") != NULL);
	CHECK(strstr(out.data, "\"signal_name\":\"SIGKILL\"") != NULL);
	CHECK(strstr(out.data, "\"children\":[]}\n") != NULL);
	CHECK(tree(s, "999", 0, &out, NULL) == -ENOENT);
	CHECK(tree(s, "L:0:0:1", 0, &out, NULL) == -ENOENT);
	CHECK(tree(s, "12x", 0, &out, NULL) == -EINVAL);
	/* Keys with a field missing, empty, out of range or extra: each once
	 * passed with an uninitialised start time or pid. */
	static const char *const bad_keys[] = {
		"L:0", "1:2", "L:0:5", "L:0:5:", "L::5:1", "L:0::1", "L:0:5:1:", "l:0:5:1",
		":0:5:1", "L:0:5:4294967296", "L:0:18446744073709551616:1", "L:x:5:1",
		"L:11223344556677889:5:1", "L:0:+5:1", "L:0:5:-1", "L:0:5:1 ",
	};
	for (size_t i = 0; i < sizeof(bad_keys) / sizeof(bad_keys[0]); i++)
		CHECK(tree(s, bad_keys[i], 0, &out, NULL) == -EINVAL);
	pn_store_close(s);
	pn_buf_free(&out);
	pn_buf_free(&note);
}

struct depth_count {
	unsigned entered, left, deepest, max_line;
	pn_fmt_tree fmt;
};

static int count_enter(const pn_proc_node *n, unsigned depth, int selected, void *user)
{
	struct depth_count *c = user;

	c->entered++;
	if (depth > c->deepest)
		c->deepest = depth;
	pn_buf_reset(c->fmt.out);
	pn_fmt_tree_enter(&c->fmt, n, depth, selected);
	if (c->fmt.out->len > c->max_line)
		c->max_line = (unsigned)c->fmt.out->len;
	return 0;
}

static int count_leave(unsigned depth, void *user)
{
	struct depth_count *c = user;

	c->left++;
	return 0;
}

/* A chain deeper than any indentation: visited without recursion, each
 * line of a bounded width, the deepest saying its depth as a number. */
static void test_deep_tree(void)
{
	static const pn_store_tree_visitor v = { count_enter, count_leave };
	char p[300];
	pn_buf line = { 0 };
	struct depth_count c = { .fmt = { &line, 0, 0 } };
	pn_store *s = NULL;

	snprintf(p, sizeof(p), "%s/chain.db", dir);
	write_chain(p, 3000);
	CHECK(pn_store_open(&s, p, PN_STORE_READ, NULL, NULL, 0) == 0);
	CHECK(s && pn_store_tree(s, "1000", &v, &c, NULL) == 0);
	CHECK(c.entered == 3000 && c.left == 3000 && c.deepest == 2999);
	CHECK(c.max_line < 200);
	CHECK(strstr(line.data, "[depth 2999] 3999 /bin/sh") != NULL);
	/* From the bottom: the ancestors above it are bounded too. */
	c = (struct depth_count){ .fmt = { &line, 0, 0 } };
	CHECK(s && pn_store_tree(s, "3999", &v, &c, NULL) == 0);
	CHECK(c.entered == 3000 && c.left == 3000 && c.deepest == 2999);
	pn_store_close(s);
	pn_buf_free(&line);
}

static uint64_t file_hash(const char *p)
{
	uint64_t h = 1469598103934665603ULL;
	unsigned char buf[4096];
	ssize_t n;
	int fd = open(p, O_RDONLY);

	if (fd < 0)
		return 0;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++)
			h = (h ^ buf[i]) * 1099511628211ULL;
	close(fd);
	return h;
}

/* A file that must be refused is refused in both modes and left as it was. */
static void check_refused(const char *p, int want)
{
	uint64_t before = file_hash(p);
	char err[256] = "";
	pn_store *s;

	CHECK(pn_store_open(&s, p, PN_STORE_READ, NULL, err, sizeof(err)) == want);
	CHECK(s == NULL && err[0]);
	CHECK(pn_store_open(&s, p, PN_STORE_WRITE, NULL, err, sizeof(err)) == want);
	CHECK(s == NULL);
	CHECK(file_hash(p) == before);
}

/* A file with user_version v (and the schema sql) is refused, saying why. */
static void check_bad_version(const char *v, const char *sql, int want)
{
	char p[300], q[200];
	char err[256] = "";
	sqlite3 *db;
	pn_store *s;

	snprintf(p, sizeof(p), "%s/version%s", dir, v);
	snprintf(q, sizeof(q), "%s PRAGMA user_version = %s;", sql, v);
	CHECK(sqlite3_open(p, &db) == SQLITE_OK);
	CHECK(sqlite3_exec(db, q, NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	check_refused(p, want);
	CHECK(pn_store_open(&s, p, PN_STORE_WRITE, NULL, err, sizeof(err)) == want);
	CHECK(strstr(err, "version") != NULL || strstr(err, "not a procnotify log") != NULL);
}

/* SQLite quotes a crafted schema's names in its messages: they reach the
 * terminal escaped, never as raw control bytes. */
static void test_hostile_schema_message(void)
{
	char p[300], err[256] = "";
	sqlite3 *db;
	pn_store *s;

	snprintf(p, sizeof(p), "%s/esc", dir);
	CHECK(sqlite3_open(p, &db) == SQLITE_OK);
	CHECK(sqlite3_exec(db, "CREATE TABLE t(x); PRAGMA writable_schema = ON;"
			   "INSERT INTO sqlite_schema VALUES('table', 'e\x1b[31mvil', 'e\x1b[31mvil', 0,"
			   " 'CREATE TABLE \"e\x1b[31mvil\" (x');", NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	CHECK(pn_store_open(&s, p, PN_STORE_READ, NULL, err, sizeof(err)) < 0);
	CHECK(strstr(err, "e\\x1b[31mvil") != NULL);
	CHECK(strchr(err, '\x1b') == NULL);
}

/* One writer per log: a second is refused, saying why, until the first
 * closes; readers are not affected. */
static void test_one_writer(void)
{
	char err[256] = "";
	pn_store *w = store_open(path, PN_STORE_WRITE, NULL), *w2 = NULL, *r = NULL;

	CHECK(w != NULL);
	CHECK(pn_store_open(&w2, path, PN_STORE_WRITE, NULL, err, sizeof(err)) == -EBUSY);
	CHECK(w2 == NULL && strstr(err, "another procnotify") != NULL);
	CHECK(pn_store_open(&r, path, PN_STORE_READ, NULL, NULL, 0) == 0);
	pn_store_close(r);
	CHECK(pn_store_close(w) == 0);
	w2 = store_open(path, PN_STORE_WRITE, NULL);
	CHECK(w2 != NULL);
	pn_store_close(w2);
}

static void test_refusals(void)
{
	char p[300];
	sqlite3 *db;
	int fd;
	pn_store *s;
	char err[256];

	snprintf(p, sizeof(p), "%s/text", dir);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0 && write(fd, "this is not a database, just text\n", 34) == 34);
	close(fd);
	check_refused(p, -EILSEQ);

	snprintf(p, sizeof(p), "%s/newer", dir);
	CHECK(sqlite3_open(p, &db) == SQLITE_OK);
	CHECK(sqlite3_exec(db, "CREATE TABLE t(x); PRAGMA user_version = 99;", NULL, NULL, NULL) == 0);
	sqlite3_close(db);
	check_refused(p, -EPROTONOSUPPORT);

	snprintf(p, sizeof(p), "%s/other", dir);
	CHECK(sqlite3_open(p, &db) == SQLITE_OK);
	CHECK(sqlite3_exec(db, "CREATE TABLE event(x)", NULL, NULL, NULL) == 0);
	sqlite3_close(db);
	check_refused(p, -EILSEQ);

	/* Versions the migration table has no step for: each once indexed it
	 * (SIGBUS, or stray memory run as SQL). */
	check_bad_version("-100000", "", -EPROTONOSUPPORT);
	check_bad_version("-1", "", -EPROTONOSUPPORT);
	check_bad_version("-100", "", -EPROTONOSUPPORT);
	check_bad_version("-2147483648", "PRAGMA application_id = 1886285684; CREATE TABLE t(x);",
			  -EPROTONOSUPPORT);
	check_bad_version("2", "", -EILSEQ); /* no tables, yet a version */

	snprintf(p, sizeof(p), "%s/missing", dir);
	CHECK(pn_store_open(&s, p, PN_STORE_READ, NULL, err, sizeof(err)) < 0);
	CHECK(access(p, F_OK) != 0); /* reading never creates */
}

/* What a person types: local times (in a zone the test sets, so it holds
 * anywhere), words, epochs; RFC 3339 with an offset means what it says. */
static void test_parse_when(void)
{
	const int64_t now = 1796212800LL * NS + 3600 * NS; /* 2026-12-02T13:00:00Z */
	int64_t t;
	static const char *const bad[] = {
		"", "tomorrow", "@", "@1x", "@-", "2026-12-02 4:00", "2026-12-02 04", "2026-12-02 04:00:",
		"2026-12-02  04:00", "2026-12-02 04:00 junk", "@1.", "Today",
	};

	setenv("TZ", "XST-5:30", 1); /* five and a half hours east of UTC, no DST */
	tzset();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(pn_store_parse_when(bad[i], now, 1, &t) < 0);
	CHECK(pn_store_parse_when("now", now, 1, &t) == 0 && t == now);
	CHECK(pn_store_parse_when("@1700000000", now, 1, &t) == 0 && t == 1700000000LL * NS);
	CHECK(pn_store_parse_when("@1.25", now, 0, &t) == 0 && t == NS + NS / 4);
	CHECK(pn_store_parse_when("@-1.5", now, 0, &t) == 0 && t == -NS - NS / 2);
	/* Local midnight of 2026-12-02 is 18:30 UTC the day before. */
	CHECK(pn_store_parse_when("today", now, 1, &t) == 0 && t == 1796149800LL * NS);
	CHECK(pn_store_parse_when("yesterday", now, 1, &t) == 0 && t == (1796149800LL - 86400) * NS);
	CHECK(pn_store_parse_when("today", now, 0, &t) == 0 && t == 1796169600LL * NS);
	CHECK(pn_store_parse_when("2026-12-02", now, 1, &t) == 0 && t == 1796149800LL * NS);
	CHECK(pn_store_parse_when("2026-12-02", now, 0, &t) == 0 && t == 1796169600LL * NS);
	CHECK(pn_store_parse_when("2026-12-02 04:25", now, 1, &t) == 0 &&
	      t == 1796169600LL * NS - 3900 * NS);
	CHECK(pn_store_parse_when("2026-12-02T04:25:30.5", now, 0, &t) == 0 &&
	      t == (1796169600LL + 4 * 3600 + 25 * 60 + 30) * NS + NS / 2);
	CHECK(pn_store_parse_when("2026-12-02T04:25:00Z", now, 1, &t) == 0 &&
	      t == (1796169600LL + 4 * 3600 + 25 * 60) * NS);
	CHECK(pn_store_parse_when("2026-12-02T04:25:00+01:00", now, 1, &t) == 0 &&
	      t == (1796169600LL + 3 * 3600 + 25 * 60) * NS);
	CHECK(pn_store_parse_when("90m", now, 1, &t) == 0 && t == now - 5400 * NS);
	/* A zone with daylight saving time: Central Europe, summer and winter. */
	setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
	tzset();
	CHECK(pn_store_parse_when("2026-07-01 12:00", now, 1, &t) == 0 && t == 1782900000LL * NS);
	CHECK(pn_store_parse_when("2026-12-01 12:00", now, 1, &t) == 0 && t == 1796122800LL * NS);
	/* The strict parser of 1.0 takes none of the new forms. */
	CHECK(pn_store_parse_time("2026-12-02 04:25", now, &t) < 0);
	CHECK(pn_store_parse_time("@1700000000", now, &t) < 0);
	unsetenv("TZ");
	tzset();
}

static void test_parse(void)
{
	int64_t t;
	uint64_t sz;
	static const char *const bad[] = {
		"", "yesterday", "10", "10x", "-5m", "2026-13-01", "2026-02-30",
		"2026-01-01T00:00:00", "2026-01-01T25:00:00Z", "2026-01-01T00:00:00Zjunk",
		"2026-1-01", "2026-01-01T00:00:00.Z", "1e400h", "'; DROP TABLE event; --",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(pn_store_parse_time(bad[i], T0, &t) < 0);
	CHECK(pn_store_parse_time("1970-01-02T00:00:01.5Z", 0, &t) == 0 && t == 86401 * NS + NS / 2);
	CHECK(pn_store_parse_time("1970-01-01T02:00:00+02:00", 0, &t) == 0 && t == 0);
	CHECK(pn_store_parse_time("2000-02-29", 0, &t) == 0 && t == 951782400LL * NS);
	CHECK(pn_store_parse_time("10m", T0, &t) == 0 && t == T0 - 600 * NS);
	CHECK(pn_store_parse_time("1.5h", T0, &t) == 0 && t == T0 - 5400 * NS);
	CHECK(pn_store_parse_duration("7d", &t) == 0 && t == 7 * 86400 * NS);
	CHECK(pn_store_parse_size("64M", &sz) == 0 && sz == 64u << 20);
	CHECK(pn_store_parse_size("12Q", &sz) < 0 && pn_store_parse_size("-1", &sz) < 0);
	/* Past 64 bits, in the digits or once the unit applies: out of range. */
	CHECK(pn_store_parse_size("99999999999999999999", &sz) == -ERANGE);
	CHECK(pn_store_parse_size("18014398509481984K", &sz) == -ERANGE);
	CHECK(pn_store_parse_size("17179869183G", &sz) == 0 && sz == 17179869183ULL << 30);
	CHECK(pn_store_parse_duration("9999999999999999999s", &t) == -ERANGE);
	CHECK(pn_store_parse_time("2026-01-01T00:00:00+24:00", 0, &t) == -EINVAL);
	test_parse_when();
}

/* The lost records of host h1 a scoped reader (query --host h1) sees. */
static int lost_of_h1(pn_buf *out)
{
	pn_store_filter lost = { .types = PN_MASK(PN_EVENT_LOST) };
	pn_store *s = store_open(path, PN_STORE_READ, NULL);
	int n = -1;

	pn_buf_reset(out);
	if (s && pn__store_scope_host(s, "h1") == 0)
		n = pn_store_query(s, &lost, to_json, out);
	pn_store_close(s);
	return n;
}

/* A writer that dies without closing leaves a run with no end; the next
 * writer appends and puts an unknown-size lost record at the gap, on the
 * host of the dead run's last event (a reader scoped to that host missed
 * the gap when it had none). */
static void test_crash_gap(void)
{
	pn_event ev = proc_event(PN_EVENT_FORK, 50, 10, T0 + 20 * NS);
	pn_store_filter lost = { .types = PN_MASK(PN_EVENT_LOST) };
	pn_buf out = { 0 };
	pid_t child;
	pn_store *s;
	int status;

	ev.host = str("h1", 2);
	ev.have |= PN_HAVE_HOST;
	child = fork();
	if (child == 0) {
		s = store_open(path, PN_STORE_WRITE, NULL);
		pn_store_event(&ev, s);
		_exit(s && pn_store_commit(s) == 0 ? 0 : 1); /* no close: a crash */
	}
	CHECK(waitpid(child, &status, 0) == child && WIFEXITED(status) && !WEXITSTATUS(status));
	CHECK(db_int("SELECT count(*) FROM run WHERE ended_ns IS NULL") == 1);
	s = store_open(path, PN_STORE_WRITE, NULL);
	pn_store_close(s);
	CHECK(query_json(&lost, &out) == 2);
	CHECK(strstr(out.data, "\"count\":null") != NULL);
	CHECK(count((pn_store_filter){ .have_pid = 1, .pid = 50 }) == 1 + 2);
	CHECK(lost_of_h1(&out) == 1);
	CHECK(out.data && strstr(out.data, "\"count\":null") && strstr(out.data, "\"host\":\"h1\""));
	pn_buf_free(&out);
}

/* With --db-max-age 1h, a process that ended two hours ago is forgotten
 * (events and row) at a tick; one from now stays. */
static void test_retention(void)
{
	pn_store_options o = { .max_age_ns = 3600 * NS };
	struct timespec now;
	pn_event old_fork, old_exit, fresh;
	pn_store *s;

	clock_gettime(CLOCK_REALTIME, &now);
	old_fork = proc_event(PN_EVENT_FORK, 60, 10, (int64_t)now.tv_sec * NS - 7200 * NS);
	old_exit = exit_event(60, 10, old_fork.time_ns + NS, 0, 0);
	fresh = proc_event(PN_EVENT_FORK, 61, 10, (int64_t)now.tv_sec * NS);
	snprintf(path, sizeof(path), "%s/retention.db", dir);
	s = store_open(path, PN_STORE_WRITE, &o);
	if (!s)
		return;
	pn_store_event(&old_fork, s);
	pn_store_event(&old_exit, s);
	pn_store_event(&fresh, s);
	CHECK(pn_store_tick(s) == 0); /* a tick runs retention now */
	CHECK(pn_store_close(s) == 0);
	CHECK(db_int("SELECT count(*) FROM event WHERE pid = 60") == 0);
	CHECK(db_int("SELECT count(*) FROM process WHERE pid = 60") == 0);
	CHECK(db_int("SELECT count(*) FROM event WHERE pid = 61") == 1);
	CHECK(db_int("SELECT count(*) FROM process WHERE pid = 61") == 1);
	/* The lookup's rows of the forgotten process go with it. */
	CHECK(db_int("SELECT count(*) FROM proc_str WHERE process NOT IN (SELECT id FROM process)") == 0);
	CHECK(db_int("SELECT count(*) FROM proc_str") == 1);
	/* A late event of the forgotten process: the writer's cached row id is
	 * stale, and the row comes back under it with what the event tells. */
	s = store_open(path, PN_STORE_WRITE, &o);
	if (!s)
		return;
	pn_store_event(&old_fork, s);
	CHECK(pn_store_tick(s) == 0);
	old_exit.exit_code = 3;
	old_exit.time_ns = (int64_t)now.tv_sec * NS;
	pn_store_event(&old_exit, s);
	CHECK(pn_store_close(s) == 0);
	CHECK(db_int("SELECT count(*) FROM process p JOIN event e ON e.process = p.id"
		     " WHERE p.pid = 60 AND p.exit_code = 3") == 1);
}

/* With --db-max-size, the oldest events go, step by step, until the pages
 * in use fit; the newest stay, and never everything. An empty log has 22
 * pages of 16 KiB (352 KiB) since schema 13's lookup tables. A step takes
 * the rows the last one could remove in 20 ms: on a slow machine (or under
 * valgrind) 16, so the 6,000 events may need hundreds of steps. */
#define SIZE_BOUND (512 << 10)
static void test_retention_size(void)
{
	pn_store_options o = { .max_size = SIZE_BOUND };
	pn_store *s;
	int steps = 0;

	snprintf(path, sizeof(path), "%s/size.db", dir);
	s = store_open(path, PN_STORE_WRITE, &o);
	if (!s)
		return;
	for (uint32_t pid = 100; pid < 6100; pid++) {
		pn_event ev = exit_event(pid, 10, T0 + (int64_t)pid * NS, 0, 0);

		pn_store_event(&ev, s);
	}
	CHECK(pn_store_commit(s) == 0);
	while (steps++ < 2000 && db_int("SELECT (page_count - freelist_count) * page_size FROM"
				      " pragma_page_count, pragma_freelist_count, pragma_page_size") > SIZE_BOUND) {
		CHECK(pn_store_tick(s) == 0);
	}
	CHECK(pn_store_close(s) == 0);
	CHECK(db_int("SELECT (page_count - freelist_count) * page_size FROM pragma_page_count,"
		     " pragma_freelist_count, pragma_page_size") <= SIZE_BOUND);
	CHECK(db_int("SELECT count(*) FROM event") > 0);
	CHECK(db_int("SELECT count(*) FROM event WHERE pid = 6099") == 1);
	CHECK(db_int("SELECT count(*) FROM event WHERE pid = 100") == 0);
}

/* Records ev[from..to) in one writer session. */
static void write_events(const pn_event *ev, int from, int to)
{
	pn_store *s = store_open(path, PN_STORE_WRITE, NULL);

	for (int i = from; s && i < to; i++)
		pn_store_event(&ev[i], s);
	CHECK(pn_store_close(s) == 0);
}

/* Arguments longer than the trigram index takes (str_long) are found by
 * --argv all the same, as a word of a short one is, and only they. */
static void test_long_argv(void)
{
	static char argv[5000];
	static const char short_argv[] = "ed\0needle-xyz\0";
	pn_event ev[4];

	snprintf(path, sizeof(path), "%s/long.db", dir);
	memset(argv, 'a', sizeof(argv));
	memcpy(argv + 4000, "\0needle-xyz", 11);
	argv[sizeof(argv) - 1] = 0;
	ev[0] = exec_event(50, 10, T0, "/usr/bin/long", argv, sizeof(argv), "long", 4);
	ev[1] = exec_event(51, 10, T0 + NS, "/usr/bin/ed", short_argv, sizeof(short_argv) - 1, "ed", 2);
	ev[2] = exec_event(52, 10, T0 + 2 * NS, "/usr/bin/ed", "ed\0x\0", 5, "ed", 2);
	ev[3] = exit_event(50, 10, T0 + 3 * NS, 0, 0);
	write_events(ev, 0, 4);
	/* Not cached, so stored at each use: the event's and the row's. */
	CHECK(db_int("SELECT count(*) FROM str_long") == 2);
	CHECK(count((pn_store_filter){ .argv = "needle-xyz" }) == 2);
	CHECK(count((pn_store_filter){ .argv = "aaa needle" }) == 1);
	CHECK(count((pn_store_filter){ .name = "long" }) == 1); /* its exit is "sh" */
}

/* --argv asks the trigram index for the piece of its text whose
 * trigrams are rarest (trigram.c): here "src/" is in more strings than a
 * probe reads, a string that holds the piece but not the whole text is no
 * match, and a quote in the text, texts ORed and another field beside
 * them number their parameters apart. */
static void test_argv_piece(void)
{
	static char argv[301][32];
	static const char quoted[] = "say\0\"hi there\"\0";
	pn_store_term t[2] = { { PN_WHERE_ARGV, "src/m1/f120.c", 0 }, { PN_WHERE_ARGV, "say \"hi", 0 } };
	pn_store_term named[2] = { { PN_WHERE_NAME, "cc", 0 }, { PN_WHERE_ARGV, "src/m1/f120.c", 0 } };
	pn_event ev[302];
	char saved[sizeof(path)];

	for (int i = 0; i < 301; i++) {
		/* the last: the piece ("f120.c" or less) in another directory */
		int len = i < 300 ? snprintf(argv[i], sizeof(argv[i]), "cc%c-c%csrc/m%d/f%d.c", 0, 0, i % 7, i)
				  : snprintf(argv[i], sizeof(argv[i]), "cc%c-c%clib/m1/f120.c", 0, 0);

		ev[i] = exec_event(1000 + (uint32_t)i, 10, T0 + i * NS, "/usr/bin/cc", argv[i],
				   (size_t)len + 1, "cc", 2);
	}
	ev[301] = exec_event(2000, 10, T0 + 400 * NS, "/usr/bin/say", quoted, sizeof(quoted) - 1, "say", 3);
	memcpy(saved, path, sizeof(path));
	snprintf(path, sizeof(path), "%s/piece.db", dir);
	write_events(ev, 0, 302);
	CHECK(count((pn_store_filter){ .argv = "src/m1/f120.c" }) == 1);
	CHECK(count((pn_store_filter){ .argv = "/m1/f120.c" }) == 2);
	CHECK(count((pn_store_filter){ .argv = "src/m1/f12.c" }) == 0);
	CHECK(count((pn_store_filter){ .argv = "say \"hi" }) == 1);
	CHECK(count_where(t, 2) == 2);
	CHECK(count_where(named, 2) == 1);
	memcpy(path, saved, sizeof(path));
}

/* --name tests a comm whole and an image by its file name, also when one
 * string is both: "a/x" is 80's comm and 81's image. */
static void test_name_uses(void)
{
	char saved[sizeof(path)];
	pn_event ev[2];

	ev[0] = exec_event(80, 10, T0, "/usr/bin/y", "y\0", 2, "a/x", 3);
	ev[1] = exec_event(81, 10, T0 + NS, "a/x", "x\0", 2, "z", 1);
	memcpy(saved, path, sizeof(path));
	snprintf(path, sizeof(path), "%s/names.db", dir);
	write_events(ev, 0, 2);
	CHECK(db_int("SELECT count(*) FROM str WHERE value = CAST('a/x' AS BLOB)") == 1);
	CHECK(count((pn_store_filter){ .name = "x" }) == 1);
	CHECK(count((pn_store_filter){ .name = "a/x" }) == 1);
	CHECK(count((pn_store_filter){ .name = "[xy]" }) == 2);
	CHECK(count((pn_store_filter){ .name = "X" }) == 0);
	memcpy(path, saved, sizeof(path));
}

/* A process first seen without a parent takes the first parent an event
 * names, and keeps it when a later exit names the reaper; both when its
 * row is cached (pid 70) and when a new writer finds it by key (pid 71). */
static void test_first_parent(void)
{
	char saved[sizeof(path)];
	pn_event ev[6];

	for (int i = 0; i < 2; i++) {
		uint32_t pid = 70 + (uint32_t)i;

		ev[i * 3] = proc_event(PN_EVENT_FORK, pid, 60, T0 + NS);
		ev[i * 3].have &= ~PN_HAVE_PARENT;
		ev[i * 3 + 1] = proc_event(PN_EVENT_FORK, pid, 60, T0 + 2 * NS);
		ev[i * 3 + 2] = exit_event(pid, 1, T0 + 3 * NS, 0, 0);
	}
	memcpy(saved, path, sizeof(path));
	snprintf(path, sizeof(path), "%s/parent.db", dir);
	write_events(ev, 0, 4);
	write_events(ev, 4, 6);
	CHECK(db_int("SELECT count(*) FROM process WHERE ppid = 60 AND parent_start = 6000") == 2);
	memcpy(path, saved, sizeof(path));
}

/* Windows creates: the creator beside the parent, a spoofed parent's mark
 * and a denied creation come back from the log as they went in. */
static void test_windows_creator(void)
{
	static const char cmd[] = "cmd.exe /c exit 9";
	pn_store_filter all = { 0 };
	pn_buf want = { 0 }, got = { 0 };
	char saved[sizeof(path)];
	pn_event ev[3];

	for (int i = 0; i < 3; i++) {
		ev[i] = proc_event(PN_EVENT_CREATE, 90 + (uint32_t)i, 80, T0 + (i + 1) * NS);
		ev[i].seq = (uint64_t)i + 1;
		ev[i].key.os = ev[i].parent_key.os = 'W';
		ev[i].have |= PN_HAVE_ARGV;
		ev[i].argv = str(cmd, sizeof(cmd) - 1);
		ev[i].argc = 1;
	}
	ev[0].have |= PN_HAVE_CREATOR;
	ev[0].creator_pid = 85;
	ev[0].creator_key = (pn_key){ BOOT, 0, 85, 'W' };
	ev[0].flags |= PN_EV_CREATOR_NOT_PARENT;
	ev[1].flags |= PN_EV_DENIED; /* and no creator known */
	memcpy(saved, path, sizeof(path));
	snprintf(path, sizeof(path), "%s/windows.db", dir);
	write_events(ev, 0, 3);
	for (int i = 0; i < 3; i++)
		pn_fmt_json(&want, &ev[i]);
	CHECK(query_json(&all, &got) == 3);
	CHECK_STR(got.data, want.data);
	CHECK(strstr(got.data, "\"creator_pid\":85,\"creator_key\":\"W:") != NULL);
	CHECK(db_int("SELECT count(*) FROM event WHERE creator_pid = 85 AND creator_start = 0") == 1);
	CHECK(db_int("SELECT count(*) FROM event WHERE creator_pid IS NULL") == 2);
	memcpy(path, saved, sizeof(path));
	pn_buf_free(&want);
	pn_buf_free(&got);
}

/* A damaged log where two processes name each other as parent: the tree
 * still ends, with each shown once above and once below. */
static void test_tree_loop(void)
{
	char saved[sizeof(path)];
	pn_event ev[2] = { proc_event(PN_EVENT_FORK, 90, 91, T0), proc_event(PN_EVENT_FORK, 91, 90, T0) };
	pn_buf out = { 0 };
	pn_store *s;

	memcpy(saved, path, sizeof(path));
	snprintf(path, sizeof(path), "%s/loop.db", dir);
	write_events(ev, 0, 2);
	s = store_open(path, PN_STORE_READ, NULL);
	CHECK(s && tree(s, "90", 0, &out, NULL) == 0);
	CHECK_STR(out.data, "91 [sh] [no exit recorded] L:1122334455667788:9100:91\n"
			    "  90 [sh] [no exit recorded] L:1122334455667788:9000:90 <= selected\n"
			    "    91 [sh] [no exit recorded] L:1122334455667788:9100:91\n");
	pn_store_close(s);
	pn_buf_free(&out);
	memcpy(path, saved, sizeof(path));
}

/* Events of processes spread over writers and batches: 40 processes forked
 * under one writer and ended under the next (which has never seen them, so
 * takes them for new in chunks of PN_STORE_ROWS), 20 new processes whose
 * exec and exit fall in different batches. Each process has one row, with
 * its exec and exit, and every event points at it. */
static void test_batches(void)
{
	static const char args[] = "w\0-x\0";
	char saved[sizeof(path)];
	pn_event ev[200];
	int n = 0, split;

	for (uint32_t pid = 200; pid < 240; pid++)
		ev[n++] = proc_event(PN_EVENT_FORK, pid, 10, T0 + pid * NS);
	split = n;
	for (uint32_t pid = 200; pid < 240; pid++) {
		ev[n++] = exec_event(pid, 10, T0 + 300 * NS, "/bin/w", args, 5, "w", 1);
		ev[n++] = exit_event(pid, 10, T0 + 301 * NS, 5, 0);
	}
	for (uint32_t pid = 300; pid < 320; pid++) {
		ev[n++] = proc_event(PN_EVENT_FORK, pid, 10, T0 + pid * NS);
		ev[n++] = exec_event(pid, 10, T0 + pid * NS + 1, "/bin/w", args, 5, "w", 1);
	}
	memcpy(saved, path, sizeof(path));
	snprintf(path, sizeof(path), "%s/batches.db", dir);
	write_events(ev, 0, split);
	pn_store *s = store_open(path, PN_STORE_WRITE, NULL);

	for (int i = split; s && i < n; i++)
		pn_store_event(&ev[i], s);
	CHECK(s && pn_store_commit(s) == 0);
	for (uint32_t pid = 300; s && pid < 320; pid++) {
		pn_event ex = exit_event(pid, 10, T0 + 400 * NS, 5, 0);

		pn_store_event(&ex, s);
	}
	CHECK(pn_store_close(s) == 0);
	CHECK(db_int("SELECT count(*) FROM event e WHERE e.type != 4 AND"
		     " e.process NOT IN (SELECT id FROM process)") == 0);
	CHECK(db_int("SELECT count(*) FROM process p WHERE p.exit_code = 5 AND p.argc = 2 AND"
		     " p.ppid = 10 AND (SELECT count(*) FROM event e WHERE e.process = p.id) = 3")
	      == 60);
	CHECK(db_int("SELECT count(*) FROM process") == 60);
	memcpy(path, saved, sizeof(path));
}

/* A log written by schema version 1 (textual keys) is brought to the
 * current version by the writer and answers the same tree and queries. */
static const char v1_rows[] =
	"PRAGMA user_version = 1; PRAGMA application_id = 1886285684;"
	"INSERT INTO run VALUES(1, 1, 2, 99);"
	"INSERT INTO process(id, key, boot, start_ns, os, pid, parent_key, ppid, comm, image, argv,"
	" argc, first_ns, exec_ns, end_ns, exit_code, signal, core_dumped) VALUES"
	" (1, 'L:1122334455667788:3000:30', 1234605616436508552, 3000, 76, 30,"
	"  'L:1122334455667788:1000:10', 10, x'6375726c', '/usr/bin/curl',"
	"  x'6375726c002d7300687474703a2f2f782f00', 3, 1, 2, 8, 7, 0, 0),"
	" (2, 'L:1122334455667788:4000:40', 1234605616436508552, 4000, 76, 40,"
	"  'L:1122334455667788:3000:30', 30, x'73', NULL, NULL, NULL, 3, NULL, 4, 0, 0, 0),"
	" (3, 'L:1122334455667788:5000:50', 1234605616436508552, 5000, 76, 50,"
	"  NULL, NULL, x'73', NULL, NULL, NULL, 5, NULL, NULL, NULL, NULL, NULL);"
	"INSERT INTO event(run, seq, type, time_ns, have, flags, process, pid, ppid, parent_start)"
	" VALUES(1, 1, 1, 3, 2, 0, 2, 40, 30, 3000), (1, 2, 3, 4, 2, 0, 2, 40, 30, 3000);";

static void test_migrate_v1(void)
{
	char saved[sizeof(path)];
	pn_store_filter by_pid = { .have_pid = 1, .pid = 40 };
	pn_buf out = { 0 };
	pn_store *s;
	sqlite3 *db;

	memcpy(saved, path, sizeof(path));
	snprintf(path, sizeof(path), "%s/v1.db", dir);
	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	CHECK(sqlite3_exec(db, pn__store_migrations[0], NULL, NULL, NULL) == SQLITE_OK);
	CHECK(sqlite3_exec(db, v1_rows, NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	CHECK(pn_store_close(store_open(path, PN_STORE_WRITE, NULL)) == 0);
	CHECK(db_int("PRAGMA user_version") == PN_STORE_SCHEMA_VERSION);
	CHECK(db_int("SELECT count(*) FROM process WHERE ppid IS NULL AND parent_start IS NULL") == 1);
	CHECK(db_int("SELECT parent_start FROM process WHERE pid = 40") == 3000);
	s = store_open(path, PN_STORE_READ, NULL);
	CHECK(s && tree(s, "L:1122334455667788:3000:30", 0, &out, NULL) == 0);
	CHECK_STR(out.data,
		  "30 /usr/bin/curl : curl -s http://x/ [exit 7] L:1122334455667788:3000:30 <= selected\n"
		  "  40 [s] [exit 0] L:1122334455667788:4000:40\n");
	pn_store_close(s);
	CHECK(query_json(&by_pid, &out) == 2);
	memcpy(path, saved, sizeof(path));
	pn_buf_free(&out);
}

/* The writer thread commits a batch on its own, without any call. */
static void test_commits_on_its_own(void)
{
	pn_event ev = proc_event(PN_EVENT_FORK, 70, 10, 1000 * NS);
	pn_store *s;
	int waited = 0;

	snprintf(path, sizeof(path), "%s/due.db", dir);
	s = store_open(path, PN_STORE_WRITE, NULL);
	if (!s)
		return;
	pn_store_event(&ev, s);
	while (waited < 10000 && db_int("SELECT count(*) FROM event WHERE pid = 70") == 0) {
		usleep(10000);
		waited += 10;
	}
	CHECK(db_int("SELECT count(*) FROM event WHERE pid = 70") == 1);
	CHECK(pn_store_close(s) == 0);
}

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Another process holds the log's write lock: appending never waits for
 * it (it once waited the 5 s busy timeout, then failed, and the monitor
 * with it); the events that do not fit in the queue are counted, and once
 * the lock is gone the log records the exact count as a lost record with
 * reason store at the place of the gap, which the caller takes for its
 * stream. */
static void test_log_locked(void)
{
	pn_store_options o = { .queue_bytes = 64 << 10 };
	pn_store_filter lost_only = { .types = PN_MASK(PN_EVENT_LOST) };
	pn_buf out = { 0 };
	sqlite3 *db = NULL;
	pn_event ev, lost;
	pn_store *s;
	int64_t stored;
	double t;

	snprintf(path, sizeof(path), "%s/locked.db", dir);
	s = store_open(path, PN_STORE_WRITE, &o);
	CHECK(s != NULL && sqlite3_open(path, &db) == SQLITE_OK);
	CHECK(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK);
	if (!s)
		return;
	t = mono_s();
	for (uint32_t pid = 100; pid < 2100; pid++) {
		ev = proc_event(PN_EVENT_FORK, pid, 10, T0 + pid);
		ev.seq = pid;
		pn_store_event(&ev, s);
	}
	CHECK(mono_s() - t < 2.5);
	CHECK(pn_store_failed(s) == 0);
	CHECK(pn_store_take_lost(s, &lost) == 0); /* the gap is still open */
	CHECK(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	CHECK(pn_store_commit(s) == 0);
	stored = db_int("SELECT count(*) FROM event WHERE type = 1");
	CHECK(stored > 0 && stored < 2000);
	CHECK(pn_store_take_lost(s, &lost) == 1);
	CHECK(lost.type == PN_EVENT_LOST && lost.lost_reason == PN_LOST_STORE);
	CHECK(lost.lost_count_known && (int64_t)lost.lost_count == 2000 - stored);
	CHECK(lost.lost_by_type[PN_EVENT_FORK] == lost.lost_count);
	CHECK(lost.seq == 100 + (uint64_t)stored);
	CHECK(pn_store_take_lost(s, &lost) == 0);
	CHECK(pn_store_close(s) == 0);
	CHECK(db_int("SELECT lost_count FROM event WHERE type = 4 AND lost_reason = 1") == 2000 - stored);
	CHECK(db_int("SELECT count(*) FROM event WHERE type = 4 AND seq = 100 + (SELECT count(*)"
		     " FROM event WHERE type = 1) AND id > (SELECT max(id) FROM event WHERE type = 1)") == 1);
	CHECK(query_json(&lost_only, &out) == 1);
	CHECK(strstr(out.data, "\"reason\":\"store\"") != NULL);
	pn_buf_free(&out);
}

int main(void)
{
	/* The chain for the store suite's test of a deep tree (40,000 levels). */
	if (getenv("PN_CHAIN_DB")) {
		write_chain(getenv("PN_CHAIN_DB"), (uint32_t)atoi(getenv("PN_CHAIN_LEN")));
		return pn_test_done("test_store chain");
	}
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/log.db", dir);
	write_history();
	test_schema();
	test_round_trip();
	test_filters();
	test_where();
	test_sql_metacharacters();
	test_tree();
	test_refusals();
	test_one_writer();
	test_hostile_schema_message();
	test_migrate_v1();
	test_first_parent();
	test_name_uses();
	test_windows_creator();
	test_batches();
	test_tree_loop();
	test_deep_tree();
	test_parse();
	test_crash_gap();
	test_retention();
	test_retention_size();
	test_long_argv();
	test_argv_piece();
	test_commits_on_its_own();
	test_log_locked();
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return pn_test_done("test_store");
}
