/*
 * The syslog output: RFC 5424 messages (procnotify/rfc5424.h) to the local
 * syslog socket (a datagram per message, as syslog(3) sends them), to a
 * UDP collector (RFC 5426: a datagram per message) or a TCP one (RFC 6587
 * octet counting: "LEN SP MSG", so a message may hold any byte, newlines
 * included, and a collector never splits or joins messages).
 *
 * Sockets are non-blocking and waited for with poll() in short steps, so
 * the output's thread sees a stop request even while a collector has
 * stopped reading. A name is resolved once, at open (before the sandbox).
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "internal.h"
#include "procnotify/format.h"
#include "procnotify/output.h"
#include "procnotify/rfc5424.h"

#define WAIT_STEP_MS 200
/* TCP frames kept before they are sent, at most (in bytes). */
#define KEEP_BYTES (64 * 1024)
#define CONNECT_TIMEOUT_MS 2000

enum transport { T_UNIX, T_UDP, T_TCP };

struct syslog_out {
	enum transport t;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	int fd;
	pn__syslog_head head;
	pn_buf msg;
	pn_buf frames;               /* TCP: frames kept to send in one go */
};

/* A parsed target: the transport and, for the network, host and port. */
struct target {
	enum transport t;
	char host[256];
	char port[8];
	const char *path;
};

static int refuse(char *why, size_t whylen, const char *what)
{
	snprintf(why, whylen, "%s", what);
	return -EINVAL;
}

static int parse_hostport(const char *s, struct target *tg, char *why, size_t whylen)
{
	const char *host = s, *end, *port = NULL;
	size_t n;

	if (*s == '[') {
		end = strchr(s, ']');
		if (!end || (end[1] && end[1] != ':'))
			return refuse(why, whylen, "an IPv6 address goes in [...]");
		host = s + 1;
		port = end[1] ? end + 2 : NULL;
	} else {
		end = strchr(s, ':');
		port = end ? end + 1 : NULL;
		end = end ? end : s + strlen(s);
	}
	n = (size_t)(end - host);
	if (!n || n >= sizeof(tg->host))
		return refuse(why, whylen, "expected a host name or address");
	memcpy(tg->host, host, n);
	tg->host[n] = 0;
	if (!port)
		port = "514";
	n = strspn(port, "0123456789");
	if (!n || port[n] || n > 5 || atoi(port) < 1 || atoi(port) > 65535)
		return refuse(why, whylen, "expected a port from 1 to 65535");
	strcpy(tg->port, port);
	return 0;
}

static int parse_target(const char *s, struct target *tg, char *why, size_t whylen)
{
	memset(tg, 0, sizeof(*tg));
	if (!strncmp(s, "unix:", 5)) {
		tg->t = T_UNIX;
		tg->path = s + 5;
		if (!*tg->path || strlen(tg->path) >= sizeof(((struct sockaddr_un *)0)->sun_path))
			return refuse(why, whylen, "expected a socket path of at most 107 bytes");
		return 0;
	}
	if (!strncmp(s, "udp://", 6) || !strncmp(s, "tcp://", 6)) {
		tg->t = s[0] == 'u' ? T_UDP : T_TCP;
		return parse_hostport(s + 6, tg, why, whylen);
	}
	return refuse(why, whylen, "expected unix:PATH, udp://HOST[:PORT] or tcp://HOST[:PORT]");
}

int pn__syslog_check_target(const char *target, char *why, size_t whylen)
{
	struct target tg;

	return parse_target(target, &tg, why, whylen);
}

static int resolve(struct syslog_out *s, const struct target *tg, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_socktype = tg->t == T_TCP ? SOCK_STREAM : SOCK_DGRAM };
	struct addrinfo *ai;
	int rc;

	if (tg->t == T_UNIX) {
		struct sockaddr_un *un = (struct sockaddr_un *)&s->addr;

		un->sun_family = AF_UNIX;
		strcpy(un->sun_path, tg->path);
		s->addrlen = sizeof(*un);
		return 0;
	}
	rc = getaddrinfo(tg->host, tg->port, &hints, &ai);
	if (rc) {
		pn__errmsg(err, errlen, "cannot resolve %s: %s", tg->host, gai_strerror(rc));
		return -EHOSTUNREACH;
	}
	memcpy(&s->addr, ai->ai_addr, ai->ai_addrlen);
	s->addrlen = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

static int sock_type(const struct syslog_out *s)
{
	return s->t == T_TCP ? SOCK_STREAM : SOCK_DGRAM;
}

static int syslog_open(void **state, const char *target, const pn_output_options *o, char *err,
		       size_t errlen)
{
	struct syslog_out *s = calloc(1, sizeof(*s));
	struct target tg;
	char host[PN_SYSLOG_HOSTNAME_MAX + 1] = "";
	int rc;

	if (!s)
		return -ENOMEM;
	*state = s;
	s->fd = -1;
	rc = parse_target(target, &tg, err, errlen);
	if (!rc)
		rc = resolve(s, &tg, err, errlen);
	if (rc)
		return rc;
	s->t = tg.t;
	s->head.facility = o->facility;
	s->head.severity = o->severity;
	s->head.procid = (uint32_t)getpid();
	if (!o->hostname)
		gethostname(host, sizeof(host) - 1);
	pn__syslog_set_hostname(&s->head, o->hostname ? o->hostname : host);
	/* A reconnection after the sandbox makes a new socket. */
	return pn__sandbox_allow_socket(s->addr.ss_family, sock_type(s));
}

