/*
 * pn_args_has(argv, text), --argv's test of a string, answers as
 * instr(pn_args(argv), text) > 0, which it replaced: over every pair of
 * short byte strings from an alphabet of letters, '-', spaces and NULs
 * (a space in the text must match a NUL between arguments; a NUL in it,
 * nothing; the last argument's NUL is no space), and NULL.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include "check.h"
#include "store/db.h"

static const char alphabet[] = { 'a', 'b', '-', ' ', 0 };
#define LETTERS (sizeof(alphabet))

/* The i-th string of length len over the alphabet. */
static void nth(char *out, unsigned i, unsigned len)
{
	for (unsigned k = 0; k < len; k++, i /= LETTERS)
		out[k] = alphabet[i % LETTERS];
}

static unsigned power(unsigned len)
{
	unsigned n = 1;

	while (len--)
		n *= LETTERS;
	return n;
}

int main(void)
{
	struct pn__db d = { 0 };
	sqlite3_stmt *st = NULL;
	char v[8], t[8];
	long pairs = 0, differ = 0, matched = 0;

	CHECK(pn__db_open(&d, ":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) == 0);
	CHECK(sqlite3_prepare_v2(d.conn, "SELECT pn_args_has(?1, ?2) IS (instr(pn_args(?1), ?2) > 0),"
				 " pn_args_has(?1, ?2)", -1, &st, NULL) == SQLITE_OK);
	for (unsigned vl = 0; st && vl <= 5; vl++)
		for (unsigned vi = 0; vi < power(vl); vi++)
			for (unsigned tl = 0; tl <= 3; tl++)
				for (unsigned ti = 0; ti < power(tl); ti++) {
					nth(v, vi, vl);
					nth(t, ti, tl);
					sqlite3_bind_blob(st, 1, v, (int)vl, SQLITE_STATIC);
					sqlite3_bind_blob(st, 2, t, (int)tl, SQLITE_STATIC);
					differ += sqlite3_step(st) != SQLITE_ROW ||
						  sqlite3_column_int(st, 0) != 1;
					matched += sqlite3_column_int(st, 1) == 1;
					sqlite3_reset(st);
					pairs++;
				}
	CHECK(pairs == 3906L * 156 && differ == 0);
	/* Both answers occur, so the comparison compared something. */
	CHECK(matched > pairs / 20 && matched < pairs - pairs / 20);
	fprintf(stderr, "pn_args_has: %ld pairs, %ld differ from instr(pn_args()), %ld match\n",
		pairs, differ, matched);
	/* NULL in, NULL out, as instr() gives. */
	sqlite3_reset(st);
	sqlite3_bind_null(st, 1);
	sqlite3_bind_blob(st, 2, "a", 1, SQLITE_STATIC);
	CHECK(sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 1 &&
	      sqlite3_column_type(st, 1) == SQLITE_NULL);
	sqlite3_finalize(st);
	pn__db_close(&d);
	return pn_test_done("test_store_args");
}
