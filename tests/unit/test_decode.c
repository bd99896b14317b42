/* Record decoding, and its refusal of malformed records. */
#include <errno.h>
#include "procnotify/decode.h"
#include "recbuild.h"
#include "check.h"

static const struct pn__decode_ctx ctx = { 1000000000000LL, 0xabcdef, 'L', 0 };

static void exec_record(void)
{
	struct recbuf r;
	pn_event ev;
	static const char argv[] = "ls\0-la\0";

	rb_start(&r, PN_REC_EXEC, sizeof(r.u.exec), 5000);
	rb_task(&r.u.exec.task, 42, 1, 4000, "ls");
	r.u.exec.task.known |= PN_KNOWN_IMAGE | PN_KNOWN_ARGV | PN_KNOWN_CWD;
	rb_str(&r, &r.u.exec.image, "/usr/bin/ls", 11);
	rb_str(&r, &r.u.exec.cwd, "/tmp", 4);
	rb_str(&r, &r.u.exec.argv, argv, sizeof(argv) - 1);
	CHECK(pn__decode(&r.u, r.len, &ctx, &ev) == 0);
	CHECK(ev.type == PN_EVENT_EXEC && ev.pid == 42 && ev.ppid == 1);
	CHECK(ev.time_ns == 1000000005000LL);
	CHECK(ev.image.len == 11 && !memcmp(ev.image.ptr, "/usr/bin/ls", 11));
	CHECK(ev.argv.len == 7 && (ev.have & PN_HAVE_ARGV) && !(ev.have & PN_HAVE_FILENAME));
	CHECK(ev.key.pid == 42 && ev.key.start_ns == 4000 && ev.key.boot == 0xabcdef);
	CHECK(ev.parent_key.pid == 1 && ev.parent_key.start_ns == 2000);
	CHECK(ev.tty[0] == 0);

	/* The kernel's "pts7" is shown as its /dev path, other names as they are. */
	memcpy(r.u.exec.tty, "pts7", 5);
	CHECK(pn__decode(&r.u, r.len, &ctx, &ev) == 0 && !strcmp(ev.tty, "pts/7"));
	memcpy(r.u.exec.tty, "ttyS0", 6);
	CHECK(pn__decode(&r.u, r.len, &ctx, &ev) == 0 && !strcmp(ev.tty, "ttyS0"));

	/* A string reference past the end of the record is refused. */
	r.u.exec.cwd.len = 1000;
	CHECK(pn__decode(&r.u, r.len, &ctx, &ev) == -EINVAL);
	/* So is one pointing into the fixed part. */
	r.u.exec.cwd.len = 4;
	r.u.exec.cwd.off = 8;
	CHECK(pn__decode(&r.u, r.len, &ctx, &ev) == -EINVAL);
}

static void exit_status(uint32_t status, int code, int sig, int core)
{
	struct recbuf r;
	pn_event ev;

	rb_start(&r, PN_REC_EXIT, sizeof(r.u.exit), 9000);
	rb_task(&r.u.exit.task, 7, 1, 4000, "x");
	r.u.exit.status = status;
	r.u.exit.status_kind = PN_EXIT_WAITSTATUS;
	CHECK(pn__decode(&r.u, r.len, &ctx, &ev) == 0);
	CHECK(ev.exit_code == code && ev.signal == sig && ev.core_dumped == core);
	CHECK(ev.duration_ns == 5000);
}

