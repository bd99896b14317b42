/*
 * The glob keeps one backtracking point, the last '*' seen: on a mismatch
 * that star takes one more unit. Its cost is bounded by pattern units
 * (PN_WIN_DENY_MAX_UNITS) times image units, for any pattern.
 */
#include <string.h>
#include "pn_deny.h"

static pn_u16 fold(pn_u16 c)
{
	return c >= 'a' && c <= 'z' ? (pn_u16)(c - 'a' + 'A') : c;
}

int pn_deny_glob(const pn_u16 *pat, pn_u32 np, const pn_u16 *s, pn_u32 ns)
{
	pn_u32 p = 0, i = 0, star = (pn_u32)-1, resume = 0;

	while (i < ns) {
		if (p < np && pat[p] == '*') {
			star = p++;
			resume = i;
		} else if (p < np && (pat[p] == '?' || fold(pat[p]) == fold(s[i]))) {
			p++;
			i++;
		} else if (star != (pn_u32)-1) {
			p = star + 1;
			i = ++resume;
		} else {
			return 0;
		}
	}
	while (p < np && pat[p] == '*')
		p++;
	return p == np;
}

static int contains(const pn_u16 *hay, pn_u32 nh, const pn_u16 *needle, pn_u32 nn)
{
	for (pn_u32 i = 0; nn <= nh && i <= nh - nn; i++)
		if (memcmp(hay + i, needle, nn * sizeof(*needle)) == 0)
			return 1;
	return 0;
}

int pn_deny_parse(const void *req, pn_u32 len, struct pn_deny_set *set)
{
	const unsigned char *p = req;
	struct pn_win_deny_set h;
	pn_u32 off = sizeof(h);

	if (!req || len < sizeof(h))
		return -1;
	memcpy(&h, p, sizeof(h));
	if (h.count > PN_WIN_DENY_MAX_RULES)
		return -1;
	for (pn_u32 i = 0; i < h.count; i++) {
		struct pn_win_deny_rule r;
		struct pn_deny_rule *d = &set->rule[i];
		pn_u32 n;

		if (len - off < sizeof(r))
			return -1;
		memcpy(&r, p + off, sizeof(r));
		n = ((pn_u32)r.image_len + r.cmdline_len + 7) & ~7u;
		if (((r.image_len | r.cmdline_len) & 1) || (r.image_len | r.cmdline_len) == 0 ||
		    r.image_len > 2 * PN_WIN_DENY_MAX_UNITS ||
		    r.cmdline_len > 2 * PN_WIN_DENY_MAX_UNITS || len - off - sizeof(r) < n)
			return -1;
		off += sizeof(r);
		/* The request is a copy at an 8-aligned address: the strings are 2-aligned. */
		*d = (struct pn_deny_rule){ (const pn_u16 *)(p + off),
					    (const pn_u16 *)(p + off + r.image_len),
					    r.image_len / 2u, r.cmdline_len / 2u };
		off += n;
	}
	set->count = h.count;
	return off == len ? 0 : -1;
}

int pn_deny_match(const struct pn_deny_set *set, const pn_u16 *image, pn_u32 image_units,
		  const pn_u16 *cmdline, pn_u32 cmdline_units)
{
	for (pn_u32 i = 0; set && i < set->count; i++) {
		const struct pn_deny_rule *r = &set->rule[i];

		if (r->image_units && (!image || !pn_deny_glob(r->image, r->image_units, image,
							       image_units)))
			continue;
		if (r->cmdline_units && (!cmdline || !contains(cmdline, cmdline_units, r->cmdline,
								r->cmdline_units)))
			continue;
		return (int)i;
	}
	return -1;
}
