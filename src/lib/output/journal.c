/*
 * The journald output: systemd-journald's native protocol, without
 * libsystemd. Each event is one datagram to journald's socket
 * (/run/systemd/journal/socket) holding fields:
 *
 *   MESSAGE            the live table's row (escaped, one line)
 *   PRIORITY           the syslog severity (--syslog-priority; lost records
 *                      at warning or above), SYSLOG_FACILITY its facility
 *   SYSLOG_IDENTIFIER  procnotify
 *   PROCNOTIFY_TYPE, PROCNOTIFY_SEQ, PROCNOTIFY_TIME (RFC 3339, ns)
 *   PROCNOTIFY_<FIELD> every known field of the field table
 *                      (procnotify/fields.h) by its name in upper case:
 *                      PROCNOTIFY_PID, _PPID, _COMM, _IMAGE, _ARGV, _KEY, ...
 *
 * Values are the event's bytes, not escaped: a value with a control byte
 * (a newline above all) goes in the protocol's binary-safe form, the name,
 * a newline, its length as 64-bit little endian, the bytes and a newline,
 * so that journalctl gives every byte back. PROCNOTIFY_ARGV is the
 * arguments each followed by a NUL, as /proc/PID/cmdline has them (the
 * last, cut short when PROCNOTIFY_ARGV_TRUNCATED=1, has none).
 *
 * A message larger than a datagram may be (EMSGSIZE, ENOBUFS) goes as
 * journald requires: written to a sealed memfd whose descriptor is sent
 * instead (SCM_RIGHTS).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "internal.h"
#include "procnotify/format.h"
#include "procnotify/output.h"

#define WAIT_STEP_MS 200

struct journal_out {
	struct sockaddr_un addr;
	int fd;
	int sndbuf;             /* SO_SNDBUF to ask for; 0: the kernel's */
	int facility, severity;
	pn_buf msg;
	pn_buf line;            /* the table row, MESSAGE */
};

/* NAME=VALUE\n, or when the value holds a control byte, the binary-safe
 * form NAME\n<length, 64-bit LE><bytes>\n. */
static void put_field(pn_buf *b, const char *name, const char *v, size_t n)
{
	int plain = 1;
	unsigned char len[8];

	for (size_t i = 0; plain && i < n; i++)
		plain = (unsigned char)v[i] >= 0x20 && v[i] != 0x7f;
	pn_buf_puts(b, name);
	if (plain) {
		pn_buf_putc(b, '=');
	} else {
		pn_buf_putc(b, '\n');
		for (int i = 0; i < 8; i++)
			len[i] = (unsigned char)((uint64_t)n >> (8 * i));
		pn_buf_put(b, len, sizeof(len));
	}
	pn_buf_put(b, v, n);
	pn_buf_putc(b, '\n');
}

static void put_text(pn_buf *b, const char *name, const char *text)
{
	put_field(b, name, text, strlen(text));
}

/* A number: digits only, never the binary form, and no printf (an event
 * has some twenty). */
static void put_u64(pn_buf *b, const char *name, uint64_t v)
{
	pn_buf_puts(b, name);
	pn_buf_putc(b, '=');
	pn_buf_put_u64(b, v);
	pn_buf_putc(b, '\n');
}

/* A value rendered by a formatter (a key, a time) into scratch first. */
static void put_fmt(pn_buf *b, pn_buf *scratch, const char *name)
{
	put_field(b, name, scratch->data ? scratch->data : "", scratch->len);
	pn_buf_reset(scratch);
}

/* The field's known-ness: its have bit and types, and what the JSON asks
 * besides for the fields it writes by hand. Inlined with a constant name,
 * the comparisons fold away. */
static inline int known(const pn_event *ev, const char *name, uint32_t have, uint32_t types)
{
	if ((ev->have & have) != have || !(PN_MASK(ev->type) & types))
		return 0;
	if (!strcmp(name, "exit_code"))
		return !ev->signal;
	if (!strcmp(name, "signal"))
		return ev->signal != 0;
	if (!strcmp(name, "tracer_pid"))
		return ev->tracer_pid != 0;
	if (!strcmp(name, "duration_ns"))
		return ev->duration_ns >= 0;
	if (!strcmp(name, "lost_count"))
		return ev->lost_count_known;
	/* Said otherwise: the count's exactness by its presence, the reason
	 * in words (put_lost). */
	return strcmp(name, "lost_count_known") && strcmp(name, "lost_reason");
}

