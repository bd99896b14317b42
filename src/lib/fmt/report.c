/*
 * `procnotify report` as text tables or one JSON object, written section
 * by section as the store hands them over (procnotify/report.h). Strings
 * from processes go through the table and JSON escapers.
 */
#include <inttypes.h>
#include <string.h>
#include "fmt_internal.h"
#include "procnotify/report.h"

static const char *const names[] = {
#define PN__REPORT_NAME(N, n, title) #n,
	PN_REPORT_SECTION_MAP(PN__REPORT_NAME)
#undef PN__REPORT_NAME
};
static const char *const titles[] = {
#define PN__REPORT_TITLE(N, n, title) title,
	PN_REPORT_SECTION_MAP(PN__REPORT_TITLE)
#undef PN__REPORT_TITLE
};

const char *pn__report_section_name(enum pn_report_section s)
{
	return s < PN_REPORT_SECTIONS ? names[s] : "unknown";
}

const char *pn__report_section_title(enum pn_report_section s)
{
	return s < PN_REPORT_SECTIONS ? titles[s] : "unknown";
}

/* The column headings of each section's table; a time column's heading
 * names the zone. */
static const char *const headings[PN_REPORT_SECTIONS] = {
	[PN_REPORT_IMAGES] = "     COUNT  IMAGE",
	[PN_REPORT_PARENTS] = "  CHILDREN       PID  PROCESS : ARGUMENTS  KEY",
	[PN_REPORT_USERS] = "     COUNT         UID  USER",
	[PN_REPORT_FAILURES] = "  NON-ZERO  SIGNALED      CORE     EXITS  IMAGE",
	[PN_REPORT_NEW_IMAGES] = "     COUNT  IMAGE",
	[PN_REPORT_HOURS] = "    EVENTS      FORK      EXEC      EXIT    FAILED",
};
static const int time_width[PN_REPORT_SECTIONS] = {
	[PN_REPORT_NEW_IMAGES] = 19, [PN_REPORT_HOURS] = 16,
};
static const char *const time_heading[PN_REPORT_SECTIONS] = {
	[PN_REPORT_NEW_IMAGES] = "FIRST RUN", [PN_REPORT_HOURS] = "HOUR",
};

const char *pn__fmt_report_zone(const pn_fmt_report *f)
{
	return f->zone ? f->zone : "UTC";
}

void pn__fmt_report_when(const pn_fmt_report *f, pn_buf *b, int64_t unix_ns, int len)
{
	char t[PN__TIME_MAX];

	pn__put_time(t, unix_ns + (f->offset ? f->offset(unix_ns, f->user) : 0));
	t[10] = ' ';
	pn_buf_put(b, t, (size_t)len);
}

static void put_when(const pn_fmt_report *f, int64_t unix_ns, int len)
{
	pn__fmt_report_when(f, f->out, unix_ns, len);
}

static void put_bound(const pn_fmt_report *f, int64_t ns, const char *open)
{
	if (ns)
		put_when(f, ns, 19);
	else
		pn_buf_puts(f->out, open);
}

void pn__fmt_report_window(const pn_fmt_report *f, const pn_report_window *w, const char *the_log)
{
	put_bound(f, w->since_ns, "the start of the log");
	pn_buf_puts(f->out, " to ");
	put_bound(f, w->until_ns, "its end");
	pn_buf_printf(f->out, " (%s)%s holds events from ", pn__fmt_report_zone(f), the_log);
	put_bound(f, w->first_ns, "-");
	pn_buf_puts(f->out, " to ");
	put_bound(f, w->last_ns, "-");
	pn_buf_putc(f->out, '.');
}

static void put_num(pn_buf *b, uint64_t v)
{
	pn_buf_printf(b, "%10" PRIu64, v);
}

/* An image, or "?" when it is not known. */
static void put_image(pn_buf *b, const pn_report_row *r)
{
	if (r->have & PN_HAVE_IMAGE)
		pn_esc_table(b, r->image.ptr, r->image.len, PN_ESC_QUOTE);
	else
		pn_buf_putc(b, '?');
}

static void text_begin(const pn_fmt_report *f, enum pn_report_section s, const pn_report_window *w)
{
	pn_buf *b = f->out;

	if (s == PN_REPORT_SUMMARY) {
		pn_buf_puts(b, "Report from ");
		pn__fmt_report_window(f, w, "\nThe log");
		pn_buf_puts(b, "\n");
	}
	pn_buf_printf(b, "\n%s\n", titles[s]);
	if (time_heading[s]) {
		int pad = time_width[s] - (int)(strlen(time_heading[s]) + strlen(pn__fmt_report_zone(f)) + 3);

		pn_buf_printf(b, "%s (%s)%*s", time_heading[s], pn__fmt_report_zone(f), pad > 0 ? pad : 0, "");
	}
	if (headings[s])
		pn_buf_printf(b, "%s\n", headings[s]);
}

