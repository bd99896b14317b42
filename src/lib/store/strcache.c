/* A reader's cache of the strings table (see strcache.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "strcache.h"

#define SLOT_BITS 12
#define SLOTS (1u << SLOT_BITS)
/* A row has fewer string columns than this: a string whose slot another
 * string of the same row holds is kept aside, in one of these. */
#define ASIDE 32

struct slot {
	int64_t id;
	uint64_t row;       /* the last row it was handed to */
	size_t len;
	char *val;          /* NULL: free */
};

/* The host of the last row: nearly every row of a log has its monitor's
 * host, so one name is kept, and a miss (id 0: unknown) too. */
struct host {
	int64_t id;         /* -1: none yet */
	int found;
	size_t len;
	char *val;
};

struct pn__strcache {
	struct pn__db *d;
	sqlite3_stmt *get, *host_get;
	sqlite3_blob *blob;     /* str.value of the last string read, or NULL */
	struct host host;
	uint64_t row;
	char *aside[ASIDE];
	unsigned naside;
	struct slot slot[SLOTS];
};

int pn__strcache_new(struct pn__db *d, struct pn__strcache **out)
{
	struct pn__strcache *c = calloc(1, sizeof(*c));
	int rc;

	*out = NULL;
	if (!c)
		return -ENOMEM;
	c->d = d;
	c->row = 1;
	c->host.id = -1;
	rc = pn__db_prepare(d, "SELECT value FROM str WHERE id = ?1", &c->get);
	if (!rc)
		rc = pn__db_prepare(d, "SELECT name FROM host WHERE id = ?1", &c->host_get);
	if (rc) {
		pn__strcache_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

static void free_aside(struct pn__strcache *c)
{
	while (c->naside)
		free(c->aside[--c->naside]);
}

void pn__strcache_free(struct pn__strcache *c)
{
	if (!c)
		return;
	for (unsigned i = 0; i < SLOTS; i++)
		free(c->slot[i].val);
	free_aside(c);
	free(c->host.val);
	sqlite3_blob_close(c->blob);
	sqlite3_finalize(c->get);
	sqlite3_finalize(c->host_get);
	free(c);
}

void pn__strcache_row(struct pn__strcache *c)
{
	free_aside(c);
	c->row++;
}

/* A copy of the value get looks up for id in *copy. */
static int fetch(struct pn__strcache *c, sqlite3_stmt *get, int64_t id, char **copy, size_t *len,
		 int *found)
{
	int rc;

	sqlite3_bind_int64(get, 1, id);
	rc = sqlite3_step(get);
	*found = rc == SQLITE_ROW && sqlite3_column_type(get, 0) != SQLITE_NULL;
	if (*found) {
		pn_str v = pn__db_col_str(get, 0);

		*len = v.len;
		*copy = malloc(v.len ? v.len : 1);
		if (*copy)
			memcpy(*copy, v.len ? v.ptr : "", v.len);
	}
	sqlite3_reset(get);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pn__db_err(c->d, rc, "query");
	return *found && !*copy ? -ENOMEM : 0;
}

/*
 * A copy of string id read through the blob handle, moved from row to row:
 * a seek, where a statement costs a start, a cursor opened and closed and
 * a reset (5,000 instructions a string, 7% of a query --since when
 * most rows hold arguments not seen before). 1: read; 0: the handle cannot
 * tell (no such row, a value that is neither BLOB nor TEXT, an error), the
 * statement decides, as before, and the handle is opened again next time.
 */
static int blob_fetch(struct pn__strcache *c, int64_t id, char **copy, size_t *len)
{
	int rc = c->blob ? sqlite3_blob_reopen(c->blob, id)
			 : sqlite3_blob_open(c->d->conn, "main", "str", "value", id, 0, &c->blob);
	int n = rc == SQLITE_OK ? sqlite3_blob_bytes(c->blob) : 0;

	if (rc == SQLITE_OK && !(*copy = malloc(n ? (size_t)n : 1)))
		return -ENOMEM;
	if (rc == SQLITE_OK && n)
		rc = sqlite3_blob_read(c->blob, *copy, n, 0);
	if (rc == SQLITE_OK) {
		*len = (size_t)n;
		return 1;
	}
	free(*copy);
	*copy = NULL;
	sqlite3_blob_close(c->blob); /* a handle that failed is done */
	c->blob = NULL;
	return 0;
}

int pn__strcache_get(struct pn__strcache *c, int64_t id, pn_str *out, int *found)
{
	struct slot *s = &c->slot[((uint64_t)id * 0x9e3779b97f4a7c15ULL) >> (64 - SLOT_BITS)];
	char *copy = NULL;
	size_t len = 0;
	int rc;

	*found = 1;
	if (s->val && s->id == id) {
		s->row = c->row;
		*out = (pn_str){ s->val, s->len };
		return 0;
	}
	rc = blob_fetch(c, id, &copy, &len);
	if (rc == 0)
		rc = fetch(c, c->get, id, &copy, &len, found);
	else if (rc == 1)
		rc = 0;
	if (rc || !*found)
		return rc;
	*out = (pn_str){ copy, len };
	if (s->val && s->row == c->row) {
		if (c->naside == ASIDE) {
			free(copy);
			return -ENOMEM; /* more strings in a row than it has columns */
		}
		c->aside[c->naside++] = copy;
		return 0;
	}
	free(s->val);
	*s = (struct slot){ id, c->row, len, copy };
	return 0;
}

int pn__strcache_host(struct pn__strcache *c, int64_t id, pn_str *out, int *found)
{
	struct host *h = &c->host;
	int rc = 0;

	if (h->id != id) {
		free(h->val);
		h->val = NULL;
		h->id = -1;
		rc = fetch(c, c->host_get, id, &h->val, &h->len, &h->found);
		if (rc)
			return rc;
		h->id = id;
	}
	*found = h->found;
	*out = (pn_str){ h->val, h->len };
	return 0;
}
