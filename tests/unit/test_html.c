/*
 * HTML escaping (text and attribute values, JSON data islands) and the
 * tree page: hostile names come out as visible text that can neither end
 * an element nor start one, and a page of any tree has exactly the
 * elements the formatter writes.
 */
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "procnotify/html.h"

static const char *run(void (*esc)(pn_buf *, const char *, size_t), const char *s, size_t n)
{
	static pn_buf b;

	pn_buf_reset(&b);
	esc(&b, s, n);
	pn_buf_putc(&b, 0);
	return b.data;
}

#define H(s) run(pn__esc_html, s, sizeof(s) - 1)
#define J(s) run(pn__esc_html_json, s, sizeof(s) - 1)
#define Q(s) run(pn__html_json_quote, s, sizeof(s) - 1)
#define E(s) run(pn__html_entities, s, sizeof(s) - 1)

static void text_cases(void)
{
	CHECK_STR(H("plain /usr/bin/x"), "plain /usr/bin/x");
	CHECK_STR(H("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
	CHECK_STR(H("a\"b'c&d"), "a&quot;b&#39;c&amp;d");
	CHECK_STR(H("&lt;"), "&amp;lt;");
	CHECK_STR(H("\x1b[31mred\x01\n"), "\\x1b[31mred\\x01\\n");
	CHECK_STR(H("nul\0x"), "nul\\x00x");
	CHECK_STR(H("bad\xff"), "bad\\xff");
	CHECK_STR(H("abc\xe2\x80\xaetxt"), "abc\\u202etxt"); /* RLO, seen not obeyed */
	CHECK_STR(H("caf\xc3\xa9"), "caf\xc3\xa9");
	CHECK_STR(H("back\\slash"), "back\\\\slash");
	CHECK_STR(H(""), "");
	/* Text the table's pieces escaped already: entities only. */
	CHECK_STR(E("a \\x1b \"b c\" <i>&"), "a \\x1b &quot;b c&quot; &lt;i&gt;&amp;");
}

static void json_cases(void)
{
	CHECK_STR(J("plain"), "\"plain\"");
	CHECK_STR(J("</script><!--"), "\"\\u003c/script\\u003e\\u003c!--\"");
	CHECK_STR(J("<script>alert(1)</script>"),
		  "\"\\u003cscript\\u003ealert(1)\\u003c/script\\u003e\"");
	CHECK_STR(J("a\"b'c&d"), "\"a\\\"b'c\\u0026d\"");
	/* The table's visible escapes, each backslash escaped for JSON. */
	CHECK_STR(J("\x1b[31m\x01"), "\"\\\\x1b[31m\\\\x01\"");
	CHECK_STR(J("x\\y"), "\"x\\\\\\\\y\"");
	CHECK_STR(J("bad\xff\xe2\x80\xa8"), "\"bad\\\\xff\\\\u2028\"");
	CHECK_STR(J("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
	CHECK_STR(Q("already \\x1b \"q\""), "\"already \\\\x1b \\\"q\\\"\"");
	CHECK_STR(Q("ctl\x01\x7f<"), "\"ctl\\u0001\\u007f\\u003c\"");
}

/* Counts the occurrences of needle in hay. */
static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static pn_proc_node node(uint32_t pid, const char *image, const char *argv, size_t argv_len)
{
	pn_proc_node p;

	memset(&p, 0, sizeof(p));
	p.pid = pid;
	p.key = (pn_key){ 0x1122334455667788ULL, 1000, pid, 'L' };
	p.have = PN_HAVE_IMAGE | PN_HAVE_UID | (argv ? PN_HAVE_ARGV : 0);
	p.image = (pn_str){ image, strlen(image) };
	p.argv = (pn_str){ argv, argv_len };
	p.uid = 0;
	p.start_ns = 1796169600000000000LL;
	return p;
}

static void tree_page(void)
{
	static const char hostile_argv[] = "x\0</script><img src=x onerror=alert(1)>\0\"'&\x1b\0";
	pn_buf out = { 0 };
	pn_fmt_html_tree t = { .out = &out };
	pn_proc_node a = node(10, "/bin/<script>alert(1)</script>", hostile_argv,
			      sizeof(hostile_argv) - 1);
	pn_proc_node b = node(11, "/bin/ok", NULL, 0);

	a.end_ns = a.start_ns + 5000000;
	a.signal = 9;
	b.observed_at_start = 1;
	pn__fmt_html_tree_begin(&t, "procnotify tree <b>1</b>");
	pn__fmt_html_tree_node(&t, &a, 0, 1, "r<o>ot");
	pn__fmt_html_tree_node(&t, &b, 1, 0, NULL);
	pn__fmt_html_tree_end(&t);
	pn_buf_putc(&out, 0);
	CHECK(count(out.data, "<script") == 2);       /* the data island and the script */
	CHECK(count(out.data, "</script>") == 2);
	CHECK(count(out.data, "<img") == 0);
	CHECK(count(out.data, "<b>") == 0);
	CHECK(strstr(out.data, "<title>procnotify tree &lt;b&gt;1&lt;/b&gt;</title>") != NULL);
	CHECK(strstr(out.data, "[0,10,1,\"/bin/\\u003cscript\\u003ealert(1)\\u003c/script\\u003e\","
			       "\"x \\\"\\u003c/script\\u003e\\u003cimg src=x onerror=alert(1)\\u003e"
			       "\\\" \\\"\\\\\\\"'\\u0026\\\\x1b\\\"\",\"r\\u003co\\u003eot (0)\","
			       "1796169600000000,1796169600005000,\"killed by SIGKILL\",\"sig\","
			       "\"L:1122334455667788:1000:10\"]") != NULL);
	CHECK(strstr(out.data, "[1,11,0,\"/bin/ok\",\"\",\"uid 0\",1796169600000000,null,"
			       "\"no exit recorded; observed at start\",\"run\",\"L:1122334455667788:1000:11\"]") != NULL);
	CHECK(strstr(out.data, "script-src 'sha256-") != NULL);
	CHECK(strstr(out.data, "default-src 'none'") != NULL);
	pn__fmt_html_tree_free(&t);
	pn_buf_free(&out);
}

int main(void)
{
	text_cases();
	json_cases();
	tree_page();
	return pn_test_done("test_html");
}