static void text_parent(pn_buf *b, const pn_report_row *r)
{
	put_num(b, r->count);
	pn_buf_printf(b, "%10" PRIu32 "  ", r->pid);
	if (r->have & PN_HAVE_IMAGE) {
		put_image(b, r);
	} else if (r->have & PN_HAVE_COMM) {
		pn_buf_putc(b, '[');
		pn_esc_table(b, r->comm.ptr, r->comm.len, 0);
		pn_buf_putc(b, ']');
	} else {
		pn_buf_puts(b, "? (not in the log)");
	}
	if (r->have & PN_HAVE_ARGV) {
		pn_buf_puts(b, " :");
		pn__table_argv(b, &r->argv);
	}
	pn_buf_puts(b, "  ");
	pn_fmt_key(b, &r->key);
}

static void text_summary(pn_buf *b, const pn_report_row *r)
{
	pn_buf_printf(b, "  events     %10" PRIu64 "  (", r->count);
	pn_fmt_type_counts(b, r->by_type, PN_EVENT_TYPE_MAX);
	pn_buf_printf(b, ")\n  processes  %10" PRIu64 "  started\n", r->processes);
}

static void text_hour(const pn_fmt_report *f, const pn_report_row *r)
{
	pn_buf *b = f->out;

	put_when(f, r->time_ns, 16);
	put_num(b, r->count);
	for (int t = PN_EVENT_FORK; t <= PN_EVENT_EXIT; t++)
		put_num(b, r->by_type[t]);
	put_num(b, r->nonzero);
}

static void text_user(pn_buf *b, const pn_report_row *r)
{
	put_num(b, r->count);
	if (r->have & PN_HAVE_UID)
		pn_buf_printf(b, "  %10" PRIu32, r->uid);
	else
		pn_buf_puts(b, "           ?");
	if (r->user_name) {
		pn_buf_puts(b, "  ");
		pn_esc_table(b, r->user_name, strlen(r->user_name), 0);
	}
}

static void text_row(const pn_fmt_report *f, enum pn_report_section s, const pn_report_row *r)
{
	pn_buf *b = f->out;

	switch (s) {
	case PN_REPORT_SUMMARY:
		text_summary(b, r);
		return;
	case PN_REPORT_PARENTS:
		text_parent(b, r);
		break;
	case PN_REPORT_USERS:
		text_user(b, r);
		break;
	case PN_REPORT_FAILURES:
		put_num(b, r->nonzero);
		put_num(b, r->signaled);
		put_num(b, r->core_dumped);
		put_num(b, r->count);
		pn_buf_puts(b, "  ");
		put_image(b, r);
		break;
	case PN_REPORT_NEW_IMAGES:
		put_when(f, r->time_ns, 19);
		put_num(b, r->count);
		pn_buf_puts(b, "  ");
		put_image(b, r);
		break;
	case PN_REPORT_HOURS:
		text_hour(f, r);
		break;
	default:
		put_num(b, r->count);
		pn_buf_puts(b, "  ");
		put_image(b, r);
	}
	pn_buf_putc(b, '\n');
}

static void text_end(pn_buf *b, enum pn_report_section s, uint64_t rows, uint64_t total)
{
	if (!total && s != PN_REPORT_SUMMARY)
		pn_buf_puts(b, "  (none)\n");
	else if (total > rows && s != PN_REPORT_HOURS)
		pn_buf_printf(b, "  ... and %" PRIu64 " more (--top 0 shows all)\n", total - rows);
}

/* JSON: the window's members open the object; each section is a member. */
static void json_begin(pn_buf *b, enum pn_report_section s, const pn_report_window *w)
{
	if (s == PN_REPORT_SUMMARY) {
		pn_buf_puts(b, "{\"report\":1");
		pn__json_time(b, PN__MEMBER("since"), w->since_ns, w->since_ns != 0);
		pn__json_time(b, PN__MEMBER("until"), w->until_ns, w->until_ns != 0);
		pn__json_time(b, PN__MEMBER("log_first"), w->first_ns, w->first_ns != 0);
		pn__json_time(b, PN__MEMBER("log_last"), w->last_ns, w->last_ns != 0);
	}
	pn_buf_printf(b, ",\"%s\":", names[s]);
	if (s != PN_REPORT_SUMMARY)
		pn_buf_puts(b, s == PN_REPORT_HOURS ? "[" : "{\"rows\":[");
}

