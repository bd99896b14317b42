/*
 * The store's tests build their logs through import: each event given as
 * the JSON line procnotify writes, read back by pn__json_read_event() and
 * added by pn__store_import(), so a test states its history in the form
 * people read, and holds whatever the rows look like inside.
 */
#ifndef PN_TEST_JSONLOG_H
#define PN_TEST_JSONLOG_H
#include <stdarg.h>
#include <stdio.h>
#include "procnotify/store.h"

/* pn__store_import()'s result for the line fmt makes; -1000 when the line
 * cannot be read (said on stderr). */
static inline int import_line(pn_store *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline int import_line(pn_store *s, const char *fmt, ...)
{
	char line[16384], scratch[16384];
	const char *why = NULL;
	pn_event ev;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || n >= (int)sizeof(line) ||
	    pn__json_read_event(line, (size_t)n, scratch, &ev, &why)) {
		fprintf(stderr, "cannot read %s: %s\n", line, why ? why : "too long");
		return -1000;
	}
	return pn__store_import(s, &ev);
}
#endif
