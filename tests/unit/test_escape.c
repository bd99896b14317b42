/* Escaping of untrusted strings: table (C-style) and JSON (surrogateescape). */
#include <stdint.h>
#include <stdlib.h>
#include "procnotify/format.h"
#include "check.h"

static const char *tbl(const char *s, size_t n, unsigned flags)
{
	static pn_buf b;

	pn_buf_reset(&b);
	pn_esc_table(&b, s, n, flags);
	pn_buf_putc(&b, 0);
	return b.data;
}

static const char *js(const char *s, size_t n)
{
	static pn_buf b;

	pn_buf_reset(&b);
	pn_esc_json(&b, s, n);
	pn_buf_putc(&b, 0);
	return b.data;
}

#define T(s, f) tbl(s, sizeof(s) - 1, f)
#define J(s) js(s, sizeof(s) - 1)

static void table_cases(void)
{
	CHECK_STR(T("plain", 0), "plain");
	CHECK_STR(T("a\nb\tc\rd\\e", 0), "a\\nb\\tc\\rd\\\\e");
	CHECK_STR(T("\x1b[31mred\x07", 0), "\\x1b[31mred\\a");
	CHECK_STR(T("nul\0byte", 0), "nul\\x00byte");
	CHECK_STR(T("col|umn", 0), "col\\x7cumn");
	CHECK_STR(T("del\x7f", 0), "del\\x7f");
	CHECK_STR(T("caf\xc3\xa9 \xe2\x82\xac", 0), "caf\xc3\xa9 \xe2\x82\xac");
	CHECK_STR(T("bad\xff\xc3", 0), "bad\\xff\\xc3");
	CHECK_STR(T("\xc0\xaf", 0), "\\xc0\\xaf");          /* overlong '/' */
	CHECK_STR(T("\xed\xa0\x80", 0), "\\xed\\xa0\\x80"); /* UTF-16 surrogate */
	CHECK_STR(T("\xf4\x90\x80\x80", 0), "\\xf4\\x90\\x80\\x80"); /* > U+10FFFF */
	CHECK_STR(T("\xc2\x9b" "2J", 0), "\\u009b2J");      /* C1 CSI */
	CHECK_STR(T("abc\xe2\x80\xaetxt.exe", 0), "abc\\u202etxt.exe"); /* RLO */
	CHECK_STR(T("line\xe2\x80\xa8sep", 0), "line\\u2028sep");
	CHECK_STR(T("two words", PN_ESC_QUOTE), "\"two words\"");
	CHECK_STR(T("say \"hi\"", PN_ESC_QUOTE), "\"say \\\"hi\\\"\"");
	CHECK_STR(T("", PN_ESC_QUOTE), "\"\"");
	CHECK_STR(T("noquote", PN_ESC_QUOTE), "noquote");
	CHECK_STR(T("tail\xe2\x82", 0), "tail\\xe2\\x82"); /* truncated sequence */
	/* Look-alikes of a space, and code points drawn as nothing. */
	CHECK_STR(T("nb\xc2\xa0sp", PN_ESC_QUOTE), "nb\\u00a0sp");
	CHECK_STR(T("soft\xc2\xadhyphen", 0), "soft\\u00adhyphen");
	CHECK_STR(T("alm\xd8\x9c", 0), "alm\\u061c");
	CHECK_STR(T("word\xe2\x81\xa0joiner", 0), "word\\u2060joiner");
	CHECK_STR(T("ideo\xe3\x80\x80space", 0), "ideo\\u3000space");
	CHECK_STR(T("tag\xf3\xa0\x81\x81", 0), "tag\\U000e0041");
	CHECK_STR(T("\xf3\xa0\x80\x80\xf3\xa0\x81\xbf", 0), "\\U000e0000\\U000e007f");
	CHECK_STR(T("\xc2\x80\xc2\x9f", 0), "\\u0080\\u009f");
	CHECK_STR(T("\xc2\xa1\xe2\x80\x90\xf0\x9f\x98\x80", 0), "\xc2\xa1\xe2\x80\x90\xf0\x9f\x98\x80");
}

