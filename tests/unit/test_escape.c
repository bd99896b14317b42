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

/* Every byte value alone and in pairs: output stays free of raw controls. */
static void exhaustive(void)
{
	int raw_control = 0, invalid_json_byte = 0;

	for (int a = 0; a < 256; a++) {
		for (int c = 0; c < 256; c += 7) {
			char s[2] = { (char)a, (char)c };
			const char *t = tbl(s, 2, PN_ESC_QUOTE), *j;

			for (const unsigned char *p = (const void *)t; *p; p++)
				raw_control |= (*p < 0x20 || *p == 0x7f || *p == '|');
			j = js(s, 2);
			for (const unsigned char *p = (const void *)j; *p; p++)
				invalid_json_byte |= (*p < 0x20);
		}
	}
	CHECK(!raw_control);
	CHECK(!invalid_json_byte);
}

/* One code point as UTF-8 (cp past the surrogates and at most U+10FFFF). */
static size_t utf8(uint32_t cp, char *s)
{
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
		got = tbl(s, utf8(cp, s), 0)[0] == '\\';
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
