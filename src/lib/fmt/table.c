/*
 * The live table, in the seed's spirit: the seed printed
 * "| Parent PID | PID | Process Name |" through DbgPrint; this adds the
 * time, the event and a detail column (arguments, exit status, lifetime).
 */
#include <inttypes.h>
#include <string.h>
#include "../clock.h"
#include "fmt_internal.h"

#define W_NAME 16

static const char rule[] =
	"+--------------+--------+---------+---------+------------------+----------------------\n";

void pn_fmt_table_header(pn_buf *b)
{
	pn_buf_puts(b, rule);
	pn_buf_puts(b, "| TIME (UTC)   | EVENT  |    PPID |     PID | PROCESS NAME     | DETAIL\n");
	pn_buf_puts(b, rule);
}

/*
 * ns / unit to decimals places (1 or 2) and a suffix, as printf's "%.1f"
 * or "%.2f" of (double)ns / unit writes it, in integers: one row in three
 * is an exit, and printf's floating point was the table's dearest piece.
 * printf rounds the double, not the exact quotient, but the two are far
 * closer than the nanosecond that keeps any quotient off a rounding
 * boundary, so they round alike; but on a boundary (a remainder of half
 * a step), where printf rounds the double's binary value, exact or not,
 * and so writes it there.
 */
static void put_fixed(pn_buf *b, int64_t ns, int64_t unit, int decimals, const char *suffix)
{
	int64_t per_unit = decimals == 1 ? 10 : 100, step = unit / per_unit;
	int64_t q = ns / step, r = ns % step;
	size_t n = strlen(suffix);
	char *p;

	if (2 * r == step) {
		pn_buf_printf(b, "%.*f%s", decimals, (double)ns / (double)unit, suffix);
		return;
	}
	if (!(p = pn__buf_room(b, 20 + 1 + 2 + n)))
		return;
	q += 2 * r > step;
	p = pn__put_udec(p, (uint64_t)(q / per_unit), 1);
	*p++ = '.';
	p = pn__put_udec(p, (uint64_t)(q % per_unit), decimals);
	memcpy(p, suffix, n);
	pn__buf_commit(b, p + n);
}

/* A count and its unit, "850us", then optionally (lo_unit not 0) a
 * second count of two digits and its unit, "3m02s". */
static void put_counts(pn_buf *b, int64_t hi, const char *hi_unit, int64_t lo, char lo_unit)
{
	size_t n = strlen(hi_unit);
	char *p = pn__buf_room(b, 20 + n + 3);

	if (!p)
		return;
	p = pn__put_udec(p, (uint64_t)hi, 1);
	memcpy(p, hi_unit, n);
	p += n;
	if (lo_unit) {
		p = pn__put_2digits(p, (unsigned)lo);
		*p++ = lo_unit;
	}
	pn__buf_commit(b, p);
}

void pn__fmt_duration(pn_buf *b, int64_t ns)
{
	const int64_t min = 60 * PN_NS_PER_SEC, hour = 60 * min;

	if (ns < PN_NS_PER_MS)
		put_counts(b, ns > 0 ? ns / PN_NS_PER_US : 0, "us", 0, 0);
	else if (ns < PN_NS_PER_SEC)
		put_fixed(b, ns, PN_NS_PER_MS, 1, "ms");
	else if (ns < min)
		put_fixed(b, ns, PN_NS_PER_SEC, 2, "s");
	else if (ns < hour)
		put_counts(b, ns / min, "m", ns / PN_NS_PER_SEC % 60, 's');
	else
		put_counts(b, ns / hour, "h", ns / min % 60, 'm');
}

/* Code points in an escaped (so well-formed UTF-8) string: its width here. */
static size_t width(const char *s, size_t n)
{
	size_t w = 0;

	for (size_t i = 0; i < n; i++)
		w += ((unsigned char)s[i] & 0xc0) != 0x80;
	return w;
}

/* Pads what was written since start with spaces to W_NAME code points.
 * A buffer that never got memory has no data to measure. */
static void pad_cell(pn_buf *b, size_t start)
{
	size_t w;
	char *p;

	if (!b->data)
		return;
	w = width(b->data + start, b->len - start);
	if (w >= W_NAME || !(p = pn__buf_room(b, W_NAME - w)))
		return;
	memset(p, ' ', W_NAME - w);
	pn__buf_commit(b, p + W_NAME - w);
}

