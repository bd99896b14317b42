/*
 * The escapers on any bytes: the table's (plain and quoted) and JSON's.
 * Whatever the input, the table cell holds no control byte, DEL or column
 * separator and is valid UTF-8, and the JSON string is valid UTF-8 with no
 * raw C0 or C1 control.
 */
#include "procnotify/format.h"
#include "fuzz.h"

static void check_table(const pn_buf *b)
{
	const unsigned char *p = (const unsigned char *)b->data;

	for (size_t i = 0; i < b->len; i++)
		FUZZ_ASSERT(p[i] >= 0x20 && p[i] != 0x7f && p[i] != '|');
	FUZZ_ASSERT(fuzz_valid_utf8(p, b->len));
}

static void check_json(const pn_buf *b)
{
	const unsigned char *p = (const unsigned char *)b->data;

	FUZZ_ASSERT(b->len >= 2 && p[0] == '"' && p[b->len - 1] == '"');
	for (size_t i = 0; i < b->len; i++) {
		FUZZ_ASSERT(p[i] >= 0x20 && p[i] != 0x7f);
		/* U+0080..U+009F is 0xc2 0x80..0x9f in UTF-8. */
		FUZZ_ASSERT(!(p[i] == 0xc2 && i + 1 < b->len && p[i + 1] < 0xa0));
	}
	FUZZ_ASSERT(fuzz_valid_utf8(p, b->len));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static pn_buf b;

	pn_buf_reset(&b);
	pn_esc_table(&b, (const char *)data, size, 0);
	check_table(&b);
	pn_buf_reset(&b);
	pn_esc_table(&b, (const char *)data, size, PN_ESC_QUOTE);
	check_table(&b);
	pn_buf_reset(&b);
	pn_esc_json(&b, (const char *)data, size);
	check_json(&b);
	FUZZ_ASSERT(!b.oom);
	return 0;
}
