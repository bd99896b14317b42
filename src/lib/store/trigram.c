/*
 * The piece of `query --argv TEXT` to ask the trigram index for (see
 * trigram.h). The index answers a query by reading the whole list of
 * every trigram in it, and a path's trigrams include some that half the
 * strings hold: "src/m10/f1234.c" read 867,000 entries of "src" (48 ms on
 * a 10-million-event log) to find 3 strings, which its "1234" alone finds.
 */
#include <errno.h>
#include <string.h>
#include "trigram.h"

#define STR_(x) #x
#define STR(x) STR_(x)
/* Hits read of each trigram: enough to tell one that a string in 10,000
 * holds from one that half hold, few enough to cost some microseconds. */
#define PROBE_HITS 256
/* Trigrams looked at, from the start of TEXT: a longer TEXT is rare, and
 * a piece of its start is as sound as any. */
#define MAX_TRIGRAMS 32
/* The piece is the run of trigrams around the rarest one that are each at
 * most SPREAD times as common (or held by fewer than PROBE_HITS strings,
 * which costs nothing). A trigram more costs the reading of its list, some
 * 30 ns a string, and a trigram less may leave strings to test for TEXT,
 * some 3 us each: "m10/f12" without "/f1" (in a quarter of the strings)
 * left 50,000 instead of 2,800. */
#define SPREAD 32

static void put_phrase(pn_buf *b, const char *p, size_t n)
{
	pn_buf_putc(b, '"');
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '"')
			pn_buf_putc(b, '"');
		pn_buf_putc(b, p[i]);
	}
	pn_buf_putc(b, '"');
}

/* The n trigrams from p on, ANDed: the index has no positions to ask
 * for them in a row (schema 16). */
static void put_trigrams(pn_buf *b, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			pn_buf_putc(b, ' ');
		put_phrase(b, p + i, 3);
	}
}

/* How many of the span string ids hold the trigram t, estimated: its
 * hits when fewer than PROBE_HITS, else as many as its newest PROBE_HITS
 * hits over the ids they stretch across (ids come in the order strings
 * first came, which mixes every kind of string). The newest: after
 * retention the oldest ids left are the few strings still in use, so
 * the first hits of "src" stretched across 145,000 ids, not 511, and
 * the index lists the strings it removed first, to be skipped. */
static int probe(struct pn__db *d, sqlite3_stmt *st, const char *t, double span, double *est)
{
	pn_buf b = { 0 };
	int rc;

	put_phrase(&b, t, 3);
	if (b.oom)
		return -ENOMEM;
	sqlite3_bind_text(st, 1, b.data, (int)b.len, SQLITE_TRANSIENT);
	pn_buf_free(&b);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		double hits = sqlite3_column_double(st, 0), stretch = sqlite3_column_double(st, 1);

		*est = hits < PROBE_HITS ? hits : hits * span / stretch;
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : pn__db_err(d, rc, "query");
}

/* Estimates of the first n trigrams of text into est. */
static int probe_all(struct pn__db *d, const char *text, size_t n, double *est)
{
	sqlite3_stmt *st = NULL;
	int64_t span;
	int found, rc = pn__db_int(d, "SELECT (SELECT max(id) FROM str) - (SELECT min(id) FROM str) + 1",
				   0, &span, &found);

	if (!rc)
		rc = pn__db_prepare(d, "SELECT count(*), max(rowid) - min(rowid) + 1 FROM (SELECT rowid"
				    " FROM str_fts WHERE str_fts MATCH ?1 ORDER BY rowid DESC"
				    " LIMIT " STR(PROBE_HITS) ")", &st);
	for (size_t i = 0; !rc && i < n; i++)
		rc = probe(d, st, text + i, (double)span, &est[i]);
	sqlite3_finalize(st);
	return rc;
}

/* The strings the index finds for phrase, up to PN__TRIGRAM_COUNT_MAX + 1. */
static int count_hits(struct pn__db *d, const pn_buf *phrase, int64_t *n)
{
	sqlite3_stmt *st;
	int rc = pn__db_prepare(d, "SELECT count(*) FROM (SELECT rowid FROM str_fts WHERE str_fts"
				" MATCH ?1 ORDER BY rowid DESC LIMIT " STR(PN__TRIGRAM_COUNT_MAX) " + 1)",
				&st);

	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, phrase->data, (int)phrase->len, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : pn__db_err(d, rc, "query");
}

int pn__trigram_phrase(struct pn__db *d, const char *text, pn_buf *phrase, int64_t *strings)
{
	size_t n = strlen(text) - 2, lo, hi, r = 0;
	double est[MAX_TRIGRAMS], cheap;
	int rc;

	if (n > MAX_TRIGRAMS)
		n = MAX_TRIGRAMS;
	rc = probe_all(d, text, n, est);
	if (rc)
		return rc;
	for (size_t i = 1; i < n; i++)
		r = est[i] < est[r] ? i : r;
	cheap = SPREAD * est[r] > PROBE_HITS ? SPREAD * est[r] : PROBE_HITS;
	for (lo = r; lo > 0 && est[lo - 1] <= cheap; lo--)
		;
	for (hi = r; hi + 1 < n && est[hi + 1] <= cheap; hi++)
		;
	put_trigrams(phrase, text + lo, hi - lo + 1);
	if (phrase->oom)
		return -ENOMEM;
	return strings ? count_hits(d, phrase, strings) : 0;
}
