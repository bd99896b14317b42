/*
 * One exit code, one number in every output. An exit with Windows'
 * 0xC0000005 (an access violation, which the driver reports as NTSTATUS)
 * and one with Linux's 255 go through every formatter: JSON, ECS, CSV,
 * the table, syslog (JSON inside), journald, the tree (text, JSON and the
 * HTML page), and JSON read back as `procnotify import` reads it. Each
 * must write the same decimal: 3221225477, the 32 bits unsigned (README,
 * "Exit codes"), and 255. An exit by a signal has no exit code in any.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "outtest.h"
#include "procnotify.h"
#include "procnotify/csv.h"
#include "procnotify/format.h"
#include "procnotify/html.h"
#include "procnotify/rfc5424.h"
#include "procnotify/store.h"

#define NONE "(none)"

static pn_event exit_event(int code, int windows)
{
	pn_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.seq = 9;
	ev.type = PN_EVENT_EXIT;
	ev.time_ns = 1764669600123456789LL;
	ev.pid = 4242;
	ev.have = PN_HAVE_COMM | PN_HAVE_START;
	ev.comm = (pn_str){ "crashy", 6 };
	ev.key = (pn_key){ .boot = 0xab, .start_ns = 5, .pid = 4242, .os = windows ? 'W' : 'L' };
	ev.exit_code = code;
	ev.duration_ns = 1500000;
	if (windows) {
		ev.have |= PN_HAVE_NTSTATUS;
		ev.nt_status = (uint32_t)code;
	}
	return ev;
}

/* The number right after `after` in text (a sign included; the first
 * place a number follows), or NONE: what an output says the code is. */
static const char *number_after(const char *text, size_t len, const char *after)
{
	static char num[4][32];
	static unsigned next;
	char *out = num[next++ % 4];
	const char *end = text + len, *p = text;
	size_t n = 0, alen = strlen(after);

	while (p && !n && (p = memmem(p, (size_t)(end - p), after, alen))) {
		p += alen;
		while (n + 1 < sizeof(num[0]) && p < end && (*p == '-' || (*p >= '0' && *p <= '9')))
			out[n++] = *p++;
	}
	out[n] = 0;
	return n ? out : NONE;
}

static const char *of_buf(const pn_buf *b, const char *after)
{
	return number_after(b->data, b->len, after);
}

/* The CSV cell under exit_code; its header and row have no quoted cell. */
static const char *csv_cell(const pn_event *ev)
{
	static char cell[32];
	pn_buf h = { 0 }, r = { 0 };
	const char *hp, *rp;
	int col = 0;

	pn__fmt_csv_header(&h);
	pn__fmt_csv(&r, ev);
	hp = strstr(h.data, ",exit_code,");
	for (const char *p = h.data; hp && p <= hp; p++)
		col += *p == ',';
	rp = r.data;
	for (int i = 0; rp && i < col; i++)
		rp = strchr(rp, ',') ? strchr(rp, ',') + 1 : NULL;
	snprintf(cell, sizeof(cell), "%.*s", rp ? (int)strcspn(rp, ",\n") : 0, rp ? rp : "");
	pn_buf_free(&h);
	pn_buf_free(&r);
	return hp && rp ? cell : "(no column)";
}

static pn_proc_node node_of(const pn_event *ev)
{
	pn_proc_node p;

	memset(&p, 0, sizeof(p));
	p.key = ev->key;
	p.pid = ev->pid;
	p.have = PN_HAVE_COMM;
	p.comm = ev->comm;
	p.start_ns = ev->time_ns - ev->duration_ns;
	p.end_ns = ev->time_ns;
	p.exit_code = ev->exit_code;
	p.signal = ev->signal;
	return p;
}

/* The trees' three forms of a process that ended as ev says. */
static void check_trees(const pn_event *ev, const char *want)
{
	pn_proc_node p = node_of(ev);
	pn_buf b = { 0 };
	pn_fmt_tree t = { &b, 0, 0 };
	pn_fmt_html_tree h = { &b, { 0 }, 0 };

	pn_fmt_tree_enter(&t, &p, 0, 1);
	CHECK_STR(of_buf(&b, "[exit "), want);
	pn_buf_reset(&b);
	t = (pn_fmt_tree){ &b, 1, 0 };
	pn_fmt_tree_enter(&t, &p, 0, 1);
	pn_fmt_tree_leave(&t, 0);
	CHECK_STR(of_buf(&b, "\"exit_code\":"), want);
	pn_buf_reset(&b);
	pn__fmt_html_tree_node(&h, &p, 0, 1, NULL);
	CHECK_STR(of_buf(&b, ",\"exit "), want);
	pn__fmt_html_tree_free(&h);
	pn_buf_free(&b);
}