static void put_name(pn_buf *b, const pn_event *ev)
{
	size_t start = b->len;

	if (ev->have & PN_HAVE_COMM)
		pn_esc_table(b, ev->comm.ptr, ev->comm.len, 0);
	else
		pn_buf_putc(b, '-');
	pad_cell(b, start);
}

/* A name from the user database, escaped like a process's strings (an
 * NSS source is not to be trusted more than a process), or the id. */
static void put_id_name(pn_buf *b, const char *name, uint32_t id)
{
	if (name)
		pn_esc_table(b, name, strlen(name), 0);
	else
		pn_buf_put_u64(b, id);
}

/* " USER:GROUP     |", or "-" when the event carries no ids. */
static void put_user(pn_buf *b, const pn_event *ev, const pn_fmt_table_extra *x)
{
	size_t start = b->len + 1;

	pn_buf_putc(b, ' ');
	if (ev->type == PN_EVENT_LOST || !(ev->have & PN_HAVE_UID)) {
		pn_buf_putc(b, '-');
	} else {
		put_id_name(b, x->user, ev->uid);
		pn_buf_putc(b, ':');
		put_id_name(b, x->group, ev->gid);
	}
	pad_cell(b, start);
	pn_buf_puts(b, " |");
}

/* printf's " %7u |", and a dash when the pid is not known. */
static void put_pid(pn_buf *b, uint32_t pid, int known)
{
	char *p = pn__buf_room(b, 13);
	int pad = 7 - pn__udec_len(pid);

	if (!p)
		return;
	if (!known) {
		pn__buf_commit(b, PN__PUT_LIT(p, "       - |"));
		return;
	}
	*p++ = ' ';
	for (; pad > 0; pad--)
		*p++ = ' ';
	pn__buf_commit(b, PN__PUT_LIT(pn__put_udec(p, pid, 1), " |"));
}

/* printf's " | %-6s |": a longer name widens the column. */
static void put_type(pn_buf *b, enum pn_event_type type)
{
	const char *name = pn_event_type_name(type);
	size_t n = strlen(name);
	char *p = pn__buf_room(b, n + 11);

	if (!p)
		return;
	p = PN__PUT_LIT(p, " | ");
	memcpy(p, name, n);
	p += n;
	for (; n < 6; n++)
		*p++ = ' ';
	pn__buf_commit(b, PN__PUT_LIT(p, " |"));
}

void pn__table_argv(pn_buf *b, const pn_str *argv)
{
	size_t i = 0;

	while (i < argv->len) {
		const char *a = argv->ptr + i;
		size_t n = 0;

		while (i + n < argv->len && a[n])
			n++;
		pn_buf_putc(b, ' ');
		pn_esc_table(b, a, n, PN_ESC_QUOTE);
		i += n + 1;
	}
}

/*
 * Marks on an exec's image for a path that does not simply name that file
 * on this host: cut short, unlinked, seen from another root or in another
 * mount namespace. The fields say exactly; the marks make sure a reader of
 * the table cannot miss it.
 */
static void put_path_marks(pn_buf *b, const pn_event *ev)
{
	if (ev->type != PN_EVENT_EXEC && ev->type != PN_EVENT_DENY)
		return;
	if (ev->flags & PN_EV_IMAGE_TRUNCATED)
		pn_buf_puts(b, " [truncated]");
	if (ev->flags & PN_EV_IMAGE_DELETED)
		pn_buf_puts(b, " [deleted]");
	if (ev->have & PN_HAVE_ROOT) {
		pn_buf_puts(b, " [root ");
		pn_esc_table(b, ev->root.ptr, ev->root.len, PN_ESC_QUOTE);
		pn_buf_putc(b, ']');
	}
	if (ev->flags & PN_EV_OTHER_MNT_NS)
		pn_buf_printf(b, " [mnt ns %" PRIu32 "]", ev->mnt_ns);
}

