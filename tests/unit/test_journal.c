/*
 * The journald output (journald's native protocol) against a datagram
 * socket of the test's own: each field's bytes exactly, the binary-safe
 * form for control bytes, lost records and their priority, a message too
 * large for a datagram through a sealed memfd, a journald whose queue is
 * full, one that goes away and comes back, and the targets it refuses.
 */
#include <fcntl.h>
#include <stdint.h>
#include "check.h"
#include "outtest.h"
#include "procnotify.h"
#include "procnotify/format.h"

/* One message as journald reads it: its bytes, or a memfd's. */
struct msg {
	char *data;
	size_t len;
	int via_memfd, sealed;
};

/* The value of field name in m: its bytes and length, or NULL. */
static const char *field(const struct msg *m, const char *name, size_t *len)
{
	const char *p = m->data, *end = m->data + m->len;
	size_t n = strlen(name);

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eq = memchr(p, '=', (size_t)(end - p));
		const char *v;
		uint64_t vlen = 0;

		if (!nl)
			return NULL;
		if (eq && eq < nl) {
			v = eq + 1;
			vlen = (uint64_t)(nl - v);
		} else {
			/* NAME\n, 64-bit little-endian length, bytes, \n */
			if (end - nl < 9)
				return NULL;
			for (int i = 7; i >= 0; i--)
				vlen = vlen << 8 | (unsigned char)nl[1 + i];
			v = nl + 9;
			if ((uint64_t)(end - v) < vlen + 1 || v[vlen] != '\n')
				return NULL;
			eq = nl;
		}
		if ((size_t)(eq - p) == n && !memcmp(p, name, n)) {
			*len = (size_t)vlen;
			return v;
		}
		p = v + vlen + 1;
	}
	return NULL;
}

/* 1 when field name is there with exactly the bytes want (wlen). */
static int field_is(const struct msg *m, const char *name, const char *want, size_t wlen)
{
	size_t n;
	const char *v = field(m, name, &n);

	return v && n == wlen && !memcmp(v, want, n);
}

static int field_str(const struct msg *m, const char *name, const char *want)
{
	return field_is(m, name, want, strlen(want));
}

static int has_field(const struct msg *m, const char *name)
{
	size_t n;

	return field(m, name, &n) != NULL;
}

/* The next message at fd within ms: 1, or 0 when none came. */
static int receive(int fd, struct msg *m, int ms)
{
	static char buf[1 << 17];
	char control[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
			     .msg_controllen = sizeof(control) };
	struct cmsghdr *c;
	ssize_t n;

	memset(m, 0, sizeof(*m));
	if (!readable(fd, ms) || (n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC)) < 0)
		return 0;
	c = CMSG_FIRSTHDR(&mh);
	if (c && c->cmsg_type == SCM_RIGHTS) {
		int mfd;
		off_t size;

		memcpy(&mfd, CMSG_DATA(c), sizeof(int));
		size = lseek(mfd, 0, SEEK_END);
		m->data = malloc((size_t)size + 1);
		m->len = (size_t)pread(mfd, m->data, (size_t)size, 0);
		m->via_memfd = 1;
		m->sealed = (fcntl(mfd, F_GET_SEALS) & F_SEAL_WRITE) != 0;
		close(mfd);
		return 1;
	}
	m->data = malloc((size_t)n + 1);
	memcpy(m->data, buf, (size_t)n);
	m->len = (size_t)n;
	return 1;
}

static void msg_free(struct msg *m)
{
	free(m->data);
	m->data = NULL;
}

static pn_output *start(const char *path, struct notes *nt, int severity, size_t queue)
{
	pn_output_options opt = { .queue_bytes = queue, .facility = 10, .severity = severity,
				   .note = nt ? notes_add : NULL, .note_user = nt };

	return outtest_start(&pn__output_journal, path, &opt);
}

/* Drains and closes; the events it sent and lost. */
static void finish_out(pn_output *out, int timeout_ms, uint64_t *sent, uint64_t *lost)
{
	pn__output_drain(out, timeout_ms);
	pn__output_stats(out, sent, lost);
	pn__output_close(out);
}

