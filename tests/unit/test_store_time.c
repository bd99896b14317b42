/*
 * The times people type for --since/--until, one check of the parser at
 * a time: each refused form names the step that must refuse it (a year
 * of three digits, a minute of 60, an offset without its colon...), so a
 * check that stops refusing fails its own row. Days in zones with
 * daylight saving time (a day whose midnight does not exist, a day of 25
 * hours), the first instant before 1970, and the ends of 64-bit
 * nanoseconds. test_store.c has the common forms.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "check.h"
#include "procnotify/store.h"

#define NS 1000000000LL

struct when {
	const char *text;
	int local;              /* pn_store_parse_when()'s local */
	int rc;
	int64_t want_s;         /* when rc is 0: seconds since the epoch */
	int64_t want_frac;      /* and nanoseconds after them */
};

static void check_when(const struct when *w, size_t n, int64_t now)
{
	for (size_t i = 0; i < n; i++) {
		int64_t t = 12345;
		int rc = pn_store_parse_when(w[i].text, now, w[i].local, &t);

		CHECK(rc == w[i].rc);
		if (!w[i].rc)
			CHECK(t == w[i].want_s * NS + w[i].want_frac);
		if (rc != w[i].rc || (!rc && t != w[i].want_s * NS + w[i].want_frac))
			fprintf(stderr, "  [%s] local %d: rc %d, t %lld\n", w[i].text, w[i].local, rc,
				(long long)t);
	}
}

/* Refused, each at its own check; and the accepted forms next to them. */
static void dates_and_clocks(void)
{
	static const struct when w[] = {
		/* the date */
		{ "20x6-01-01", 0, -EINVAL, 0, 0 },
		{ "2026/01-01", 0, -EINVAL, 0, 0 },
		{ "2026-x1-01", 0, -EINVAL, 0, 0 },
		{ "2026-00-01", 0, -EINVAL, 0, 0 },
		{ "2026-01x01", 0, -EINVAL, 0, 0 },
		{ "2026-01-x1", 0, -EINVAL, 0, 0 },
		{ "2026-01-00", 0, -EINVAL, 0, 0 },
		{ "1900-02-29", 0, -EINVAL, 0, 0 },   /* a century is no leap year... */
		{ "2100-02-29", 0, -EINVAL, 0, 0 },
		{ "2000-02-29", 0, 0, 951782400, 0 }, /* ...unless it divides by 400 */
		{ "2024-02-29", 0, 0, 1709164800, 0 },
		{ "2026-12-31", 0, 0, 1798675200, 0 },
		/* the clock */
		{ "2026-01-01 x0:00", 0, -EINVAL, 0, 0 },
		{ "2026-01-01 24:00", 0, -EINVAL, 0, 0 },
		{ "2026-01-01 00x00", 0, -EINVAL, 0, 0 },
		{ "2026-01-01 00:x0", 0, -EINVAL, 0, 0 },
		{ "2026-01-01 00:60", 0, -EINVAL, 0, 0 },
		{ "2026-01-01 00:00:x0", 0, -EINVAL, 0, 0 },
		{ "2026-01-01 00:00:61", 0, -EINVAL, 0, 0 },
		{ "2026-01-01 00:00:00.", 0, -EINVAL, 0, 0 },
		{ "2026-01-01t23:59", 0, 0, 1767311940, 0 },
		/* A leap second is a time RFC 3339 allows: the next second's. */
		{ "2026-01-01 23:59:60", 0, 0, 1767312000, 0 },
		/* Digits past the nanosecond are read and dropped. */
		{ "2026-01-01 00:00:00.1234567899", 0, 0, 1767225600, 123456789 },
		/* the offset */
		{ "2026-01-01 00:00:00z", 0, 0, 1767225600, 0 },
		{ "2026-01-01 00:00:00X", 0, -EINVAL, 0, 0 },
		{ "2026-01-01 00:00:00+x1:00", 0, -EINVAL, 0, 0 },
		{ "2026-01-01 00:00:00+0100", 0, -EINVAL, 0, 0 },
		{ "2026-01-01 00:00:00+01:x0", 0, -EINVAL, 0, 0 },
		{ "2026-01-01 00:00:00+01:60", 0, -EINVAL, 0, 0 },
		{ "2026-01-01 00:00:00-01:30", 0, 0, 1767231000, 0 },
		{ "2026-01-01 00:00:00.25-00:01", 0, 0, 1767225660, 250000000 },
		/* An offset with no seconds: the local form read as RFC 3339. */
		{ "2026-01-01 00:00+01:00", 1, 0, 1767222000, 0 },
	};

	check_when(w, sizeof(w) / sizeof(w[0]), 0);
}

/* int64 nanoseconds run from 1677-09-21T00:12:43.145224192Z to
 * 2262-04-11T23:47:16.854775807Z: a time past either end is refused,
 * never wrapped into one that would widen or empty a query. (The last
 * second before 1677-09-21T00:12:44Z is refused too, whole: its seconds
 * overflow before its fraction is added.) */
