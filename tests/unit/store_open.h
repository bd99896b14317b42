/* The log a store test needs, opened: failing to open it is a failed
 * check, with the library's reason, never a reason to skip checks in
 * silence. */
#ifndef PN_TEST_STORE_OPEN_H
#define PN_TEST_STORE_OPEN_H
#include <stdio.h>
#include "check.h"
#include "procnotify/store.h"

static inline pn_store *store_open(const char *path, enum pn_store_mode mode,
				   const pn_store_options *o)
{
	char err[256] = "";
	pn_store *s = NULL;

	CHECK(pn_store_open(&s, path, mode, o, err, sizeof(err)) == 0 && s);
	if (!s)
		fprintf(stderr, "open %s: %s\n", path, err);
	return s;
}
#endif