/* Windows: a cut name, a creator that is not the parent. */
static void put_create_marks(pn_buf *b, const pn_event *ev)
{
	if (ev->type != PN_EVENT_CREATE && ev->type != PN_EVENT_DENY)
		return;
	if (ev->type == PN_EVENT_CREATE && (ev->flags & PN_EV_IMAGE_TRUNCATED))
		pn_buf_puts(b, " [truncated]");
	if (ev->flags & PN_EV_CREATOR_NOT_PARENT)
		pn_buf_printf(b, " [created by %" PRIu32 ", not the parent]", ev->creator_pid);
}

static void put_exec_detail(pn_buf *b, const pn_event *ev)
{
	const pn_str *path = (ev->have & PN_HAVE_IMAGE) ? &ev->image : &ev->filename;

	pn_esc_table(b, path->ptr, path->len, PN_ESC_QUOTE);
	put_path_marks(b, ev);
	put_create_marks(b, ev);
	if (ev->have & PN_HAVE_ARGV) {
		pn_buf_puts(b, " :");
		pn__table_argv(b, &ev->argv);
	}
	if (ev->flags & PN_EV_ARGV_TRUNCATED)
		pn_buf_puts(b, " [argv truncated]");
}

/* "exit N" by hand: the common case. A code Linux cannot give (above 255:
 * Windows') adds the hex its documentation names it by (0xc0000005). */
static void put_exit_code(pn_buf *b, int code)
{
	uint32_t v = pn__exit_code(code);
	char *p = pn__buf_room(b, 16);

	if (!p)
		return;
	pn__buf_commit(b, pn__put_udec(PN__PUT_LIT(p, "exit "), v, 0));
	if (v > 255)
		pn_buf_printf(b, " (0x%08" PRIx32 ")", v);
}

void pn__fmt_exit_status(pn_buf *b, int exit_code, int sig, int core_dumped)
{
	const char *name = pn_signal_name(sig);

	if (sig && name)
		pn_buf_printf(b, "killed by %s", name);
	else if (sig)
		pn_buf_printf(b, "killed by signal %d", sig);
	else
		put_exit_code(b, exit_code);
	if (core_dumped)
		pn_buf_puts(b, " (core dumped)");
}

static void put_exit_detail(pn_buf *b, const pn_event *ev)
{
	pn__fmt_exit_status(b, ev->exit_code, ev->signal, ev->core_dumped);
	if (ev->duration_ns >= 0) {
		pn_buf_puts(b, " after ");
		pn__fmt_duration(b, ev->duration_ns);
	}
	if (ev->have & PN_HAVE_IMAGE) {
		pn_buf_puts(b, ", ");
		pn_esc_table(b, ev->image.ptr, ev->image.len, PN_ESC_QUOTE);
	}
}

static void put_lost_detail(pn_buf *b, const pn_event *ev)
{
	if (ev->lost_count_known) {
		pn_buf_printf(b, "LOST %" PRIu64 " records (", ev->lost_count);
		pn_fmt_type_counts(b, ev->lost_by_type, PN_LOST_SLOTS);
		pn_buf_putc(b, ')');
	} else
		pn_buf_puts(b, "LOST an unknown number of records");
	/* The stream has what the log lost: nothing to resynchronise. */
	pn_buf_puts(b, ev->lost_reason == PN_LOST_STORE	   ? " from the activity log, which fell behind"
		       : ev->lost_reason == PN_LOST_OUTPUT ? " from an output, which fell behind"
							   : "; process table resynchronised");
}

static void put_change_detail(pn_buf *b, const pn_event *ev)
{
	switch (ev->type) {
	case PN_EVENT_COMM:
		pn_buf_puts(b, "renamed");
		break;
	case PN_EVENT_SETUID:
		pn_buf_printf(b, "uid %" PRIu32 " euid %" PRIu32, ev->new_id, ev->new_eid);
		break;
	case PN_EVENT_SETGID:
		pn_buf_printf(b, "gid %" PRIu32 " egid %" PRIu32, ev->new_id, ev->new_eid);
		break;
	case PN_EVENT_SETSID:
		pn_buf_printf(b, "new session %" PRIu32, ev->sid);
		break;
	case PN_EVENT_PTRACE:
		if (ev->tracer_pid)
			pn_buf_printf(b, "traced by %" PRIu32, ev->tracer_pid);
		else
			pn_buf_puts(b, "tracer detached");
		break;
	case PN_EVENT_COREDUMP:
		pn_buf_puts(b, "dumping core");
		break;
	default:
		break;
	}
}

