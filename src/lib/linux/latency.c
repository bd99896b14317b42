/* The latency histogram (latency.h). Portable C. */
#include <stddef.h>
#include "latency.h"

/* Values under 32 have a bucket each; above, 16 buckets per power of two. */
static size_t lat_index(uint64_t ns)
{
	int top = 63 - __builtin_clzll(ns | 1) - 4;

	return ns < 32 ? (size_t)ns
		       : (size_t)((top + 1) * PN__LAT_SUB) + (size_t)((ns >> top) - PN__LAT_SUB);
}

/* The smallest value of a bucket, the inverse of lat_index(). */
static uint64_t lat_value(size_t i)
{
	return i < 2 * PN__LAT_SUB ? i
				   : (uint64_t)(PN__LAT_SUB + i % PN__LAT_SUB) << (i / PN__LAT_SUB - 1);
}

void pn__latency_add(struct pn__latency *l, uint64_t ns)
{
	l->bucket[lat_index(ns)]++;
	l->n++;
	if (ns > l->max)
		l->max = ns;
}

uint64_t pn__latency_quantile(const struct pn__latency *l, unsigned permille)
{
	uint64_t want = (l->n * permille + 999) / 1000, seen = 0;

	for (size_t i = 0; i < PN__LAT_BUCKETS && l->n; i++)
		if ((seen += l->bucket[i]) >= want)
			return lat_value(i);
	return 0;
}
