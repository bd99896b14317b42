/*
 * The version of libprocnotify and of procnotify, one definition for both.
 *
 * The macros give the version a program was compiled against, pn_version()
 * the one it runs with. The shared library's SONAME follows the major
 * number (libprocnotify.so.1): a minor release only adds functions and
 * struct members (see "Extensible structs" in procnotify.h), a patch
 * release changes no interface.
 */
#ifndef PROCNOTIFY_VERSION_H
#define PROCNOTIFY_VERSION_H

#include "export.h"

#define PN_VERSION_MAJOR 1
#define PN_VERSION_MINOR 0
#define PN_VERSION_PATCH 0

#define PN__STR(x) #x
#define PN__XSTR(x) PN__STR(x)
/* "1.0.0" */
#define PN_VERSION_STRING \
	PN__XSTR(PN_VERSION_MAJOR) "." PN__XSTR(PN_VERSION_MINOR) "." PN__XSTR(PN_VERSION_PATCH)
/* One number that grows with every release: 10000 for 1.0.0. */
#define PN_VERSION_NUMBER (PN_VERSION_MAJOR * 10000 + PN_VERSION_MINOR * 100 + PN_VERSION_PATCH)

#ifdef __cplusplus
extern "C" {
#endif

/* The running library's version, "MAJOR.MINOR.PATCH"; a static string.
 * Safe from any thread. */
PN_EXPORT const char *pn_version(void);

#ifdef __cplusplus
}
#endif
#endif
