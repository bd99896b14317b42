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

/* A batch runs one merge command of the trigram index for every so many
 * strings it put in it, at most (see pn__intern_merge()): a log of 2
 * million events made flat out, some 370,000 strings, stayed merged with
 * 2,400 commands, one per 150 strings; the margin is for a larger
 * index's deeper levels. */
#define PN__INTERN_MERGE_STRINGS 64
/* And for this long at most: what is left waits for the next commit. */
#define PN__INTERN_MERGE_NS (50 * 1000000ULL)

struct pn__intern {
	struct pn__intern_slot *slot;   /* direct-mapped by hash */
	uint32_t *touched;              /* slots the open batch used */
	uint32_t ntouched;
	sqlite3_stmt *insert, *touch, *fts, *long_str, *merge;
	uint32_t told;                  /* strings str_fts was told of since a merge */
	uint64_t merges, longest_merge_ns; /* merge commands run, the longest */
};

int pn__intern_open(struct pn__intern *in, struct pn__db *d);
void pn__intern_close(struct pn__intern *in);
/* The id of v's bytes, stored if the cache does not have them; t_ns is
 * the time of this use. */
int pn__intern_id(struct pn__intern *in, struct pn__db *d, const pn_str *v, int64_t t_ns,
		  int64_t *id);
/* Writes the last_ns of the strings the batch used: before its COMMIT. */
int pn__intern_commit(struct pn__intern *in, struct pn__db *d);
/* Merges the segments of str_fts, the trigram index (schema 14 turned
 * FTS5's own merging off): up to commands commands of a few leaves each,
 * while each merged something and for PN__INTERN_MERGE_NS at most. Each
 * transaction that wrote to the index leaves a segment (its COMMIT
 * flushes it), and --argv reads every segment: a commit that added
 * strings (->told) runs one command per PN__INTERN_MERGE_STRINGS of them,
 * a retention step one. */
int pn__intern_merge(struct pn__intern *in, struct pn__db *d, unsigned commands);
/* Forgets every cached id: after a rollback or a retention step, an id
 * the cache holds may be gone from the file. */
void pn__intern_forget(struct pn__intern *in);
#endif
