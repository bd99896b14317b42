/* The bytes this process has read so far (/proc/self/io, rchar), or -1:
 * what a query read, as the difference around it, whatever caches
 * SQLite or the kernel keep. */
#ifndef PN_TEST_RCHAR_H
#define PN_TEST_RCHAR_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline long long rchar(void)
{
	char line[128];
	long long v = -1;
	FILE *f = fopen("/proc/self/io", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "rchar: ", 7))
			v = atoll(line + 7);
	if (f)
		fclose(f);
	return v;
}
#endif
