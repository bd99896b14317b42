/*
 * A minimal unit-test harness: CHECK() records a failure with its place and
 * keeps going; pn_test_done() prints the closing line and gives the exit code.
 */
#ifndef PN_TEST_CHECK_H
#define PN_TEST_CHECK_H
#include <stdio.h>
#include <string.h>

static int pn_t_pass, pn_t_fail;

#define CHECK(cond)                                                              \
	do {                                                                     \
		if (cond) {                                                      \
			pn_t_pass++;                                             \
		} else {                                                         \
			pn_t_fail++;                                             \
			fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
		}                                                                \
	} while (0)

#define CHECK_STR(got, want)                                                     \
	do {                                                                     \
		const char *g_ = (got), *w_ = (want);                            \
		if (g_ && w_ && !strcmp(g_, w_)) {                               \
			pn_t_pass++;                                             \
		} else {                                                         \
			pn_t_fail++;                                             \
			fprintf(stderr, "FAIL %s:%d: got [%s] want [%s]\n", __FILE__, \
				__LINE__, g_ ? g_ : "(null)", w_ ? w_ : "(null)");      \
		}                                                                \
	} while (0)

static inline int pn_test_done(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, pn_t_pass, pn_t_fail);
	return pn_t_fail ? 1 : 0;
}
#endif
