/* The writer's side of --name's and --argv's lookups (see lookup.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "store_internal.h"

/* A batch has at most PN_STORE_BATCH_EVENTS events, each with a string of
 * each kind at most; the set is kept under half full. */
#define MAX_PAIRS (PN__LK_KINDS * PN_STORE_BATCH_EVENTS)
#define SET_BITS 16
#define SET_SLOTS (1u << SET_BITS)
/* A storm names a few programs, a build some hundreds. */
#define NAMED_SLOTS 4096u

static const char sql_pairs[] = "INSERT OR IGNORE INTO proc_str(str, process) VALUES";
static const char sql_name[] = "INSERT OR IGNORE INTO name(id) VALUES(?1)";

int pn__lookup_open(struct pn__lookup *l, struct pn__db *d)
{
	int rc;

	memset(l, 0, sizeof(*l));
	l->pair = calloc(MAX_PAIRS, sizeof(*l->pair));
	l->set = calloc(SET_SLOTS, sizeof(*l->set));
	l->named = calloc(NAMED_SLOTS, sizeof(*l->named));
	if (!l->pair || !l->set || !l->named)
		return -ENOMEM;
	rc = pn__db_prepare_rows(d, sql_pairs, 2, 1, &l->ins[0]);
	if (!rc)
		rc = pn__db_prepare_rows(d, sql_pairs, 2, PN_STORE_ROWS, &l->ins[1]);
	if (!rc)
		rc = pn__db_prepare(d, sql_name, &l->ins_name);
	return rc;
}

void pn__lookup_close(struct pn__lookup *l)
{
	free(l->pair);
	free(l->set);
	free(l->named);
	for (int i = 0; i < 2; i++)
		sqlite3_finalize(l->ins[i]);
	sqlite3_finalize(l->ins_name);
}

static uint64_t mix(uint64_t h)
{
	h *= 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 29);
}

void pn__lookup_note(struct pn__lookup *l, uint32_t proc, enum pn__lookup_kind kind, int64_t str)
{
	uint64_t h;

	if (!str)
		return;
	if (kind == PN__LK_BASE)
		kind = PN__LK_COMM; /* a name either way */
	h = mix(((uint64_t)str * PN__LK_KINDS + kind) ^ ((uint64_t)proc << 40));
	for (uint32_t i = (uint32_t)(h >> (64 - SET_BITS));; i = (i + 1) & (SET_SLOTS - 1)) {
		struct pn__lookup_pair *p;

		if (!l->set[i]) {
			if (l->npairs == MAX_PAIRS)
				return; /* cannot happen: a batch commits before */
			l->pair[l->npairs] = (struct pn__lookup_pair){ proc, kind, str };
			l->set[i] = ++l->npairs;
			return;
		}
		p = &l->pair[l->set[i] - 1];
		if (p->proc == proc && p->kind == kind && p->str == str)
			return;
	}
}

static int step(struct pn__db *d, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : pn__db_err(d, rc, "recording a process's names");
}

/* The name row of a name, unless this writer wrote it. */
static int add_name(struct pn__lookup *l, struct pn__db *d, const struct pn__lookup_pair *p)
{
	int64_t *slot = &l->named[mix((uint64_t)p->str) % NAMED_SLOTS];
	int rc;

	if (p->kind == PN__LK_ARGV || *slot == p->str)
		return 0;
	sqlite3_bind_int64(l->ins_name, 1, p->str);
	rc = step(d, l->ins_name);
	if (!rc)
		*slot = p->str;
	return rc;
}

/* proc_str rows of pair[0..n), n being 1 or PN_STORE_ROWS. */
static int add_pairs(struct pn__lookup *l, struct pn__db *d, const struct pn__lookup_pair *pair,
		     int n, pn__lookup_row_fn row, void *user)
{
	sqlite3_stmt *st = l->ins[n == PN_STORE_ROWS];

	for (int r = 0; r < n; r++) {
		sqlite3_bind_int64(st, 2 * r + 1, pair[r].str);
		sqlite3_bind_int64(st, 2 * r + 2, row(pair[r].proc, user));
	}
	return step(d, st);
}

int pn__lookup_commit(struct pn__lookup *l, struct pn__db *d, pn__lookup_row_fn row, void *user)
{
	uint32_t i = 0;
	int rc = 0;

	for (; !rc && i + PN_STORE_ROWS <= l->npairs; i += PN_STORE_ROWS)
		rc = add_pairs(l, d, &l->pair[i], PN_STORE_ROWS, row, user);
	for (; !rc && i < l->npairs; i++)
		rc = add_pairs(l, d, &l->pair[i], 1, row, user);
	for (i = 0; !rc && i < l->npairs; i++)
		rc = add_name(l, d, &l->pair[i]);
	memset(l->set, 0, SET_SLOTS * sizeof(*l->set));
	l->npairs = 0;
	return rc;
}

void pn__lookup_forget(struct pn__lookup *l)
{
	if (!l->set)
		return;
	memset(l->set, 0, SET_SLOTS * sizeof(*l->set));
	memset(l->named, 0, NAMED_SLOTS * sizeof(*l->named));
	l->npairs = 0;
}

/* The last pair of the next rows from cursor on; *found 0 when fewer. */
static int sweep_end(struct pn__db *d, const int64_t cursor[2], int rows, int64_t end[2],
		     int *found)
{
	sqlite3_stmt *st;
	int rc = pn__db_prepare(d, "SELECT str, process FROM proc_str WHERE (str, process) > (?1, ?2)"
				   " ORDER BY str, process LIMIT 1 OFFSET ?3", &st);

	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, cursor[0]);
	sqlite3_bind_int64(st, 2, cursor[1]);
	sqlite3_bind_int(st, 3, rows - 1);
	rc = sqlite3_step(st);
	*found = rc == SQLITE_ROW;
	if (*found) {
		end[0] = sqlite3_column_int64(st, 0);
		end[1] = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : pn__db_err(d, rc, "retention");
}

/* Like the strings (retention.c), the pairs are looked at a range at a
 * time from where the last step stopped, starting over at the end: an
 * index by process, to find a removed process's pairs, would cost an
 * entry per pair. */
int pn__lookup_sweep(struct pn__db *d, int64_t cursor[2], int rows, int *changed)
{
	int64_t end[2] = { INT64_MAX, INT64_MAX };
	sqlite3_stmt *st;
	int found, rc = sweep_end(d, cursor, rows, end, &found);

	*changed = 0;
	if (!rc)
		rc = pn__db_prepare(d, "DELETE FROM proc_str WHERE (str, process) > (?1, ?2)"
				       " AND (str, process) <= (?3, ?4) AND NOT EXISTS"
				       " (SELECT 1 FROM process p WHERE p.id = proc_str.process)", &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, cursor[0]);
	sqlite3_bind_int64(st, 2, cursor[1]);
	sqlite3_bind_int64(st, 3, end[0]);
	sqlite3_bind_int64(st, 4, end[1]);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return pn__db_err(d, rc, "retention");
	*changed = sqlite3_changes(d->conn);
	cursor[0] = found ? end[0] : 0;
	cursor[1] = found ? end[1] : 0;
	return 0;
}
