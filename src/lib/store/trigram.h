/*
 * What `query --argv TEXT` asks the trigram index str_fts (schema 13):
 * not the whole of TEXT but the piece of it whose trigrams are rarest,
 * chosen by reading the first hits of each. Any piece of TEXT is in every
 * string that holds TEXT, and the query tests each string the index gives
 * for the whole of TEXT, so the piece decides only how much is read.
 */
#ifndef PN_STORE_TRIGRAM_H
#define PN_STORE_TRIGRAM_H
#include "db.h"
#include "procnotify/format.h"

/* Strings the phrase's hits are counted up to. */
#define PN__TRIGRAM_COUNT_MAX 4096

/* The FTS5 query of the piece of text to look up, its trigrams ANDed,
 * each a phrase in double quotes: text is ASCII, three characters at
 * least. *strings, unless strings is NULL: how many strings the index
 * finds for it, counted up to PN__TRIGRAM_COUNT_MAX + 1 (at least as
 * many as hold text). */
int pn__trigram_phrase(struct pn__db *d, const char *text, pn_buf *phrase, int64_t *strings);
#endif