static void malformed(void)
{
	struct recbuf r;
	pn_event ev;

	memset(&r, 0, sizeof(r));
	CHECK(pn__rec_check(&r.u, 3) == -EINVAL);
	rb_start(&r, PN_REC_FORK, sizeof(r.u.fork), 1);
	CHECK(pn__rec_check(&r.u, r.len) == PN_REC_FORK);
	CHECK(pn__rec_check(&r.u, r.len + 1) == -EINVAL);      /* size disagrees */
	r.u.hdr.size = 30;
	CHECK(pn__rec_check(&r.u, 30) == -EINVAL);             /* shorter than a fork */
	rb_start(&r, PN_REC_TYPE_MAX, sizeof(r.u.fork), 1);
	CHECK(pn__decode(&r.u, r.len, &ctx, &ev) == -EINVAL);  /* unknown type */
	rb_start(&r, PN_REC_FORK, sizeof(r.u.fork), 1);
	r.u.hdr.version = 99;
	CHECK(pn__decode(&r.u, r.len, &ctx, &ev) == -EINVAL);  /* unknown version */
	/* Version 2 changed only the exec record: a version 1 producer's
	 * other records are still read, its exec is not. */
	r.u.hdr.version = 1;
	CHECK(pn__decode(&r.u, r.len, &ctx, &ev) == 0);
	rb_start(&r, PN_REC_EXEC, sizeof(r.u.exec), 1);
	r.u.hdr.version = 1;
	CHECK(pn__rec_check(&r.u, r.len) == -EINVAL);
	r.u.hdr.version = PN_REC_VERSION;
	CHECK(pn__rec_check(&r.u, r.len) == PN_REC_EXEC);
}

static void unknown_fields(void)
{
	struct recbuf r;
	pn_event ev;

	rb_start(&r, PN_REC_EXIT, sizeof(r.u.exit), 9000);
	r.u.exit.task.pid = 5;
	r.u.exit.task.known = 0; /* a producer that knows only the pid */
	CHECK(pn__decode(&r.u, r.len, &ctx, &ev) == 0);
	CHECK(ev.have == 0 && ev.duration_ns == -1);
}

/* Windows' records: a creation with its command line and creator, a
 * wall-clock time, an NTSTATUS exit. */
static void windows_records(void)
{
	static const struct pn__decode_ctx win = { 0, 0x1234, 'W', 0 };
	struct recbuf r;
	pn_event ev;

	rb_start(&r, PN_REC_CREATE, sizeof(r.u.create), 1700000000000000000ULL);
	r.u.hdr.hdr_flags = PN_HDR_WALLCLOCK;
	rb_task(&r.u.create.task, 500, 400, 9000, "cmd.exe");
	r.u.create.task.known |= PN_KNOWN_IMAGE | PN_KNOWN_ARGV | PN_KNOWN_CREATOR;
	r.u.create.creator_pid = 400;
	r.u.create.flags = PN_EXEC_ARGV_TRUNCATED;
	rb_str(&r, &r.u.create.image, "C:\\cmd.exe", 10);
	rb_str(&r, &r.u.create.cmdline, "cmd /c dir", 10);
	CHECK(pn__decode(&r.u, r.len, &win, &ev) == 0);
	CHECK(ev.type == PN_EVENT_CREATE && ev.time_ns == 1700000000000000000LL);
	CHECK(ev.argc == 1 && ev.argv.len == 10 && (ev.flags & PN_EV_ARGV_TRUNCATED));
	CHECK((ev.have & PN_HAVE_CREATOR) && ev.creator_pid == 400 &&
	      !memcmp(&ev.creator_key, &ev.parent_key, sizeof(ev.parent_key)) &&
	      !(ev.flags & PN_EV_CREATOR_NOT_PARENT));
	/* Created by another process than its parent: said, and keyed apart. */
	r.u.create.creator_pid = 77;
	CHECK(pn__decode(&r.u, r.len, &win, &ev) == 0);
	CHECK((ev.flags & PN_EV_CREATOR_NOT_PARENT) && ev.creator_key.pid == 77 &&
	      ev.creator_key.start_ns == 0 && ev.creator_key.os == 'W');
	r.u.create.task.known &= ~(uint32_t)PN_KNOWN_CREATOR;
	CHECK(pn__decode(&r.u, r.len, &win, &ev) == 0 && !(ev.have & PN_HAVE_CREATOR));
	r.u.create.cmdline.len = 4096;
	CHECK(pn__decode(&r.u, r.len, &win, &ev) == -EINVAL);

	rb_start(&r, PN_REC_EXIT, sizeof(r.u.exit), 10000);
	rb_task(&r.u.exit.task, 500, 400, 9000, "cmd.exe");
	r.u.exit.status = 0xC0000005;
	r.u.exit.status_kind = PN_EXIT_NTSTATUS;
	r.u.exit.task.known |= PN_KNOWN_IMAGE;
	rb_str(&r, &r.u.exit.image, "C:\\cmd.exe", 10);
	CHECK(pn__decode(&r.u, r.len, &win, &ev) == 0);
	CHECK((ev.have & PN_HAVE_NTSTATUS) && ev.nt_status == 0xC0000005 && ev.signal == 0);
	CHECK(ev.image.len == 10 && ev.duration_ns == 1000);
}

