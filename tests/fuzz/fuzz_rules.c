/*
 * The rule language: any text as a rules file, its first line also as a
 * `query --where` expression. Either refused with one message
 * "fuzz.rules:LINE:COL: why" that points inside the text and leaves the set
 * as it was, or compiled and evaluated on a few events (with ancestors)
 * to a sane verdict.
 */
#include <errno.h>
#include "procnotify/rules.h"
#include "fuzz.h"

static int ancestor(void *user, unsigned depth, pn_str *image)
{
	static const char *const chain[] = { "/usr/bin/bash", NULL, "/usr/sbin/sshd", "/sbin/init" };

	(void)user;
	if (depth > 4)
		return -ENOENT;
	if (!chain[depth - 1])
		return 1;
	*image = (pn_str){ chain[depth - 1], strlen(chain[depth - 1]) };
	return 0;
}

/* "ORIGIN:LINE:COL: why", LINE in the text's lines, COL on that line or
 * just past its end. */
static void check_error(const char *err, const char *text, size_t len)
{
	unsigned line, col, lines = 1;
	int used = 0;
	const char *p = text, *nl;

	FUZZ_ASSERT(sscanf(err, "fuzz.rules:%u:%u: %n", &line, &col, &used) == 2 && used > 0);
	FUZZ_ASSERT(err[used] && !strchr(err, '\n'));
	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	FUZZ_ASSERT(line >= 1 && line <= lines && col >= 1);
	for (unsigned l = 1; l < line; l++)
		p = memchr(p, '\n', len - (size_t)(p - text)) + 1;
	nl = memchr(p, '\n', len - (size_t)(p - text));
	FUZZ_ASSERT(col <= (size_t)((nl ? nl : text + len) - p) + 1);
}

static void evaluate(const pn_rules *r)
{
	static const char argv[] = "curl\0-o\0/tmp/x";
	pn_event ev;
	uint8_t sha[32] = { 1 };

	memset(&ev, 0, sizeof(ev));
	for (int t = PN_EVENT_FORK; t <= PN_EVENT_EXIT; t++) {
		pn_rules_input in = { &ev, t == PN_EVENT_EXEC ? sha : NULL, ancestor, NULL };
		pn_rules_verdict v;

		ev.type = (enum pn_event_type)t;
		ev.have = PN_HAVE_UID | PN_HAVE_IMAGE | PN_HAVE_COMM | PN_HAVE_ARGV | PN_HAVE_PARENT;
		ev.image = (pn_str){ "/usr/bin/curl", 13 };
		ev.comm = (pn_str){ "curl", 4 };
		ev.argv = (pn_str){ argv, sizeof(argv) };
		ev.exit_code = t == PN_EVENT_EXIT ? 3 : 0;
		FUZZ_ASSERT(pn_rules_eval(r, &in, PN_RULES_OUTPUT | PN_RULES_DENY, &v) == 0);
		FUZZ_ASSERT(v.keep == 0 || v.keep == 1);
		FUZZ_ASSERT(v.ntags <= PN_RULES_MAX_TAGS && (v.keep || !v.ntags));
		for (unsigned i = 0; i < v.ntags; i++)
			FUZZ_ASSERT(v.tags[i] && v.tags[i][0]);
		FUZZ_ASSERT(!v.deny || v.deny[0]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pn_rules_origin at = { "fuzz.rules", 1, 1 };
	char *text = fuzz_cstr(data, size), err[512];
	pn_rules *r, *e;
	size_t first = strcspn(text, "\n");

	FUZZ_ASSERT(pn_rules_new(&r) == 0);
	if (pn_rules_add(r, text, size, &at, err, sizeof(err)) == 0) {
		evaluate(r);
	} else {
		check_error(err, text, size);
		FUZZ_ASSERT(pn_rules_count(r, 0) == 0);
	}
	pn_rules_free(r);
	/* The first line as an expression (NUL-terminated: stop at a NUL). */
	text[first] = 0;
	if (pn_rules_compile_expr(&e, text, &at, err, sizeof(err)) == 0) {
		FUZZ_ASSERT(pn_rules_count(e, PN_RULE_KEEP) == 1);
		evaluate(e);
		pn_rules_free(e);
	} else {
		FUZZ_ASSERT(e == NULL && strncmp(err, "fuzz.rules:1:", 13) == 0);
	}
	free(text);
	return 0;
}
