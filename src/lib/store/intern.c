/* The strings table's writer side: ids of strings, cached (see intern.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "intern.h"

/* A storm uses a handful of strings, a build some thousands: 2^14 slots
 * hold them all. A string may sit in either slot of a pair, so that one
 * used all the time is not pushed out by a stream of arguments used once:
 * a new string takes the slot used longer ago. A longer string is not
 * cached: it is stored at each use. */
#define SLOT_BITS 14
#define SLOTS (1u << SLOT_BITS)
#define CACHE_MAX 4096

struct pn__intern_slot {
	int64_t hash, id;
	int64_t db_ns;   /* its str.last_ns as this writer wrote it */
	int64_t max_ns;  /* its latest use in the open batch */
	uint32_t len;
	uint32_t used;   /* in touched[] */
	char *val;       /* its bytes; NULL: the slot is free */
};

static const char sql_insert[] = "INSERT INTO str(last_ns, value) VALUES(?1, ?2)";
static const char sql_touch[] = "UPDATE str SET last_ns = ?2 WHERE id = ?1 AND last_ns < ?2";
/* Where --argv finds a string (schema 13): its words for the trigram
 * index, or its id among the long ones. */
static const char sql_fts[] = "INSERT INTO str_fts(rowid, args) VALUES(?1, pn_args(?2))";
static const char sql_long[] = "INSERT INTO str_long(id) VALUES(?1)";
/* A merge of MERGE_LEAVES leaves (of some 4 KB) of the level with the
 * most segments, once it has 4 (FTS5's usermerge), or of the merge under
 * way. It stops at the end of a term: a term's list of strings is written
 * whole, so a common trigram's, megabytes in the upper levels, is a floor
 * to what one command takes (bench/RESULTS.md). */
#define MERGE_LEAVES "16"
static const char sql_merge[] = "INSERT INTO str_fts(str_fts, rank) VALUES('merge', "
				MERGE_LEAVES ")";

