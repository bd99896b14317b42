/*
 * Reading procnotify's JSON back (`procnotify import`): every golden line
 * (every event type, hostile names, bytes that are not UTF-8, a hostile
 * host) read and written again gives the same bytes; escapes decode to
 * the exact bytes; malformed lines are refused with a reason, never read
 * as something else.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "procnotify/format.h"
#include "procnotify/store.h"
#include "check.h"

static int read_line(const char *line, pn_event *ev, char *scratch)
{
	const char *why = NULL;
	int rc = pn__json_read_event(line, strlen(line), scratch, ev, &why);

	CHECK(rc == 0 || (rc == -EINVAL && why));
	return rc;
}

static void golden_round_trip(const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, *scratch;
	size_t cap = 0;
	ssize_t n;
	int lines = 0;
	pn_buf out = { 0 };
	pn_event ev;

	CHECK(f != NULL);
	while (f && (n = getline(&line, &cap, f)) > 0) {
		scratch = malloc((size_t)n);
		CHECK(read_line(line, &ev, scratch) == 0);
		pn_buf_reset(&out);
		pn_fmt_json(&out, &ev);
		CHECK(out.len == (size_t)n && !memcmp(out.data, line, out.len));
		if (out.len != (size_t)n || memcmp(out.data, line, out.len))
			fprintf(stderr, "want %sgot  %.*s", line, (int)out.len, out.data);
		free(scratch);
		lines++;
	}
	CHECK(lines >= 18);
	if (f)
		fclose(f);
	free(line);
	pn_buf_free(&out);
}

/* Escapes give back bytes: a surrogate pair, \udcHH, the short forms. */
static void escapes(void)
{
	static const char line[] = "{\"seq\":1,\"type\":\"fork\",\"time\":\"2026-01-02T03:04:05Z\","
				   "\"comm\":\"\\ud83d\\ude00\\udcff\\t\\\"\\/\\u00e9\"}";
	char scratch[sizeof(line)];
	pn_event ev;

	CHECK(read_line(line, &ev, scratch) == 0);
	CHECK(ev.comm.len == 4 + 1 + 1 + 1 + 1 + 2);
	CHECK(!memcmp(ev.comm.ptr, "\xf0\x9f\x98\x80\xff\t\"/\xc3\xa9", 10));
	CHECK(ev.time_ns == 1767323045000000000LL);
	CHECK(ev.have & PN_HAVE_COMM);
	CHECK(!(ev.have & PN_HAVE_HOST));
}

static void refused(void)
{
	static const char *const bad[] = {
		"",
		"not json",
		"{\"type\":\"fork\",\"time\":\"2026-01-02T03:04:05Z\"}",             /* no seq */
		"{\"seq\":1,\"type\":\"fork\"}",                                     /* no time */
		"{\"seq\":1,\"type\":\"nope\",\"time\":\"2026-01-02T03:04:05Z\"}",
		"{\"seq\":1,\"type\":\"fork\",\"time\":\"yesterday\"}",
		"{\"seq\":1,\"type\":\"fork\",\"time\":\"2026-01-02T03:04:05Z\"",    /* cut short */
		"{\"seq\":1,\"type\":\"fork\",\"time\":\"2026-01-02T03:04:05Z\",\"comm\":\"a\x01\"}",
		"{\"seq\":1,\"type\":\"fork\",\"time\":\"2026-01-02T03:04:05Z\",\"comm\":\"\\ud800\"}",
		"{\"seq\":1,\"type\":\"fork\",\"time\":\"2026-01-02T03:04:05Z\",\"pid\":4294967296}",
		"{\"seq\":1,\"type\":\"fork\",\"time\":\"2026-01-02T03:04:05Z\",\"pid\":-1}",
		"{\"seq\":1,\"type\":\"fork\",\"time\":\"2026-01-02T03:04:05Z\",\"pid\":1.5}",
		"{\"seq\":1,\"type\":\"fork\",\"time\":\"2026-01-02T03:04:05Z\",\"key\":\"L:zz:1:2\"}",
		"{\"seq\":1,\"type\":\"exec\",\"time\":\"2026-01-02T03:04:05Z\",\"argv\":[1]}",
		"{\"seq\":1,\"type\":\"fork\",\"time\":\"2026-01-02T03:04:05Z\"} trailing",
		"{\"seq\":1,\"type\":\"lost\",\"time\":\"2026-01-02T03:04:05Z\",\"reason\":\"why\"}",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *scratch = malloc(strlen(bad[i]) + 1);
		pn_event ev;

		CHECK(read_line(bad[i], &ev, scratch) == -EINVAL);
		free(scratch);
	}
}

/* A newer producer's member is skipped, whatever its value. */
static void unknown_members(void)
{
	static const char line[] = "{\"seq\":7,\"type\":\"exit\",\"time\":\"2026-01-02T03:04:05Z\","
				   "\"future\":{\"a\":[1,{\"b\":null}],\"c\":\"x\"},\"pid\":9,"
				   "\"exit_code\":null,\"signal\":9,\"duration_ns\":null}";
	char scratch[sizeof(line)];
	pn_event ev;

	CHECK(read_line(line, &ev, scratch) == 0);
	CHECK(ev.seq == 7 && ev.pid == 9 && ev.type == PN_EVENT_EXIT);
	CHECK(ev.signal == 9 && ev.exit_code == -1 && ev.duration_ns == -1);
}

int main(void)
{
	const char *dir = getenv("PN_GOLDEN_DIR") ? getenv("PN_GOLDEN_DIR") : "tests/golden";
	char path[512];

	snprintf(path, sizeof(path), "%s/events.jsonl", dir);
	golden_round_trip(path);
	escapes();
	refused();
	unknown_members();
	return pn_test_done("test_json_in");
}
