/* CSV rows of events, one column per field of procnotify/fields.h; the
 * rules are in procnotify/csv.h. */
#include <string.h>
#include "fmt_internal.h"
#include "procnotify/csv.h"
#include "procnotify/fields.h"

/* A field's column name: its JSON member, else its log column. */
#define HAS_COLUMN(json, sql) (sizeof(json) > 1 || sizeof(sql) > 1)
#define COLUMN(json, sql) (sizeof(json) > 1 ? (json) : (sql))

/* What a spreadsheet reads as the start of a formula. */
static int formula_start(char c)
{
	return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

/*
 * Quotes the cell written since start when RFC 4180 or a spreadsheet needs
 * it, in place: from the end backwards, so that each byte moves once.
 */
static void quote_cell(pn_buf *b, size_t start)
{
	char *p = b->data + start, *src, *dst;
	size_t len = b->len - start, quotes = 0, extra;
	int formula = len && formula_start(p[0]);

	for (size_t i = 0; i < len; i++)
		quotes += p[i] == '"';
	if (len && !formula && !quotes && !memchr(p, ',', len))
		return;
	extra = 2 + (size_t)formula + quotes;
	if (!pn__buf_room(b, extra))
		return;
	p = b->data + start;
	src = p + len;
	dst = src + extra;
	*--dst = '"';
	while (src > p) {
		char c = *--src;

		*--dst = c;
		if (c == '"')
			*--dst = '"';
	}
	if (formula)
		*--dst = '\'';
	*--dst = '"';
	pn__buf_commit(b, p + len + extra);
}

static void put_text(pn_buf *b, const char *s, size_t n)
{
	size_t start = b->len;

	pn__esc_text(b, s, n);
	if (!b->oom)
		quote_cell(b, start);
}

/* The arguments, each followed by a NUL, joined by spaces as the table
 * writes them; the leading space of pn__table_argv() is dropped. */
static void put_argv(pn_buf *b, const pn_str *argv)
{
	size_t start = b->len;

	pn__table_argv(b, argv);
	if (b->oom)
		return;
	if (b->len > start) {
		memmove(b->data + start, b->data + start + 1, b->len - start - 1);
		pn__buf_commit(b, b->data + b->len - 1);
	}
	quote_cell(b, start);
}

static void put_tty(pn_buf *b, const char *tty, size_t size)
{
	put_text(b, tty, strnlen(tty, size));
}

static void put_key(pn_buf *b, const pn_key *k)
{
	char *p = pn__buf_room(b, PN__KEY_MAX);

	if (p)
		pn__buf_commit(b, pn__put_key(p, k));
}

/* Numbers by hand, not printf: some ten cells a row. */
static void put_dev(pn_buf *b, const pn_dev *d)
{
	char *p = pn__buf_room(b, PN__DEV_MAX);

	if (p)
		pn__buf_commit(b, pn__put_dev(p, d));
}

static void put_sdec(pn_buf *b, int64_t v)
{
	char *p = pn__buf_room(b, 20);

	if (p)
		pn__buf_commit(b, pn__put_sdec(p, v));
}

#define CSV_u32(name, bit) pn_buf_put_u64(b, ev->name)
#define CSV_u64 CSV_u32
/* The exit code as every output writes it (pn__exit_code()), the other
 * signed numbers as they are. The comparison of literals folds away. */
#define IS_EXIT_CODE(name) (!strcmp(#name, "exit_code"))
#define CSV_i32(name, bit) \
	(IS_EXIT_CODE(name) ? pn_buf_put_u64(b, pn__exit_code(ev->name)) : put_sdec(b, ev->name))
#define CSV_i64(name, bit) put_sdec(b, ev->name)
#define CSV_str(name, bit) put_text(b, ev->name.ptr, ev->name.len)
#define CSV_argv(name, bit) put_argv(b, &ev->name)
#define CSV_key(name, bit) put_key(b, &ev->name)
#define CSV_tty(name, bit) put_tty(b, ev->name, sizeof(ev->name))
#define CSV_dev(name, bit) put_dev(b, &ev->name)
#define CSV_flag(name, bit) pn_buf_puts(b, ev->flags & PN_EV_##bit ? "true" : "false")

/* A flag's have column is its PN_EV_ bit, not a PN_HAVE_ one. */
#define KNOWN_flag(bit, types) (PN_MASK(ev->type) & (types))
#define KNOWN_VALUE(bit, types) \
	((ev->have & PN_HAVE_##bit) == PN_HAVE_##bit && (PN_MASK(ev->type) & (types)))
#define KNOWN_u32 KNOWN_VALUE
#define KNOWN_u64 KNOWN_VALUE
#define KNOWN_i32 KNOWN_VALUE
#define KNOWN_i64 KNOWN_VALUE
#define KNOWN_str KNOWN_VALUE
#define KNOWN_argv KNOWN_VALUE
#define KNOWN_key KNOWN_VALUE
#define KNOWN_tty KNOWN_VALUE
#define KNOWN_dev KNOWN_VALUE

/* An exit ended by a signal has no exit code: an empty cell, JSON's null. */
#define CELL(name, kind, bit, types, json, table, sql, ...)               \
	if (HAS_COLUMN(json, sql)) {                                      \
		pn_buf_putc(b, ',');                                      \
		if (KNOWN_##kind(bit, types) && !(IS_EXIT_CODE(name) && ev->signal)) \
			CSV_##kind(name, bit);                            \
	}

#define HEADER(name, kind, bit, types, json, table, sql, ...) \
	if (HAS_COLUMN(json, sql)) {                   \
		pn_buf_putc(b, ',');                           \
		pn_buf_puts(b, COLUMN(json, sql));             \
	}

void pn__fmt_csv_header(pn_buf *b)
{
	pn_buf_puts(b, "seq,time,type");
	PN_FIELD_MAP(HEADER)
	pn_buf_putc(b, '\n');
}

void pn__fmt_csv(pn_buf *b, const pn_event *ev)
{
	pn_buf_put_u64(b, ev->seq);
	pn_buf_putc(b, ',');
	pn_fmt_time_rfc3339(b, ev->time_ns);
	pn_buf_putc(b, ',');
	pn_buf_puts(b, pn_event_type_name(ev->type));
	PN_FIELD_MAP(CELL)
	pn_buf_putc(b, '\n');
}
