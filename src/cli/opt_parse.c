/*
 * Value parsers for option rows. Strict: a value is taken whole or refused
 * with the reason, never wrapped, rounded or clamped into something else.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

static int fail(struct pn_opt_call *c, const char *fmt, long long v)
{
	snprintf(c->why, sizeof(c->why), fmt, v);
	return -1;
}

int pn_opt_flag(struct pn_opt_call *c)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcmp(c->arg, yes[i]) || !strcmp(c->arg, no[i])) {
			*(int *)c->dest = !strcmp(c->arg, yes[i]);
			return 0;
		}
	}
	return fail(c, "expected true or false (yes or no)", 0);
}

int pn_opt_string(struct pn_opt_call *c)
{
	if (!*c->arg)
		return fail(c, "empty", 0);
	*(const char **)c->dest = c->arg;
	return 0;
}

/* A decimal number with, when suffixes is set, K, M or G (powers of 1024),
 * checked against the row's bounds (max 0: UINT32_MAX). */
static int parse_u64(struct pn_opt_call *c, int suffixes, uint64_t *out)
{
	uint64_t max = c->row->max ? (uint64_t)c->row->max : UINT32_MAX;
	unsigned shift = 0;
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)c->arg[0]))
		return fail(c, "not a number", 0);
	errno = 0;
	v = strtoull(c->arg, &end, 10);
	if (suffixes && *end && strchr("KkMmGg", *end))
		shift = strchr("Kk", *end) ? 10 : strchr("Mm", *end) ? 20 : 30, end++;
	if (*end)
		return fail(c, suffixes ? "not a number (K, M, G suffixes)" : "not a number", 0);
	if (errno || v > (max >> shift))
		return fail(c, "out of range: at most %lld", (long long)max);
	v <<= shift;
	if (v < (uint64_t)c->row->min)
		return fail(c, "out of range: at least %lld", c->row->min);
	*out = v;
	return 0;
}

int pn_opt_u32(struct pn_opt_call *c)
{
	uint64_t v;

	if (parse_u64(c, 0, &v))
		return -1;
	*(uint32_t *)c->dest = (uint32_t)v;
	return 0;
}

int pn_opt_bytes(struct pn_opt_call *c)
{
	uint64_t v;

	if (parse_u64(c, 1, &v))
		return -1;
	*(uint32_t *)c->dest = (uint32_t)v;
	return 0;
}

/* The kernel takes a BPF ring of a power of two pages, nothing else. */
int pn_opt_pow2(struct pn_opt_call *c)
{
	long page = sysconf(_SC_PAGESIZE);
	uint64_t v;

	if (parse_u64(c, 1, &v))
		return -1;
	if (v & (v - 1))
		return fail(c, "not a power of two", 0);
	if (page > 0 && v < (uint64_t)page)
		return fail(c, "out of range: at least one page, %lld", page);
	*(uint32_t *)c->dest = (uint32_t)v;
	return 0;
}

int pn_opt_seconds(struct pn_opt_call *c)
{
	char *end;
	double v;

	if (!isdigit((unsigned char)c->arg[0]) && c->arg[0] != '.')
		return fail(c, "not a number of seconds", 0);
	v = strtod(c->arg, &end);
	if (*end || end == c->arg)
		return fail(c, "not a number of seconds", 0);
	if (!isfinite(v) || v <= (double)c->row->min || v > (double)c->row->max)
		return fail(c, "out of range: more than 0, at most %lld seconds", c->row->max);
	*(double *)c->dest = v;
	return 0;
}

int pn_opt_enum(struct pn_opt_call *c)
{
	size_t len = strlen(c->arg);
	int i = 0;

	for (const char *w = c->row->values; *w; i++) {
		size_t wl = strcspn(w, " ");

		if (wl == len && !memcmp(w, c->arg, len)) {
			*(int *)c->dest = i;
			return 0;
		}
		w += wl + (w[wl] == ' ');
	}
	snprintf(c->why, sizeof(c->why), "expected one of: %s", c->row->values);
	return -1;
}

int pn_opt_help_row(struct pn_opt_call *c)
{
	return PN_OPT_STOP_HELP;
}

int pn_opt_version_row(struct pn_opt_call *c)
{
	return PN_OPT_STOP_VERSION;
}
