/*
 * The syslog output's pieces without a network: RFC 5424 messages of
 * hostile events (header, SD-PARAM escapes, no raw control byte, the JSON
 * MSG byte for byte), the target and priority parsers, and the output
 * layer's queue with a sink that stalls: every event is either written or
 * counted in a lost record, exactly.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "procnotify.h"
#include "procnotify/output.h"
#include "procnotify/rfc5424.h"

static pn_event hostile_exec(void)
{
	static const char comm[] = "a\"b]c\\d\ne\x1b";
	static const char image[] = "/tmp/x] [y=\"z\"\xff\x80";
	pn_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.seq = 42;
	ev.type = PN_EVENT_EXEC;
	ev.time_ns = 1764669600123456789LL; /* 2025-12-02T10:00:00.123456789Z */
	ev.have = PN_HAVE_PARENT | PN_HAVE_UID | PN_HAVE_COMM | PN_HAVE_IMAGE | PN_HAVE_START;
	ev.pid = 7;
	ev.ppid = 1;
	ev.comm = (pn_str){ comm, sizeof(comm) - 1 };
	ev.image = (pn_str){ image, sizeof(image) - 1 };
	ev.key = (pn_key){ .boot = 0xab, .start_ns = 5, .pid = 7, .os = 'L' };
	return ev;
}

static pn__syslog_head head(void)
{
	pn__syslog_head h = { .facility = 10, .severity = 6, .procid = 99 };

	pn__syslog_set_hostname(&h, "web 1\x01");
	return h;
}

/* The value of PARAM in the SD element, unescaped as RFC 5424 says. */
static char *sd_param(const char *msg, const char *param)
{
	char key[64], *out = calloc(1, strlen(msg) + 1), *o = out;
	const char *p;

	snprintf(key, sizeof(key), " %s=\"", param);
	p = strstr(msg, key);
	if (!p)
		return out;
	for (p += strlen(key); *p && *p != '"'; p++) {
		if (*p == '\\' && (p[1] == '"' || p[1] == '\\' || p[1] == ']'))
			p++;
		*o++ = *p;
	}
	return out;
}

static void test_message(void)
{
	pn_event ev = hostile_exec();
	pn__syslog_head h = head();
	pn_buf b = { 0 }, json = { 0 };
	const char *msg;
	char *v;

	pn__fmt_rfc5424(&b, &ev, &h);
	CHECK(!strncmp(b.data, "<86>1 2025-12-02T10:00:00.123456Z web_1_ procnotify 99 exec "
			       "[procnotify@32473 seq=\"42\" pid=\"7\" ppid=\"1\" uid=\"0\"", 92));
	for (size_t i = 0; i < b.len; i++)
		CHECK((unsigned char)b.data[i] >= 0x20 && b.data[i] != 0x7f);
	v = sd_param(b.data, "comm");
	CHECK_STR(v, "a\"b]c\\\\d\\ne\\x1b");
	free(v);
	v = sd_param(b.data, "image");
	CHECK_STR(v, "/tmp/x] [y=\"z\"\\xff\\x80");
	free(v);
	/* The element ends at the first ']' that no backslash escapes. */
	msg = strstr(b.data, "key=\"L:00000000000000ab:5:7\"] {");
	pn_fmt_json(&json, &ev);
	msg = msg ? strchr(msg, '{') : NULL;
	/* MSG: the JSON line, byte for byte, without its newline. */
	CHECK(msg && json.len && strlen(msg) == json.len - 1 &&
	      !strncmp(msg, json.data, json.len - 1));
	pn_buf_free(&b);
	pn_buf_free(&json);
}

static void test_lost(void)
{
	pn_event ev;
	pn__syslog_head h = head();
	pn_buf b = { 0 };

	memset(&ev, 0, sizeof(ev));
	ev.seq = 3;
	ev.type = PN_EVENT_LOST;
	ev.lost_count = 12;
	ev.lost_count_known = 1;
	ev.lost_reason = PN_LOST_OUTPUT;
	pn__fmt_rfc5424(&b, &ev, &h);
	/* authpriv.warning: lost records are never below warning. */
	CHECK(!strncmp(b.data, "<84>1 ", 6));
	CHECK(strstr(b.data, " lost [procnotify@32473 seq=\"3\" count=\"12\" reason=\"output\"] "));
	CHECK(strstr(b.data, "\"reason\":\"output\"}"));
	pn_buf_free(&b);
}

