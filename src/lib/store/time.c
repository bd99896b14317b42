/*
 * The times and sizes users type: --since/--until (RFC 3339 or "10m"),
 * --db-max-age and --db-max-size. Strict: anything unparsed is an error,
 * so a typo never silently widens a query or a retention bound.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "clock.h"
#include "store_internal.h"

int pn_store_parse_duration(const char *s, int64_t *out_ns)
{
	static const struct { char unit; int64_t ns; } units[] = {
		{ 's', PN_NS_PER_SEC }, { 'm', 60 * PN_NS_PER_SEC }, { 'h', 3600 * PN_NS_PER_SEC },
		{ 'd', 86400 * PN_NS_PER_SEC }, { 'w', 7 * 86400 * PN_NS_PER_SEC },
	};
	char *end;
	double v;

	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	v = strtod(s, &end);
	if (end == s || !end[0] || end[1])
		return -EINVAL;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (*end == units[i].unit) {
			double ns = v * (double)units[i].ns;

			if (!isfinite(ns) || ns > 9.2e18)
				return -ERANGE;
			*out_ns = (int64_t)ns;
			return 0;
		}
	}
	return -EINVAL;
}

int pn_store_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	int shift = 0;

	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -ERANGE;
	switch (*end) {
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	}
	if (*end || v > (UINT64_MAX >> shift))
		return -EINVAL;
	*out = (uint64_t)v << shift;
	return 0;
}

/* Days from 1970-01-01 to a civil date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

static int days_in_month(int64_t y, unsigned m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return days[m - 1] + (m == 2 && leap);
}

/* Exactly n digits at *p, advancing it; -1 when they are not there. */
static int digits(const char **p, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++, (*p)++) {
		if (!isdigit((unsigned char)**p))
			return -1;
		v = v * 10 + (**p - '0');
	}
	return v;
}

static int parse_date(const char **p, int64_t *days)
{
	int y = digits(p, 4), m, d;

	if (y < 0 || *(*p)++ != '-' || (m = digits(p, 2)) < 1 || m > 12 ||
	    *(*p)++ != '-' || (d = digits(p, 2)) < 1 || d > days_in_month(y, (unsigned)m))
		return -EINVAL;
	*days = days_from_civil(y, (unsigned)m, (unsigned)d);
	return 0;
}

/* HH:MM:SS[.fraction] as nanoseconds into the day. */
static int parse_clock(const char **p, int64_t *ns)
{
	int h = digits(p, 2), m, sec;
	int64_t frac = 0, scale = PN_NS_PER_SEC;

	if (h < 0 || h > 23 || *(*p)++ != ':' || (m = digits(p, 2)) < 0 || m > 59 ||
	    *(*p)++ != ':' || (sec = digits(p, 2)) < 0 || sec > 60)
		return -EINVAL;
	if (**p == '.') {
		(*p)++;
		if (!isdigit((unsigned char)**p))
			return -EINVAL;
		for (; isdigit((unsigned char)**p); (*p)++)
			if (scale > 1)
				frac += (**p - '0') * (scale /= 10);
	}
	*ns = ((int64_t)h * 3600 + m * 60 + sec) * PN_NS_PER_SEC + frac;
	return 0;
}

/* "Z" or "+HH:MM"/"-HH:MM": the offset to subtract to get UTC. */
static int parse_offset(const char **p, int64_t *ns)
{
	char sign = **p;
	int h, m;

	if (sign == 'Z' || sign == 'z') {
		(*p)++;
		*ns = 0;
		return 0;
	}
	if (sign != '+' && sign != '-')
		return -EINVAL;
	(*p)++;
	if ((h = digits(p, 2)) < 0 || h > 23 || *(*p)++ != ':' || (m = digits(p, 2)) < 0 || m > 59)
		return -EINVAL;
	*ns = ((int64_t)h * 3600 + m * 60) * PN_NS_PER_SEC * (sign == '-' ? -1 : 1);
	return 0;
}

/* int64 nanoseconds end in 1677 and 2262: a time outside is refused, not
 * wrapped into one that would widen or empty a query. */
static int seconds_to_ns(int64_t s, int64_t ns, int64_t *out_ns)
{
	if (ns < 0)
		ns += PN_NS_PER_SEC, s--;
	if (__builtin_mul_overflow(s, PN_NS_PER_SEC, out_ns) ||
	    __builtin_add_overflow(*out_ns, ns, out_ns))
		return -ERANGE;
	return 0;
}

static int parse_rfc3339(const char *s, int64_t *out_ns)
{
	const char *p = s;
	int64_t days, clock = 0, offset = 0;

	if (parse_date(&p, &days))
		return -EINVAL;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (parse_clock(&p, &clock) || parse_offset(&p, &offset))
			return -EINVAL;
	}
	if (*p)
		return -EINVAL;
	return seconds_to_ns(days * 86400 + (clock - offset) / PN_NS_PER_SEC,
			     (clock - offset) % PN_NS_PER_SEC, out_ns);
}

int pn_store_parse_time(const char *s, int64_t now_ns, int64_t *out_ns)
{
	int64_t ago;

	if (!pn_store_parse_duration(s, &ago)) {
		*out_ns = now_ns - ago;
		return 0;
	}
	return parse_rfc3339(s, out_ns);
}
