/*
 * The enforcer's latency histogram: exact below 32 ns, within a sixteenth
 * above (each bucket's lower bound), the median and p99 of mixed values,
 * the largest value there is, and nothing at all.
 */
#include <stdlib.h>
#include "linux/latency.h"
#include "check.h"

/* q is the lower bound of v's bucket: at most v, and within a sixteenth. */
static int near(uint64_t q, uint64_t v)
{
	return q <= v && q >= v - v / 16;
}

int main(void)
{
	struct pn__latency *l = calloc(1, sizeof(*l));
	uint64_t big = ~0ULL;

	CHECK(pn__latency_quantile(l, 500) == 0 && pn__latency_quantile(l, 990) == 0);
	for (uint64_t v = 0; v < 32; v++) {
		pn__latency_add(l, v);
		CHECK(pn__latency_quantile(l, 1000) == v); /* the largest so far, exactly */
	}
	CHECK(pn__latency_quantile(l, 500) == 15 && l->max == 31);
	for (uint64_t v = 32; v < (1ULL << 40); v = v * 3 + 1) {
		struct pn__latency one = { 0 };

		pn__latency_add(&one, v);
		CHECK(near(pn__latency_quantile(&one, 500), v));
	}
	/* 90 fast decisions and 10 slow: the median is fast, p99 slow. */
	*l = (struct pn__latency){ 0 };
	for (int i = 0; i < 90; i++)
		pn__latency_add(l, 20000);
	for (int i = 0; i < 10; i++)
		pn__latency_add(l, 150000000);
	CHECK(near(pn__latency_quantile(l, 500), 20000));
	CHECK(near(pn__latency_quantile(l, 900), 20000));
	CHECK(near(pn__latency_quantile(l, 910), 150000000));
	CHECK(near(pn__latency_quantile(l, 990), 150000000) && l->max == 150000000 && l->n == 100);
	pn__latency_add(l, big);
	CHECK(l->max == big && near(pn__latency_quantile(l, 1000), big));
	free(l);
	return pn_test_done("test_latency");
}
