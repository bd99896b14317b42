/*
 * ECS documents (pn_fmt_ecs) of the golden events, which are read back
 * from tests/golden/events.jsonl: every type, hostile names, a hostile
 * host, lost records. They must match tests/golden/events.ecs.jsonl byte
 * for byte (PN_UPDATE_GOLDEN=1 rewrites it: review the diff), each a
 * valid JSON object with no name twice in one object; suite 46-ecs
 * checks their meaning against the JSON field by field.
 */
#include <stdio.h>
#include <stdlib.h>
#include "procnotify/format.h"
#include "procnotify/store.h"
#include "check.h"
#include "jsoncheck.h"

static void render(const char *in, pn_buf *out)
{
	static const pn_fmt_ecs_extra x = { "0123456789abcdef0123456789abcdef", "alice", "staff" };
	FILE *f = fopen(in, "r");
	char *line = NULL, *scratch;
	size_t cap = 0;
	ssize_t n;
	const char *why;
	pn_event ev;

	CHECK(f != NULL);
	while (f && (n = getline(&line, &cap, f)) > 0) {
		scratch = malloc((size_t)n);
		size_t start = out->len;

		CHECK(scratch && pn__json_read_event(line, (size_t)n, scratch, &ev, &why) == 0);
		pn_fmt_ecs(out, &ev, &x);
		/* Valid JSON, without a name twice in one object. */
		CHECK(json_line_ok(out->data + start, out->len - start));
		free(scratch);
	}
	if (f)
		fclose(f);
	free(line);
}

int main(void)
{
	const char *dir = getenv("PN_GOLDEN_DIR") ? getenv("PN_GOLDEN_DIR") : "tests/golden";
	char in[512], path[512];
	pn_buf got = { 0 };
	FILE *f;
	char *want;
	long n;

	snprintf(in, sizeof(in), "%s/events.jsonl", dir);
	snprintf(path, sizeof(path), "%s/events.ecs.jsonl", dir);
	render(in, &got);
	CHECK(got.len > 0 && !got.oom);
	if (getenv("PN_UPDATE_GOLDEN")) {
		f = fopen(path, "wb");
		CHECK(f && fwrite(got.data, 1, got.len, f) == got.len);
		if (f)
			fclose(f);
		return pn_test_done("test_ecs");
	}
	f = fopen(path, "rb");
	CHECK(f != NULL);
	if (f) {
		fseek(f, 0, SEEK_END);
		n = ftell(f);
		rewind(f);
		want = malloc((size_t)n + 1);
		CHECK(want && fread(want, 1, (size_t)n, f) == (size_t)n);
		CHECK((size_t)n == got.len && !memcmp(want, got.data, got.len));
		if ((size_t)n != got.len || memcmp(want, got.data, got.len))
			fprintf(stderr, "%s differs; got:\n%s\n", path, got.data);
		free(want);
		fclose(f);
	}
	pn_buf_free(&got);
	return pn_test_done("test_ecs");
}
