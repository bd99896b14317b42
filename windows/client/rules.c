/*
 * --deny RULE: a rule is one or two fields separated by a tab,
 * "image=GLOB" and "cmdline=SUBSTRING" (pn_ioctl.h says how each matches);
 * every --deny of one run becomes one set, which replaces the driver's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include "client.h"

/* Puts one field's value in *image or *cmdline; -1 for an unknown field or a repeat. */
static int pnc_rule_field(wchar_t *f, const wchar_t **image, const wchar_t **cmdline)
{
	const wchar_t **slot = NULL;

	if (!wcsncmp(f, L"image=", 6))
		slot = image;
	else if (!wcsncmp(f, L"cmdline=", 8))
		slot = cmdline;
	if (!slot || *slot)
		return -1;
	*slot = wcschr(f, L'=') + 1;
	return 0;
}

/* Appends one rule to the request at *off; -1 when it is malformed or too long. */
static int pnc_add_rule(unsigned char *req, size_t cap, size_t *off, wchar_t *text)
{
	const wchar_t *image = NULL, *cmdline = NULL;
	wchar_t *tab = wcschr(text, L'\t');
	struct pn_win_deny_rule r = { 0, 0, 0 };
	size_t ni, nc, n;

	if (tab)
		*tab = 0;
	if (pnc_rule_field(text, &image, &cmdline) || (tab && pnc_rule_field(tab + 1, &image, &cmdline)))
		return -1;
	ni = image ? wcslen(image) : 0;
	nc = cmdline ? wcslen(cmdline) : 0;
	n = (2 * (ni + nc) + 7) & ~(size_t)7;
	if (ni + nc == 0 || ni > PN_WIN_DENY_MAX_UNITS || nc > PN_WIN_DENY_MAX_UNITS ||
	    cap - *off < sizeof(r) + n)
		return -1;
	r.image_len = (pn_u16)(2 * ni);
	r.cmdline_len = (pn_u16)(2 * nc);
	memcpy(req + *off, &r, sizeof(r));
	memset(req + *off + sizeof(r), 0, n);
	memcpy(req + *off + sizeof(r), image, 2 * ni);
	memcpy(req + *off + sizeof(r) + 2 * ni, cmdline, 2 * nc);
	*off += sizeof(r) + n;
	return 0;
}

int pnc_set_deny(HANDLE dev, wchar_t **rules, int n)
{
	static unsigned char req[sizeof(struct pn_win_deny_set) +
				 PN_WIN_DENY_MAX_RULES * (sizeof(struct pn_win_deny_rule) +
							  4 * PN_WIN_DENY_MAX_UNITS + 8)];
	struct pn_win_deny_set set = { (pn_u32)n, 0 };
	size_t off = sizeof(set);

	if (n > PN_WIN_DENY_MAX_RULES) {
		fprintf(stderr, "procnotify: at most %d deny rules\n", PN_WIN_DENY_MAX_RULES);
		return 2;
	}
	for (int i = 0; i < n; i++) {
		if (pnc_add_rule(req, sizeof(req), &off, rules[i])) {
			fprintf(stderr, "procnotify: bad deny rule %d: want image=GLOB and/or "
					"cmdline=TEXT, separated by a tab, each at most %d characters\n",
				i + 1, PN_WIN_DENY_MAX_UNITS);
			return 2;
		}
	}
	memcpy(req, &set, sizeof(set));
	if (pnc_ioctl(dev, IOCTL_PN_SET_DENY, req, (DWORD)off, NULL, 0, NULL)) {
		pnc_print_error("setting the deny rules", GetLastError());
		return 1;
	}
	printf("%d deny rule%s in force\n", n, n == 1 ? "" : "s");
	return 0;
}
