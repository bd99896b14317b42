/*
 * What the formatters say of the unusual: an exec whose path does not
 * simply name its file (cut short, unlinked, another root or mount
 * namespace), a Windows creation made by another process than the
 * parent, an NTSTATUS exit, a signal without a name, a pid not known,
 * the tags of live rules. The golden files hold ordinary events; these
 * marks are checked here, in the table and as JSON members; and times
 * before 1970, and a buffer that cannot grow.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "procnotify.h"
#include "procnotify/format.h"
#include "check.h"

static pn_str S(const char *s)
{
	return (pn_str){ s, strlen(s) };
}

static pn_event base(enum pn_event_type type, uint32_t pid)
{
	pn_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.pid = pid;
	ev.duration_ns = -1;
	return ev;
}

/* 1 when the table row and the JSON line of ev each hold what is asked. */
static int says(const pn_event *ev, const char *table, const char *json)
{
	pn_buf t = { 0 }, j = { 0 };
	int ok;

	pn_fmt_table_row(&t, ev);
	pn_fmt_json(&j, ev);
	ok = t.data && strstr(t.data, table) && j.data && strstr(j.data, json);
	if (!ok)
		fprintf(stderr, "table: %s\njson: %s\n", t.data, j.data);
	pn_buf_free(&t);
	pn_buf_free(&j);
	return ok;
}

static void exec_marks(void)
{
	pn_event ev = base(PN_EVENT_EXEC, 10);

	ev.ppid = 1;
	ev.have = PN_HAVE_IMAGE | PN_HAVE_ARGV | PN_HAVE_ROOT | PN_HAVE_NS | PN_HAVE_PARENT;
	ev.image = S("/usr/bin/x");
	ev.argv = (pn_str){ "x\0-y\0", 5 };
	ev.root = S("/srv/a b");
	ev.mnt_ns = 4026;
	ev.flags = PN_EV_IMAGE_TRUNCATED | PN_EV_IMAGE_DELETED | PN_EV_OTHER_MNT_NS |
		   PN_EV_ARGV_TRUNCATED;
	ev.rules = (pn_str){ "a\0b\n", 4 };
	CHECK(says(&ev, "| /usr/bin/x [truncated] [deleted] [root \"/srv/a b\"] [mnt ns 4026]"
			" : x -y [argv truncated] [rules a,b\\n]\n",
		   "\"image_truncated\":true,\"image_deleted\":true"));
	CHECK(says(&ev, " |       1 |      10 |", "\"root\":\"/srv/a b\",\"mnt_ns\":4026"));
	CHECK(says(&ev, "[rules", "\"rules\":[\"a\",\"b\\n\"]"));
	/* Without its image, the path it was asked to run. */
	ev.have &= ~(uint32_t)PN_HAVE_IMAGE;
	ev.have |= PN_HAVE_FILENAME;
	ev.filename = S("./x");
	ev.flags = 0;
	CHECK(says(&ev, "| ./x [root", "\"filename\":\"./x\""));
}

static void windows_marks(void)
{
	pn_event ev = base(PN_EVENT_CREATE, 500);

	ev.ppid = 400;
	ev.have = PN_HAVE_IMAGE | PN_HAVE_ARGV | PN_HAVE_CREATOR | PN_HAVE_PARENT;
	ev.image = S("C:\\x.exe");
	ev.argv = S("x.exe /q");
	ev.creator_pid = 77;
	ev.flags = PN_EV_IMAGE_TRUNCATED | PN_EV_CREATOR_NOT_PARENT;
	CHECK(says(&ev, "| C:\\\\x.exe [truncated] [created by 77, not the parent] : \"x.exe /q\"\n",
		   "\"creator_pid\":77,"));
	CHECK(says(&ev, "[created by 77", "\"creator_not_parent\":true"));

	ev = base(PN_EVENT_EXIT, 500);
	ev.have = PN_HAVE_NTSTATUS;
	ev.nt_status = 0xC0000005;
	ev.exit_code = (int)0xC0000005;
	ev.core_dumped = 1;
	ev.duration_ns = 1500000000;
	CHECK(says(&ev, "|       - |     500 | -                | exit 3221225477 (0xc0000005)"
			" (core dumped) after 1.50s\n", "\"nt_status\":\"0xc0000005\""));
}

static void exits(void)
{
	pn_event ev = base(PN_EVENT_EXIT, 7);

	ev.signal = 77; /* no name */
	ev.exit_code = -1;
	CHECK(says(&ev, "| killed by signal 77\n", "\"signal\":77,\"signal_name\":null"));
	ev.signal = 11;
	ev.core_dumped = 1;
	CHECK(says(&ev, "| killed by SIGSEGV (core dumped)\n", "\"signal_name\":\"SIGSEGV\""));
	ev.signal = 0;
	ev.core_dumped = 0;
	ev.exit_code = 3;
	ev.have = PN_HAVE_PARENT; /* the parent known, its pid 0 (the kernel's) */
	CHECK(says(&ev, "|       0 |       7 | -                | exit 3\n", "\"exit_code\":3,"));
}

