/*
 * The report's counting hash (store/tally.h): thousands of keys through
 * its growth, each found again with its own counters; keys that are
 * prefixes of each other, and the empty key, apart; the best `limit`
 * entries equal to the first `limit` of the whole sorted list; ties
 * broken by key, a shorter prefix first.
 */
#include <stdio.h>
#include <stdlib.h>
#include "check.h"
#include "store/tally.h"

#define N 5000

static int by_count_desc(const void *a, const void *b)
{
	const struct pn__tally_entry *x = *(struct pn__tally_entry *const *)a;
	const struct pn__tally_entry *y = *(struct pn__tally_entry *const *)b;

	if (x->n[0] != y->n[0])
		return x->n[0] < y->n[0] ? 1 : -1;
	return pn__tally_key_cmp(x, y);
}

static int odd(const struct pn__tally_entry *e)
{
	return e->n[0] % 2;
}

static void many_keys(void)
{
	struct pn__tally t = { 0 };
	char key[32];
	int missing = 0, wrong = 0;

	CHECK(pn__tally_find(&t, "x", 1) == NULL); /* nothing yet, no slots */
	for (unsigned i = 0; i < N; i++) {
		struct pn__tally_entry *e;

		snprintf(key, sizeof(key), "/usr/bin/tool-%u", i);
		e = pn__tally_get(&t, key, strlen(key));
		if (!e)
			break;
		CHECK(e->first == INT64_MAX && e->n[0] == 0);
		e->n[0] = i % 97;   /* many ties */
		e->n[1] = i;
	}
	CHECK(t.n == N && t.nslot >= 2 * N);
	for (unsigned i = 0; i < N; i++) {
		const struct pn__tally_entry *e;

		snprintf(key, sizeof(key), "/usr/bin/tool-%u", i);
		e = pn__tally_find(&t, key, strlen(key));
		missing += !e;
		wrong += e && e->n[1] != i;
	}
	CHECK(missing == 0 && wrong == 0);
	CHECK(pn__tally_find(&t, "/usr/bin/tool-", 14) == NULL);
	CHECK(pn__tally_get(&t, "/usr/bin/tool-1", 15)->n[1] == 1); /* found, not made */
	CHECK(t.n == N);

	/* The best ten, and the first ten of the whole list, are the same. */
	{
		size_t n10, nall, total10, total;
		struct pn__tally_entry **best = pn__tally_sorted(&t, odd, by_count_desc, 10, &n10,
								 &total10);
		struct pn__tally_entry **all = pn__tally_sorted(&t, odd, by_count_desc, 0, &nall,
								&total);
		int same = best && all && n10 == 10;

		for (size_t i = 0; same && i < 10; i++)
			same = best[i] == all[i];
		CHECK(same);
		CHECK(total10 == total && nall == total);
		/* 96 is even: the best odd count is 95, tied by 51 or 52 keys,
		 * in the order of their bytes. */
		CHECK(all && all[0]->n[0] == 95 && all[1]->n[0] == 95 &&
		      pn__tally_key_cmp(all[0], all[1]) < 0);
		free(best);
		free(all);
	}
	pn__tally_free(&t);
	CHECK(t.n == 0 && t.e == NULL && t.slot == NULL);
}

static void prefixes(void)
{
	struct pn__tally t = { 0 };
	struct pn__tally_entry *empty, *ab, *abc, *abd;

	empty = pn__tally_get(&t, "", 0);
	ab = pn__tally_get(&t, "ab", 2);
	abc = pn__tally_get(&t, "abc", 3);
	abd = pn__tally_get(&t, "abd", 3);
	CHECK(empty && ab && abc && abd && t.n == 4);
	if (t.n == 4) {
		/* Entries move when the array grows: look them up again. */
		empty = pn__tally_find(&t, "", 0);
		ab = pn__tally_find(&t, "ab", 2);
		abc = pn__tally_find(&t, "abc", 3);
		abd = pn__tally_find(&t, "abd", 3);
		CHECK(empty && empty->len == 0 && ab != abc && abc != abd);
		CHECK(pn__tally_key_cmp(empty, ab) < 0 && pn__tally_key_cmp(ab, abc) < 0);
		CHECK(pn__tally_key_cmp(abc, ab) > 0 && pn__tally_key_cmp(abc, abd) < 0);
		CHECK(pn__tally_key_cmp(abd, abd) == 0);
	}
	pn__tally_free(&t);
}

int main(void)
{
	many_keys();
	prefixes();
	return pn_test_done("test_tally");
}