static int64_t hash_of(const pn_str *v)
{
	const unsigned char *b = (const unsigned char *)v->ptr;
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a, 64 bits */

	for (size_t i = 0; i < v->len; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	/* FNV leaves the last bytes in the low bits only, and the slot is
	 * taken from the high bits: "tool-1" and "tool-2" shared one. */
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	return (int64_t)h;
}

int pn__intern_open(struct pn__intern *in, struct pn__db *d)
{
	int rc;

	memset(in, 0, sizeof(*in));
	in->slot = calloc(SLOTS, sizeof(*in->slot));
	in->touched = calloc(SLOTS, sizeof(*in->touched));
	if (!in->slot || !in->touched)
		return -ENOMEM;
	rc = pn__db_prepare(d, sql_insert, &in->insert);
	if (!rc)
		rc = pn__db_prepare(d, sql_touch, &in->touch);
	if (!rc)
		rc = pn__db_prepare(d, sql_fts, &in->fts);
	if (!rc)
		rc = pn__db_prepare(d, sql_long, &in->long_str);
	if (!rc)
		rc = pn__db_prepare(d, sql_merge, &in->merge);
	return rc;
}

void pn__intern_forget(struct pn__intern *in)
{
	for (uint32_t i = 0; in->slot && i < SLOTS; i++) {
		free(in->slot[i].val);
		in->slot[i] = (struct pn__intern_slot){ 0 };
	}
	in->ntouched = 0;
	in->told = 0;
}

void pn__intern_close(struct pn__intern *in)
{
	pn__intern_forget(in);
	free(in->slot);
	free(in->touched);
	sqlite3_finalize(in->insert);
	sqlite3_finalize(in->touch);
	sqlite3_finalize(in->fts);
	sqlite3_finalize(in->long_str);
	sqlite3_finalize(in->merge);
}

static int touch(struct pn__intern *in, struct pn__db *d, int64_t id, int64_t t_ns)
{
	int rc;

	sqlite3_bind_int64(in->touch, 1, id);
	sqlite3_bind_int64(in->touch, 2, t_ns);
	rc = sqlite3_step(in->touch);
	sqlite3_reset(in->touch);
	return rc == SQLITE_DONE ? 0 : pn__db_err(d, rc, "recording a string");
}

/* A new string where --argv looks for it. */
static int index_str(struct pn__intern *in, struct pn__db *d, const pn_str *v, int64_t id)
{
	sqlite3_stmt *st = v->len <= PN__STR_FTS_MAX ? in->fts : in->long_str;
	int rc;

	sqlite3_bind_int64(st, 1, id);
	if (st == in->fts)
		pn__db_bind_str(st, 2, v, 1);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	in->told += st == in->fts;
	return rc == SQLITE_DONE ? 0 : pn__db_err(d, rc, "recording a string");
}

/* A new row for v, used at t_ns. */
static int insert(struct pn__intern *in, struct pn__db *d, const pn_str *v, int64_t t_ns,
		  int64_t *id)
{
	int rc;

	sqlite3_bind_int64(in->insert, 1, t_ns);
	pn__db_bind_str(in->insert, 2, v, 1);
	rc = sqlite3_step(in->insert);
	sqlite3_reset(in->insert);
	if (rc != SQLITE_DONE)
		return pn__db_err(d, rc, "recording a string");
	*id = sqlite3_last_insert_rowid(d->conn);
	return index_str(in, d, v, *id);
}

/* Puts v in slot s, writing first what the batch owes the string there. */
static int fill(struct pn__intern *in, struct pn__db *d, struct pn__intern_slot *s,
		const pn_str *v, int64_t hash, int64_t id, int64_t t_ns)
{
	char *copy = malloc(v->len ? v->len : 1);
	int rc = 0;

	if (!copy)
		return -ENOMEM;
	if (s->val && s->max_ns > s->db_ns)
		rc = touch(in, d, s->id, s->max_ns);
	free(s->val);
	memcpy(copy, v->len ? v->ptr : "", v->len);
	*s = (struct pn__intern_slot){ hash, id, t_ns, t_ns, (uint32_t)v->len, s->used, copy };
	return rc;
}

static int holds(const struct pn__intern_slot *s, const pn_str *v, int64_t hash)
{
	return s->val && s->hash == hash && s->len == v->len &&
	       (!v->len || !memcmp(s->val, v->ptr, v->len));
}

/* The file is not searched: a string the cache lost is stored again, under
 * a new id. Equal bytes under two ids cost a row, never a wrong string. */
int pn__intern_id(struct pn__intern *in, struct pn__db *d, const pn_str *v, int64_t t_ns,
		  int64_t *id)
{
	int64_t hash = hash_of(v);
	struct pn__intern_slot *s = &in->slot[(uint64_t)hash >> (64 - SLOT_BITS)];
	struct pn__intern_slot *other = &in->slot[(s - in->slot) ^ 1];
	int rc;

	if (!holds(s, v, hash) && (holds(other, v, hash) || other->max_ns < s->max_ns))
		s = other;
	if (holds(s, v, hash)) {
		*id = s->id;
	} else {
		rc = insert(in, d, v, t_ns, id);
		if (!rc && v->len <= CACHE_MAX)
			rc = fill(in, d, s, v, hash, *id, t_ns);
		if (rc || v->len > CACHE_MAX)
			return rc;
	}
	if (t_ns > s->max_ns)
		s->max_ns = t_ns;
	if (!s->used) {
		s->used = 1;
		in->touched[in->ntouched++] = (uint32_t)(s - in->slot);
	}
	return 0;
}

int pn__intern_commit(struct pn__intern *in, struct pn__db *d)
{
	int rc = 0;

	for (uint32_t i = 0; i < in->ntouched; i++) {
		struct pn__intern_slot *s = &in->slot[in->touched[i]];

		if (!rc && s->val && s->max_ns > s->db_ns)
			rc = touch(in, d, s->id, s->max_ns);
		s->db_ns = s->max_ns;
		s->used = 0;
	}
	in->ntouched = 0;
	return rc;
}

/* A command that merged nothing costs some microseconds: it reads the
 * index's structure record. */
int pn__intern_merge(struct pn__intern *in, struct pn__db *d, unsigned commands)
{
	uint64_t start = pn__store_mono_ns(), t = start, took;
	int64_t before;
	int rc, merged;

	in->told = 0;
	do {
		before = sqlite3_total_changes64(d->conn);
		rc = sqlite3_step(in->merge);
		sqlite3_reset(in->merge);
		if (rc != SQLITE_DONE)
			return pn__db_err(d, rc, "merging the index of arguments");
		/* The command counts as one change, the rows it wrote as more. */
		merged = sqlite3_total_changes64(d->conn) - before > 1;
		took = pn__store_mono_ns() - t;
		t += took;
		in->merges++;
		in->longest_merge_ns = took > in->longest_merge_ns ? took : in->longest_merge_ns;
	} while (merged && --commands > 0 && t - start < PN__INTERN_MERGE_NS);
	return 0;
}
