/*
 * Host names (schema 7): each is kept once, in the host table, and event
 * and process rows hold its id, 0 when the host is unknown. The writer
 * maps an event's host to its id through a small cache, so a monitor's
 * log looks its one name up once per run, and an import of a fleet once
 * per host. A reader may be scoped to one host (query --host, tree --host).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "store_internal.h"

#define HOST_CACHE_BITS 8

struct pn__host_slot {
	int64_t id;             /* 0: empty */
	size_t len;
	char name[PN_HOST_MAX];
};

static const char sql_find[] = "SELECT id FROM host WHERE name = ?1";
static const char sql_add[] = "INSERT INTO host(name) VALUES(?1)";

int pn__store_hosts_open(pn_store *s)
{
	int rc = pn__db_prepare(&s->db, sql_find, &s->host_find);

	if (!rc)
		rc = pn__db_prepare(&s->db, sql_add, &s->host_add);
	if (!rc)
		s->host_cache = calloc(1u << HOST_CACHE_BITS, sizeof(*s->host_cache));
	return rc ? rc : s->host_cache ? 0 : -ENOMEM;
}

void pn__store_hosts_close(pn_store *s)
{
	sqlite3_finalize(s->host_find);
	sqlite3_finalize(s->host_add);
	free(s->host_cache);
}

/* The id of name in the table, or 0 when it is not there. */
static int find(pn_store *s, const pn_str *name, int64_t *id)
{
	sqlite3_stmt *st = s->host_find;
	int rc;

	pn__db_bind_str(st, 1, name, 1);
	rc = sqlite3_step(st);
	*id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : pn__db_err(&s->db, rc, "finding a host");
}

/* The id of name, added to the table when new (inside the open batch). */
static int lookup(pn_store *s, const pn_str *name, int64_t *id)
{
	int rc = find(s, name, id);

	if (rc || *id)
		return rc;
	pn__db_bind_str(s->host_add, 1, name, 1);
	rc = sqlite3_step(s->host_add);
	sqlite3_reset(s->host_add);
	if (rc != SQLITE_DONE)
		return pn__db_err(&s->db, rc, "recording a host");
	*id = sqlite3_last_insert_rowid(s->db.conn);
	return 0;
}

int pn__store_host_id(pn_store *s, const pn_event *ev, int64_t *id)
{
	const pn_str *n = &ev->host;
	struct pn__host_slot *slot;
	uint64_t h;
	int rc;

	*id = 0;
	if (!(ev->have & PN_HAVE_HOST) || !n->len || n->len > PN_HOST_MAX)
		return 0;
	h = pn__hash64(n->ptr, n->len);
	slot = &s->host_cache[h >> (64 - HOST_CACHE_BITS)];
	if (slot->id && slot->len == n->len && !memcmp(slot->name, n->ptr, n->len)) {
		*id = slot->id;
		return 0;
	}
	rc = lookup(s, n, id);
	if (!rc) {
		slot->id = *id;
		slot->len = n->len;
		memcpy(slot->name, n->ptr, n->len);
	}
	return rc;
}

int pn__store_scope_host(pn_store *s, const char *name)
{
	pn_str n = { name, name ? strlen(name) : 0 };
	sqlite3_stmt *st;
	int rc;

	s->scoped = name != NULL;
	s->scope_host = 0;
	if (!name)
		return 0;
	rc = pn__db_prepare(&s->db, sql_find, &st);
	if (rc)
		return rc;
	pn__db_bind_str(st, 1, &n, 1);
	rc = sqlite3_step(st);
	/* A host the log does not know matches no row: ids start at 1. */
	s->scope_host = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : pn__db_err(&s->db, rc, "finding a host");
}
