/*
 * A reader's strings: the bytes of a str id (intern.h), from a cache of
 * the ids a query met. A query's rows hold ids; reading each string by a
 * correlated subquery cost a cursor opened, a B-tree seek and the cursor
 * closed per string column per row (most of `query --since`'s time in
 * SQLite), where most rows of a window repeat the same few names, images
 * and directories.
 */
#ifndef PN_STORE_STRCACHE_H
#define PN_STORE_STRCACHE_H
#include "db.h"

struct pn__strcache;

int pn__strcache_new(struct pn__db *d, struct pn__strcache **out);
void pn__strcache_free(struct pn__strcache *c);
/* A new row: the strings handed out for the last one may go. */
void pn__strcache_row(struct pn__strcache *c);
/* The bytes of id, valid until the row after this one; *found is 0 when
 * the strings table has no such id. */
int pn__strcache_get(struct pn__strcache *c, int64_t id, pn_str *out, int *found);
/* The name of host id (hosts.c), valid until a row of another host; a
 * seek per row in a join, where a log's rows have one host or a few. */
int pn__strcache_host(struct pn__strcache *c, int64_t id, pn_str *out, int *found);
#endif