static void json_cases(void)
{
	CHECK_STR(J("plain"), "\"plain\"");
	CHECK_STR(J("q\"b\\s/"), "\"q\\\"b\\\\s/\"");
	CHECK_STR(J("\n\t\r\b\f"), "\"\\n\\t\\r\\b\\f\"");
	CHECK_STR(J("\x01\x1b\x7f"), "\"\\u0001\\u001b\\u007f\"");
	CHECK_STR(J("nul\0x"), "\"nul\\u0000x\"");
	CHECK_STR(J("caf\xc3\xa9 \xf0\x9f\x98\x80"), "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"");
	CHECK_STR(J("\xe2\x80\xae\xc2\xa0"), "\"\xe2\x80\xae\xc2\xa0\""); /* valid: as is */
	CHECK_STR(J("\xc2\x9b" "2J\xc2\x80\xc2\x9f"), "\"\\u009b2J\\u0080\\u009f\""); /* C1 */
	CHECK_STR(J("bad\xff\xfe"), "\"bad\\udcff\\udcfe\"");
	CHECK_STR(J("\xc0\xaf"), "\"\\udcc0\\udcaf\"");
	CHECK_STR(J("\xed\xa0\x80"), "\"\\udced\\udca0\\udc80\"");
	CHECK_STR(J("\xe2\x82"), "\"\\udce2\\udc82\"");
}

/* A well-formed UTF-8 sequence at p (shortest form, no surrogate, at most
 * U+10FFFF): its length and code point, or 0. Written apart from the
 * library's decoder, so the two check each other. */
static size_t utf8_ok(const unsigned char *p, size_t n, uint32_t *cp)
{
	static const uint32_t min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t len = p[0] < 0x80 ? 1 : p[0] >= 0xc2 && p[0] <= 0xdf ? 2 :
		     p[0] >= 0xe0 && p[0] <= 0xef ? 3 : p[0] >= 0xf0 && p[0] <= 0xf4 ? 4 : 0;

	if (!len || len > n)
		return 0;
	*cp = len == 1 ? p[0] : p[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		*cp = *cp << 6 | (p[i] & 0x3f);
	}
	if (*cp < min[len] || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return len;
}

static size_t put_utf8(uint32_t cp, char *s);

static int hexval(const char *h, int n, uint32_t *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		int c = h[i], d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return 0;
		*v = *v << 4 | (uint32_t)d;
	}
	return 1;
}

/*
 * Reads one JSON string back (RFC 8259: quotes, no raw byte below 0x20,
 * known escapes, raw text valid UTF-8), a lone \udcXX being the byte XX as
 * Python's surrogateescape has it. The bytes' count, or -1 if not valid.
 */
static long json_back(const char *j, char *out)
{
	const unsigned char *p = (const void *)j;
	size_t n = strlen(j), i = 1, o = 0, len;
	uint32_t cp;

	if (n < 2 || p[0] != '"' || p[n - 1] != '"')
		return -1;
	for (n--; i < n; i += len) {
		if (p[i] < 0x20 || p[i] == '"')
			return -1;
		if (p[i] != '\\') {
			if (!(len = utf8_ok(p + i, n - i, &cp)))
				return -1;
			memcpy(out + o, p + i, len), o += len;
			continue;
		}
		len = 2;
		switch (i + 1 < n ? p[i + 1] : 0) {
		case '"': case '\\': case '/': out[o++] = (char)p[i + 1]; continue;
		case 'b': out[o++] = '\b'; continue;
		case 'f': out[o++] = '\f'; continue;
		case 'n': out[o++] = '\n'; continue;
		case 'r': out[o++] = '\r'; continue;
		case 't': out[o++] = '\t'; continue;
		case 'u': break;
		default: return -1;
		}
		if (i + 6 > n || !hexval(j + i + 2, 4, &cp))
			return -1;
		len = 6;
		if (cp >= 0xdc80 && cp <= 0xdcff)
			out[o++] = (char)(cp & 0xff);
		else if (cp >= 0xd800 && cp <= 0xdfff)
			return -1; /* the escaper never writes another surrogate */
		else
			o += put_utf8(cp, out + o);
	}
	return (long)o;
}

/* Reads one table cell back (C escapes, \xHH, \uXXXX, \UXXXXXXXX, and the
 * quotes PN_ESC_QUOTE adds when quoted); the bytes' count, or -1 on a stray
 * backslash. */
static long table_back(const char *t, int quoted, char *out)
{
	static const char from[] = "abtnvfr\\\"", to[] = "\a\b\t\n\v\f\r\\\"";
	size_t n = strlen(t), i = 0, o = 0;
	uint32_t cp;

	if (quoted && n >= 2 && t[0] == '"' && t[n - 1] == '"')
		i = 1, n--;
	while (i < n) {
		const char *e;

		if (t[i] != '\\') {
			out[o++] = t[i++];
		} else if (i + 1 < n && t[i + 1] && (e = strchr(from, t[i + 1]))) {
			out[o++] = to[e - from], i += 2;
		} else if (t[i + 1] == 'x' && i + 4 <= n && hexval(t + i + 2, 2, &cp)) {
			out[o++] = (char)cp, i += 4;
		} else if (t[i + 1] == 'u' && i + 6 <= n && hexval(t + i + 2, 4, &cp)) {
			o += put_utf8(cp, out + o), i += 6;
		} else if (t[i + 1] == 'U' && i + 10 <= n && hexval(t + i + 2, 8, &cp)) {
			o += put_utf8(cp, out + o), i += 10;
		} else {
			return -1;
		}
	}
	return (long)o;
}

static long exhaustive_wrong;

/* One input through the three escapers: no raw control in a table cell, valid
 * JSON, and each output read back gives the input byte for byte. */
static void round_trip(const char *s, size_t n)
{
	char back[64];
	const char *t = tbl(s, n, 0), *q, *j;
	int bad = 0;

	for (const unsigned char *p = (const void *)t; *p; p++)
		bad |= *p < 0x20 || *p == 0x7f || *p == '|';
	bad |= table_back(t, 0, back) != (long)n || memcmp(back, s, n);
	q = tbl(s, n, PN_ESC_QUOTE);
	for (const unsigned char *p = (const void *)q; *p; p++)
		bad |= *p < 0x20 || *p == 0x7f || *p == '|';
	bad |= table_back(q, 1, back) != (long)n || memcmp(back, s, n);
	j = js(s, n);
	bad |= json_back(j, back) != (long)n || memcmp(back, s, n);
	if (bad && exhaustive_wrong++ < 5) {
		fprintf(stderr, "escape round trip failed for");
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, " %02x", (unsigned char)s[i]);
		fprintf(stderr, ": table %s | quoted %s | json %s\n", t, q, js(s, n));
	}
}

