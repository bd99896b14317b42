/*
 * Every formatter on every event type, with every field known and hostile
 * bytes in every string (control bytes, DEL, bytes that are not UTF-8, a
 * bidi override, quotes, brackets, separators, formula starts), with no
 * field known, and the rare ones: an exit by a signal with and without a
 * name, Windows' NTSTATUS, lost records of each reason, known count or
 * not. Each output must keep its own form: JSON and ECS one valid object
 * a line (ECS without a name twice in an object), JSON read back and
 * written again byte for byte, CSV as many cells as its header, the
 * table and syslog lines without a raw control byte. And a buffer that
 * cannot grow gets nothing and breaks nothing.
 */
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "jsoncheck.h"
#include "procnotify.h"
#include "procnotify/csv.h"
#include "procnotify/format.h"
#include "procnotify/rfc5424.h"
#include "procnotify/store.h"

#define H "h\"i]|,\\\n\t\x1b\x7f\xff\xe2\x80\xae y"
static const char hostile[] = H;
static const char argv[] = "-rf\0\0a b\0" H;
static const char rules[] = "r1\0r,2\0";
static const char cid64[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

enum variant { V_EMPTY, V_FULL, V_LINUX, V_SIGNAL, V_ODD_SIGNAL, V_COUNT };

static pn_str S(const char *s)
{
	return (pn_str){ s, strlen(s) };
}

static pn_event event_of(int t, enum variant v)
{
	pn_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = (enum pn_event_type)t;
	ev.seq = (uint64_t)t * 10 + v;
	ev.time_ns = 1764669600123456789LL;
	ev.pid = 11;
	ev.duration_ns = -1;
	if (v == V_EMPTY)
		return ev;
	ev.have = ~0u;
	ev.flags = ~0u;
	if (v != V_FULL)
		ev.have &= ~PN_HAVE_NTSTATUS;
	ev.ppid = 12, ev.tid = 13, ev.uid = 14, ev.gid = 15, ev.euid = 16, ev.argc = 4;
	ev.sid = 17, ev.old_tid = 18, ev.cgroup_id = 19, ev.image_ino = 20, ev.mnt_ns = 21;
	ev.pid_ns = 22, ev.exit_code = 3, ev.nt_status = 0xc0000005u, ev.core_dumped = 1;
	ev.duration_ns = 4000000000000LL, ev.new_id = 24, ev.new_eid = 25, ev.tracer_pid = 26;
	ev.lost_count = 27, ev.lost_count_known = 1, ev.lost_reason = (uint32_t)(t + v) % 4;
	ev.lost_by_type[PN_EVENT_EXEC] = 20, ev.lost_by_type[PN_EVENT_SNAPSHOT] = 7;
	ev.creator_pid = 28;
	ev.comm = S("@" H);
	ev.image = S("-" H);
	ev.filename = S("=" H);
	ev.cwd = S("+" H);
	ev.root = ev.host = ev.parent_image = ev.cgroup = S(hostile);
	ev.image_sha256 = S(cid64);
	ev.container_id = t % 2 ? S(cid64) : S("nspawn-" H);
	ev.argv = (pn_str){ argv, sizeof(argv) };
	ev.rules = (pn_str){ rules, sizeof(rules) - 1 };
	strcpy(ev.tty, "pts/\x1b");
	ev.key = (pn_key){ .boot = 0xab, .start_ns = 5, .pid = 11, .os = 'L' };
	ev.parent_key = (pn_key){ .boot = 0xab, .start_ns = 2, .pid = 12, .os = 'L' };
	ev.creator_key = (pn_key){ .boot = 0xab, .start_ns = 1, .pid = 28, .os = 'W' };
	ev.image_dev = (pn_dev){ 8, 1 };
	if (v == V_SIGNAL || v == V_ODD_SIGNAL) {
		ev.signal = v == V_SIGNAL ? 9 : 64;
		ev.exit_code = -1;
	}
	if (v == V_LINUX) {
		/* Unknown count; no arguments, no terminal; exit(-3) after 500 us,
		 * which Linux reports as 253. */
		ev.lost_count_known = 0;
		ev.argv.len = 0;
		ev.tty[0] = 0;
		ev.exit_code = 253;
		ev.duration_ns = 500000;
	}
	ev.duration_ns = v == V_SIGNAL ? 12300000 : v == V_ODD_SIGNAL ? 125000000000LL : ev.duration_ns;
	return ev;
}

/* No byte below 0x20 but the newline that ends it, no DEL. */
static int one_clean_line(const pn_buf *b)
{
	for (size_t i = 0; i + 1 < b->len; i++)
		if ((unsigned char)b->data[i] < 0x20 || b->data[i] == 0x7f)
			return 0;
	return b->len && b->data[b->len - 1] == '\n';
}

static void check_json(const pn_event *ev)
{
	pn_buf a = { 0 }, b = { 0 };
	char *scratch;
	const char *why = NULL;
	pn_event back;

	pn_fmt_json(&a, ev);
	CHECK(json_line_ok(a.data, a.len));
	scratch = malloc(a.len + 1);
	CHECK(pn__json_read_event(a.data, a.len, scratch, &back, &why) == 0);
	if (!why) {
		pn_fmt_json(&b, &back);
		CHECK(b.len == a.len && !memcmp(a.data, b.data, a.len));
	}
	free(scratch);
	/* With the names of the ids: there when the event has ids. */
	pn_buf_reset(&b);
	pn_fmt_json_named(&b, ev, "root\n", NULL);
	CHECK(json_line_ok(b.data, b.len));
	CHECK((strstr(b.data, ",\"user\":\"root\\n\",\"group\":null") != NULL) ==
	      (ev->type != PN_EVENT_LOST && (ev->have & PN_HAVE_UID)));
	pn_buf_reset(&b);
	pn_fmt_json_named(&b, ev, NULL, "wheel");
	CHECK((strstr(b.data, ",\"user\":null,\"group\":\"wheel\"") != NULL) ==
	      (ev->type != PN_EVENT_LOST && (ev->have & PN_HAVE_UID)));
	pn_buf_free(&a);
	pn_buf_free(&b);
}

static void check_ecs(const pn_event *ev)
{
	pn_fmt_ecs_extra x = { "host\"id", "u\x1b", "g" };
	pn_buf b = { 0 };
	char action[64];
	int denied = ev->type == PN_EVENT_DENY ||
		     (ev->type == PN_EVENT_CREATE && (ev->flags & PN_EV_DENIED));

	pn_fmt_ecs(&b, ev, ev->have ? &x : NULL);
	CHECK(json_line_ok(b.data, b.len));
	snprintf(action, sizeof(action), "\"action\":\"%s\"", pn_event_type_name(ev->type));
	CHECK(strstr(b.data, action) != NULL);
	CHECK((strstr(b.data, "\"outcome\":\"failure\"") != NULL) == denied);
	CHECK((strstr(b.data, "\"kind\":\"pipeline_error\"") != NULL) == (ev->type == PN_EVENT_LOST));
	CHECK((strstr(b.data, "\"id\":\"host\\\"id\"") != NULL) == (ev->have != 0));
	pn_buf_free(&b);
}

/* The cells of a CSV line: commas outside quotes, plus one. */
static unsigned csv_cells(const char *s, size_t n)
{
	unsigned cells = 1;
	int quoted = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			quoted = !quoted;
		else if (s[i] == ',' && !quoted)
			cells++;
	}
	return cells;
}

