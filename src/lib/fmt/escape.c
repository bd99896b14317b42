/*
 * The one place where untrusted bytes become output. See the rules in
 * include/procnotify/format.h.
 */
#include <string.h>
#include "procnotify/format.h"

static const char hex[] = "0123456789abcdef";

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

/* Code points that a terminal or a viewer may act on rather than show. */
static int invisible(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x200b && cp <= 0x200f) ||
	       (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
	       cp == 0xfeff;
}

static void put_hex_byte(pn_buf *b, const char *prefix, unsigned char c)
{
	char tmp[8];
	size_t n = strlen(prefix);

	memcpy(tmp, prefix, n);
	tmp[n] = hex[c >> 4];
	tmp[n + 1] = hex[c & 15];
	pn_buf_put(b, tmp, n + 2);
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

/* The length of the run at s of printable ASCII that the table form copies
 * as it is: most strings are one such run, copied with one pn_buf_put. */
static size_t table_run(const unsigned char *s, size_t n, int quote)
{
	size_t i = 0;

	while (i < n && s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\\' && s[i] != '|' &&
	       !(quote && s[i] == '"'))
		i++;
	return i;
}

/* The same for JSON strings. */
static size_t json_run(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\\' && s[i] != '"')
		i++;
	return i;
}

void pn_esc_table(pn_buf *b, const char *s, size_t n, unsigned flags)
{
	const unsigned char *p = (const unsigned char *)s;
	int quote = (flags & PN_ESC_QUOTE) && needs_quotes(s, n);
	size_t i = 0, len;
	uint32_t cp;

	if (quote)
		pn_buf_putc(b, '"');
	while (i < n) {
		const char *esc;

		if ((len = table_run(p + i, n - i, quote))) {
			pn_buf_put(b, p + i, len);
			i += len;
			continue;
		}
		esc = c_escape(p[i]);
		len = utf8_seq(p + i, n - i, &cp);
		if (esc) {
			pn_buf_puts(b, esc);
		} else if (len == 0 || cp < 0x20 || cp == 0x7f || cp == '|') {
			put_hex_byte(b, "\\x", p[i]);
			len = 1;
		} else if (quote && cp == '"') {
			pn_buf_puts(b, "\\\"");
		} else if (invisible(cp)) {
			pn_buf_printf(b, "\\u%04x", (unsigned)cp);
		} else {
			pn_buf_put(b, p + i, len);
		}
		i += len ? len : 1;
	}
	if (quote)
		pn_buf_putc(b, '"');
}

void pn_esc_json(pn_buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, len;
	uint32_t cp;

	pn_buf_putc(b, '"');
	while (i < n) {
		if ((len = json_run(p + i, n - i))) {
			pn_buf_put(b, p + i, len);
			i += len;
			continue;
		}
		len = utf8_seq(p + i, n - i, &cp);
		if (len == 0) {
			put_hex_byte(b, "\\udc", p[i]);
			len = 1;
		} else if (cp == '"' || cp == '\\') {
			pn_buf_putc(b, '\\');
			pn_buf_putc(b, (char)cp);
		} else if (cp == '\n' || cp == '\t' || cp == '\r' || cp == '\b' || cp == '\f') {
			pn_buf_puts(b, c_escape((unsigned char)cp));
		} else if (cp < 0x20 || cp == 0x7f) {
			put_hex_byte(b, "\\u00", (unsigned char)cp);
		} else {
			pn_buf_put(b, p + i, len);
		}
		i += len;
	}
	pn_buf_putc(b, '"');
}