/* Loss counts, a process from the start-up snapshot, the connector's
 * changes (a tracer, a new session). */
static void other_records(void)
{
	struct recbuf r;
	pn_event ev;

	rb_start(&r, PN_REC_LOST, sizeof(r.u.lost), 1);
	r.u.lost.count = 9;
	r.u.lost.count_known = 1;
	r.u.lost.by_type[PN_REC_EXEC] = 9;
	CHECK(pn__decode(&r.u, r.len, &ctx, &ev) == 0);
	CHECK(ev.type == PN_EVENT_LOST && ev.lost_count == 9 && ev.lost_count_known &&
	      ev.lost_by_type[PN_EVENT_EXEC] == 9 && ev.pid == 0);

	rb_start(&r, PN_REC_SNAPSHOT, sizeof(r.u.snap), 1);
	rb_task(&r.u.snap.task, 3, 1, 100, "init");
	r.u.snap.task.known |= PN_KNOWN_IMAGE;
	rb_str(&r, &r.u.snap.image, "/sbin/init", 10);
	CHECK(pn__decode(&r.u, r.len, &ctx, &ev) == 0);
	CHECK(ev.image.len == 10 && (ev.have & PN_HAVE_IMAGE) && ev.key.start_ns == 100);

	rb_start(&r, PN_REC_PTRACE, sizeof(r.u.change), 1);
	rb_task(&r.u.change.task, 8, 1, 100, "gdb");
	r.u.change.id_real = 4242;
	CHECK(pn__decode(&r.u, r.len, &ctx, &ev) == 0 && ev.tracer_pid == 4242);
	rb_start(&r, PN_REC_SETSID, sizeof(r.u.change), 1);
	rb_task(&r.u.change.task, 8, 1, 100, "sh");
	CHECK(pn__decode(&r.u, r.len, &ctx, &ev) == 0 && ev.sid == 8 && (ev.have & PN_HAVE_SID));
}


/* Every string reference of an exec and a creation is checked, each on
 * its own: one bad reference refuses the record whichever it is. */
static void each_string_checked(void)
{
	struct recbuf r;
	pn_event ev;
	struct pn_strref *exec_refs[] = { &r.u.exec.filename, &r.u.exec.image, &r.u.exec.cwd,
					  &r.u.exec.argv, &r.u.exec.root };

	for (size_t i = 0; i < sizeof(exec_refs) / sizeof(exec_refs[0]); i++) {
		rb_start(&r, PN_REC_EXEC, sizeof(r.u.exec), 1);
		rb_task(&r.u.exec.task, 42, 1, 4000, "ls");
		rb_str(&r, exec_refs[i], "abc", 3);
		CHECK(pn__decode(&r.u, r.len, &ctx, &ev) == 0);
		exec_refs[i]->off = (pn_u32)r.len + 1; /* starts past the end */
		CHECK(pn__decode(&r.u, r.len, &ctx, &ev) == -EINVAL);
		exec_refs[i]->off = (pn_u32)r.len - 2; /* ends past it */
		CHECK(pn__decode(&r.u, r.len, &ctx, &ev) == -EINVAL);
		exec_refs[i]->off = (pn_u32)r.len;     /* an empty tail: absent is (0, 0) */
		exec_refs[i]->len = 0;
		CHECK(pn__decode(&r.u, r.len, &ctx, &ev) == 0);
	}
	rb_start(&r, PN_REC_CREATE, sizeof(r.u.create), 1);
	rb_str(&r, &r.u.create.image, "C:\\a.exe", 8);
	CHECK(pn__decode(&r.u, r.len, &ctx, &ev) == 0);
	r.u.create.image.len = 9;
	CHECK(pn__decode(&r.u, r.len, &ctx, &ev) == -EINVAL);
	rb_start(&r, PN_REC_EXIT, sizeof(r.u.exit), 1);
	rb_str(&r, &r.u.exit.image, "/bin/x", 6);
	r.u.exit.image.off = 4; /* inside the header */
	CHECK(pn__decode(&r.u, r.len, &ctx, &ev) == -EINVAL);
	rb_start(&r, PN_REC_SNAPSHOT, sizeof(r.u.snap), 1);
	rb_str(&r, &r.u.snap.image, "/sbin/init", 10);
	r.u.snap.image.len = 11;
	CHECK(pn__decode(&r.u, r.len, &ctx, &ev) == -EINVAL);
	/* Type 0 is no record type. */
	rb_start(&r, 0, sizeof(r.u.fork), 1);
	CHECK(pn__rec_check(&r.u, r.len) == -EINVAL);
}