static pn_event exec_ev(uint64_t seq)
{
	static const char comm[] = "bad\nname\x7f";
	static const char argv[] = "sh\0-c\0echo \x1b[31m";
	pn_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.seq = seq;
	ev.type = PN_EVENT_EXEC;
	ev.time_ns = 1764669600123456789LL;
	ev.have = PN_HAVE_UID | PN_HAVE_COMM | PN_HAVE_IMAGE | PN_HAVE_ARGV | PN_HAVE_START |
		  PN_HAVE_TTY;
	ev.pid = 4242;
	ev.uid = 1000;
	ev.comm = (pn_str){ comm, sizeof(comm) - 1 };
	ev.image = (pn_str){ "/usr/bin/x y", 12 };
	ev.argv = (pn_str){ argv, sizeof(argv) };
	ev.argc = 3;
	strcpy(ev.tty, "pts/3");
	ev.key = (pn_key){ .boot = 0xab, .start_ns = 5, .pid = 4242, .os = 'L' };
	return ev;
}

/* Every field of an exec as its bytes, control bytes in the binary-safe
 * form; unknown fields absent. */
static void test_fields(void)
{
	const char *path = outtest_path("fields.sock");
	int fd = dgram_listen(path);
	struct notes nt = { PTHREAD_MUTEX_INITIALIZER, "" };
	pn_output *out = start(path, &nt, 6, 0);
	pn_event ev = exec_ev(7);
	uint64_t sent, lost;
	struct msg m;
	size_t n;
	const char *v;

	ev.have |= PN_HAVE_CWD;
	ev.cwd = (pn_str){ "/tmp/\x7f", 6 };
	pn__output_event(&ev, out);
	CHECK(receive(fd, &m, 5000));
	CHECK(field_str(&m, "PRIORITY", "6") && field_str(&m, "SYSLOG_FACILITY", "10"));
	/* DEL is a control byte too: the binary-safe form. */
	CHECK(field_is(&m, "PROCNOTIFY_CWD", "/tmp/\x7f", 6));
	CHECK(m.data && memmem(m.data, m.len, "\nPROCNOTIFY_CWD\n", 16));
	CHECK(field_str(&m, "SYSLOG_IDENTIFIER", "procnotify"));
	CHECK(field_str(&m, "PROCNOTIFY_TYPE", "exec") && field_str(&m, "PROCNOTIFY_SEQ", "7"));
	CHECK(field_str(&m, "PROCNOTIFY_TIME", "2025-12-02T10:00:00.123456789Z"));
	CHECK(field_str(&m, "PROCNOTIFY_PID", "4242") && field_str(&m, "PROCNOTIFY_UID", "1000"));
	CHECK(field_is(&m, "PROCNOTIFY_COMM", ev.comm.ptr, ev.comm.len));
	CHECK(field_str(&m, "PROCNOTIFY_IMAGE", "/usr/bin/x y"));
	CHECK(field_is(&m, "PROCNOTIFY_ARGV", ev.argv.ptr, ev.argv.len));
	CHECK(field_str(&m, "PROCNOTIFY_TTY", "pts/3"));
	CHECK(field_str(&m, "PROCNOTIFY_KEY", "L:00000000000000ab:5:4242"));
	/* Not known: no parent, no filename; no tracer on an exec. */
	CHECK(!has_field(&m, "PROCNOTIFY_PPID") && !has_field(&m, "PROCNOTIFY_FILENAME"));
	CHECK(!has_field(&m, "PROCNOTIFY_TRACER_PID") && !has_field(&m, "PROCNOTIFY_EXIT_CODE"));
	/* MESSAGE: the table's row, one escaped line. */
	v = field(&m, "MESSAGE", &n);
	CHECK(v && n > 0 && !memchr(v, '\n', n) && memmem(v, n, "bad\\nname\\x7f", 13));
	CHECK(!m.via_memfd);
	msg_free(&m);
	finish_out(out, 5000, &sent, &lost);
	CHECK(sent == 1 && lost == 0);
	CHECK(!notes_have(&nt, "cannot connect"));
	close(fd);
}

