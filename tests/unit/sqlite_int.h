/* The store's unit tests read their logs behind the library's back. */
#ifndef PN_TEST_SQLITE_INT_H
#define PN_TEST_SQLITE_INT_H
#include <sqlite3.h>
#include <stdint.h>

/* The integer sql's first row gives on the file at path, opened read-only;
 * -1 when it cannot be read. */
static inline int64_t sql_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t v = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return v;
}
#endif