/*
 * Every byte alone and every pair of bytes; then every byte before two, and
 * every 4-byte lead before three, bytes from the edges of the UTF-8 ranges and the characters the
 * escapers treat apart: all of UTF-8's cases, valid or not.
 */
static void exhaustive(void)
{
	static const unsigned char edge[] = { 0x00, 0x09, 0x1f, ' ', '"', '\\', 'x', '|', 0x7f,
					      0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2,
					      0xe0, 0xed, 0xf0, 0xf4, 0xff };
	const size_t ne = sizeof(edge);
	long inputs = 0;

	for (int a = 0; a < 256; a++) {
		char s[4] = { (char)a };

		round_trip(s, 1), inputs++;
		for (int b = 0; b < 256; b++) {
			s[1] = (char)b;
			round_trip(s, 2), inputs++;
		}
		for (size_t b = 0; b < ne * ne; b++) {
			s[1] = (char)edge[b / ne], s[2] = (char)edge[b % ne];
			round_trip(s, 3), inputs++;
			for (size_t c = 0; a >= 0xf0 && c < ne; c++) {
				s[3] = (char)edge[c];
				round_trip(s, 4), inputs++;
			}
		}
	}
	CHECK(inputs > 200000);
	CHECK(exhaustive_wrong == 0);
}

/* One code point as UTF-8 (cp past the surrogates and at most U+10FFFF). */
static size_t put_utf8(uint32_t cp, char *s)
{
	if (cp < 0x80) {
		s[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		s[0] = (char)(0xc0 | cp >> 6), s[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		s[0] = (char)(0xe0 | cp >> 12), s[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		s[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	s[0] = (char)(0xf0 | cp >> 18), s[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	s[2] = (char)(0x80 | (cp >> 6 & 0x3f)), s[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Is the category one the table escapes (past ASCII): Cc, Cf, Z*? */
static int escaped_category(const char *cat)
{
	return !strcmp(cat, "Cc") || !strcmp(cat, "Cf") || cat[0] == 'Z';
}

/* Checks each assigned code point in lo..hi of category cat; the count of wrong ones. */
static long check_cp_range(uint32_t lo, uint32_t hi, const char *cat)
{
	static long reported;
	long wrong = 0;
	char s[4];

	for (uint32_t cp = lo < 0x80 ? 0x80 : lo; cp <= hi; cp++) {
		int want = escaped_category(cat), got;

		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		got = tbl(s, put_utf8(cp, s), 0)[0] == '\\';
		wrong += got != want;
		if (got != want && reported++ < 10)
			fprintf(stderr, "U+%04X (%s): %s\n", (unsigned)cp, cat,
				want ? "left raw" : "escaped");
	}
	return wrong;
}

/*
 * The generated ranges against the Unicode Character Database installed
 * (Debian's unicode-data): every assigned code point past ASCII is escaped
 * in the table exactly when it is a control, a format character or a
 * separator. A newer database failing here means: run
 * scripts/gen-escape-ranges.py again.
 */
static void unicode_data(void)
{
	const char *path = getenv("PN_UNICODE_DATA");
	char line[512], cat[8];
	unsigned cp, first = 0;
	long wrong = 0, seen = 0;
	FILE *f = fopen(path ? path : "/usr/share/unicode/UnicodeData.txt", "r");

	if (!f) {
		/* scripts/install-deps.sh installs it: CI must run this check. */
		fprintf(stderr, "UnicodeData.txt not found (package unicode-data)\n");
		CHECK(!getenv("CI") || strcmp(getenv("CI"), "true"));
		return;
	}
	while (fgets(line, sizeof line, f)) {
		char *name = strchr(line, ';'), *c = name ? strchr(name + 1, ';') : NULL;

		if (!c || sscanf(line, "%x", &cp) != 1 || sscanf(c + 1, "%7[^;]", cat) != 1)
			continue;
		seen++;
		if (strstr(name, ", First>;"))
			first = cp;
		else
			wrong += check_cp_range(strstr(name, ", Last>;") ? first : cp, cp, cat);
	}
	fclose(f);
	CHECK(seen > 30000);
	CHECK(wrong == 0);
}

int main(void)
{
	table_cases();
	json_cases();
	exhaustive();
	unicode_data();
	return pn_test_done("test_escape");
}
