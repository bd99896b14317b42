/*
 * The log when the disk fails a read. SQLite's unix VFS makes its system
 * calls through a table (xSetSystemCall), so the test fails one pread()
 * at a time with EIO: the first read of a report, of a tree, of a query,
 * then the second, and so on until the walk needs no more reads. Each
 * must either end with an error, in words (pn_store_errmsg()), or, where
 * SQLite could do without the page, give exactly what it gives on a
 * sound disk: never a success with a section, a process or an event
 * missing. (test_store_faults.c fails the writes.)
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "check.h"
#include "testdir.h"
#include "jsonlog.h"
#include "procnotify.h"
#include "procnotify/report.h"
#include "procnotify/store.h"

static char dir[] = "/tmp/pn-test-readfaults-XXXXXX";
static char path[256];

/* ---- one failing read ---- */

static sqlite3_syscall_ptr real_pread, real_pread64;
static int countdown = -1; /* reads that succeed before one fails; -1: none fails */
static int failures;

static int fail_now(void)
{
	if (countdown < 0 || countdown-- > 0)
		return 0;
	failures++;
	errno = EIO;
	return 1;
}

static ssize_t hook_pread(int fd, void *b, size_t n, off_t off)
{
	return fail_now() ? -1 : ((ssize_t(*)(int, void *, size_t, off_t))real_pread)(fd, b, n, off);
}

static ssize_t hook_pread64(int fd, void *b, size_t n, off64_t off)
{
	return fail_now() ? -1 :
	       ((ssize_t(*)(int, void *, size_t, off64_t))real_pread64)(fd, b, n, off);
}

static void install(void)
{
	sqlite3_vfs *vfs = sqlite3_vfs_find(NULL);

	CHECK(vfs && vfs->iVersion >= 3);
	if (!vfs)
		return;
	real_pread = vfs->xGetSystemCall(vfs, "pread");
	real_pread64 = vfs->xGetSystemCall(vfs, "pread64");
	if (real_pread)
		CHECK(vfs->xSetSystemCall(vfs, "pread", (sqlite3_syscall_ptr)hook_pread) == SQLITE_OK);
	if (real_pread64)
		CHECK(vfs->xSetSystemCall(vfs, "pread64", (sqlite3_syscall_ptr)hook_pread64) ==
		      SQLITE_OK);
	CHECK(real_pread || real_pread64);
}

/* ---- the log ---- */

/* 1000 processes over three hours of 2026-01-02 on two hosts, under 20
 * parents, running 25 images as 3 users; some fail, some are killed:
 * a few dozen pages of 16 KiB. */
static void write_log(void)
{
	char err[256] = "";
	pn_store *s = NULL;
	unsigned seq = 0;

	CHECK(pn_store_open(&s, path, PN_STORE_WRITE, NULL, err, sizeof(err)) == 0 && s);
	for (unsigned i = 0; s && i < 1000; i++) {
		unsigned pid = 1000 + i, ppid = i < 20 ? 1 : 1000 + i % 20, t = i * 10;
		char common[256];

		snprintf(common, sizeof(common),
			 "\"host\":\"h%u\",\"pid\":%u,\"ppid\":%u,\"uid\":%u,\"comm\":\"c%u\","
			 "\"key\":\"L:00000000000000bb:%u:%u\",\"parent_key\":\"L:00000000000000bb:%u:%u\"",
			 i % 2, pid, ppid, i % 3 * 500, i % 25, pid * 10, pid, ppid * 10, ppid);
		CHECK(import_line(s, "{\"seq\":%u,\"type\":\"fork\",\"time\":\"2026-01-02T%02u:%02u:%02uZ\",%s}",
				  ++seq, t / 3600, t / 60 % 60, t % 60, common) == 1);
		CHECK(import_line(s, "{\"seq\":%u,\"type\":\"exec\",\"time\":\"2026-01-02T%02u:%02u:%02uZ\",%s,"
				  "\"image\":\"/usr/bin/tool%u\",\"argv\":[\"tool%u\",\"--n\",\"%u\"]}",
				  ++seq, t / 3600, t / 60 % 60, t % 60 + 1, common, i % 25, i % 25, i) == 1);
		CHECK(import_line(s, "{\"seq\":%u,\"type\":\"exit\",\"time\":\"2026-01-02T%02u:%02u:%02uZ\",%s,"
				  "\"exit_code\":%s,\"signal\":%u,\"core_dumped\":false}",
				  ++seq, t / 3600, t / 60 % 60, t % 60 + 5, common,
				  i % 7 == 3 ? "null" : i % 5 ? "0" : "1",
				  i % 7 == 3 ? 9 : 0) == 1);
	}
	CHECK(pn_store_close(s) == 0);
}