static void check_csv(const pn_event *ev, unsigned columns)
{
	pn_buf b = { 0 };

	pn__fmt_csv(&b, ev);
	CHECK(one_clean_line(&b) && csv_cells(b.data, b.len - 1) == columns);
	pn_buf_free(&b);
}

static void check_table(const pn_event *ev)
{
	pn_fmt_table_extra x = { 3600 * 1000000000LL, ev->have ? "u\x7f" : NULL, NULL };
	pn_buf b = { 0 };

	pn_fmt_table_row(&b, ev);
	CHECK(one_clean_line(&b) && !strncmp(b.data, "| 10:00:00.123 | ", 17));
	if (ev->type == PN_EVENT_EXIT && ev->duration_ns >= 0)
		CHECK(strstr(b.data, ev->duration_ns < 1000000 ? " after 500us"
				     : ev->duration_ns < 1000000000 ? " after 12.3ms"
				     : ev->duration_ns < 3600000000000LL ? " after 2m05s"
				     : " after 1h06m") != NULL);
	if (ev->type == PN_EVENT_EXIT && ev->exit_code == 253 && !ev->signal)
		CHECK(strstr(b.data, "| exit 253 (core dumped) after") != NULL);
	pn_buf_reset(&b);
	pn_fmt_table_row_dated(&b, ev, &x);
	CHECK(one_clean_line(&b) && !strncmp(b.data, "| 2025-12-02 11:00:00.123 | ", 28));
	CHECK((strstr(b.data, " u\\x7f:15 ") != NULL) == (ev->type != PN_EVENT_LOST && ev->have));
	pn_buf_free(&b);
}