/* The tag rules an event matched: " [rules a,b]" (names are escaped: a
 * stored event's come from a file anyone may have written). */
static void put_rules(pn_buf *b, const pn_event *ev)
{
	size_t i = 0;

	if (!ev->rules.len || ev->type == PN_EVENT_LOST)
		return;
	pn_buf_puts(b, " [rules ");
	while (i < ev->rules.len) {
		const char *a = ev->rules.ptr + i;
		size_t n = 0;

		while (i + n < ev->rules.len && a[n])
			n++;
		if (i)
			pn_buf_putc(b, ',');
		pn_esc_table(b, a, n, 0);
		i += n + 1;
	}
	pn_buf_putc(b, ']');
}

/* " [container ID]" for a process in one: the first 12 of a runtime's 64
 * hex digits, as docker ps shows them, or a name (nspawn, LXC) whole. */
static void put_container(pn_buf *b, const pn_event *ev)
{
	size_t n = ev->container_id.len;

	if (!(ev->have & PN_HAVE_CONTAINER) || ev->type == PN_EVENT_LOST)
		return;
	pn_buf_puts(b, " [container ");
	pn_esc_table(b, ev->container_id.ptr, n == 64 ? 12 : n, PN_ESC_QUOTE);
	pn_buf_putc(b, ']');
}

/* Everything after the time column; x adds the user column. */
static void put_row(pn_buf *b, const pn_event *ev, const pn_fmt_table_extra *x)
{
	int is_lost = ev->type == PN_EVENT_LOST;

	put_type(b, ev->type);
	put_pid(b, ev->ppid, !is_lost && (ev->have & PN_HAVE_PARENT));
	put_pid(b, ev->pid, !is_lost);
	pn_buf_putc(b, ' ');
	put_name(b, ev);
	pn_buf_puts(b, " |");
	if (x)
		put_user(b, ev, x);
	pn_buf_putc(b, ' ');
	switch (ev->type) {
	case PN_EVENT_EXEC:
	case PN_EVENT_CREATE:
	case PN_EVENT_DENY:
	case PN_EVENT_SNAPSHOT:
		put_exec_detail(b, ev);
		break;
	case PN_EVENT_EXIT:
		put_exit_detail(b, ev);
		break;
	case PN_EVENT_LOST:
		put_lost_detail(b, ev);
		break;
	case PN_EVENT_FORK:
		if (ev->have & PN_HAVE_IMAGE)
			pn_esc_table(b, ev->image.ptr, ev->image.len, PN_ESC_QUOTE);
		break;
	default:
		put_change_detail(b, ev);
	}
	put_container(b, ev);
	put_rules(b, ev);
	pn_buf_putc(b, '\n');
}

void pn_fmt_table_row(pn_buf *b, const pn_event *ev)
{
	pn_buf_puts(b, "| ");
	pn__fmt_clock(b, ev->time_ns);
	put_row(b, ev, NULL);
}

static const char rule_dated[] =
	"+-------------------------+--------+---------+---------+------------------+"
	"------------------+----------------------\n";

void pn_fmt_table_header_dated(pn_buf *b, const char *zone)
{
	size_t start;

	pn_buf_puts(b, rule_dated);
	start = b->len;
	pn_buf_puts(b, "| TIME (");
	pn_buf_puts(b, zone);
	pn_buf_putc(b, ')');
	while (b->len - start < 26 && !b->oom)
		pn_buf_putc(b, ' ');
	pn_buf_puts(b, "| EVENT  |    PPID |     PID | PROCESS NAME     | USER:GROUP       | DETAIL\n");
	pn_buf_puts(b, rule_dated);
}

void pn_fmt_table_row_dated(pn_buf *b, const pn_event *ev, const pn_fmt_table_extra *x)
{
	char *p = pn__buf_room(b, 2 + PN__TIME_MAX);

	if (!p)
		return;
	/* The RFC 3339 form, shifted into the zone, cut to milliseconds and
	 * with a space for its T: "2026-12-02 04:25:49.059". */
	pn__put_time(PN__PUT_LIT(p, "| "), ev->time_ns + x->offset_ns);
	p[2 + 10] = ' ';
	pn__buf_commit(b, p + 2 + 23);
	put_row(b, ev, x);
}
