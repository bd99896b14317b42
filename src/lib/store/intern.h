/*
 * The strings table: every string of an event or a process (comm, image,
 * filename, cwd, argv, tty, root) is stored in str(id, last_ns, value) and
 * the rows hold its id. A storm runs the same program with the same
 * arguments in the same directory thousands of times; its rows then carry
 * a few bytes of ids instead of the strings.
 *
 * The writer keeps the strings it stored in a cache and gives a string it
 * finds there the same id: a use costs a hash and a compare, and last_ns
 * is written once per batch per string. The file is never searched for a
 * string, which would cost an index on every string and a lookup per
 * miss: a string the cache no longer holds is stored again. Most strings
 * of a host are either used all the time (they stay cached) or once.
 *
 * str.last_ns is the latest time of an event or a process row that uses
 * the string: retention removes a string once every event up to that time
 * is gone (retention.c).
 */
#ifndef PN_STORE_INTERN_H
#define PN_STORE_INTERN_H
#include "db.h"

/* A stored string of at most this many bytes is in str_fts, a longer one
 * in str_long (schema 13, whose migration says 4096 in its own text). */
#define PN__STR_FTS_MAX 4096

struct pn__intern_slot;

struct pn__intern {
	struct pn__intern_slot *slot;   /* direct-mapped by hash */
	uint32_t *touched;              /* slots the open batch used */
	uint32_t ntouched;
	sqlite3_stmt *insert, *touch, *fts, *long_str;
};

int pn__intern_open(struct pn__intern *in, struct pn__db *d);
void pn__intern_close(struct pn__intern *in);
/* The id of v's bytes, stored if the cache does not have them; t_ns is
 * the time of this use. */
int pn__intern_id(struct pn__intern *in, struct pn__db *d, const pn_str *v, int64_t t_ns,
		  int64_t *id);
/* Writes the last_ns of the strings the batch used: before its COMMIT. */
int pn__intern_commit(struct pn__intern *in, struct pn__db *d);
/* Forgets every cached id: after a rollback or a retention step, an id
 * the cache holds may be gone from the file. */
void pn__intern_forget(struct pn__intern *in);
#endif