/* Waits for events on fd in short steps; 1 ready, 0 stopped, -errno. */
static int wait_fd(int fd, short events, int timeout_ms, const volatile int *stop)
{
	struct pollfd p = { .fd = fd, .events = events };

	for (int waited = 0; !stop || !*stop; waited += WAIT_STEP_MS) {
		int rc;

		if (timeout_ms >= 0 && waited >= timeout_ms)
			return -ETIMEDOUT;
		rc = poll(&p, 1, WAIT_STEP_MS);
		if (rc < 0 && errno != EINTR)
			return -errno;
		if (rc > 0)
			return 1;
	}
	return 0;
}

static int finish_connect(int fd)
{
	int soerr = 0, rc = wait_fd(fd, POLLOUT, CONNECT_TIMEOUT_MS, NULL);
	socklen_t len = sizeof(soerr);

	if (rc < 0)
		return rc;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len))
		return -errno;
	return -soerr;
}

static int syslog_connect(void *state, char *err, size_t errlen)
{
	struct syslog_out *s = state;
	int rc = 0;

	pn_buf_reset(&s->frames); /* kept for the old connection: they come again */
	if (s->fd >= 0)
		close(s->fd);
	s->fd = socket(s->addr.ss_family, sock_type(s) | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->fd < 0)
		rc = -errno;
	else if (connect(s->fd, (struct sockaddr *)&s->addr, s->addrlen))
		rc = errno == EINPROGRESS ? finish_connect(s->fd) : -errno;
	if (rc) {
		pn__errmsg(err, errlen, "%s", strerror(-rc));
		if (s->fd >= 0)
			close(s->fd);
		s->fd = -1;
	}
	return rc;
}

/* Sends len bytes whole; a datagram goes in one call, a stream may take
 * part and then the rest. */
static int send_all(struct syslog_out *s, const char *p, size_t len, const volatile int *stop)
{
	while (len) {
		ssize_t w = send(s->fd, p, len, MSG_NOSIGNAL);
		int rc;

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno != EAGAIN)
			return -errno;
		if (w < 0) {
			rc = wait_fd(s->fd, POLLOUT, -1, stop);
			if (rc <= 0)
				return rc ? rc : -EAGAIN;
			continue;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* A collector never writes to us: a readable stream is one it closed (or
 * reset). Checked before each message, so that it goes to the new
 * connection instead of into a socket nobody reads. */
static int peer_gone(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLRDHUP };

	return poll(&p, 1, 0) > 0;
}

/* A TCP frame, kept while more follow, the kept ones sent in one go. The
 * collector is checked before the first of them only. */
static int tcp_write(struct syslog_out *s, int more, const volatile int *stop)
{
	int rc;

	if (!s->frames.len && peer_gone(s->fd))
		return -ECONNRESET;
	pn_buf_printf(&s->frames, "%zu ", s->msg.len);
	pn_buf_put(&s->frames, s->msg.data, s->msg.len);
	if (s->frames.oom) {
		pn_buf_free(&s->frames);
		return -ENOMEM;
	}
	if (more && s->frames.len < KEEP_BYTES)
		return 0;
	rc = send_all(s, s->frames.data, s->frames.len, stop);
	pn_buf_reset(&s->frames);
	return rc;
}

static int syslog_write(void *state, const pn_event *ev, int more, const volatile int *stop)
{
	struct syslog_out *s = state;

	pn_buf_reset(&s->msg);
	pn__fmt_rfc5424(&s->msg, ev, &s->head);
	if (s->msg.oom) {
		/* A buffer stays out of memory until freed: the message is
		 * built again, from nothing, when the layer retries. */
		pn_buf_free(&s->msg);
		return -ENOMEM;
	}
	if (s->t == T_TCP)
		return tcp_write(s, more, stop);
	/* A datagram a message: nothing to keep. */
	return send_all(s, s->msg.data, s->msg.len, stop);
}

static void syslog_close(void *state)
{
	struct syslog_out *s = state;

	if (s->fd >= 0)
		close(s->fd);
	pn_buf_free(&s->msg);
	pn_buf_free(&s->frames);
	free(s);
}

const pn__output_ops pn__output_syslog = {
	.name = "syslog",
	.open = syslog_open,
	.connect = syslog_connect,
	.write = syslog_write,
	.close = syslog_close,
};

static const char *const facilities[] = {
	"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron",
	"authpriv", "ftp", "ntp", "audit", "alert", "clock", "local0", "local1", "local2",
	"local3", "local4", "local5", "local6", "local7",
};
static const char *const severities[] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
};

static int word_index(const char *s, size_t n, const char *const *words, int count)
{
	for (int i = 0; i < count; i++)
		if (strlen(words[i]) == n && !strncmp(s, words[i], n))
			return i;
	return -EINVAL;
}

int pn__syslog_parse_priority(const char *s, int *facility, int *severity)
{
	const char *dot = strchr(s, '.');

	if (!dot)
		return -EINVAL;
	*facility = word_index(s, (size_t)(dot - s), facilities, 24);
	*severity = word_index(dot + 1, strlen(dot + 1), severities, 8);
	return *facility < 0 || *severity < 0 ? -EINVAL : 0;
}
