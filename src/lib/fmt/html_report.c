/*
 * `procnotify report --html`: the report as one self-contained page, a
 * table per section and the hours as bars. No script at all (the page's
 * policy runs none); every string from a process gets the table's escapes,
 * then entities (procnotify/html.h).
 */
#include <inttypes.h>
#include "fmt_internal.h"
#include "procnotify/html.h"
#include "procnotify/report.h"

static const char report_style[] =
	"body{margin:1em 2em;font:13px/1.4 system-ui,sans-serif;color:#222}\n"
	"h1{font-size:18px}h2{font-size:15px;margin:1.4em 0 .3em}\n"
	"table{border-collapse:collapse}td,th{padding:1px 10px 1px 0;text-align:left;vertical-align:top}\n"
	"th{border-bottom:1px solid #aaa}td.n,th.n{text-align:right}\n"
	"tr:nth-child(even) td{background:#f6f6f6}\n"
	".args,.key{font-family:monospace;color:#555}.more{color:#666}\n"
	".bar{display:inline-block;height:10px;background:#4a7bd0}.bar.f{background:#d02b2b}\n";

/* Each section's column headings; a time column names the zone. */
static const char *const columns[PN_REPORT_SECTIONS] = {
	[PN_REPORT_IMAGES] = "<th class=n>executions<th>image",
	[PN_REPORT_PARENTS] = "<th class=n>children<th class=n>pid<th>process<th>arguments<th>key",
	[PN_REPORT_USERS] = "<th class=n>executions<th class=n>uid<th>user",
	[PN_REPORT_FAILURES] = "<th class=n>non-zero<th class=n>signaled<th class=n>core"
			       "<th class=n>exits<th>image",
	[PN_REPORT_NEW_IMAGES] = "<th>first run (%s)<th class=n>executions<th>image",
	[PN_REPORT_HOURS] = "<th>hour (%s)<th class=n>events<th class=n>fork<th class=n>exec"
			    "<th class=n>exit<th class=n>failed<th>",
};

static void page_head(pn_fmt_report *f, const pn_report_window *w)
{
	pn__html_head(f->out, "procnotify report", report_style, NULL);
	pn_buf_puts(f->out, "<h1>procnotify report</h1>\n<p>From ");
	pn__fmt_report_window(f, w, ". The log");
	pn_buf_puts(f->out, "</p>\n");
}

void pn__html_report_begin(pn_fmt_report *f, enum pn_report_section s, const pn_report_window *w)
{
	pn_buf *b = f->out;

	if (s == PN_REPORT_SUMMARY)
		page_head(f, w);
	pn_buf_printf(b, "<section id=\"%s\"><h2>%s</h2>\n", pn__report_section_name(s),
		      pn__report_section_title(s));
	if (s == PN_REPORT_SUMMARY)
		return;
	pn_buf_puts(b, "<table><tr>");
	pn_buf_printf(b, columns[s], pn__fmt_report_zone(f));
	pn_buf_puts(b, "</tr>\n");
	pn_buf_reset(&f->held);
}

/* Text already escaped by the table's pieces, in f->scratch, as a cell. */
static void cell_scratch(pn_fmt_report *f, const char *cls)
{
	pn_buf_printf(f->out, cls ? "<td class=%s>" : "<td>", cls);
	pn__html_entities(f->out, f->scratch.data ? f->scratch.data : "", f->scratch.len);
	pn_buf_reset(&f->scratch);
}

static void cell_num(pn_buf *b, uint64_t v)
{
	pn_buf_printf(b, "<td class=n>%" PRIu64, v);
}

static void cell_image(pn_fmt_report *f, const pn_report_row *r)
{
	pn_buf_puts(f->out, "<td>");
	if (r->have & PN_HAVE_IMAGE)
		pn__esc_html(f->out, r->image.ptr, r->image.len);
	else
		pn_buf_putc(f->out, '?');
}

static void parent_row(pn_fmt_report *f, const pn_report_row *r)
{
	cell_num(f->out, r->count);
	cell_num(f->out, r->pid);
	if (r->have & PN_HAVE_IMAGE) {
		cell_image(f, r);
	} else {
		if (r->have & PN_HAVE_COMM) {
			pn_buf_putc(&f->scratch, '[');
			pn__esc_text(&f->scratch, r->comm.ptr, r->comm.len);
			pn_buf_putc(&f->scratch, ']');
		} else {
			pn_buf_puts(&f->scratch, "? (not in the log)");
		}
		cell_scratch(f, NULL);
	}
	if (r->have & PN_HAVE_ARGV)
		pn__table_argv(&f->scratch, &r->argv);
	cell_scratch(f, "args");
	pn_buf_puts(f->out, "<td class=key>");
	pn_fmt_key(f->out, &r->key);
}

