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


#define HEAD "{\"seq\":1,\"type\":\"fork\",\"time\":\"2026-01-02T03:04:05Z\","
#define LONG64 "0123456789012345678901234567890123456789012345678901234567890123"

/* Each way a line can be wrong, with the reason import prints for it:
 * the reason says which check refused the line, so each row fails alone
 * when its check stops refusing (or another check refuses first). */
static void refused_why(void)
{
	static const struct { const char *line, *why; } bad[] = {
		{ HEAD "\"comm\":\"\\u00zz\"}", "a bad \\u escape" },
		{ HEAD "\"comm\":\"\\u00", "a bad \\u escape" },
		{ HEAD "\"comm\":\"\\ud83d\\u0041\"}", "a bad surrogate pair" },
		{ HEAD "\"comm\":\"\\ud83d\\ue000\"}", "a bad surrogate pair" },
		{ HEAD "\"comm\":\"\\ud83d\\uzzzz\"}", "a bad surrogate pair" },
		{ HEAD "\"comm\":\"\\ud83dx\"}", "a lone surrogate" },
		{ HEAD "\"comm\":\"\\udc7f\"}", "a lone surrogate" },
		{ HEAD "\"comm\":\"\\udd00\"}", "a lone surrogate" },
		{ HEAD "\"comm\":\"\\x\"}", "a bad escape" },
		{ HEAD "\"comm\":\"ab\\", "a string cut short" },
		{ HEAD "\"comm\":\"abc", "a string cut short" },
		{ HEAD "\"pid\":18446744073709551616}", "a number out of range" },
		{ HEAD "\"pid\":1e3}", "not an integer" },
		{ HEAD "\"pid\":-}", "not an integer" },
		{ HEAD "\"pid\":}", "not an integer" },
		{ HEAD "\"comm\":nul}", "not JSON" },
		{ HEAD "\"comm\":nope}", "not JSON" },
		{ HEAD "\"comm\":tru", "not JSON" },
		{ HEAD "\"comm\":", "a value is missing" },
		{ HEAD "\"future\":{\"a\" 1}}", "a bad object" },
		{ HEAD "\"future\":{1:2}}", "a bad object" },
		{ HEAD "\"future\":[1,}]}", "not an integer" },
		{ HEAD "\"future\":[1 2]}", "an array or object not closed" },
		{ HEAD "\"future\":[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]}", "nested too deep" },
		{ HEAD "\"argv\":[\"a\"", "argv not closed" },
		{ HEAD "\"argv\":[\"a\",1]}", "argv holds a non-string" },
		{ HEAD "\"argv\":\"a\"}", "argv is no array" },
		{ HEAD "\"key\":\"L:" LONG64 "\"}", "a malformed key, time or device" },
		{ HEAD "\"key\":\"L:1:2:3\\u0000\"}", "a malformed key, time or device" },
		{ HEAD "\"key\":\"L:1:2\"}", "a malformed key" },
		{ HEAD "\"image_dev\":\"8-1\"}", "a malformed device" },
		{ HEAD "\"image_dev\":\"x:1\"}", "a malformed device" },
		{ HEAD "\"image_dev\":\"4294967296:1\"}", "a malformed device" },
		{ HEAD "\"image_dev\":\"8:4294967296\"}", "a malformed device" },
		{ HEAD "\"pid\":\"1\"}", "a field of the wrong type" },
		{ HEAD "\"comm\":1}", "a field of the wrong type" },
		{ HEAD "\"seq\":-1}", "a number out of range" },
		{ HEAD "\"image_ino\":-1}", "a number out of range" },
		{ HEAD "\"signal\":2147483648}", "a number out of range" },
		{ HEAD "\"signal\":-2147483649}", "a number out of range" },
		{ HEAD "\"duration_ns\":9223372036854775808}", "a number out of range" },
		{ HEAD "\"duration_ns\":-9223372036854775809}", "a number out of range" },
		{ HEAD "\"tty\":\"0123456789012345678901234567890x\"}", "a malformed tty" },
		{ HEAD "\"tty\":\"pts\\u00003\"}", "a malformed tty" },
		{ HEAD "\"argv_truncated\":1}", "a flag that is not true or false" },
		{ "{\"seq\":1,\"type\":2,\"time\":\"2026-01-02T03:04:05Z\"}", "an unknown event type" },
		{ "{\"seq\":1,\"type\":\"?\",\"time\":\"2026-01-02T03:04:05Z\"}", "an unknown event type" },
		{ "{\"seq\":1,\"type\":\"fork\",\"time\":1}", "a malformed time" },
		{ "{\"seq\":1,\"type\":\"fork\",\"time\":\"2026-01-02T03:04:05.00000000000000000000000000000000000000Z\"}",
		  "a malformed key, time or device" },
		{ HEAD "\"by_type\":{\"fork\":-1}}", "a malformed by_type" },
		{ HEAD "\"by_type\":{\"fork\":\"1\"}}", "a malformed by_type" },
		{ HEAD "\"by_type\":{fork:1}}", "a malformed by_type" },
		{ HEAD "\"by_type\":{\"fork\" 1}}", "a malformed by_type" },
		{ HEAD "\"by_type\":{\"fork\":1", "by_type not closed" },
		{ HEAD "\"reason\":1}", "an unknown lost reason" },
		{ HEAD "\"nt_status\":1}", "a malformed nt_status" },
		{ HEAD "\"nt_status\":\"C0000005\"}", "a malformed nt_status" },
		{ HEAD "\"nt_status\":\"0x1ffffffff\"}", "a malformed nt_status" },
		{ HEAD "\"nt_status\":\"0xzz\"}", "a malformed nt_status" },
		{ HEAD "\"rules\":\"a\"}", "rules is no array" },
		{ HEAD "1:2}", "a malformed member" },
		{ HEAD "\"a\" 2}", "a malformed member" },
		{ HEAD "\"pid\":1 \"ppid\":2}", "the object is not closed" },
		{ HEAD "\"argv\":[\"a\x01\"]}", "a control byte in a string" },
		{ HEAD "\"image_dev\":\"81\"}", "a malformed device" },
		{ HEAD "\"image_dev\":\"1234567890123456789012345:1\"}", "a malformed key, time or device" },
		{ HEAD "\"by_type\":{\"fork\":1,}}", "a malformed by_type" },
		{ HEAD "\"by_type\":{\"fork\":}}", "not an integer" },
		{ HEAD "\"by_type\":{\"fo\x01\":1}}", "a control byte in a string" },
		{ HEAD "\"reason\":\"stora\"}", "an unknown lost reason" },
		{ HEAD "\"nt_status\":\"0x1234567890123456\"}", "a malformed key, time or device" },
		{ HEAD "\"exit_code\":tru}", "not JSON" },
		{ HEAD "\"a\x01\":1}", "a control byte in a string" },
		{ HEAD "\"comm\":\"\\u00g0\"}", "a bad \\u escape" },
		{ HEAD "\"comm\":\"\\u00G0\"}", "a bad \\u escape" },
		{ HEAD "\"comm\":\"\\ud83d\"}", "a lone surrogate" },
		{ HEAD "\"comm\":\"\\ud83d\\nabcdef\"}", "a lone surrogate" },
		{ HEAD "\"future\":{\"a\x01\":1}}", "a control byte in a string" },
		{ HEAD "\"future\":{\"a\":1,\"b\"}}", "a bad object" },
		{ "{}", "no seq, type or time: not a procnotify event" },
		{ "{\"seq\":0,\"type\":\"fork\",\"time\":\"2026-01-02T03:04:05Z\"}",
		  "no seq, type or time: not a procnotify event" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *scratch = malloc(strlen(bad[i].line) + 1);
		const char *why = NULL;
		pn_event ev;
		int rc = pn__json_read_event(bad[i].line, strlen(bad[i].line), scratch, &ev, &why);

		CHECK(rc == -EINVAL);
		CHECK_STR(why, bad[i].why);
		if (rc != -EINVAL || !why || strcmp(why, bad[i].why))
			fprintf(stderr, "  line %zu: %s\n", i, bad[i].line);
		free(scratch);
	}
}

/* Values at the edges of their ranges, and the forms json.c writes that
 * the golden lines do not hold: each read as the number or bytes it says. */
static void accepted_edges(void)
{
	static const char exit_line[] =
		"{ \"seq\" :\t18446744073709551615 ,\r\n\"type\":\"exit\",\"time\":\"2026-01-02T03:04:05Z\","
		"\"pid\":4294967295,\"signal\":-2147483648,\"duration_ns\":-9223372036854775808,"
		"\"exit_code\":4294967295,\"nt_status\":\"0xC0000005\",\"core_dumped\":true,"
		"\"key\":\"?:00000000000000ff:12:34\",\"image_dev\":\"4294967295:0\","
		"\"argv_truncated\":false,\"comm\":\"\\u20ac\\u00E9\\uABCD\\ue000\","
		"\"future\":[],\"other\":{},\"more\":[1,\"x\",null,true,false,{\"a\":[]}],\"n\":7,"
		"\"argv\":[],\"rules\":[\"r1\",\"r2\"],\"tty\":\"\"} ";
	static const char lost_line[] =
		"{\"seq\":5,\"type\":\"lost\",\"time\":\"2026-01-02T03:04:05Z\",\"count\":null,"
		"\"by_type\":{},\"reason\":\"output\"}";
	static const char lost2_line[] =
		"{\"seq\":5,\"type\":\"lost\",\"time\":\"2026-01-02T03:04:05Z\",\"count\":3,"
		"\"by_type\":{\"exec\":2,\"nope\":9,\"exit\":1},\"reason\":\"store\"}";
	char scratch[sizeof(exit_line)];
	pn_event ev;

	CHECK(read_line(exit_line, &ev, scratch) == 0);
	CHECK(ev.seq == UINT64_MAX && ev.type == PN_EVENT_EXIT && ev.pid == UINT32_MAX);
	CHECK(ev.signal == INT32_MIN && ev.duration_ns == INT64_MIN);
	CHECK(ev.exit_code == -1 && ev.nt_status == 0xC0000005 && (ev.have & PN_HAVE_NTSTATUS));
	CHECK(ev.core_dumped == 1);
	CHECK(ev.key.os == 0 && ev.key.boot == 0xff && ev.key.start_ns == 12 && ev.key.pid == 34);
	CHECK(ev.image_dev.major == UINT32_MAX && ev.image_dev.minor == 0);
	CHECK(!(ev.flags & PN_EV_ARGV_TRUNCATED));
	CHECK(ev.comm.len == 3 + 2 + 3 + 3 &&
	      !memcmp(ev.comm.ptr, "\xe2\x82\xac\xc3\xa9\xea\xaf\x8d\xee\x80\x80", 11));
	CHECK((ev.have & PN_HAVE_ARGV) && ev.argc == 0 && ev.argv.len == 0);
	CHECK(ev.rules.len == 6 && !memcmp(ev.rules.ptr, "r1\0r2\0", 6));
	CHECK((ev.have & PN_HAVE_TTY) && ev.tty[0] == 0);

	CHECK(read_line(lost_line, &ev, scratch) == 0);
	CHECK(ev.type == PN_EVENT_LOST && !ev.lost_count_known && ev.lost_count == 0);
	CHECK(ev.lost_reason == PN_LOST_OUTPUT);
	for (int t = 0; t < PN_LOST_SLOTS; t++)
		CHECK(ev.lost_by_type[t] == 0);
	CHECK(read_line(lost2_line, &ev, scratch) == 0);
	CHECK(ev.lost_count_known && ev.lost_count == 3 && ev.lost_reason == PN_LOST_STORE);
	CHECK(ev.lost_by_type[PN_EVENT_EXEC] == 2 && ev.lost_by_type[PN_EVENT_EXIT] == 1 &&
	      ev.lost_by_type[PN_EVENT_FORK] == 0);
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
	refused_why();
	accepted_edges();
	return pn_test_done("test_json_in");
}
