/*
 * --name's test of a candidate event, pn_name_glob(pattern, comm, image):
 * its comm, or its image's file name, matches the GLOB (query.c asks it
 * of the events of the processes that had a matching name).
 *
 * In SQL it took two correlated subqueries per candidate (a cursor and a
 * seek each, then a copy for the cast), where the candidates of a name
 * repeat a few dozen comms and images: here each (string, use) is read
 * and tested once per statement, kept in the pattern's auxiliary data.
 * sqlite3_strglob() is GLOB's own matcher, and a string is matched as the
 * TEXT of its bytes (up to a NUL), as CAST(value AS TEXT) GLOB did; a NULL
 * column, or an id str lacks, matches nothing.
 */
#include <stdlib.h>
#include "store_internal.h"

struct name_seen {
	int64_t id;
	unsigned char image; /* the test of the file name of an image */
	unsigned char state; /* 0: free, 1: no match, 2: match */
};

struct name_glob {
	sqlite3_stmt *get;       /* a string's bytes by id */
	size_t used, cap;        /* cap: a power of 2, at most half used */
	struct name_seen *seen;
};

static void name_glob_free(void *p)
{
	struct name_glob *g = p;

	sqlite3_finalize(g->get);
	free(g->seen);
	free(g);
}

static struct name_seen *name_slot(struct name_seen *seen, size_t cap, int64_t id, int image)
{
	size_t i = (size_t)((((uint64_t)id << 1 | (uint64_t)image) * 0x9e3779b97f4a7c15ULL) >> 32);

	for (i &= cap - 1; seen[i].state && (seen[i].id != id || seen[i].image != image);
	     i = (i + 1) & (cap - 1))
		;
	return &seen[i];
}

static int name_grow(struct name_glob *g)
{
	size_t cap = g->cap ? g->cap * 2 : 64;
	struct name_seen *seen = calloc(cap, sizeof(*seen));

	if (!seen)
		return SQLITE_NOMEM;
	for (size_t i = 0; i < g->cap; i++)
		if (g->seen[i].state)
			*name_slot(seen, cap, g->seen[i].id, g->seen[i].image) = g->seen[i];
	free(g->seen);
	g->seen = seen;
	g->cap = cap;
	return SQLITE_OK;
}

/* Reads string id and tests it: 2 when it matches, 1 when not. */
static int name_read(sqlite3_context *ctx, struct name_glob *g, const char *pattern, int64_t id,
		     int image, unsigned char *state)
{
	int rc = g->get ? SQLITE_OK
			: sqlite3_prepare_v2(sqlite3_context_db_handle(ctx),
					     "SELECT value FROM str WHERE id = ?1", -1, &g->get, NULL);

	*state = 1;
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(g->get, 1, id);
	rc = sqlite3_step(g->get);
	if (rc == SQLITE_ROW && sqlite3_column_type(g->get, 0) != SQLITE_NULL) {
		const char *v = (const char *)sqlite3_column_text(g->get, 0);
		pn_str name = { v, (size_t)sqlite3_column_bytes(g->get, 0) };

		if (!v)
			return sqlite3_reset(g->get), SQLITE_NOMEM;
		/* A file name is the end of its path: NUL-terminated too. */
		if (image)
			name = pn__db_basename(name);
		*state = sqlite3_strglob(pattern, name.len ? name.ptr : "") == 0 ? 2 : 1;
	}
	sqlite3_reset(g->get);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Whether the string of id column v passes; *match 0 or 1. */
static int name_test(sqlite3_context *ctx, struct name_glob *g, const char *pattern,
		     sqlite3_value *v, int image, int *match)
{
	int64_t id = sqlite3_value_int64(v);
	struct name_seen *e;
	int rc;

	*match = 0;
	if (sqlite3_value_type(v) == SQLITE_NULL)
		return SQLITE_OK;
	if (g->used * 2 >= g->cap && (rc = name_grow(g)) != SQLITE_OK)
		return rc;
	e = name_slot(g->seen, g->cap, id, image);
	if (!e->state) {
		rc = name_read(ctx, g, pattern, id, image, &e->state);
		if (rc != SQLITE_OK) {
			e->state = 0;
			return rc;
		}
		e->id = id;
		e->image = (unsigned char)image;
		g->used++;
	}
	*match = e->state == 2;
	return SQLITE_OK;
}

static void sql_name_glob(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *pattern = (const char *)sqlite3_value_text(argv[0]);
	struct name_glob *g = sqlite3_get_auxdata(ctx, 0);
	int match = 0, rc = SQLITE_OK;

	if (!pattern)
		return; /* NULL: no match, as GLOB NULL */
	if (!g && (g = calloc(1, sizeof(*g)))) {
		sqlite3_set_auxdata(ctx, 0, g, name_glob_free);
		g = sqlite3_get_auxdata(ctx, 0); /* NULL: SQLite freed it */
	}
	if (!g)
		rc = SQLITE_NOMEM;
	if (rc == SQLITE_OK)
		rc = name_test(ctx, g, pattern, argv[1], 0, &match);
	if (rc == SQLITE_OK && !match)
		rc = name_test(ctx, g, pattern, argv[2], 1, &match);
	if (rc != SQLITE_OK)
		sqlite3_result_error_code(ctx, rc);
	else
		sqlite3_result_int(ctx, match);
}

int pn__store_name_glob_add(struct pn__db *d)
{
	/* DIRECTONLY: it reads the strings table, so no view or trigger of
	 * a file may call it. */
	int rc = sqlite3_create_function(d->conn, "pn_name_glob", 3, SQLITE_UTF8 | SQLITE_DIRECTONLY,
					 NULL, sql_name_glob, NULL, NULL);

	return rc == SQLITE_OK ? 0 : pn__db_err(d, rc, "database");
}

