/* A private directory for a unit test's files, removed whole at its end. */
#ifndef PN_TEST_TESTDIR_H
#define PN_TEST_TESTDIR_H
#include <stdio.h>
#include <stdlib.h>

/* templ ends in XXXXXX; 0, or -1 said on stderr. */
static inline int testdir_make(char *templ)
{
	if (mkdtemp(templ))
		return 0;
	perror("mkdtemp");
	return -1;
}

static inline void testdir_remove(const char *dir)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}
#endif