static void check_syslog(const pn_event *ev)
{
	pn__syslog_head h = { .facility = 4, .severity = 7, .procid = 1 };
	pn_buf b = { 0 };

	pn__syslog_set_hostname(&h, ev->have ? "h\x01s\xfft" : "");
	pn__fmt_rfc5424(&b, ev, &h);
	pn_buf_putc(&b, '\n');
	CHECK(one_clean_line(&b));
	CHECK(!strncmp(b.data, ev->type == PN_EVENT_LOST ? "<36>1 " : "<39>1 ", 6));
	CHECK(strstr(b.data, ev->have ? " h_s_t procnotify 1 " : " - procnotify 1 ") != NULL);
	CHECK((strstr(b.data, " rules=\"r1,r,2\"") != NULL) ==
	      (ev->type != PN_EVENT_LOST && ev->rules.len != 0));
	pn_buf_free(&b);
}

static void sweep(void)
{
	pn_buf header = { 0 };
	unsigned columns;

	pn__fmt_csv_header(&header);
	columns = csv_cells(header.data, header.len - 1);
	CHECK(columns > 40);
	for (int t = 1; t < PN_TYPE_LIMIT; t++)
		for (int v = V_EMPTY; v < V_COUNT; v++) {
			pn_event ev = event_of(t, (enum variant)v);

			check_json(&ev);
			check_ecs(&ev);
			check_csv(&ev, columns);
			check_table(&ev);
			check_syslog(&ev);
		}
	pn_buf_free(&header);
}

/* The dated table's header: a zone name of any length, the column after. */
static void dated_header(void)
{
	pn_buf b = { 0 };

	pn_fmt_table_header_dated(&b, "UTC");
	CHECK(strstr(b.data, "\n| TIME (UTC)              | EVENT  |") != NULL);
	pn_buf_reset(&b);
	pn_fmt_table_header_dated(&b, "America/Argentina/Buenos_Aires");
	CHECK(strstr(b.data, "\n| TIME (America/Argentina/Buenos_Aires)| EVENT  |") != NULL);
	pn_buf_free(&b);
}

/* A lost record below warning keeps its severity. */
static void lost_severity(void)
{
	pn_event ev = event_of(PN_EVENT_LOST, V_EMPTY);
	pn__syslog_head h = { .facility = 4, .severity = 2 };
	pn_buf b = { 0 };

	pn__fmt_rfc5424(&b, &ev, &h);
	CHECK(!strncmp(b.data, "<34>1 ", 6));
	pn_buf_free(&b);
}

/* A buffer out of memory from the start: every formatter leaves it empty. */
static void no_memory(void)
{
	for (int t = 1; t < PN_TYPE_LIMIT; t++) {
		pn_event ev = event_of(t, V_FULL);
		pn__syslog_head h = { .facility = 4, .severity = 7 };
		pn_fmt_table_extra x = { 0, "u", "g" };
		pn_buf b = { .oom = 1 };

		pn_fmt_json(&b, &ev);
		pn_fmt_json_named(&b, &ev, "u", "g");
		pn_fmt_ecs(&b, &ev, NULL);
		pn__fmt_csv(&b, &ev);
		pn__fmt_csv_header(&b);
		pn_fmt_table_row(&b, &ev);
		pn_fmt_table_row_dated(&b, &ev, &x);
		pn_fmt_table_header_dated(&b, "UTC");
		pn__fmt_rfc5424(&b, &ev, &h);
		CHECK(b.len == 0 && b.data == NULL && b.oom);
	}
}

/* One argument of a megabyte: the buffer grows to it, and it comes back. */
static void growth(void)
{
	size_t n = 1 << 20;
	char *big = malloc(n);
	pn_event ev = event_of(PN_EVENT_EXEC, V_LINUX), back;
	pn_buf b = { 0 };
	char *scratch;
	const char *why = NULL;

	memset(big, '\x01', n - 1);
	big[n - 1] = 0;
	ev.argv = (pn_str){ big, n };
	pn_fmt_json(&b, &ev);
	CHECK(json_line_ok(b.data, b.len) && b.len > 6 * (n - 1));
	scratch = malloc(b.len);
	CHECK(pn__json_read_event(b.data, b.len, scratch, &back, &why) == 0);
	CHECK(back.argv.len == n && !memcmp(back.argv.ptr, big, n));
	free(scratch);
	pn_buf_reset(&b);
	pn_fmt_ecs(&b, &ev, NULL);
	CHECK(json_line_ok(b.data, b.len));
	pn_buf_free(&b);
	free(big);
}

int main(void)
{
	sweep();
	dated_header();
	lost_severity();
	no_memory();
	growth();
	return pn_test_done("test_fmt_sweep");
}
