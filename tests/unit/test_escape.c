/* Escaping of untrusted strings: table (C-style) and JSON (surrogateescape). */
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
}

static void json_cases(void)
{
	CHECK_STR(J("plain"), "\"plain\"");
	CHECK_STR(J("q\"b\\s/"), "\"q\\\"b\\\\s/\"");
	CHECK_STR(J("\n\t\r\b\f"), "\"\\n\\t\\r\\b\\f\"");
	CHECK_STR(J("\x01\x1b\x7f"), "\"\\u0001\\u001b\\u007f\"");
	CHECK_STR(J("nul\0x"), "\"nul\\u0000x\"");
	CHECK_STR(J("caf\xc3\xa9 \xf0\x9f\x98\x80"), "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"");
	CHECK_STR(J("\xc2\x9b\xe2\x80\xae"), "\"\xc2\x9b\xe2\x80\xae\""); /* valid: as is */
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

int main(void)
{
	table_cases();
	json_cases();
	exhaustive();
	return pn_test_done("test_escape");
}