#define J_NUM(b, s, ev, f, n) put_u64(b, n, (uint64_t)(ev)->f)
#define J_u32 J_NUM
#define J_u64 J_NUM
#define J_i32(b, s, ev, f, n) put_u64(b, n, (uint32_t)(ev)->f) /* as the JSON writes it */
#define J_i64 J_NUM
#define J_str(b, s, ev, f, n) put_field(b, n, (ev)->f.ptr, (ev)->f.len)
#define J_argv J_str
#define J_key(b, s, ev, f, n) (pn_fmt_key(s, &(ev)->f), put_fmt(b, s, n))
#define J_tty(b, s, ev, f, n) put_field(b, n, (ev)->f, strnlen((ev)->f, sizeof((ev)->f)))
#define J_dev(b, s, ev, f, n) \
	(pn_buf_printf(s, "%u:%u", (ev)->f.major, (ev)->f.minor), put_fmt(b, s, n))
#define J_flag(b, s, ev, f, n) put_text(b, n, "1")
/* The flags are written when set: their bit is a PN_EV_ bit. */
#define J_KNOWN_flag(ev, name, bit, types) \
	((PN_MASK((ev)->type) & (types)) && ((ev)->flags & PN_EV_##bit))
#define J_KNOWN(ev, name, bit, types) known(ev, #name, PN_HAVE_##bit, types)
#define J_KNOWN_u32 J_KNOWN
#define J_KNOWN_u64 J_KNOWN
#define J_KNOWN_i32 J_KNOWN
#define J_KNOWN_i64 J_KNOWN
#define J_KNOWN_str J_KNOWN
#define J_KNOWN_argv(ev, name, bit, types) (J_KNOWN(ev, name, bit, types) && (ev)->name.len)
#define J_KNOWN_key J_KNOWN
#define J_KNOWN_tty(ev, name, bit, types) (J_KNOWN(ev, name, bit, types) && (ev)->name[0])
#define J_KNOWN_dev J_KNOWN
#define J_FIELD(name, kind, bit, types, ...)                                       \
	if (J_KNOWN_##kind(ev, name, bit, types)) {                                \
		upper(jname + sizeof("PROCNOTIFY_") - 1, #name);                   \
		J_##kind(b, s, ev, name, jname);                                   \
	}

/* PROCNOTIFY_ and the field's name in upper case. */
static void upper(char *dst, const char *name)
{
	while (*name) {
		char c = *name++;

		*dst++ = c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
	}
	*dst = 0;
}

static void put_fields(pn_buf *b, pn_buf *s, const pn_event *ev)
{
	char jname[64] = "PROCNOTIFY_";

	PN_FIELD_MAP(J_FIELD)
}

/* A lost record: the count of each type, and who lost them. */
static void put_lost(pn_buf *b, const pn_event *ev)
{
	static const char *const reasons[] = { "producer", "store", "output" };
	char name[64];

	if (ev->lost_reason < sizeof(reasons) / sizeof(reasons[0]))
		put_text(b, "PROCNOTIFY_LOST_REASON", reasons[ev->lost_reason]);
	for (size_t t = 0; ev->lost_count_known && t < PN_LOST_SLOTS; t++) {
		const char *type = pn_event_type_name((enum pn_event_type)t);

		if (!ev->lost_by_type[t])
			continue;
		snprintf(name, sizeof(name), "PROCNOTIFY_LOST_");
		upper(name + strlen(name), type);
		put_u64(b, name, ev->lost_by_type[t]);
	}
}

/* The whole message of ev into j->msg. */
static void build(struct journal_out *j, const pn_event *ev)
{
	pn_buf *b = &j->msg, *s = &j->line;
	int lost = ev->type == PN_EVENT_LOST;
	const char *sig = pn_signal_name(ev->signal);

	pn_buf_reset(b);
	pn_fmt_table_row(s, ev);
	put_field(b, "MESSAGE", s->data ? s->data : "", s->len ? s->len - 1 : 0);
	pn_buf_reset(s);
	put_u64(b, "PRIORITY", (uint64_t)(lost && j->severity > 4 ? 4 : j->severity));
	put_u64(b, "SYSLOG_FACILITY", (uint64_t)j->facility);
	put_text(b, "SYSLOG_IDENTIFIER", "procnotify");
	put_text(b, "PROCNOTIFY_TYPE", pn_event_type_name(ev->type));
	put_u64(b, "PROCNOTIFY_SEQ", ev->seq);
	pn_fmt_time_rfc3339(s, ev->time_ns);
	put_fmt(b, s, "PROCNOTIFY_TIME");
	put_fields(b, s, ev);
	if (ev->type == PN_EVENT_EXIT && ev->signal && sig)
		put_text(b, "PROCNOTIFY_SIGNAL_NAME", sig);
	if (lost)
		put_lost(b, ev);
}

static int journal_open(void **state, const char *target, const pn_output_options *o,
			char *err, size_t errlen)
{
	struct journal_out *j = calloc(1, sizeof(*j));
	const char *path = *target ? target : PN_JOURNAL_SOCKET;
	const char *sndbuf = getenv("PN_TEST_JOURNAL_SNDBUF");

	if (!j)
		return -ENOMEM;
	*state = j;
	j->fd = -1;
	if (strlen(path) >= sizeof(j->addr.sun_path) || path[0] != '/') {
		pn__errmsg(err, errlen, "expected an absolute socket path of at most %zu bytes",
			   sizeof(j->addr.sun_path) - 1);
		return -EINVAL;
	}
	j->addr.sun_family = AF_UNIX;
	strcpy(j->addr.sun_path, path);
	j->facility = o->facility;
	j->severity = o->severity;
	/* Tests shrink the socket's buffer to make journald's memfd path
	 * reachable with an ordinary process. */
	j->sndbuf = sndbuf ? atoi(sndbuf) : 0;
	/* A reconnection after the sandbox makes a new socket, and a large
	 * message a memfd. */
	if (pn__sandbox_allow_socket(AF_UNIX, SOCK_DGRAM))
		return -ENOSPC;
	pn__sandbox_allow_memfd();
	return 0;
}

static int journal_connect(void *state, char *err, size_t errlen)
{
	struct journal_out *j = state;
	int rc = 0;

	if (j->fd >= 0)
		close(j->fd);
	j->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (j->fd < 0)
		rc = -errno;
	else if (j->sndbuf)
		(void)setsockopt(j->fd, SOL_SOCKET, SO_SNDBUF, &j->sndbuf, sizeof(j->sndbuf));
	if (!rc && connect(j->fd, (struct sockaddr *)&j->addr, sizeof(j->addr)))
		rc = -errno;
	if (rc) {
		pn__errmsg(err, errlen, "%s", strerror(-rc));
		if (j->fd >= 0)
			close(j->fd);
		j->fd = -1;
	}
	return rc;
}

/* Sends one datagram (and fd, when not -1), waiting while journald's
 * queue is full; -EAGAIN when stopped meanwhile. */
static int send_dgram(struct journal_out *j, const void *p, size_t n, int fd,
		      const volatile int *stop)
{
	char control[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { (void *)p, n };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct pollfd pfd = { .fd = j->fd, .events = POLLOUT };

	if (fd >= 0) {
		struct cmsghdr *c;

		mh.msg_iovlen = 0;
		mh.msg_control = control;
		mh.msg_controllen = sizeof(control);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	while (sendmsg(j->fd, &mh, MSG_NOSIGNAL) < 0) {
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return -errno;
		if (stop && *stop)
			return -EAGAIN;
		if (poll(&pfd, 1, WAIT_STEP_MS) < 0 && errno != EINTR)
			return -errno;
	}
	return 0;
}

/* Too large for a datagram: the message in a sealed memfd, whose
 * descriptor journald reads it from. */
static int send_memfd(struct journal_out *j, const volatile int *stop)
{
	int fd = memfd_create("procnotify-journal", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	size_t off = 0;
	int rc = fd < 0 ? -errno : 0;

	while (!rc && off < j->msg.len) {
		ssize_t w = write(fd, j->msg.data + off, j->msg.len - off);

		if (w < 0 && errno != EINTR)
			rc = -errno;
		else if (w > 0)
			off += (size_t)w;
	}
	if (!rc && fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL))
		rc = -errno;
	if (!rc)
		rc = send_dgram(j, NULL, 0, fd, stop);
	if (fd >= 0)
		close(fd);
	return rc;
}

static int journal_write(void *state, const pn_event *ev, int more, const volatile int *stop)
{
	struct journal_out *j = state;
	int rc;

	build(j, ev);
	if (j->msg.oom || j->line.oom) {
		/* Out of memory until freed: built again when the layer retries. */
		pn_buf_free(&j->msg);
		pn_buf_free(&j->line);
		return -ENOMEM;
	}
	rc = send_dgram(j, j->msg.data, j->msg.len, -1, stop);
	if (rc == -EMSGSIZE || rc == -ENOBUFS)
		rc = send_memfd(j, stop);
	/* No journald (yet, or any more): the layer connects again. */
	return rc == -ECONNREFUSED || rc == -ENOENT ? -ECONNRESET : rc;
}

static void journal_close(void *state)
{
	struct journal_out *j = state;

	if (j->fd >= 0)
		close(j->fd);
	pn_buf_free(&j->msg);
	pn_buf_free(&j->line);
	free(j);
}

const pn__output_ops pn__output_journal = {
	.name = "journal",
	.open = journal_open,
	.connect = journal_connect,
	.write = journal_write,
	.close = journal_close,
};