/* An exit by a signal names it; one by exit() has a code; a ptrace
 * detach has no tracer; a lost record its count per type and reason. */
static void test_kinds(void)
{
	const char *path = outtest_path("kinds.sock");
	int fd = dgram_listen(path);
	struct notes nt = { PTHREAD_MUTEX_INITIALIZER, "" };
	pn_output *out = start(path, &nt, 7, 0);
	pn_event ev[6];
	struct msg m[6];
	uint64_t sent, lost;
	int got = 0;

	memset(ev, 0, sizeof(ev));
	for (int i = 0; i < 6; i++)
		ev[i].seq = (uint64_t)i + 1;
	ev[0].type = PN_EVENT_EXIT;
	ev[0].signal = 9;
	ev[0].exit_code = -1;
	ev[0].core_dumped = 1;
	ev[0].duration_ns = -1;
	ev[1].type = PN_EVENT_EXIT;
	ev[1].exit_code = 3;
	ev[1].duration_ns = 1500;
	ev[1].have = PN_HAVE_START;
	ev[2].type = PN_EVENT_PTRACE;
	ev[2].tracer_pid = 0;
	ev[3].type = PN_EVENT_PTRACE;
	ev[3].tracer_pid = 77;
	ev[4].type = PN_EVENT_LOST;
	ev[4].lost_count = 5;
	ev[4].lost_count_known = 1;
	ev[4].lost_reason = PN_LOST_OUTPUT;
	ev[4].lost_by_type[PN_EVENT_EXEC] = 3;
	ev[4].lost_by_type[PN_EVENT_EXIT] = 2;
	ev[5].type = PN_EVENT_LOST;
	ev[5].lost_reason = 9; /* a reason this version has no word for */
	for (int i = 0; i < 6; i++)
		pn__output_event(&ev[i], out);
	while (got < 6 && receive(fd, &m[got], 5000))
		got++;
	CHECK(got == 6);
	if (got == 6) {
		CHECK(field_str(&m[0], "PROCNOTIFY_SIGNAL", "9"));
		CHECK(field_str(&m[0], "PROCNOTIFY_SIGNAL_NAME", "SIGKILL"));
		CHECK(field_str(&m[0], "PROCNOTIFY_CORE_DUMPED", "1"));
		CHECK(!has_field(&m[0], "PROCNOTIFY_EXIT_CODE") && !has_field(&m[0], "PROCNOTIFY_DURATION_NS"));
		CHECK(field_str(&m[1], "PROCNOTIFY_EXIT_CODE", "3") && !has_field(&m[1], "PROCNOTIFY_SIGNAL"));
		CHECK(field_str(&m[1], "PROCNOTIFY_DURATION_NS", "1500"));
		CHECK(!has_field(&m[1], "PROCNOTIFY_SIGNAL_NAME"));
		CHECK(!has_field(&m[2], "PROCNOTIFY_TRACER_PID"));
		CHECK(field_str(&m[3], "PROCNOTIFY_TRACER_PID", "77"));
		/* Lost: at warning though the output says debug. */
		CHECK(field_str(&m[4], "PRIORITY", "4") && field_str(&m[4], "PROCNOTIFY_TYPE", "lost"));
		CHECK(field_str(&m[4], "PROCNOTIFY_LOST_COUNT", "5"));
		CHECK(field_str(&m[4], "PROCNOTIFY_LOST_REASON", "output"));
		CHECK(field_str(&m[4], "PROCNOTIFY_LOST_EXEC", "3") && field_str(&m[4], "PROCNOTIFY_LOST_EXIT", "2"));
		CHECK(!has_field(&m[4], "PROCNOTIFY_LOST_FORK"));
		CHECK(!has_field(&m[4], "PROCNOTIFY_LOST_COUNT_KNOWN") && !has_field(&m[4], "PROCNOTIFY_PID"));
		/* A count not known is not written; nor a reason without a word. */
		CHECK(!has_field(&m[5], "PROCNOTIFY_LOST_COUNT") && !has_field(&m[5], "PROCNOTIFY_LOST_REASON"));
		CHECK(!has_field(&m[5], "PROCNOTIFY_LOST_EXEC"));
	}
	for (int i = 0; i < got; i++)
		msg_free(&m[i]);
	finish_out(out, 5000, &sent, &lost);
	CHECK(sent == 4 && lost == 0); /* the lost records are not events sent */
	close(fd);
}

