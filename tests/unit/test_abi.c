/*
 * The library's promises to programs built against another version: the
 * version it reports is the header's, and pn_options follows the size rule
 * ("Extensible structs" in procnotify.h). These checks run before any
 * backend is opened, so they need no privilege.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include "check.h"
#include "procnotify.h"

/* A program built against a later header: pn_options with one more member. */
struct options_v2 {
	pn_options v1;
	uint64_t newer;
};

static void version(void)
{
	char want[32];

	snprintf(want, sizeof(want), "%d.%d.%d", PN_VERSION_MAJOR, PN_VERSION_MINOR,
		 PN_VERSION_PATCH);
	CHECK_STR(pn_version(), want);
	CHECK_STR(PN_VERSION_STRING, want);
	CHECK(PN_VERSION_NUMBER == PN_VERSION_MAJOR * 10000 + PN_VERSION_MINOR * 100 +
				   PN_VERSION_PATCH);
}

static void options_size(void)
{
	struct options_v2 o2 = { .v1 = PN_OPTIONS_INIT };
	pn_options small = { .size = 8 };
	pn_handle *h = NULL;

	/* A member this library does not know, set: refused, and said. */
	o2.v1.size = sizeof(o2);
	o2.newer = 1;
	CHECK(pn_open(&h, &o2.v1) == -E2BIG && h == NULL);
	CHECK(strstr(o2.v1.errmsg, "does not know") != NULL);
	/* Shorter than the first release's layout: refused. */
	CHECK(pn_open(&h, &small) == -EINVAL && h == NULL);
	/* A newer caller leaving the new member at 0 gets past the size check:
	 * an invalid backend is the next thing refused, with its own reason. */
	o2.newer = 0;
	o2.v1.backend = (enum pn_backend_kind)77;
	CHECK(pn_open(&h, &o2.v1) != -E2BIG && h == NULL);
	CHECK(o2.v1.size == sizeof(o2));
}

int main(void)
{
	version();
	options_size();
	return pn_test_done("test_abi");
}