/* The tty as the kernel names it, at the edges of that rule; a name that
 * fills the record's field (no NUL) is cut to the event's. */
static void tty_names(void)
{
	static const struct { const char *in; size_t n; const char *want; } t[] = {
		{ "pts", 3, "pts" }, { "ptsX", 4, "ptsX" }, { "pts0", 4, "pts/0" },
		{ "pts9", 4, "pts/9" }, { "pts:", 4, "pts:" }, { "pt", 2, "pt" },
		{ "tty01234567890123456789012345678", 32, "tty0123456789012345678901234567" },
		{ "pts01234567890123456789012345678", 32, "pts/012345678901234567890123456" },
	};
	struct recbuf r;
	pn_event ev;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		rb_start(&r, PN_REC_EXEC, sizeof(r.u.exec), 1);
		memcpy(r.u.exec.tty, t[i].in, t[i].n);
		CHECK(pn__decode(&r.u, r.len, &ctx, &ev) == 0);
		CHECK_STR(ev.tty, t[i].want);
	}
}

/* A process in another mount namespace than the host's has paths that
 * name files there: flagged, unless the host's namespace is unknown. */
static void mount_namespaces(void)
{
	struct pn__decode_ctx host = ctx;
	struct recbuf r;
	pn_event ev;

	host.host_mnt_ns = 4026531840u;
	rb_start(&r, PN_REC_EXEC, sizeof(r.u.exec), 1);
	rb_task(&r.u.exec.task, 42, 1, 4000, "ls");
	r.u.exec.task.known |= PN_KNOWN_NS;
	r.u.exec.mnt_ns = 4026531840u;
	r.u.exec.pid_ns = 4026531836u;
	CHECK(pn__decode(&r.u, r.len, &host, &ev) == 0);
	CHECK((ev.have & PN_HAVE_NS) && ev.mnt_ns == 4026531840u && ev.pid_ns == 4026531836u &&
	      !(ev.flags & PN_EV_OTHER_MNT_NS));
	r.u.exec.mnt_ns = 4026532000u;
	CHECK(pn__decode(&r.u, r.len, &host, &ev) == 0 && (ev.flags & PN_EV_OTHER_MNT_NS));
	CHECK(pn__decode(&r.u, r.len, &ctx, &ev) == 0 && !(ev.flags & PN_EV_OTHER_MNT_NS));
	r.u.exec.task.known &= ~(uint32_t)PN_KNOWN_NS;
	CHECK(pn__decode(&r.u, r.len, &host, &ev) == 0 && !(ev.have & PN_HAVE_NS) &&
	      !(ev.flags & PN_EV_OTHER_MNT_NS));
}

int main(void)
{
	windows_records();
	other_records();
	exec_record();
	exit_status(0, 0, 0, 0);
	exit_status(3 << 8, 3, 0, 0);
	exit_status(255 << 8, 255, 0, 0);
	exit_status(9, -1, 9, 0);
	exit_status(11 | 0x80, -1, 11, 1);
	malformed();
	unknown_fields();
	each_string_checked();
	tty_names();
	mount_namespaces();
	return pn_test_done("test_decode");
}