/* A lost record below warning keeps its lower priority (err stays err). */
static void test_lost_priority(void)
{
	const char *path = outtest_path("prio.sock");
	int fd = dgram_listen(path);
	struct notes nt = { PTHREAD_MUTEX_INITIALIZER, "" };
	pn_output *out = start(path, &nt, 3, 0);
	pn_event ev;
	struct msg m;
	uint64_t sent, lost;

	memset(&ev, 0, sizeof(ev));
	ev.type = PN_EVENT_LOST;
	pn__output_event(&ev, out);
	CHECK(receive(fd, &m, 5000) && field_str(&m, "PRIORITY", "3"));
	msg_free(&m);
	finish_out(out, 5000, &sent, &lost);
	close(fd);
}

/* Larger than the socket takes (its buffer made small): the message goes
 * in a sealed memfd, whole. */
static void test_memfd(void)
{
	const char *path = outtest_path("memfd.sock");
	int fd = dgram_listen(path);
	struct notes nt = { PTHREAD_MUTEX_INITIALIZER, "" };
	pn_output *out;
	pn_event ev = exec_ev(1), small = exec_ev(2);
	char *arg = malloc(64 * 1024);
	struct msg m;
	uint64_t sent, lost;

	setenv("PN_TEST_JOURNAL_SNDBUF", "4096", 1);
	out = start(path, &nt, 6, 0);
	unsetenv("PN_TEST_JOURNAL_SNDBUF");
	memset(arg, 'a', 64 * 1024);
	arg[64 * 1024 - 1] = 0;
	ev.argv = (pn_str){ arg, 64 * 1024 };
	pn__output_event(&ev, out);
	pn__output_event(&small, out);
	CHECK(receive(fd, &m, 5000));
	CHECK(m.via_memfd && m.sealed);
	CHECK(field_is(&m, "PROCNOTIFY_ARGV", arg, 64 * 1024));
	CHECK(field_str(&m, "PROCNOTIFY_SEQ", "1"));
	msg_free(&m);
	CHECK(receive(fd, &m, 5000));
	CHECK(!m.via_memfd && field_str(&m, "PROCNOTIFY_SEQ", "2"));
	msg_free(&m);
	finish_out(out, 5000, &sent, &lost);
	CHECK(sent == 2 && lost == 0);
	free(arg);
	close(fd);
}

/* A journald that reads nothing for a while: the output waits for room
 * and loses nothing; one that never reads: at the drain's deadline what
 * is left is counted lost, exactly, and reported. */
struct slow {
	int fd, delay_ms, want, got;
	uint64_t next_seq;
	int in_order;
};

static void *slow_reader(void *arg)
{
	struct slow *s = arg;
	struct msg m;
	char seq[24];

	usleep((useconds_t)s->delay_ms * 1000);
	while (s->got < s->want && receive(s->fd, &m, 5000)) {
		snprintf(seq, sizeof(seq), "%llu", (unsigned long long)s->next_seq++);
		s->in_order &= field_str(&m, "PROCNOTIFY_SEQ", seq);
		s->got++;
		msg_free(&m);
	}
	return NULL;
}

