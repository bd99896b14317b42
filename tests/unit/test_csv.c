/*
 * CSV of events (procnotify/csv.h): RFC 4180 quoting, one column per field
 * in the header and in every row, untrusted bytes escaped, and cells that a
 * spreadsheet would run as a formula turned into text.
 */
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include "check.h"
#include "procnotify.h"
#include "procnotify/csv.h"

/* The cells of one CSV line as written, quotes included; returns their count. */
static size_t split(const char *line, char cells[][256], size_t max)
{
	size_t n = 0, len = 0;
	int quoted = 0;

	for (const char *p = line; *p && *p != '\n'; p++) {
		if (*p == '"')
			quoted = !quoted;
		if (*p == ',' && !quoted) {
			cells[n++][len] = 0;
			len = 0;
			if (n == max)
				return n;
			continue;
		}
		if (len < 255)
			cells[n][len++] = *p;
	}
	cells[n++][len] = 0;
	return n;
}

static char header[64][256];
static size_t columns;

/* The cell of column name in ev's row, as written. */
static const char *cell(const pn_event *ev, const char *name)
{
	static char row[64][256];
	pn_buf b = { 0 };
	size_t n, i;

	pn__fmt_csv(&b, ev);
	n = split(b.data, row, 64);
	CHECK(n == columns);
	CHECK(b.len && b.data[b.len - 1] == '\n' && !strchr(b.data, '\r'));
	CHECK(strchr(b.data, '\n') == b.data + b.len - 1);
	pn_buf_free(&b);
	for (i = 0; i < columns && strcmp(header[i], name); i++)
		;
	return i < columns && i < n ? row[i] : "(no such column)";
}

static pn_event exec_named(const char *comm)
{
	pn_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.seq = 7;
	ev.type = PN_EVENT_EXEC;
	ev.time_ns = 1795737600000000000LL;
	ev.pid = 4242;
	ev.have = PN_HAVE_COMM;
	ev.comm = (pn_str){ comm, strlen(comm) };
	return ev;
}

static void check_header(void)
{
	pn_buf b = { 0 };

	pn__fmt_csv_header(&b);
	columns = split(b.data, header, 64);
	CHECK(columns > 10 && columns < 64);
	CHECK(!strncmp(b.data, "seq,time,type,pid,ppid,", 23));
	CHECK(strstr(b.data, ",comm,") && strstr(b.data, ",argv,") && strstr(b.data, ",exit_code,"));
	CHECK(b.data[b.len - 1] == '\n');
	pn_buf_free(&b);
}

static void check_cells(void)
{
	pn_event ev = exec_named("ls");
	static const char argv[] = "sh\0-c\0echo a, b\0";

	CHECK_STR(cell(&ev, "seq"), "7");
	CHECK_STR(cell(&ev, "time"), "2026-11-27T00:00:00.000000000Z");
	CHECK_STR(cell(&ev, "type"), "exec");
	CHECK_STR(cell(&ev, "pid"), "4242");
	CHECK_STR(cell(&ev, "comm"), "ls");
	CHECK_STR(cell(&ev, "image"), "");            /* not known: empty */
	ev.have |= PN_HAVE_IMAGE | PN_HAVE_ARGV;
	ev.image = (pn_str){ "", 0 };
	CHECK_STR(cell(&ev, "image"), "\"\"");        /* known and empty */
	ev.image = (pn_str){ "/opt/a,b/say \"hi\"", 17 };
	CHECK_STR(cell(&ev, "image"), "\"/opt/a,b/say \"\"hi\"\"\"");
	ev.argv = (pn_str){ argv, sizeof(argv) - 1 };
	CHECK_STR(cell(&ev, "argv"), "\"sh -c \"\"echo a, b\"\"\"");
	CHECK_STR(cell(&ev, "argv_truncated"), "false");
	CHECK_STR(cell(&ev, "exit_code"), "");        /* an exec has none */
}

/* OWASP's CSV injection: a leading =, +, -, @ is made text. */
static void check_formulas(void)
{
	static const char *const bad[][2] = {
		{ "=cmd|' /C calc'!A0", "\"'=cmd|' /C calc'!A0\"" },
		{ "+1+1", "\"'+1+1\"" },
		{ "-2+3", "\"'-2+3\"" },
		{ "@SUM(A1)", "\"'@SUM(A1)\"" },
		{ "=HYPERLINK(\"x\",\"y\")", "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\"" },
		/* A tab or CR never reaches the cell raw: escaped, it starts with \ */
		{ "\t=1", "\\t=1" },
		{ "\r=1", "\\r=1" },
		{ "a=1", "a=1" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pn_event ev = exec_named(bad[i][0]);

		CHECK_STR(cell(&ev, "comm"), bad[i][1]);
	}
}

/* Untrusted bytes: no raw control byte, CR, LF or invalid UTF-8. */
static void check_escapes(void)
{
	pn_event ev = exec_named("a\nb\r\x1b[31m\xff|\\");

	CHECK_STR(cell(&ev, "comm"), "a\\nb\\r\\x1b[31m\\xff|\\\\");
	ev = exec_named("caf\xc3\xa9 \xe2\x80\xae");  /* valid UTF-8 kept, a bidi override not */
	CHECK_STR(cell(&ev, "comm"), "caf\xc3\xa9 \\u202e");
}

/* Numbers are never prefixed: a negative one stays a number. The exit
 * code is unsigned, as every output writes it, and none after a signal. */
static void check_numbers(void)
{
	pn_event ev = exec_named("sh");

	ev.type = PN_EVENT_EXIT;
	ev.exit_code = -1;
	ev.signal = 9;
	ev.duration_ns = 1500;
	CHECK_STR(cell(&ev, "exit_code"), "");        /* JSON's null */
	CHECK_STR(cell(&ev, "signal"), "9");
	CHECK_STR(cell(&ev, "duration_ns"), "");     /* its start is not known */
	ev.have |= PN_HAVE_START;
	CHECK_STR(cell(&ev, "duration_ns"), "1500");
	CHECK_STR(cell(&ev, "argv"), "");             /* an exit has none */
	ev.signal = 0;
	ev.exit_code = (int)0xC0000005u;              /* Windows' access violation */
	CHECK_STR(cell(&ev, "exit_code"), "3221225477");
	ev.exit_code = -1;                            /* the widest */
	ev.duration_ns = INT64_MIN;
	CHECK_STR(cell(&ev, "exit_code"), "4294967295");
	CHECK_STR(cell(&ev, "duration_ns"), "-9223372036854775808");
	ev.duration_ns = INT64_MAX;
	CHECK_STR(cell(&ev, "duration_ns"), "9223372036854775807");
}

/* A device number as ls -l writes it, its parts as wide as they go. */
static void check_dev(void)
{
	pn_event ev = exec_named("sh");

	ev.have |= PN_HAVE_IMAGE_ID;
	ev.image_dev = (pn_dev){ 259, 1048575 };
	CHECK_STR(cell(&ev, "image_dev"), "259:1048575");
	ev.image_dev = (pn_dev){ UINT32_MAX, 0 };
	CHECK_STR(cell(&ev, "image_dev"), "4294967295:0");
}

int main(void)
{
	check_header();
	check_cells();
	check_formulas();
	check_escapes();
	check_numbers();
	check_dev();
	return pn_test_done("test_csv");
}
