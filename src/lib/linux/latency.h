/*
 * Decision latencies, read to answer, in buckets of a few percent: a bucket
 * for each value under 32 ns, then 16 per power of two (HDR histogram
 * style): enough for a median and a p99 in constant memory.
 */
#ifndef PN_LATENCY_H
#define PN_LATENCY_H
#include <stdint.h>

#define PN__LAT_SUB 16
#define PN__LAT_BUCKETS (64 * PN__LAT_SUB)

struct pn__latency {
	uint64_t n, max, bucket[PN__LAT_BUCKETS];
};

void pn__latency_add(struct pn__latency *l, uint64_t ns);
/* The value under which permille of the values lie (500: the median),
 * to the bucket's lower bound; 0 when there is none. */
uint64_t pn__latency_quantile(const struct pn__latency *l, unsigned permille);
#endif