/* JSON, and JSON read back (import) and written again: the same line. */
static void check_json(const pn_event *ev, const char *want)
{
	pn_buf a = { 0 }, b = { 0 };
	char *scratch;
	const char *why = NULL;
	pn_event back;

	pn_fmt_json(&a, ev);
	CHECK_STR(of_buf(&a, "\"exit_code\":"), want);
	scratch = malloc(a.len + 1);
	CHECK(pn__json_read_event(a.data, a.len, scratch, &back, &why) == 0 && !why);
	CHECK(back.exit_code == ev->exit_code && back.signal == ev->signal);
	pn_fmt_json(&b, &back);
	CHECK(b.len == a.len && !memcmp(a.data, b.data, a.len));
	free(scratch);
	pn_buf_free(&a);
	pn_buf_free(&b);
}

/* The journald message of ev, as its socket receives it. */
static void check_journal(const pn_event *ev, const char *want)
{
	static char msg[1 << 16];
	const char *path = outtest_path("journal.sock");
	int fd = dgram_listen(path);
	pn_output_options opt = { .facility = 10, .severity = 6 };
	pn_output *out = outtest_start(&pn__output_journal, path, &opt);
	ssize_t n = -1;

	pn__output_event(ev, out);
	if (readable(fd, 5000))
		n = recv(fd, msg, sizeof(msg), 0);
	CHECK(n > 0);
	CHECK_STR(number_after(msg, n > 0 ? (size_t)n : 0, "\nPROCNOTIFY_EXIT_CODE="), want);
	/* MESSAGE is the table's row. */
	CHECK_STR(number_after(msg, n > 0 ? (size_t)n : 0, "| exit "), want);
	pn__output_drain(out, 5000);
	pn__output_close(out);
	close(fd);
}

/* Every output of an exit says want as its code (NONE: says none). */
static void agree(const pn_event *ev, const char *want)
{
	pn__syslog_head sh = { .facility = 4, .severity = 6, .procid = 1 };
	pn_buf b = { 0 };

	check_json(ev, want);
	pn_fmt_ecs(&b, ev, NULL);
	CHECK_STR(of_buf(&b, "\"exit_code\":"), want);
	pn_buf_reset(&b);
	CHECK_STR(csv_cell(ev), strcmp(want, NONE) ? want : "");
	pn_fmt_table_row(&b, ev);
	CHECK_STR(of_buf(&b, "| exit "), want);
	pn_buf_reset(&b);
	pn__fmt_rfc5424(&b, ev, &sh);
	CHECK_STR(of_buf(&b, "\"exit_code\":"), want);
	pn_buf_free(&b);
	check_journal(ev, want);
	check_trees(ev, want);
}

/* The table and the trees add the hex Windows' documentation uses. */
static void hex_beside(void)
{
	pn_event ev = exit_event((int)0xC0000005u, 1);
	pn_proc_node p = node_of(&ev);
	pn_buf b = { 0 };
	pn_fmt_tree t = { &b, 0, 0 };

	pn_fmt_table_row(&b, &ev);
	CHECK(strstr(b.data, "| exit 3221225477 (0xc0000005) after 1.5ms\n") != NULL);
	pn_buf_reset(&b);
	pn_fmt_tree_enter(&t, &p, 0, 0);
	CHECK(strstr(b.data, " [exit 3221225477 (0xc0000005)] ") != NULL);
	pn_buf_reset(&b);
	ev = exit_event(255, 0);
	pn_fmt_table_row(&b, &ev);
	CHECK(strstr(b.data, "| exit 255 after 1.5ms\n") != NULL);
	pn_buf_free(&b);
}

int main(void)
{
	pn_event ev = exit_event((int)0xC0000005u, 1);

	agree(&ev, "3221225477");
	ev = exit_event(255, 0);
	agree(&ev, "255");
	ev = exit_event(0, 0);
	agree(&ev, "0");
	ev = exit_event(-1, 0);
	ev.signal = 9;
	agree(&ev, NONE);
	hex_beside();
	return pn_test_done("test_exit_codes");
}