static void range(void)
{
	static const struct when w[] = {
		{ "@9223372036.854775807", 0, 0, 9223372036, 854775807 },
		{ "@9223372036.854775808", 0, -ERANGE, 0, 0 },
		{ "@9223372037", 0, -ERANGE, 0, 0 },
		{ "@99999999999999999999", 0, -ERANGE, 0, 0 },
		{ "@9223372036854775808", 0, -ERANGE, 0, 0 }, /* the last digit overflows */
		{ "@-9223372035.5", 0, 0, -9223372036, 500000000 },
		{ "@-9223372038", 0, -ERANGE, 0, 0 },
		{ "@1.0000000019", 0, 0, 1, 1 },
		{ "2262-04-11T23:47:16.854775807Z", 0, 0, 9223372036, 854775807 },
		{ "2262-04-11T23:47:16.854775808Z", 0, -ERANGE, 0, 0 },
		{ "1677-09-21T00:12:44Z", 0, 0, -9223372036, 0 },
		{ "1677-09-21T00:12:42Z", 0, -ERANGE, 0, 0 },
		/* Year 0 (before March: the algorithm's year -1). */
		{ "0000-01-01", 0, -ERANGE, 0, 0 },
		{ "9999-12-31", 0, -ERANGE, 0, 0 },
	};

	check_when(w, sizeof(w) / sizeof(w[0]), 0);
}

/* Local times in zones with daylight saving time. */
static void zones(void)
{
	/* Brazil's rule of 2018: summer time began at midnight (the first
	 * Sunday of November), so that day has no 00:00; it ended at
	 * midnight too, and the day before was 25 hours long. */
	static const struct when start[] = {
		/* 2018-11-04 12:00Z: today began at 01:00 summer time, 03:00Z */
		{ "today", 1, 0, 1541300400, 0 },
		{ "yesterday", 1, 0, 1541214000, 0 }, /* 2018-11-03 00:00-03 */
		{ "2018-11-04", 1, 0, 1541300400, 0 },
		{ "2018-11-03 23:59", 1, 0, 1541300340, 0 },
		{ "today", 0, 0, 1541289600, 0 },     /* UTC's day */
	};
	static const struct when end[] = {
		/* 2019-02-17 12:00Z */
		{ "today", 1, 0, 1550372400, 0 },     /* 00:00-03 */
		{ "yesterday", 1, 0, 1550282400, 0 }, /* 00:00-02: 25 hours before */
	};
	/* The day before the first of March in a leap year. */
	static const struct when leap[] = {
		{ "yesterday", 1, 0, 1709164800, 0 },
		{ "yesterday", 0, 0, 1709164800, 0 },
		/* mktime() says -1 for the last second of 1969: a time, no error. */
		{ "1969-12-31 23:59:59", 1, 0, -1, 0 },
		{ "1969-12-31 23:59:58.5", 1, 0, -2, 500000000 },
	};

	setenv("TZ", "BRT3BRST,M11.1.0/0,M2.3.0/0", 1);
	tzset();
	check_when(start, sizeof(start) / sizeof(start[0]), 1541332800 * NS);
	check_when(end, sizeof(end) / sizeof(end[0]), 1550404800 * NS);
	setenv("TZ", "UTC0", 1);
	tzset();
	check_when(leap, sizeof(leap) / sizeof(leap[0]), 1709294400 * NS);
	unsetenv("TZ");
	tzset();
}

/* Durations and sizes: every unit, and what is not one. */
static void durations_and_sizes(void)
{
	static const struct { const char *text; int rc; int64_t ns; } d[] = {
		{ "30s", 0, 30 * NS }, { "2m", 0, 120 * NS }, { "1h", 0, 3600 * NS },
		{ "2d", 0, 2 * 86400 * NS }, { "2w", 0, 14 * 86400 * NS }, { "0.5s", 0, NS / 2 },
		{ "10ms", -EINVAL, 0 }, { "10", -EINVAL, 0 }, { "10y", -EINVAL, 0 },
		{ "s", -EINVAL, 0 }, { ".5s", -EINVAL, 0 }, { "15250w", -ERANGE, 0 },
		{ "15250d", 0, 15250 * 86400 * NS },
	};
	static const struct { const char *text; int rc; uint64_t v; } z[] = {
		{ "0", 0, 0 }, { "10", 0, 10 }, { "3k", 0, 3 << 10 }, { "3K", 0, 3 << 10 },
		{ "5m", 0, 5 << 20 }, { "2g", 0, 2ULL << 30 }, { "2G", 0, 2ULL << 30 },
		{ "2GB", -EINVAL, 0 }, { "K", -EINVAL, 0 }, { " 1", -EINVAL, 0 },
		{ "18446744073709551615", 0, UINT64_MAX }, { "18446744073709551616", -ERANGE, 0 },
		{ "17592186044416M", -ERANGE, 0 }, { "17592186044415M", 0, 17592186044415ULL << 20 },
	};

	for (size_t i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
		int64_t t = -7;

		CHECK(pn_store_parse_duration(d[i].text, &t) == d[i].rc);
		CHECK(t == (d[i].rc ? -7 : d[i].ns));
	}
	for (size_t i = 0; i < sizeof(z) / sizeof(z[0]); i++) {
		uint64_t v = 7;

		CHECK(pn_store_parse_size(z[i].text, &v) == z[i].rc);
		CHECK(v == (z[i].rc ? 7 : z[i].v));
	}
}

int main(void)
{
	dates_and_clocks();
	range();
	zones();
	durations_and_sizes();
	return pn_test_done("test_store_time");
}