static void test_full_queue(void)
{
	const char *path = outtest_path("slow.sock");
	struct slow s = { dgram_listen(path), 400, 2000, 0, 1, 1 };
	struct notes nt = { PTHREAD_MUTEX_INITIALIZER, "" };
	pn_output *out = start(path, &nt, 6, 0);
	pthread_t th;
	uint64_t sent, lost, reported = 0;
	pn_event ev = exec_ev(0), rep;

	pthread_create(&th, NULL, slow_reader, &s);
	for (int i = 1; i <= s.want; i++) {
		ev.seq = (uint64_t)i;
		pn__output_event(&ev, out);
	}
	finish_out(out, 30000, &sent, &lost);
	pthread_join(th, NULL);
	CHECK(s.got == s.want && s.in_order);
	CHECK(sent == (uint64_t)s.want && lost == 0);
	close(s.fd);

	/* Nobody reads: the datagrams the socket holds are sent, the rest lost. */
	path = outtest_path("stuck.sock");
	s.fd = dgram_listen(path);
	out = start(path, &nt, 6, 0);
	for (int i = 1; i <= 2000; i++) {
		ev.seq = (uint64_t)i;
		pn__output_event(&ev, out);
	}
	CHECK(pn__output_drain(out, 300) == -ETIMEDOUT);
	pn__output_stats(out, &sent, &lost);
	CHECK(lost > 0 && sent + lost == 2000);
	while (pn__output_take_lost(out, &rep)) {
		CHECK(rep.type == PN_EVENT_LOST && rep.lost_reason == PN_LOST_OUTPUT);
		reported += rep.lost_count;
	}
	CHECK(reported == lost);
	pn__output_close(out);
	close(s.fd);
}

/* journald stops (its socket gone): the output says so, retries with
 * backoff, and once journald is back sends what it had, nothing lost. */
static void test_reconnect(void)
{
	const char *path = outtest_path("restart.sock");
	char saved[128];
	int fd = dgram_listen(path);
	struct notes nt = { PTHREAD_MUTEX_INITIALIZER, "" };
	pn_output *out = start(path, &nt, 6, 0);
	pn_event ev = exec_ev(1);
	struct msg m;
	uint64_t sent, lost;
	int got = 0;

	strcpy(saved, path);
	pn__output_event(&ev, out);
	CHECK(receive(fd, &m, 5000));
	msg_free(&m);
	close(fd);
	unlink(saved);
	ev.seq = 2;
	pn__output_event(&ev, out);
	CHECK(notes_wait(&nt, "connection lost, reconnecting", 5000));
	CHECK(notes_wait(&nt, "cannot connect, retrying with backoff: No such file or directory", 5000));
	/* Down long enough for a few attempts, each waiting longer. */
	usleep(400000);
	CHECK(!notes_have(&nt, "connected again"));
	fd = dgram_listen(saved);
	CHECK(notes_wait(&nt, "connected again", 10000));
	ev.seq = 3;
	pn__output_event(&ev, out);
	while (got < 2 && receive(fd, &m, 5000)) {
		CHECK(field_str(&m, "PROCNOTIFY_SEQ", got ? "3" : "2"));
		got++;
		msg_free(&m);
	}
	CHECK(got == 2);
	finish_out(out, 5000, &sent, &lost);
	CHECK(sent == 3 && lost == 0);
	close(fd);
}

/* Never connected: closing the output with events queued stops its
 * thread in its backoff, and nothing is said to have been sent. */
static void test_never_up(void)
{
	struct notes nt = { PTHREAD_MUTEX_INITIALIZER, "" };
	pn_output *out = start(outtest_path("nobody.sock"), &nt, 6, 0);
	pn_event ev = exec_ev(1);
	uint64_t sent, lost;

	pn__output_event(&ev, out);
	CHECK(notes_wait(&nt, "cannot connect, retrying with backoff", 5000));
	CHECK(pn__output_drain(out, 100) == -ETIMEDOUT);
	pn__output_stats(out, &sent, &lost);
	CHECK(sent == 0 && lost == 1);
	pn__output_close(out);
	/* The same without a note callback: nothing said, the same count. */
	out = start(outtest_path("nobody.sock"), NULL, 6, 0);
	pn__output_event(&ev, out);
	CHECK(pn__output_drain(out, 300) == -ETIMEDOUT);
	pn__output_stats(out, &sent, &lost);
	CHECK(sent == 0 && lost == 1);
	pn__output_close(out);
}

