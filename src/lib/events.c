/* Event types by name, from PN_EVENT_TYPE_MAP. Portable C: the Windows
 * client compiles it too. */
#include <errno.h>
#include <string.h>
#include "procnotify.h"

static const char *const type_names[PN_EVENT_TYPE_MAX] = {
#define PN__TYPE_NAME(N, n, v, ...) [v] = #n,
	PN_EVENT_TYPE_MAP(PN__TYPE_NAME)
#undef PN__TYPE_NAME
};

const char *pn_event_type_name(enum pn_event_type t)
{
	if ((unsigned)t < PN_EVENT_TYPE_MAX && type_names[t])
		return type_names[t];
	return "unknown";
}

int pn_event_type_from_name(const char *name)
{
	for (int t = 0; t < PN_EVENT_TYPE_MAX; t++)
		if (type_names[t] && !strcmp(type_names[t], name))
			return t;
	return -EINVAL;
}
