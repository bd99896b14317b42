/*
 * The one place where untrusted bytes become output. See the rules in
 * include/procnotify/format.h.
 */
#include <string.h>
#include "fmt_internal.h"
#include "escape_ranges.h"

static const char hex[] = "0123456789abcdef";

/* Bytes an escaper copies as they are, one bit per escaper: printable ASCII
 * but for the backslash, and the quote in JSON and in a quoted table cell,
 * and the table's column separator. One lookup a byte: most names are
 * nothing else. */
#define PLAIN_JSON 1
#define PLAIN_TABLE 2
#define PLAIN_QUOTED 4
#define PLAIN_TEXT 8            /* pn__esc_text: the table's rules without its separator */
#define PLAIN_ALL (PLAIN_JSON | PLAIN_TABLE | PLAIN_QUOTED | PLAIN_TEXT)
static const unsigned char plain[256] = {
	[0x20 ... 0x21] = PLAIN_ALL,
	['"'] = PLAIN_TABLE | PLAIN_TEXT,
	[0x23 ... 0x5b] = PLAIN_ALL,
	[0x5d ... 0x7b] = PLAIN_ALL,
	['|'] = PLAIN_JSON | PLAIN_TEXT,
	[0x7d ... 0x7e] = PLAIN_ALL,
};

/*
 * Length of the valid UTF-8 sequence at s (1..4), storing its code point,
 * or 0 when the byte at s does not start one. Overlong forms, surrogates
 * and values past U+10FFFF are invalid, as RFC 3629 says.
 */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c = s[0], min;
	size_t len, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2, c &= 0x1f, min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3, c &= 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4, c &= 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Code points that a terminal shows as nothing or as a plain space, or acts
 * on rather than shows (C1 controls, bidi overrides): a name holding one
 * could pass for another, or for two arguments. Binary search of the
 * generated ranges; only code points past ASCII get here. */
static int invisible(uint32_t cp)
{
	size_t lo = 0, hi = sizeof(escape_ranges) / sizeof(escape_ranges[0]);

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (cp < escape_ranges[mid][0])
			hi = mid;
		else if (cp > escape_ranges[mid][1])
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

static const char *c_escape(unsigned char c)
{
	switch (c) {
	case '\a': return "\\a";
	case '\b': return "\\b";
	case '\t': return "\\t";
	case '\n': return "\\n";
	case '\v': return "\\v";
	case '\f': return "\\f";
	case '\r': return "\\r";
	case '\\': return "\\\\";
	default: return NULL;
	}
}

static int needs_quotes(const char *s, size_t n)
{
	return n == 0 || memchr(s, ' ', n) || memchr(s, '"', n);
}

static char *put_hex_escape(char *p, const char *prefix, size_t n, unsigned char c)
{
	memcpy(p, prefix, n);
	p[n] = hex[c >> 4];
	p[n + 1] = hex[c & 15];
	return p + n + 2;
}

/* An invisible code point as \uXXXX, or \UXXXXXXXX past U+FFFF (as C and
 * Python write them): at most 2.5 bytes out per byte in. */
static char *put_code_point(char *o, uint32_t cp)
{
	int wide = cp > 0xffff;

	*o++ = '\\';
	*o++ = wide ? 'U' : 'u';
	for (int shift = wide ? 28 : 12; shift >= 0; shift -= 4)
		*o++ = hex[cp >> shift & 15];
	return o;
}

/* One character of a table cell that is not plain printable ASCII: 1 to 10
 * bytes out, at most 4 per byte in (a C1 control takes 2 bytes in, 6 out). */
static char *put_table_special(char *o, const unsigned char *p, size_t n, int quote,
			       int sep, size_t *used)
{
	const char *esc = c_escape(p[0]);
	uint32_t cp;
	size_t len = utf8_seq(p, n, &cp);

	*used = len ? len : 1;
	if (esc) {
		memcpy(o, esc, 2);
		return o + 2;
	}
	if (len == 0 || cp < 0x20 || cp == 0x7f || cp == (uint32_t)sep) {
		*used = 1;
		return put_hex_escape(o, "\\x", 2, p[0]);
	}
	if (quote && cp == '"') {
		memcpy(o, "\\\"", 2);
		return o + 2;
	}
	if (invisible(cp))
		return put_code_point(o, cp);
	memcpy(o, p, len);
	return o + len;
}

/* C-style escapes; sep is the one printable byte also escaped ('|' for
 * the table, 0 for none), mask its bit in plain[]. */
static void esc_c(pn_buf *b, const char *s, size_t n, int quote, unsigned mask, int sep)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, used;
	char *o = pn__buf_room(b, 4 * n + 2);

	if (!o)
		return;
	if (quote)
		*o++ = '"';
	while (i < n) {
		if (plain[p[i]] & mask) {
			*o++ = (char)p[i++];
			continue;
		}
		o = put_table_special(o, p + i, n - i, quote, sep, &used);
		i += used;
	}
	if (quote)
		*o++ = '"';
	pn__buf_commit(b, o);
}

void pn_esc_table(pn_buf *b, const char *s, size_t n, unsigned flags)
{
	int quote = (flags & PN_ESC_QUOTE) && needs_quotes(s, n);

	esc_c(b, s, n, quote, quote ? PLAIN_QUOTED : PLAIN_TABLE, '|');
}

void pn__esc_text(pn_buf *b, const char *s, size_t n)
{
	esc_c(b, s, n, 0, PLAIN_TEXT, 0);
}

static int sd_special(char c)
{
	return c == '"' || c == '\\' || c == ']';
}