static void test_parsers(void)
{
	static const char *const good[] = { "unix:/dev/log", "udp://10.0.0.1", "tcp://log:6514",
					    "tcp://[::1]:514", "udp://h:65535" };
	static const char *const bad[] = { "unix:", "tcp://", "tcp://h:0", "tcp://h:65536",
					   "tcp://h:x", "ftp://h", "/dev/log", "tcp://[::1",
					   "tcp://[::1]x" };
	char why[160];
	int f, s;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CHECK(pn__syslog_check_target(good[i], why, sizeof(why)) == 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(pn__syslog_check_target(bad[i], why, sizeof(why)) == -EINVAL && *why);
	CHECK(pn__syslog_parse_priority("authpriv.info", &f, &s) == 0 && f == 10 && s == 6);
	CHECK(pn__syslog_parse_priority("local7.debug", &f, &s) == 0 && f == 23 && s == 7);
	CHECK(pn__syslog_parse_priority("user.loud", &f, &s) == -EINVAL);
	CHECK(pn__syslog_parse_priority("authpriv", &f, &s) == -EINVAL);
}

/* A sink that takes nothing until opened, then counts what it is given. */
static pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;
static int gate_open;
static uint64_t written, written_lost_count, kept;
static int last_more = -1;

static int stall_open(void **state, const char *target, const pn_output_options *o, char *err,
		      size_t errlen)
{
	*state = &gate;
	return 0;
}

static int stall_connect(void *state, char *err, size_t errlen)
{
	return 0;
}

static int stall_write(void *state, const pn_event *ev, int more, const volatile int *stop)
{
	for (;;) {
		int open_now;

		pthread_mutex_lock(&gate);
		open_now = gate_open;
		pthread_mutex_unlock(&gate);
		if (open_now)
			break;
		if (*stop)
			return -EAGAIN;
		usleep(1000);
	}
	kept += more != 0;
	last_more = more;
	if (ev->type == PN_EVENT_LOST)
		written_lost_count += ev->lost_count;
	else
		written++;
	return 0;
}

static void stall_close(void *state)
{
}

static const pn__output_ops stall_ops = {
	.name = "stall", .open = stall_open, .connect = stall_connect,
	.write = stall_write, .close = stall_close,
};

static void test_layer(void)
{
	pn_output_options opt = { .queue_bytes = 64 * 1024 };
	char err[256], arg[64];
	pn_output *out;
	uint64_t sent, lost, reported = 0;
	pn_event ev, rep;

	CHECK(pn__output_open(&out, &stall_ops, "x", &opt, err, sizeof(err)) == 0);
	CHECK(pn__output_start(out) == 0);
	memset(&ev, 0, sizeof(ev));
	ev.type = PN_EVENT_EXEC;
	ev.have = PN_HAVE_ARGV;
	memset(arg, 'a', sizeof(arg));
	ev.argv = (pn_str){ arg, sizeof(arg) };
	for (int i = 1; i <= 5000; i++) {
		ev.seq = (uint64_t)i;
		pn__output_event(&ev, out);
	}
	pn__output_stats(out, &sent, &lost);
	CHECK(sent == 0 && lost > 0 && lost < 5000);
	pthread_mutex_lock(&gate);
	gate_open = 1;
	pthread_mutex_unlock(&gate);
	CHECK(pn__output_drain(out, 10000) == 0);
	while (pn__output_take_lost(out, &rep)) {
		CHECK(rep.type == PN_EVENT_LOST && rep.lost_reason == PN_LOST_OUTPUT);
		reported += rep.lost_count;
	}
	pn__output_stats(out, &sent, &lost);
	/* Every event is written or counted, once; the sink saw the count too. */
	CHECK(sent + lost == 5000);
	CHECK(written == sent && reported == lost && written_lost_count == lost);
	/* A queue full of events goes in batches, the last of each with more == 0. */
	CHECK(kept > 0 && last_more == 0);
	pn__output_close(out);
}

int main(void)
{
	test_message();
	test_lost();
	test_parsers();
	test_layer();
	return pn_test_done("test_syslog");
}
