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

int main(void)
{
	exec_record();
	exit_status(0, 0, 0, 0);
	exit_status(3 << 8, 3, 0, 0);
	exit_status(255 << 8, 255, 0, 0);
	exit_status(9, -1, 9, 0);
	exit_status(11 | 0x80, -1, 11, 1);
	malformed();
	unknown_fields();
	return pn_test_done("test_decode");
}
