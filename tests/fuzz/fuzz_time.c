/*
 * The parsers of --since/--until times, --db-max-age durations and
 * --db-max-size sizes: any text is either refused or gives a value in
 * range, and a time round-trips through the RFC 3339 formatter.
 */
#include "procnotify/format.h"
#include "procnotify/store.h"
#include "fuzz.h"

/* 2026-11-27T00:00:00Z, in ns. */
#define NOW 1795737600000000000LL

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static pn_buf b;
	char *s = fuzz_cstr(data, size);
	int64_t t, t2, d;
	uint64_t sz;

	if (pn_store_parse_time(s, NOW, &t) == 0) {
		/* A time the log can hold prints as RFC 3339 and parses back. */
		pn_buf_reset(&b);
		pn_fmt_time_rfc3339(&b, t);
		FUZZ_ASSERT(pn_store_parse_time(b.data, NOW, &t2) == 0 && t2 == t);
	}
	if (pn_store_parse_duration(s, &d) == 0)
		FUZZ_ASSERT(d >= 0);
	(void)pn_store_parse_size(s, &sz);
	free(s);
	return 0;
}
