/*
 * The library's version, and the size rule of its extensible structs
 * (pn_options, pn_stats): see "Extensible structs" in procnotify.h.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include "internal.h"

const char *pn_version(void)
{
	return PN_VERSION_STRING;
}

/* The bytes a caller's struct of size `given` (0: v1_size) shares with ours. */
static int shared_size(uint32_t given, size_t v1_size, size_t ours, size_t *n)
{
	if (!given)
		given = (uint32_t)v1_size;
	if (given < v1_size)
		return -EINVAL;
	*n = given < ours ? given : ours;
	return 0;
}

int pn__struct_in(void *dst, size_t ours, const void *src, uint32_t given, size_t v1_size)
{
	size_t n;
	int err = shared_size(given, v1_size, ours, &n);

	if (err)
		return err;
	/* Members this library does not know must be left at their defaults. */
	for (size_t i = ours; i < given; i++)
		if (((const unsigned char *)src)[i])
			return -E2BIG;
	memset(dst, 0, ours);
	memcpy(dst, src, n);
	return 0;
}

int pn__struct_out(void *dst, uint32_t given, const void *src, size_t ours, size_t v1_size)
{
	size_t n;
	int err = shared_size(given, v1_size, ours, &n);

	if (err)
		return err;
	/* Past the size field: the caller's size stays as the caller set it. */
	memcpy((char *)dst + sizeof(uint32_t), (const char *)src + sizeof(uint32_t),
	       n - sizeof(uint32_t));
	return 0;
}