static void json_image(pn_buf *b, const pn_report_row *r, const char *count_name)
{
	pn_buf_puts(b, "\"image\":");
	if (r->have & PN_HAVE_IMAGE)
		pn_esc_json(b, r->image.ptr, r->image.len);
	else
		pn_buf_puts(b, "null");
	pn_buf_printf(b, ",\"%s\":%" PRIu64, count_name, r->count);
}

static void json_parent(pn_buf *b, const pn_report_row *r)
{
	pn_buf_printf(b, "\"pid\":%" PRIu32, r->pid);
	pn__json_key(b, PN__MEMBER("key"), &r->key, 1);
	pn__json_str(b, PN__MEMBER("comm"), &r->comm, r->have & PN_HAVE_COMM);
	pn__json_str(b, PN__MEMBER("image"), &r->image, r->have & PN_HAVE_IMAGE);
	pn__json_argv(b, &r->argv, r->have & PN_HAVE_ARGV);
	pn__json_u64(b, PN__MEMBER("uid"), r->uid, r->have & PN_HAVE_UID);
	pn__json_u64(b, PN__MEMBER("children"), r->count, 1);
}

static void json_hour(pn_buf *b, const pn_report_row *r)
{
	pn_buf_puts(b, "\"hour\":");
	pn_buf_putc(b, '"');
	pn_fmt_time_rfc3339(b, r->time_ns);
	pn_buf_printf(b, "\",\"events\":%" PRIu64 ",\"by_type\":", r->count);
	pn__json_type_counts(b, r->by_type, PN_EVENT_TYPE_MAX);
	pn__json_u64(b, PN__MEMBER("failed"), r->nonzero, 1);
}

static void json_row(pn_buf *b, enum pn_report_section s, const pn_report_row *r, int first)
{
	if (s == PN_REPORT_SUMMARY) {
		pn_buf_printf(b, "{\"events\":%" PRIu64 ",\"by_type\":", r->count);
		pn__json_type_counts(b, r->by_type, PN_EVENT_TYPE_MAX);
		pn__json_u64(b, PN__MEMBER("processes"), r->processes, 1);
		pn_buf_putc(b, '}');
		return;
	}
	pn_buf_puts(b, first ? "{" : ",{");
	if (s == PN_REPORT_PARENTS) {
		json_parent(b, r);
	} else if (s == PN_REPORT_USERS) {
		pn_buf_puts(b, "\"uid\":");
		pn__json_u64(b, (struct pn__member){ "", 0 }, r->uid, r->have & PN_HAVE_UID);
		pn__json_str(b, PN__MEMBER("user"), &(pn_str){ r->user_name, r->user_name ?
			     strlen(r->user_name) : 0 }, r->user_name != NULL);
		pn_buf_printf(b, ",\"executions\":%" PRIu64, r->count);
	} else if (s == PN_REPORT_FAILURES) {
		json_image(b, r, "exits");
		pn__json_u64(b, PN__MEMBER("nonzero"), r->nonzero, 1);
		pn__json_u64(b, PN__MEMBER("signaled"), r->signaled, 1);
		pn__json_u64(b, PN__MEMBER("core_dumped"), r->core_dumped, 1);
	} else if (s == PN_REPORT_HOURS) {
		json_hour(b, r);
	} else {
		json_image(b, r, "executions");
		if (s == PN_REPORT_NEW_IMAGES)
			pn__json_time(b, PN__MEMBER("first"), r->time_ns, 1);
	}
	pn_buf_putc(b, '}');
}

static void json_end(pn_buf *b, enum pn_report_section s, uint64_t total)
{
	if (s == PN_REPORT_HOURS)
		pn_buf_puts(b, "]}\n");
	else if (s != PN_REPORT_SUMMARY)
		pn_buf_printf(b, "],\"total\":%" PRIu64 "}", total);
}

void pn__fmt_report_begin(pn_fmt_report *f, enum pn_report_section s, const pn_report_window *w)
{
	f->rows = 0;
	if (f->html)
		pn__html_report_begin(f, s, w);
	else if (f->json)
		json_begin(f->out, s, w);
	else
		text_begin(f, s, w);
}

void pn__fmt_report_row(pn_fmt_report *f, enum pn_report_section s, const pn_report_row *r)
{
	if (f->html)
		pn__html_report_row(f, s, r);
	else if (f->json)
		json_row(f->out, s, r, f->rows == 0);
	else
		text_row(f, s, r);
	f->rows++;
}

void pn__fmt_report_end(pn_fmt_report *f, enum pn_report_section s, uint64_t total)
{
	if (f->html)
		pn__html_report_end(f, s, total);
	else if (f->json)
		json_end(f->out, s, total);
	else
		text_end(f->out, s, f->rows, total);
}

void pn__fmt_report_free(pn_fmt_report *f)
{
	pn_buf_free(&f->held);
	pn_buf_free(&f->scratch);
}
