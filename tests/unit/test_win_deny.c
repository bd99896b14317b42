/*
 * The Windows driver's deny rules (windows/common/pn_deny.c), run on Linux:
 * the request format the client sends, its refusal of malformed requests,
 * and the match of a creation's image (glob) and command line (substring).
 */
#include <stdint.h>
#include "check.h"
#include "pn_deny.h"

static uint64_t req_mem[1024];
static unsigned char *const req = (unsigned char *)req_mem;

/* UTF-16 of an ASCII string, in a static buffer per slot. */
static const pn_u16 *u16(int slot, const char *s, pn_u32 *units)
{
	static pn_u16 buf[4][1024];

	*units = (pn_u32)strlen(s);
	for (pn_u32 i = 0; i < *units; i++)
		buf[slot][i] = (unsigned char)s[i];
	return buf[slot];
}

/* Appends one rule at *off; returns the new request length. */
static pn_u32 add_rule(pn_u32 *off, const char *image, const char *cmdline)
{
	struct pn_win_deny_rule r = { (pn_u16)(2 * strlen(image)), (pn_u16)(2 * strlen(cmdline)), 0 };
	pn_u32 n;
	const pn_u16 *s;

	memcpy(req + *off, &r, sizeof(r));
	*off += sizeof(r);
	s = u16(0, image, &n);
	memcpy(req + *off, s, 2 * n);
	s = u16(0, cmdline, &n);
	memcpy(req + *off + r.image_len, s, 2 * n);
	*off += (r.image_len + r.cmdline_len + 7u) & ~7u;
	((struct pn_win_deny_set *)req)->count++;
	return *off;
}

static int match(const struct pn_deny_set *set, const char *image, const char *cmdline)
{
	pn_u32 ni, nc;
	const pn_u16 *i = image ? u16(1, image, &ni) : NULL, *c = cmdline ? u16(2, cmdline, &nc) : NULL;

	return pn_deny_match(set, i, i ? ni : 0, c, c ? nc : 0);
}

static void test_glob(void)
{
	static const struct { const char *pat, *s; int want; } cases[] = {
		{ "*\\notepad.exe", "\\??\\C:\\Windows\\System32\\notepad.exe", 1 },
		{ "*\\NOTEPAD.EXE", "\\??\\C:\\Windows\\System32\\notepad.exe", 1 },
		{ "*\\notepad.exe", "\\??\\C:\\Windows\\System32\\notepad.exe.bak", 0 },
		{ "*\\Temp\\*.exe", "\\??\\C:\\Users\\a\\AppData\\Local\\Temp\\x\\y.exe", 1 },
		{ "*\\Temp\\*.exe", "\\??\\C:\\Users\\a\\Temp.exe", 0 },
		{ "C:\\a?c", "C:\\abc", 1 }, { "C:\\a?c", "C:\\ac", 0 },
		{ "*", "", 1 }, { "a*", "", 0 }, { "**a**", "xxaxx", 1 },
		{ "*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac", 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pn_u32 np, ns;
		const pn_u16 *p = u16(1, cases[i].pat, &np), *s = u16(2, cases[i].s, &ns);
		int got = pn_deny_glob(p, np, s, ns);

		if (got != cases[i].want)
			fprintf(stderr, "glob %s ~ %s: got %d\n", cases[i].pat, cases[i].s, got);
		CHECK(got == cases[i].want);
	}
}

static void test_rules(void)
{
	static struct pn_deny_set set;
	pn_u32 off = sizeof(struct pn_win_deny_set), len;

	memset(req_mem, 0, sizeof(req_mem));
	add_rule(&off, "*\\evil.exe", "");
	add_rule(&off, "", "--steal");
	len = add_rule(&off, "*\\powershell.exe", "-enc ");
	CHECK(pn_deny_parse(req, len, &set) == 0 && set.count == 3);
	CHECK(match(&set, "\\??\\C:\\x\\EVIL.exe", NULL) == 0);
	CHECK(match(&set, "\\??\\C:\\x\\good.exe", "good.exe --steal it") == 1);
	CHECK(match(&set, "\\??\\C:\\x\\good.exe", "good.exe --STEAL it") == -1);
	CHECK(match(&set, "\\??\\C:\\W\\powershell.exe", "powershell -enc AAAA") == 2);
	CHECK(match(&set, "\\??\\C:\\W\\powershell.exe", "powershell -File x") == -1);
	/* Unknown strings match no rule that tests them. */
	CHECK(match(&set, NULL, "powershell -enc AAAA") == -1);
	CHECK(match(&set, "\\??\\C:\\W\\powershell.exe", NULL) == -1);
	CHECK(match(NULL, "\\??\\C:\\x\\evil.exe", NULL) == -1);
	/* No rules: nothing denied. */
	((struct pn_win_deny_set *)req)->count = 0;
	CHECK(pn_deny_parse(req, sizeof(struct pn_win_deny_set), &set) == 0 && set.count == 0);
	CHECK(match(&set, "\\??\\C:\\x\\evil.exe", "") == -1);
}

static void test_malformed(void)
{
	static struct pn_deny_set set;
	struct pn_win_deny_set *h = (struct pn_win_deny_set *)req;
	struct pn_win_deny_rule *r = (struct pn_win_deny_rule *)(h + 1);
	pn_u32 off = sizeof(*h), len;

	memset(req_mem, 0, sizeof(req_mem));
	len = add_rule(&off, "*\\a.exe", "b");
	CHECK(pn_deny_parse(req, len, &set) == 0);
	CHECK(pn_deny_parse(NULL, 0, &set) == -1);
	CHECK(pn_deny_parse(req, 4, &set) == -1);          /* short header */
	CHECK(pn_deny_parse(req, len - 8, &set) == -1);    /* strings cut */
	CHECK(pn_deny_parse(req, len + 8, &set) == -1);    /* bytes after the last rule */
	h->count = 2;
	CHECK(pn_deny_parse(req, len, &set) == -1);        /* a rule missing */
	h->count = PN_WIN_DENY_MAX_RULES + 1;
	CHECK(pn_deny_parse(req, len, &set) == -1);
	h->count = 1;
	r->image_len = 3;
	CHECK(pn_deny_parse(req, len, &set) == -1);        /* odd byte count */
	r->image_len = 0xfffe;
	CHECK(pn_deny_parse(req, len, &set) == -1);        /* past the end, and too long */
	*r = (struct pn_win_deny_rule){ 0, 0, 0 };
	CHECK(pn_deny_parse(req, sizeof(*h) + sizeof(*r), &set) == -1); /* would deny all */
}

int main(void)
{
	test_glob();
	test_rules();
	test_malformed();
	return pn_test_done("test_win_deny");
}