static void summary(pn_buf *b, const pn_report_row *r)
{
	pn_buf_printf(b, "<p>%" PRIu64 " events (", r->count);
	pn_fmt_type_counts(b, r->by_type, PN_EVENT_TYPE_MAX);
	pn_buf_printf(b, "), %" PRIu64 " processes started.</p>\n", r->processes);
}

void pn__html_report_row(pn_fmt_report *f, enum pn_report_section s, const pn_report_row *r)
{
	pn_buf *b = f->out;

	if (s == PN_REPORT_SUMMARY) {
		summary(b, r);
		return;
	}
	if (s == PN_REPORT_HOURS) {
		pn_buf_put(&f->held, r, sizeof(*r)); /* no strings: a copy holds */
		return;
	}
	pn_buf_puts(b, "<tr>");
	switch (s) {
	case PN_REPORT_PARENTS:
		parent_row(f, r);
		break;
	case PN_REPORT_USERS:
		cell_num(b, r->count);
		if (r->have & PN_HAVE_UID)
			cell_num(b, r->uid);
		else
			pn_buf_puts(b, "<td class=n>?");
		pn_buf_puts(b, "<td>");
		if (r->user_name)
			pn__esc_html(b, r->user_name, strlen(r->user_name));
		break;
	case PN_REPORT_FAILURES:
		cell_num(b, r->nonzero);
		cell_num(b, r->signaled);
		cell_num(b, r->core_dumped);
		cell_num(b, r->count);
		cell_image(f, r);
		break;
	case PN_REPORT_NEW_IMAGES:
		pn_buf_puts(b, "<td>");
		pn__fmt_report_when(f, b, r->time_ns, 19);
		cell_num(b, r->count);
		cell_image(f, r);
		break;
	default:
		cell_num(b, r->count);
		cell_image(f, r);
	}
	pn_buf_puts(b, "</tr>\n");
}

/* The hours, each with a bar as long as its share of the busiest hour,
 * and the share of its failed exits in red. */
static void hours(pn_fmt_report *f)
{
	const pn_report_row *h = (const pn_report_row *)(const void *)f->held.data;
	size_t n = f->held.len / sizeof(*h);
	uint64_t most = 1;

	for (size_t i = 0; i < n; i++)
		most = h[i].count > most ? h[i].count : most;
	for (size_t i = 0; i < n; i++) {
		pn_buf_puts(f->out, "<tr><td>");
		pn__fmt_report_when(f, f->out, h[i].time_ns, 16);
		cell_num(f->out, h[i].count);
		for (int t = PN_EVENT_FORK; t <= PN_EVENT_EXIT; t++)
			cell_num(f->out, h[i].by_type[t]);
		cell_num(f->out, h[i].nonzero);
		pn_buf_printf(f->out, "<td><span class=bar style=\"width:%.1fpx\"></span>"
			      "<span class=\"bar f\" style=\"width:%.1fpx\"></span></tr>\n",
			      300.0 * (double)(h[i].count - h[i].nonzero) / (double)most,
			      300.0 * (double)h[i].nonzero / (double)most);
	}
}

void pn__html_report_end(pn_fmt_report *f, enum pn_report_section s, uint64_t total)
{
	pn_buf *b = f->out;

	if (s == PN_REPORT_SUMMARY) {
		pn_buf_puts(b, "</section>\n");
		return;
	}
	if (s == PN_REPORT_HOURS)
		hours(f);
	pn_buf_puts(b, "</table>\n");
	if (!total)
		pn_buf_puts(b, "<p class=more>(none)</p>\n");
	else if (total > f->rows && s != PN_REPORT_HOURS)
		pn_buf_printf(b, "<p class=more>&hellip; and %" PRIu64 " more (--top 0 shows all)</p>\n",
			      total - f->rows);
	pn_buf_puts(b, "</section>\n");
	if (s == PN_REPORT_HOURS)
		pn__html_tail(b);
}
