/*
 * Reports and trees of what the log does not know: a row without an
 * image, a parent known only by its name or not at all, executions of a
 * uid never seen, sections with no rows or more rows than shown, a
 * process with neither image nor name, one that dumped core, one without
 * ids. Each of the report's text, JSON and HTML forms and each tree form
 * says "?" (or null, or "not in the log") where it must, and never
 * shows a string that was not known.
 */
#include <string.h>
#include "check.h"
#include "jsoncheck.h"
#include "procnotify/html.h"
#include "procnotify/report.h"

/* One section of one row (r) and total entries, in the form of f. */
static void section(pn_fmt_report *f, enum pn_report_section s, const pn_report_row *r,
		    uint64_t total)
{
	pn_report_window w = { 0, 0, 0, 0 };

	pn__fmt_report_begin(f, s, &w);
	if (r)
		pn__fmt_report_row(f, s, r);
	pn__fmt_report_end(f, s, total);
}

static pn_report_row unknown_row(void)
{
	pn_report_row r;

	memset(&r, 0, sizeof(r));
	r.count = 3;
	r.pid = 77;
	r.image = (pn_str){ "/never/shown", 12 };
	r.comm = (pn_str){ "never", 5 };
	r.key = (pn_key){ .boot = 1, .start_ns = 2, .pid = 77, .os = 'L' };
	return r;
}

static void report_text(void)
{
	pn_buf b = { 0 };
	pn_fmt_report f = { .out = &b };
	pn_report_row r = unknown_row();

	section(&f, PN_REPORT_IMAGES, &r, 9);
	CHECK(strstr(b.data, "\n         3  ?\n") != NULL);
	CHECK(strstr(b.data, "  ... and 8 more (--top 0 shows all)\n") != NULL);
	section(&f, PN_REPORT_PARENTS, &r, 1);
	CHECK(strstr(b.data, "        77  ? (not in the log)  L:0000000000000001:2:77\n") != NULL);
	r.have = PN_HAVE_COMM;
	section(&f, PN_REPORT_PARENTS, &r, 1);
	CHECK(strstr(b.data, "        77  [never]  L:") != NULL);
	section(&f, PN_REPORT_USERS, &r, 1);
	CHECK(strstr(b.data, "\n         3           ?\n") != NULL);
	section(&f, PN_REPORT_FAILURES, NULL, 0);
	CHECK(strstr(b.data, "\n  (none)\n") != NULL);
	CHECK(strstr(b.data, "/never/shown") == NULL);
	pn__fmt_report_free(&f);
	pn_buf_free(&b);
}

static void report_json(void)
{
	pn_buf b = { 0 };
	pn_fmt_report f = { .out = &b, .json = 1 };
	pn_report_row r = unknown_row();
	pn_report_window w = { 0, 0, 0, 0 };

	pn__fmt_report_begin(&f, PN_REPORT_SUMMARY, &w);
	pn__fmt_report_row(&f, PN_REPORT_SUMMARY, &r);
	pn__fmt_report_end(&f, PN_REPORT_SUMMARY, 1);
	section(&f, PN_REPORT_IMAGES, &r, 1);
	section(&f, PN_REPORT_USERS, &r, 1);
	section(&f, PN_REPORT_HOURS, NULL, 0);
	CHECK(json_line_ok(b.data, b.len));
	CHECK(strstr(b.data, "\"rows\":[{\"image\":null,\"executions\":3}]") != NULL);
	CHECK(strstr(b.data, "{\"uid\":null,\"user\":null,\"executions\":3}") != NULL);
	CHECK(strstr(b.data, "\"since\":null,\"until\":null") != NULL);
	pn__fmt_report_free(&f);
	pn_buf_free(&b);
}

static void report_html(void)
{
	pn_buf b = { 0 };
	pn_fmt_report f = { .out = &b, .html = 1 };
	pn_report_row r = unknown_row();

	section(&f, PN_REPORT_SUMMARY, &r, 1);
	section(&f, PN_REPORT_IMAGES, &r, 5);
	CHECK(strstr(b.data, "<tr><td class=n>3<td>?</tr>") != NULL);
	CHECK(strstr(b.data, "&hellip; and 4 more (--top 0 shows all)") != NULL);
	r.have = PN_HAVE_COMM;
	section(&f, PN_REPORT_PARENTS, &r, 1);
	CHECK(strstr(b.data, "<td class=n>77<td>[never]<td class=args>") != NULL);
	section(&f, PN_REPORT_USERS, &r, 1);
	CHECK(strstr(b.data, "<td class=n>3<td class=n>?<td>") != NULL);
	section(&f, PN_REPORT_FAILURES, NULL, 0);
	CHECK(strstr(b.data, "<p class=more>(none)</p>") != NULL);
	CHECK(strstr(b.data, "/never/shown") == NULL);
	pn__fmt_report_free(&f);
	pn_buf_free(&b);
	/* Sections past the known ones have a name nonetheless. */
	CHECK(!strcmp(pn__report_section_name(PN_REPORT_SECTIONS), "unknown"));
	CHECK(!strcmp(pn__report_section_title(PN_REPORT_SECTIONS), "unknown"));
}

static pn_proc_node nobody(void)
{
	pn_proc_node p;

	memset(&p, 0, sizeof(p));
	p.pid = 5;
	p.comm = (pn_str){ "never", 5 };
	p.image = (pn_str){ "/never/shown", 12 };
	p.key = (pn_key){ .boot = 1, .start_ns = 2, .pid = 5, .os = 'L' };
	p.start_ns = 1000000;
	p.end_ns = 2000000;
	p.signal = 11;
	p.core_dumped = 1;
	return p;
}

static void trees(void)
{
	pn_proc_node p = nobody();
	pn_buf b = { 0 };
	pn_fmt_tree t = { .out = &b };
	pn_fmt_html_tree h = { .out = &b };

	pn_fmt_tree_enter(&t, &p, 0, 0);
	CHECK(!strcmp(b.data, "5 ? [killed by SIGSEGV (core dumped)] L:0000000000000001:2:5\n"));
	pn_buf_reset(&b);
	pn__fmt_html_tree_begin(&h, "t");
	pn__fmt_html_tree_node(&h, &p, 0, 0, NULL);
	pn__fmt_html_tree_end(&h);
	/* Name "?", user "?", outcome core. */
	CHECK(strstr(b.data, "[0,5,0,\"?\",\"\",\"?\",1000,2000,\"killed by SIGSEGV (core dumped)\","
			     "\"core\",\"L:0000000000000001:2:5\"]") != NULL);
	CHECK(strstr(b.data, "/never/shown") == NULL);
	pn__fmt_html_tree_free(&h);
	pn_buf_free(&b);
}

int main(void)
{
	report_text();
	report_json();
	report_html();
	trees();
	return pn_test_done("test_fmt_unknown");
}
