/*
 * The Windows driver's image table (windows/common/pn_images.c), run on
 * Linux: a full table must displace its oldest entry, never a fresh one,
 * whatever order entries were taken in; keys are (pid, create time).
 */
#include <stdint.h>
#include <stdlib.h>
#include "check.h"
#include "pn_images.h"

/* Images are tokens: entry n's image is &tok[n]. */
static char tok[4 * PN_IMAGES_MAX];

static pn_u32 pid_of(int n) { return 4 * (pn_u32)(n + 1); }

/* The defect a driver review found: a slot freed in the middle, refilled,
 * was the next one a full table displaced, though it held the newest entry. */
static void test_displaces_oldest(void)
{
	static struct pn_images t;
	pn_u32 len = 0;
	int n = PN_IMAGES_MAX;

	pn_images_init(&t);
	for (int i = 0; i < n; i++)
		CHECK(pn_images_put(&t, pid_of(i), i, &tok[i], 10 + i) == NULL);
	CHECK(t.count == PN_IMAGES_MAX);
	CHECK(pn_images_put(&t, pid_of(n), n, &tok[n], 1) == &tok[0]);
	CHECK(pn_images_take(&t, pid_of(1), 1, &len) == &tok[1] && len == 11);
	CHECK(pn_images_put(&t, pid_of(n + 1), n + 1, &tok[n + 1], 1) == NULL);
	/* Full again: the oldest left is entry 2, not the one just put. */
	CHECK(pn_images_put(&t, pid_of(n + 2), n + 2, &tok[n + 2], 1) == &tok[2]);
	CHECK(pn_images_take(&t, pid_of(n + 1), n + 1, &len) == &tok[n + 1]);
	CHECK(pn_images_take(&t, pid_of(n + 2), n + 2, &len) == &tok[n + 2]);
}

static void test_keys(void)
{
	static struct pn_images t;
	pn_u32 len = 0;

	pn_images_init(&t);
	CHECK(pn_images_put(&t, 8, 100, &tok[0], 3) == NULL);
	/* A reused pid with another create time is another process. */
	CHECK(pn_images_take(&t, 8, 200, &len) == NULL);
	CHECK(pn_images_put(&t, 8, 200, &tok[1], 4) == NULL);
	/* The same process put twice gives back the earlier image. */
	CHECK(pn_images_put(&t, 8, 200, &tok[2], 5) == &tok[1]);
	CHECK(pn_images_take(&t, 8, 100, &len) == &tok[0] && len == 3);
	CHECK(pn_images_take(&t, 8, 200, &len) == &tok[2] && len == 5);
	CHECK(pn_images_take(&t, 8, 200, &len) == NULL && t.count == 0);
	CHECK(pn_images_take_oldest(&t) == NULL);
}

/*
 * Random puts and takes against a model that stamps each entry with the
 * order it was put in: whatever a put displaces must be the lowest stamp.
 */
static void test_against_model(void)
{
	static struct pn_images t;
	static long stamp[4 * PN_IMAGES_MAX]; /* 0: not in the table */
	const int keys = 4 * PN_IMAGES_MAX;
	long clock = 0;
	int bad = 0, freed = 0;
	pn_u32 len;
	void *got;

	srand(7);
	pn_images_init(&t);
	for (int step = 0; step < 20000; step++) {
		int k = rand() % keys, oldest = -1, full = t.count == PN_IMAGES_MAX;

		if (rand() % 3 == 0) { /* an exit */
			got = pn_images_take(&t, pid_of(k), k, &len);
			bad += got != (stamp[k] ? &tok[k] : NULL);
			stamp[k] = 0;
			continue;
		}
		for (int i = 0; i < keys; i++)
			if (stamp[i] && (oldest < 0 || stamp[i] < stamp[oldest]))
				oldest = i;
		got = pn_images_put(&t, pid_of(k), k, &tok[k], 1);
		if (stamp[k]) {
			bad += got != &tok[k];
		} else if (full) { /* must displace the oldest */
			bad += got != &tok[oldest];
			stamp[oldest] = 0;
		} else {
			bad += got != NULL;
		}
		stamp[k] = ++clock;
	}
	CHECK(bad == 0);
	while ((got = pn_images_take_oldest(&t)) != NULL)
		freed++;
	CHECK(t.count == 0 && freed > 0);
}

int main(void)
{
	test_displaces_oldest();
	test_keys();
	test_against_model();
	return pn_test_done("test_win_images");
}