static void test_targets(void)
{
	pn_output_options opt = { .facility = 3, .severity = 6 };
	char err[256], longer[160];
	pn_output *out;

	CHECK(pn__output_open(&out, &pn__output_journal, "run/journal", &opt, err, sizeof(err)) == -EINVAL);
	CHECK(out == NULL);
	CHECK_STR(err, "journal run/journal: expected an absolute socket path of at most 107 bytes");
	memset(longer, 'x', sizeof(longer) - 1);
	longer[0] = '/';
	longer[sizeof(longer) - 1] = 0;
	CHECK(pn__output_open(&out, &pn__output_journal, longer, &opt, err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "expected an absolute socket path") != NULL);
	/* "": journald's own socket (opening connects nothing). */
	CHECK(pn__output_open(&out, &pn__output_journal, "", &opt, err, sizeof(err)) == 0);
	CHECK(out != NULL);
	pn__output_close(out);
	pn__output_close(NULL);
}

/* ---- every field of every type ---- */

/* Whether the JSON line of ev knows member name: there with a value that
 * is not null ([]: no arguments); for a flag, not false either (JSON
 * writes core_dumped as a boolean, journald as a number). */
static int json_knows(const char *json, const char *name, int flag)
{
	char member[64];
	const char *v;

	snprintf(member, sizeof(member), ",\"%s\":", name);
	v = strstr(json, member);
	if (!v)
		return 0;
	v += strlen(member);
	return strncmp(v, "null", 4) && (!flag || strncmp(v, "false", 5)) && strncmp(v, "[]", 2);
}

/* journald gets a field when the JSON knows it; one JSON does not write
 * (or writes by hand) when the field table says it is known: of its
 * types, its have bit or flag set, a list not empty. The lost reason is
 * test_kinds' (journald names the producer too); a lost count's
 * exactness is said by the count's presence. */
static void check_field(const struct msg *m, const pn_event *ev, const char *json,
			const char *name, const char *json_name, int known, int is_num, uint64_t num)
{
	char jname[64] = "PROCNOTIFY_", digits[24];
	char *d = jname + strlen(jname);

	if (!strcmp(name, "lost_reason"))
		return;
	for (const char *p = name; *p; p++)
		*d++ = *p >= 'a' && *p <= 'z' ? (char)(*p - 'a' + 'A') : *p;
	*d = 0;
	if (*json_name)
		known = json_knows(json, json_name, !is_num);
	else if (!strcmp(name, "lost_count_known"))
		known = 0;
	snprintf(digits, sizeof(digits), "%llu", (unsigned long long)num);
	if (has_field(m, jname) != known || (known && is_num && !field_str(m, jname, digits))) {
		fprintf(stderr, "type %d have %#x: %s should be %s\n", (int)ev->type, ev->have,
			jname, known ? digits : "absent");
		CHECK(0);
	} else {
		CHECK(1);
	}
}

