/*
 * The times and sizes users type: --since/--until (RFC 3339, a local date
 * and time, today, @EPOCH or "10m"),
 * --db-max-age and --db-max-size. Strict: anything unparsed is an error,
 * so a typo never silently widens a query or a retention bound.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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
	if (*end)
		return -EINVAL;
	if (v > (UINT64_MAX >> shift))
		return -ERANGE;
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

/* YYYY-MM-DD into tm's year, month and day. */
static int parse_date(const char **p, struct tm *tm)
{
	int y = digits(p, 4), m, d;

	if (y < 0 || *(*p)++ != '-' || (m = digits(p, 2)) < 1 || m > 12 ||
	    *(*p)++ != '-' || (d = digits(p, 2)) < 1 || d > days_in_month(y, (unsigned)m))
		return -EINVAL;
	*tm = (struct tm){ .tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d };
	return 0;
}

/* HH:MM[:SS[.fraction]] as nanoseconds into the day; the seconds are
 * required when strict (RFC 3339). */
static int parse_clock(const char **p, int strict, int64_t *ns)
{
	int h = digits(p, 2), m, sec = 0;
	int64_t frac = 0, scale = PN_NS_PER_SEC;

	if (h < 0 || h > 23 || *(*p)++ != ':' || (m = digits(p, 2)) < 0 || m > 59)
		return -EINVAL;
	if (strict || **p == ':') {
		if (*(*p)++ != ':' || (sec = digits(p, 2)) < 0 || sec > 60)
			return -EINVAL;
		if (**p == '.') {
			(*p)++;
			if (!isdigit((unsigned char)**p))
				return -EINVAL;
			for (; isdigit((unsigned char)**p); (*p)++)
				if (scale > 1)
					frac += (**p - '0') * (scale /= 10);
		}
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

/* A wall-clock time of the local zone (TZ) as seconds since the epoch:
 * mktime() decides daylight saving time (tm_isdst -1) and normalises a day
 * out of range (yesterday's tm_mday 0). */
static int local_seconds(struct tm *tm, int64_t *s)
{
	time_t t;

	tm->tm_isdst = -1;
	errno = 0;
	t = mktime(tm);
	if (t == (time_t)-1 && errno)
		return -ERANGE;
	*s = (int64_t)t;
	return 0;
}

/* A date with an optional time and offset. Without an offset the time is
 * UTC when strict (RFC 3339 allows no other reading of a date alone) or
 * !local, else local. */
static int parse_datetime(const char *s, int strict, int local, int64_t *out_ns)
{
	const char *p = s;
	int64_t clock = 0, offset = 0, sec, days;
	int has_offset = 0, rc;
	struct tm tm;

	if (parse_date(&p, &tm))
		return -EINVAL;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (parse_clock(&p, strict, &clock))
			return -EINVAL;
		has_offset = *p != 0;
		if ((strict || has_offset) && parse_offset(&p, &offset))
			return -EINVAL;
	}
	if (*p)
		return -EINVAL;
	if (has_offset || strict || !local) {
		days = days_from_civil(tm.tm_year + 1900, (unsigned)tm.tm_mon + 1, (unsigned)tm.tm_mday);
		return seconds_to_ns(days * 86400 + (clock - offset) / PN_NS_PER_SEC,
				     (clock - offset) % PN_NS_PER_SEC, out_ns);
	}
	tm.tm_hour = (int)(clock / PN_NS_PER_SEC / 3600);
	tm.tm_min = (int)(clock / PN_NS_PER_SEC / 60 % 60);
	tm.tm_sec = (int)(clock / PN_NS_PER_SEC % 60);
	rc = local_seconds(&tm, &sec);
	return rc ? rc : seconds_to_ns(sec, clock % PN_NS_PER_SEC, out_ns);
}

/* "@SECONDS[.fraction]" since the epoch, as date +%s writes them. */
static int parse_epoch(const char *s, int64_t *out_ns)
{
	const char *p = s + 1 + (s[1] == '-');
	int64_t sec = 0, frac = 0, scale = PN_NS_PER_SEC;

	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++)
		if (__builtin_mul_overflow(sec, 10, &sec) || __builtin_add_overflow(sec, *p - '0', &sec))
			return -ERANGE;
	if (*p == '.') {
		if (!isdigit((unsigned char)*++p))
			return -EINVAL;
		for (; isdigit((unsigned char)*p); p++)
			if (scale > 1)
				frac += (*p - '0') * (scale /= 10);
	}
	if (*p)
		return -EINVAL;
	return s[1] == '-' ? seconds_to_ns(-sec, -frac, out_ns) : seconds_to_ns(sec, frac, out_ns);
}

/* "today" and "yesterday": the start of the day, in the zone asked for. */
static int parse_day_word(const char *s, int64_t now_ns, int local, int64_t *out_ns)
{
	int back = !strcmp(s, "yesterday");
	int64_t days = now_ns / PN_NS_PER_SEC / 86400, sec;
	time_t now = (time_t)(now_ns / PN_NS_PER_SEC);
	struct tm tm;
	int rc;

	if (!back && strcmp(s, "today"))
		return -EINVAL;
	if (!local)
		return seconds_to_ns((days - back) * 86400, 0, out_ns);
	if (!localtime_r(&now, &tm))
		return -ERANGE;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_mday -= back;
	rc = local_seconds(&tm, &sec);
	return rc ? rc : seconds_to_ns(sec, 0, out_ns);
}

int pn_store_parse_time(const char *s, int64_t now_ns, int64_t *out_ns)
{
	int64_t ago;

	if (!pn_store_parse_duration(s, &ago)) {
		*out_ns = now_ns - ago;
		return 0;
	}
	return parse_datetime(s, 1, 0, out_ns);
}

int pn_store_parse_when(const char *s, int64_t now_ns, int local, int64_t *out_ns)
{
	int64_t ago;

	if (!strcmp(s, "now")) {
		*out_ns = now_ns;
		return 0;
	}
	if (s[0] == '@')
		return parse_epoch(s, out_ns);
	if (!parse_day_word(s, now_ns, local, out_ns))
		return 0;
	if (!pn_store_parse_duration(s, &ago)) {
		*out_ns = now_ns - ago;
		return 0;
	}
	return parse_datetime(s, 0, local, out_ns);
}

int pn__store_parse_rfc3339(const char *s, int64_t *out_ns)
{
	return parse_datetime(s, 1, 0, out_ns);
}