/* The text escapes, then RFC 5424's: a backslash before each '"', '\\' and
 * ']', added in place from the end backwards so each byte moves once. */
void pn__esc_sd_param(pn_buf *b, const char *s, size_t n)
{
	size_t start = b->len, extra = 0;
	char *src, *dst, *p;

	pn__esc_text(b, s, n);
	if (b->oom)
		return;
	for (size_t i = start; i < b->len; i++)
		extra += sd_special(b->data[i]);
	if (!extra || !pn__buf_room(b, extra))
		return;
	p = b->data + start;
	src = b->data + b->len;
	dst = src + extra;
	pn__buf_commit(b, dst);
	while (src > p) {
		char c = *--src;

		*--dst = c;
		if (sd_special(c))
			*--dst = '\\';
	}
}

/* One character that is not plain printable ASCII: 1 to 6 bytes out. */
static char *put_json_special(char *o, const unsigned char *p, size_t n, size_t *used)
{
	uint32_t cp;
	size_t len = utf8_seq(p, n, &cp);

	*used = len ? len : 1;
	if (len == 0)
		return put_hex_escape(o, "\\udc", 4, p[0]);
	if (cp == '"' || cp == '\\') {
		*o++ = '\\';
		*o++ = (char)cp;
	} else if (cp == '\n' || cp == '\t' || cp == '\r' || cp == '\b' || cp == '\f') {
		memcpy(o, c_escape((unsigned char)cp), 2);
		o += 2;
	} else if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) {
		/* C0, DEL and C1: a C1 control raw in a JSON string is valid, yet
		 * a terminal showing the log acts on it (U+009B is CSI). */
		o = put_hex_escape(o, "\\u00", 4, (unsigned char)cp);
	} else {
		memcpy(o, p, len);
		o += len;
	}
	return o;
}

char *pn__put_json_str(char *o, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, used;

	*o++ = '"';
	while (i < n) {
		if (plain[p[i]] & PLAIN_JSON) {
			*o++ = (char)p[i++];
			continue;
		}
		o = put_json_special(o, p + i, n - i, &used);
		i += used;
	}
	*o++ = '"';
	return o;
}

void pn_esc_json(pn_buf *b, const char *s, size_t n)
{
	char *o = pn__buf_room(b, PN__JSON_STR_MAX(n));

	if (o)
		pn__buf_commit(b, pn__put_json_str(o, s, n));
}

/*
 * HTML. A page shows a process's strings as the table does, with the
 * C-style escapes (so a control byte, a bidi override or a look-alike
 * space is seen, not acted on), then made safe for where they go: text
 * and attribute values get entities for & < > " ', a JSON data island
 * (<script type="application/json">) gets a JSON string whose < > & are
 * \u003c \u003e \u0026, so no "</script" or "<!--" can end or bend it.
 */
static const char *const html_entity[256] = {
	['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;", ['\''] = "&#39;",
};
static const char *const html_json[256] = {
	['"'] = "\\\"", ['\\'] = "\\\\", ['<'] = "\\u003c", ['>'] = "\\u003e", ['&'] = "\\u0026",
};

/* The replacement of byte c in table rep, or of a control byte in JSON,
 * into out (room for 6); its length, or 0 to keep c. */
static size_t html_rep(const char *const rep[256], unsigned char c, char *out)
{
	if (rep[c]) {
		size_t n = strlen(rep[c]);

		memcpy(out, rep[c], n);
		return n;
	}
	if (rep == html_json && (c < 0x20 || c == 0x7f)) {
		put_hex_escape(out, "\\u00", 4, c);
		return 6;
	}
	return 0;
}

/* Rewrites the bytes written since start through rep, in place: from the
 * end backwards, so that each byte moves once. */
static void html_rewrite(pn_buf *b, size_t start, const char *const rep[256])
{
	char tmp[8], *src, *dst;
	size_t extra = 0, len = b->len - start;

	for (size_t i = 0; i < len; i++) {
		size_t n = html_rep(rep, (unsigned char)b->data[start + i], tmp);

		extra += n ? n - 1 : 0;
	}
	if (!extra || !pn__buf_room(b, extra))
		return;
	src = b->data + b->len;
	dst = src + extra;
	while (src > b->data + start) {
		unsigned char c = (unsigned char)*--src;
		size_t n = html_rep(rep, c, tmp);

		if (!n) {
			*--dst = (char)c;
			continue;
		}
		dst -= n;
		memcpy(dst, tmp, n);
	}
	pn__buf_commit(b, b->data + b->len + extra);
}

/* s, with the table's escapes first when visible, through rep; quoted
 * for JSON. */
static void html_put(pn_buf *b, const char *s, size_t n, int visible,
		     const char *const rep[256])
{
	size_t start;
	int quoted = rep == html_json;

	if (quoted)
		pn_buf_putc(b, '"');
	start = b->len;
	if (visible)
		pn__esc_text(b, s, n);
	else
		pn_buf_put(b, s, n);
	if (!b->oom)
		html_rewrite(b, start, rep);
	if (quoted)
		pn_buf_putc(b, '"');
}

void pn__esc_html(pn_buf *b, const char *s, size_t n)
{
	html_put(b, s, n, 1, html_entity);
}

void pn__html_entities(pn_buf *b, const char *s, size_t n)
{
	html_put(b, s, n, 0, html_entity);
}

void pn__esc_html_json(pn_buf *b, const char *s, size_t n)
{
	html_put(b, s, n, 1, html_json);
}

void pn__html_json_quote(pn_buf *b, const char *s, size_t n)
{
	html_put(b, s, n, 0, html_json);
}