/* ---- what each walk gives, as text ---- */

static int r_begin(enum pn_report_section sec, const pn_report_window *w, void *user)
{
	pn_buf_printf(user, "[%s %lld %lld]", pn__report_section_name(sec), (long long)w->first_ns,
		      (long long)w->last_ns);
	return 0;
}

static int r_row(enum pn_report_section sec, const pn_report_row *r, void *user)
{
	pn_buf_printf(user, "(%.*s %u %u %llu %llu %llu %lld)", (int)r->image.len, r->image.ptr,
		      r->pid, r->uid, (unsigned long long)r->count, (unsigned long long)r->nonzero,
		      (unsigned long long)r->processes, (long long)r->time_ns);
	return 0;
}

static int r_end(enum pn_report_section sec, uint64_t total, void *user)
{
	pn_buf_printf(user, "{%llu}", (unsigned long long)total);
	return 0;
}

static int t_enter(const pn_proc_node *n, unsigned depth, int selected, void *user)
{
	pn_buf_printf(user, "E%u@%u:%.*s:%.*s ", n->pid, depth, (int)n->image.len, n->image.ptr,
		      (int)n->argv.len, n->argv.ptr);
	return 0;
}

static int t_leave(unsigned depth, void *user)
{
	pn_buf_printf(user, "L@%u ", depth);
	return 0;
}

static int q_event(const pn_event *ev, void *user)
{
	pn_buf_printf(user, "%llu:%u:%.*s ", (unsigned long long)ev->seq, ev->pid,
		      (int)ev->image.len, ev->image.ptr);
	return 0;
}

enum walk { REPORT, REPORT_SCOPED, TREE, QUERY, NWALKS };

static const char *const walk_names[] = { "report", "report --host", "tree", "query" };

static int walk(pn_store *s, enum walk w, pn_buf *out)
{
	static const pn_report_visitor rv = { r_begin, r_row, r_end };
	static const pn_store_tree_visitor tv = { t_enter, t_leave };
	pn_report_scope all = { 0 };
	pn_store_filter f = { .name = "c1*" };
	int rc;

	switch (w) {
	case REPORT:
		return pn__store_report(s, &all, 5, &rv, out);
	case REPORT_SCOPED:
		rc = pn__store_scope_host(s, "h1");
		return rc ? rc : pn__store_report(s, &all, 5, &rv, out);
	case TREE:
		return pn_store_tree(s, "1005", &tv, out, NULL);
	default:
		rc = pn_store_query(s, &f, q_event, out);
		return rc < 0 ? rc : 0;
	}
}

/* The walk with its nth read failing, for n = 0, 1, ... until it makes
 * fewer reads than n: an error in words, or the sound disk's result. */
static void each_read_fails(enum walk w)
{
	pn_buf want = { 0 }, got = { 0 };
	int errors = 0, same = 0, n;
	pn_store *s = NULL;

	CHECK(pn_store_open(&s, path, PN_STORE_READ, NULL, NULL, 0) == 0 && s);
	CHECK(s && walk(s, w, &want) == 0 && want.len > 0);
	pn_store_close(s);
	for (n = 0; n < 1000; n++) {
		int rc;

		s = NULL;
		if (pn_store_open(&s, path, PN_STORE_READ, NULL, NULL, 0) || !s)
			break;
		pn_buf_reset(&got);
		failures = 0;
		countdown = n;
		rc = walk(s, w, &got);
		countdown = -1;
		if (!failures) {
			CHECK(rc == 0 && got.len == want.len && !memcmp(got.data, want.data, got.len));
			pn_store_close(s);
			break;
		}
		if (rc) {
			errors++;
			CHECK(rc < 0 && strlen(pn_store_errmsg(s)) > 0);
		} else {
			same++;
			CHECK(got.len == want.len && !memcmp(got.data, want.data, got.len));
		}
		pn_store_close(s);
	}
	/* The walks read a few dozen pages each, and a failed read is an
	 * error for all but the pages SQLite can do without. */
	CHECK(n > 3 && n < 1000 && errors > 0);
	printf("# %s: %d reads; with one of them lost: %d errors, %d same results\n", walk_names[w],
	       n, errors, same);
	pn_buf_free(&want);
	pn_buf_free(&got);
}

int main(void)
{
	if (testdir_make(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/log.db", dir);
	write_log();
	install();
	for (enum walk w = 0; w < NWALKS; w++)
		each_read_fails(w);
	testdir_remove(dir);
	return pn_test_done("test_store_readfaults");
}
