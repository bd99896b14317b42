/*
 * The record decoder on any bytes, as a hostile or broken producer (a ring
 * written by a buggy BPF program, a Windows driver's IOCTL buffer) could
 * hand it; what it accepts is formatted as a table row, as JSON and as an
 * ECS document, which must each be one line of valid UTF-8.
 */
#include "procnotify/decode.h"
#include "procnotify/format.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct pn__decode_ctx ctx = { 1795737600000000000LL, 0x5c645282e5804455ULL,
						   'L' };
	static pn_buf b;
	/* Records arrive 8-byte aligned, from a ring or an IOCTL buffer. */
	uint64_t *rec = malloc(size ? size : 1);
	pn_event ev;

	memcpy(rec, data, size);
	if (pn__rec_check(rec, size) >= 0 && pn__decode(rec, size, &ctx, &ev) == 0) {
		pn_buf_reset(&b);
		pn_fmt_table_row(&b, &ev);
		fuzz_check_line(b.data, b.len);
		pn_buf_reset(&b);
		pn_fmt_json(&b, &ev);
		fuzz_check_line(b.data, b.len);
		pn_buf_reset(&b);
		pn_fmt_ecs(&b, &ev, NULL);
		fuzz_check_line(b.data, b.len);
	}
	free(rec);
	return 0;
}
