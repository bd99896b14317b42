/*
 * Deny rules for process creation (IOCTL_PN_SET_DENY, format in
 * pn_ioctl.h): parsing the request and matching a creation against it.
 *
 * Portable C with no locking and no allocation: the driver keeps the request
 * in its own memory and swaps whole rule sets under its lock; a Linux unit
 * test runs the parser and the matcher.
 */
#ifndef PN_DENY_H
#define PN_DENY_H
#include "pn_ioctl.h"

struct pn_deny_rule {
	const pn_u16 *image;   /* glob, UTF-16; units 0: any image */
	const pn_u16 *cmdline; /* substring, UTF-16; units 0: any command line */
	pn_u32 image_units, cmdline_units;
};

struct pn_deny_set {
	pn_u32 count;
	struct pn_deny_rule rule[PN_WIN_DENY_MAX_RULES];
};

/*
 * Checks the request (len bytes at req) and points set's rules into it, so
 * req must outlive set. Returns 0, or -1 when it is malformed: short, a
 * string past its end or of odd length, too many rules or units, a rule
 * with no string.
 */
int pn_deny_parse(const void *req, pn_u32 len, struct pn_deny_set *set);

/*
 * The first rule the creation matches, or -1. A NULL string is unknown and
 * matches no rule that tests it.
 */
int pn_deny_match(const struct pn_deny_set *set, const pn_u16 *image, pn_u32 image_units,
		  const pn_u16 *cmdline, pn_u32 cmdline_units);

/* The glob alone: '*' any run, '?' one unit, ASCII letters in either case. */
int pn_deny_glob(const pn_u16 *pat, pn_u32 np, const pn_u16 *s, pn_u32 ns);
#endif