#define HAS_flag(ev, bit) (((ev)->flags & PN_EV_##bit) != 0)
#define HAS_BITS(ev, bit) (((ev)->have & PN_HAVE_##bit) == PN_HAVE_##bit)
#define HAS_u32 HAS_BITS
#define HAS_u64 HAS_BITS
#define HAS_i32 HAS_BITS
#define HAS_i64 HAS_BITS
#define HAS_str HAS_BITS
#define HAS_argv(ev, bit) HAS_BITS(ev, bit)
#define HAS_key HAS_BITS
#define HAS_tty HAS_BITS
#define HAS_dev HAS_BITS
#define FULL_argv(ev, name) ((ev)->name.len != 0)
#define FULL_tty(ev, name) ((ev)->name[0] != 0)
#define FULL_OTHER(ev, name) 1
#define FULL_u32 FULL_OTHER
#define FULL_u64 FULL_OTHER
#define FULL_i32 FULL_OTHER
#define FULL_i64 FULL_OTHER
#define FULL_str FULL_OTHER
#define FULL_key FULL_OTHER
#define FULL_dev FULL_OTHER
#define FULL_flag FULL_OTHER
#define NUM_u32(ev, name) 1, (uint64_t)(ev)->name
#define NUM_u64 NUM_u32
#define NUM_i32(ev, name) 1, (uint64_t)(uint32_t)(ev)->name
#define NUM_i64 NUM_u32
#define NUM_NONE(ev, name) 0, 0
#define NUM_str NUM_NONE
#define NUM_argv NUM_NONE
#define NUM_key NUM_NONE
#define NUM_tty NUM_NONE
#define NUM_dev NUM_NONE
#define NUM_flag NUM_NONE
#define SWEEP_ROW(name, kind, bit, types, json_name, ...)                                     \
	check_field(m, ev, json, #name, json_name,                                             \
		    (PN_MASK(ev->type) & (types)) && HAS_##kind(ev, bit) && FULL_##kind(ev, name), \
		    NUM_##kind(ev, name));

static void check_fields(const struct msg *m, const pn_event *ev)
{
	pn_buf b = { 0 };
	const char *json;

	pn_fmt_json(&b, ev);
	json = b.data;
	PN_FIELD_MAP(SWEEP_ROW)
	pn_buf_free(&b);
}

/* An event of type t with every field known (full), or none (every
 * optional field unknown, lists empty), or an exit by a signal. */
static pn_event sweep_event(int t, int variant)
{
	static const char argv[] = "a\0b", rules[] = "r1\0r2";
	pn_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = (enum pn_event_type)t;
	ev.seq = (uint64_t)t;
	ev.pid = 11;
	ev.duration_ns = -1;
	if (variant == 0)
		return ev;
	ev.have = ~0u;
	ev.flags = ~0u;
	ev.ppid = 12, ev.tid = 13, ev.uid = 14, ev.gid = 15, ev.euid = 16, ev.argc = 2;
	ev.sid = 17, ev.old_tid = 18, ev.cgroup_id = 19, ev.image_ino = 20, ev.mnt_ns = 21;
	ev.pid_ns = 22, ev.exit_code = 3, ev.nt_status = 0xc0000005u, ev.core_dumped = 1;
	ev.duration_ns = 23, ev.new_id = 24, ev.new_eid = 25, ev.tracer_pid = 26;
	ev.lost_count = 27, ev.lost_count_known = 1, ev.lost_reason = PN_LOST_STORE;
	ev.creator_pid = 28;
	ev.comm = ev.image = ev.filename = ev.cwd = ev.root = ev.host = (pn_str){ "s", 1 };
	ev.parent_image = ev.image_sha256 = ev.cgroup = ev.container_id = (pn_str){ "s", 1 };
	ev.argv = (pn_str){ argv, sizeof(argv) };
	ev.rules = (pn_str){ rules, sizeof(rules) };
	strcpy(ev.tty, "pts/1");
	ev.image_dev = (pn_dev){ 8, 1 };
	if (variant == 2) {
		ev.signal = 11;
		ev.exit_code = -1;
	}
	return ev;
}

static void test_every_field(void)
{
	const char *path = outtest_path("sweep.sock");
	int fd = dgram_listen(path);
	struct notes nt = { PTHREAD_MUTEX_INITIALIZER, "" };
	pn_output *out = start(path, &nt, 6, 0);
	uint64_t sent, lost;
	struct msg m;

	for (int variant = 0; variant < 3; variant++) {
		for (int t = 1; t < PN_TYPE_LIMIT; t++) {
			pn_event ev = sweep_event(t, variant);

			pn__output_event(&ev, out);
			CHECK(receive(fd, &m, 5000));
			if (!m.data)
				continue;
			CHECK(field_str(&m, "PROCNOTIFY_TYPE", pn_event_type_name(ev.type)));
			check_fields(&m, &ev);
			msg_free(&m);
		}
	}
	finish_out(out, 5000, &sent, &lost);
	CHECK(lost == 0);
	close(fd);
}

int main(void)
{
	test_fields();
	test_kinds();
	test_every_field();
	test_lost_priority();
	test_memfd();
	test_full_queue();
	test_reconnect();
	test_never_up();
	test_targets();
	return pn_test_done("test_journal");
}