/* An exit's lifetime as printf would write it: the table's own text,
 * written by hand, must be the same to the byte. */
static void printf_duration(char *out, size_t size, int64_t ns)
{
	const int64_t ms = 1000000, s = 1000 * ms, min = 60 * s, hour = 60 * min;

	if (ns < ms)
		snprintf(out, size, "%lldus", (long long)(ns / 1000));
	else if (ns < s)
		snprintf(out, size, "%.1fms", (double)ns / ms);
	else if (ns < min)
		snprintf(out, size, "%.2fs", (double)ns / s);
	else if (ns < hour)
		snprintf(out, size, "%lldm%02llds", (long long)(ns / min), (long long)(ns / s % 60));
	else
		snprintf(out, size, "%lldh%02lldm", (long long)(ns / hour), (long long)(ns / min % 60));
}

/* 1 when the table row of an exit that lasted ns says what printf says. */
static int duration_as_printf(int64_t ns)
{
	pn_event ev = base(PN_EVENT_EXIT, 7);
	char want[64], *got;
	pn_buf b = { 0 };
	int ok;

	ev.duration_ns = ns;
	printf_duration(want, sizeof(want), ns);
	pn_fmt_table_row(&b, &ev);
	got = b.data ? strstr(b.data, " after ") : NULL;
	ok = got && !strncmp(got + 7, want, strlen(want)) && got[7 + strlen(want)] == '\n';
	if (!ok)
		fprintf(stderr, "duration %lld: got [%s] want [%s]\n", (long long)ns,
			got ? got + 7 : "(none)", want);
	pn_buf_free(&b);
	return ok;
}

/* Every range of the lifetime, each side of its rounding boundaries (and
 * on them: 1.25 ms is a double exactly half way, which printf rounds to
 * even, 1.2ms; 1.05 ms is not, and rounds up) and at random. */
static void durations(void)
{
	static const int64_t steps[] = { 1000, 100000, 10000000, 1000000000, 60000000000LL };
	static const int64_t fixed[] = { 0, 999, 1000, 999999, 1000000, 1050000, 1250000,
					 999949999, 999950000, 999950001, 999999999,
					 59994999999LL, 59995000000LL, 59999999999LL, 60000000000LL,
					 3599999999999LL, 3600000000000LL, 400000LL * 3600000000000LL };
	unsigned rnd = 1;
	int bad = 0;

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		bad += !duration_as_printf(fixed[i]);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		for (int64_t k = 1; k < 200; k++)
			for (int64_t d = -1; d <= 1; d++)
				bad += !duration_as_printf(k * steps[i] + steps[i] / 2 + d);
	for (int i = 0; i < 20000; i++) {
		rnd = rnd * 1103515245u + 12345u;
		bad += !duration_as_printf((int64_t)((uint64_t)rnd << 12 >> (rnd % 32)));
	}
	CHECK(bad == 0);
}

/* Times before 1970 (the log holds them back to 1677). */
static void old_times(void)
{
	pn_buf b = { 0 };

	pn_fmt_time_rfc3339(&b, -1);
	CHECK_STR(b.data, "1969-12-31T23:59:59.999999999Z");
	pn_buf_reset(&b);
	pn_fmt_time_rfc3339(&b, -86400LL * 1000000000 - 500000000);
	CHECK_STR(b.data, "1969-12-30T23:59:59.500000000Z");
	pn_buf_free(&b);
}

/* A buffer asked for more than any allocation can hold says so, for
 * good: it never grows again (the sink then drops it whole, never a half
 * line), and the request does not spin forever doubling its size. */
static void out_of_memory(void)
{
	pn_buf b = { 0 };
	pn_event ev = base(PN_EVENT_EXIT, 7);

	pn_buf_puts(&b, "kept");
	alarm(10); /* a loop that never ends fails the test, not the suite's patience */
	pn_buf_put(&b, "", (size_t)-1 / 2);
	alarm(0);
	CHECK(b.oom == 1 && b.len == 4 && b.cap == 256);
	pn_buf_printf(&b, "%0300d", 1);
	pn_fmt_json(&b, &ev);
	pn_fmt_table_row(&b, &ev);
	CHECK(b.oom == 1 && b.cap == 256 && b.len < 256);
	pn_buf_free(&b);
}

int main(void)
{
	old_times();
	out_of_memory();
	exec_marks();
	windows_marks();
	exits();
	durations();
	return pn_test_done("test_fmt_marks");
}
