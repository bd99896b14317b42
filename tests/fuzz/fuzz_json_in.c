/*
 * `procnotify import`'s JSON reader on any bytes: a collected line may come
 * from a hostile or compromised host. What it accepts, written as JSON
 * again, must read back and be written the same (a fixed point: nothing the
 * JSON writes is lost or changed by reading it), one line of valid UTF-8;
 * and as an ECS document, one line of valid UTF-8 too.
 */
#include "procnotify/format.h"
#include "procnotify/store.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static pn_buf once, twice;
	char *scratch = malloc(size ? size : 1), *again;
	const char *why;
	pn_event ev, ev2;

	if (pn__json_read_event((const char *)data, size, scratch, &ev, &why) == 0) {
		pn_buf_reset(&once);
		pn_fmt_json(&once, &ev);
		fuzz_check_line(once.data, once.len);
		again = malloc(once.len);
		FUZZ_ASSERT(pn__json_read_event(once.data, once.len, again, &ev2, &why) == 0);
		pn_buf_reset(&twice);
		pn_fmt_json(&twice, &ev2);
		FUZZ_ASSERT(twice.len == once.len && !memcmp(twice.data, once.data, once.len));
		pn_buf_reset(&twice);
		pn_fmt_ecs(&twice, &ev, NULL);
		fuzz_check_line(twice.data, twice.len);
		free(again);
	} else {
		FUZZ_ASSERT(why != NULL);
	}
	free(scratch);
	return 0;
}
