/*
 * `procnotify tree`: one process, the chain of its known ancestors above it
 * and every descendant below it, each child under its parent in the order
 * they started. Rendering is src/lib/fmt/tree.c's; this file finds the
 * processes and orders them.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store_internal.h"

/* A walk up the parents that goes further than this is a damaged file. */
#define MAX_ANCESTORS 4096

#define NODE_COLS                                                                       \
	"p.id, p.boot, p.start_ns, p.os, p.pid, p.parent_start, p.ppid, p.uid, p.comm, p.image," \
	" p.argv, p.cwd, p.first_ns, p.end_ns, p.exit_code, p.signal, p.core_dumped"
enum { N_ID, N_BOOT, N_START, N_OS, N_PID, N_PSTART, N_PPID, N_UID, N_COMM, N_IMAGE, N_ARGV,
       N_CWD, N_FIRST, N_END, N_EXIT, N_SIG, N_CORE, N_PARENT_ID };

struct node {
	pn_proc_node n;
	int64_t id, parent_id;
	char *mem;              /* the copies of its strings */
	size_t child, nchild;   /* its children: nodes[child .. child + nchild) */
};

struct tree {
	struct node *up;        /* ancestors, nearest first */
	size_t nup;
	struct node *down;      /* the process and its descendants */
	size_t ndown;
};

static int is_null(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL;
}

/* Copies the row's strings, which live only until the next step. */
static int copy_strings(struct node *x, sqlite3_stmt *st)
{
	static const int cols[] = { N_COMM, N_IMAGE, N_ARGV, N_CWD };
	static const uint32_t bits[] = { PN_HAVE_COMM, PN_HAVE_IMAGE, PN_HAVE_ARGV, PN_HAVE_CWD };
	pn_str *dst[] = { &x->n.comm, &x->n.image, &x->n.argv, &x->n.cwd };
	size_t total = 0, off = 0;

	for (int i = 0; i < 4; i++)
		total += (size_t)sqlite3_column_bytes(st, cols[i]);
	x->mem = malloc(total ? total : 1);
	if (!x->mem)
		return -ENOMEM;
	for (int i = 0; i < 4; i++) {
		const void *p = sqlite3_column_blob(st, cols[i]);
		size_t n = (size_t)sqlite3_column_bytes(st, cols[i]);

		if (is_null(st, cols[i]))
			continue;
		x->n.have |= bits[i];
		memcpy(x->mem + off, p, n);
		*dst[i] = (pn_str){ x->mem + off, n };
		off += n;
	}
	return 0;
}

/* The parent has the child's boot and os (see migration 1 -> 2). */
static void row_parent(struct node *x, sqlite3_stmt *st)
{
	if (is_null(st, N_PPID))
		return;
	x->n.ppid = (uint32_t)sqlite3_column_int64(st, N_PPID);
	x->n.parent_key = (pn_key){ x->n.key.boot, (uint64_t)sqlite3_column_int64(st, N_PSTART),
				    x->n.ppid, x->n.key.os };
	x->n.have |= PN_HAVE_PARENT;
}

static int row_node(sqlite3_stmt *st, struct node *x)
{
	pn_proc_node *n = &x->n;

	memset(x, 0, sizeof(*x));
	x->id = sqlite3_column_int64(st, N_ID);
	x->parent_id = sqlite3_column_count(st) > N_PARENT_ID ? sqlite3_column_int64(st, N_PARENT_ID) : 0;
	n->pid = (uint32_t)sqlite3_column_int64(st, N_PID);
	n->key = (pn_key){ (uint64_t)sqlite3_column_int64(st, N_BOOT),
			   (uint64_t)sqlite3_column_int64(st, N_START), n->pid,
			   (uint32_t)sqlite3_column_int64(st, N_OS) };
	row_parent(x, st);
	if (!is_null(st, N_UID)) {
		n->uid = (uint32_t)sqlite3_column_int64(st, N_UID);
		n->have |= PN_HAVE_UID;
	}
	n->start_ns = sqlite3_column_int64(st, N_FIRST);
	n->end_ns = is_null(st, N_END) ? 0 : sqlite3_column_int64(st, N_END);
	n->exit_code = sqlite3_column_int(st, N_EXIT);
	n->signal = sqlite3_column_int(st, N_SIG);
	n->core_dumped = sqlite3_column_int(st, N_CORE);
	return copy_strings(x, st);
}

/* Appends every row of st to (*arr, *n). */
static int collect(pn_store *s, sqlite3_stmt *st, struct node **arr, size_t *n, size_t max)
{
	size_t cap = *n;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max) {
		if (*n == cap) {
			struct node *p = realloc(*arr, (cap = cap ? cap * 2 : 16) * sizeof(*p));

			if (!p)
				return -ENOMEM;
			*arr = p;
		}
		if (row_node(st, &(*arr)[*n]))
			return -ENOMEM;
		(*n)++;
	}
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : pn__store_err(s, rc, "tree");
}

/* Binds a key as the ?1..?4 of a statement that looks a process up. */
static void bind_key(sqlite3_stmt *st, const pn_key *k)
{
	sqlite3_bind_int64(st, 1, k->pid);
	sqlite3_bind_int64(st, 2, (int64_t)k->start_ns);
	sqlite3_bind_int64(st, 3, (int64_t)k->boot);
	sqlite3_bind_int64(st, 4, k->os);
}

#define BY_KEY "p.pid = ?1 AND p.start_ns = ?2 AND p.boot = ?3 AND p.os = ?4"

static int load_descendants(pn_store *s, int64_t id, struct tree *t)
{
	/* One statement for the whole subtree, each level found through the
	 * parent index; the strings are read once, by the final join. A child
	 * starts after its parent, so (start_ns, id) grows along every link
	 * that is followed: a damaged file with a loop of parents still ends,
	 * without the cost of UNION remembering every row. */
	static const char sql[] =
		"WITH RECURSIVE d(id, pid, start_ns, boot, os, parent) AS ("
		" SELECT id, pid, start_ns, boot, os, 0 FROM process WHERE id = ?1"
		" UNION ALL SELECT p.id, p.pid, p.start_ns, p.boot, p.os, d.id FROM d JOIN process p"
		"  ON p.ppid = d.pid AND p.parent_start = d.start_ns AND p.boot = d.boot"
		"  AND p.os = d.os WHERE p.start_ns > d.start_ns"
		"  OR (p.start_ns = d.start_ns AND p.id > d.id))"
		" SELECT " NODE_COLS ", d.parent FROM d JOIN process p ON p.id = d.id";
	sqlite3_stmt *st;
	int rc = pn__store_prepare(s, sql, &st);

	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	rc = collect(s, st, &t->down, &t->ndown, SIZE_MAX);
	sqlite3_finalize(st);
	return rc;
}

static int load_ancestors(pn_store *s, struct tree *t)
{
	sqlite3_stmt *st;
	int rc = pn__store_prepare(s, "SELECT " NODE_COLS " FROM process p WHERE " BY_KEY, &st);
	const struct node *cur = &t->down[0];

	while (!rc && (cur->n.have & PN_HAVE_PARENT) && t->nup < MAX_ANCESTORS) {
		size_t before = t->nup;

		bind_key(st, &cur->n.parent_key);
		rc = collect(s, st, &t->up, &t->nup, t->nup + 1);
		sqlite3_reset(st);
		if (t->nup == before || t->up[before].id == t->down[0].id)
			break; /* the first ancestor the log does not know, or a loop */
		cur = &t->up[t->nup - 1];
	}
	sqlite3_finalize(st);
	return rc;
}

static int by_parent_then_start(const void *a, const void *b)
{
	const struct node *x = a, *y = b;

	if (x->parent_id != y->parent_id)
		return x->parent_id < y->parent_id ? -1 : 1;
	if (x->n.start_ns != y->n.start_ns)
		return x->n.start_ns < y->n.start_ns ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

/* The first node, in the sorted array, whose parent_id is not below id. */
static size_t first_child(const struct tree *t, int64_t id)
{
	size_t lo = 0, hi = t->ndown;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->down[mid].parent_id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Sorts the descendants so each node's children are adjacent, in start
 * order, and points every node at its range. The process asked for has
 * parent 0 in the query and so sorts first. */
static void link_children(struct tree *t)
{
	qsort(t->down, t->ndown, sizeof(*t->down), by_parent_then_start);
	for (size_t i = 0; i < t->ndown; i++) {
		struct node *x = &t->down[i];

		x->child = first_child(t, x->id);
		while (x->child + x->nchild < t->ndown &&
		       t->down[x->child + x->nchild].parent_id == x->id)
			x->nchild++;
	}
}

static void render_down(pn_buf *b, const struct tree *t, size_t i, unsigned depth, int json)
{
	const struct node *x = &t->down[i];

	if (json)
		pn_fmt_tree_json_open(b, &x->n, depth == t->nup);
	else
		pn_fmt_tree_line(b, &x->n, depth, depth == t->nup);
	for (size_t c = 0; c < x->nchild; c++) {
		if (json && c)
			pn_buf_putc(b, ',');
		render_down(b, t, x->child + c, depth + 1, json);
	}
	if (json)
		pn_fmt_tree_json_close(b);
}

/* Ancestors from the farthest down to the parent, then the subtree. */
static void render(pn_buf *b, const struct tree *t, int json)
{
	for (size_t d = 0; d < t->nup; d++) {
		const struct node *x = &t->up[t->nup - 1 - d];

		if (json)
			pn_fmt_tree_json_open(b, &x->n, 0);
		else
			pn_fmt_tree_line(b, &x->n, (unsigned)d, 0);
	}
	render_down(b, t, 0, (unsigned)t->nup, json);
	for (size_t d = 0; json && d < t->nup; d++)
		pn_fmt_tree_json_close(b);
	if (json)
		pn_buf_putc(b, '\n');
}

static void free_nodes(struct node *arr, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(arr[i].mem);
	free(arr);
}

/* A pid: digits only, as the kernel prints them. */
static int parse_pid(const char *spec, uint32_t *pid)
{
	uint64_t v = 0;

	if (!*spec)
		return -EINVAL;
	for (const char *p = spec; *p; p++) {
		if (*p < '0' || *p > '9' || (v = v * 10 + (uint64_t)(*p - '0')) > UINT32_MAX)
			return -EINVAL;
	}
	*pid = (uint32_t)v;
	return 0;
}

/* An unsigned number in base 10 or 16 up to the next ':' or the end. */
static const char *parse_u64(const char *p, int base, uint64_t *v)
{
	char *end;

	if (!(base == 16 ? isxdigit((unsigned char)*p) : isdigit((unsigned char)*p)))
		return NULL;
	errno = 0;
	*v = strtoull(p, &end, base);
	return errno || (*end && *end != ':') ? NULL : end;
}

/* A key as pn_fmt_key() prints it: "L:<boot hex>:<start ns>:<pid>". */
static int parse_key(const char *spec, pn_key *k)
{
	const char *p;
	uint64_t pid = 0;

	if (!spec[0] || spec[1] != ':')
		return -EINVAL;
	k->os = (unsigned char)spec[0];
	p = parse_u64(spec + 2, 16, &k->boot);
	if (p && *p == ':')
		p = parse_u64(p + 1, 10, &k->start_ns);
	if (p && *p == ':')
		p = parse_u64(p + 1, 10, &pid);
	if (!p || *p || pid > UINT32_MAX)
		return -EINVAL;
	k->pid = (uint32_t)pid;
	return 0;
}

static int resolve_key(pn_store *s, const char *spec, int64_t *id)
{
	sqlite3_stmt *st;
	pn_key k;
	int rc = parse_key(spec, &k);

	if (!rc)
		rc = pn__store_prepare(s, "SELECT p.id FROM process p WHERE " BY_KEY, &st);
	if (rc)
		return rc;
	bind_key(st, &k);
	rc = sqlite3_step(st);
	*id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	rc = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : pn__store_err(s, rc, "tree");
	sqlite3_finalize(st);
	return rc;
}

/* The most recent process with the pid, and a sentence saying it was chosen. */
static int resolve_pid(pn_store *s, uint32_t pid, int64_t *id, pn_buf *note)
{
	int64_t count;
	int found, rc = pn__store_int(s, "SELECT id FROM process WHERE pid = ?1"
				      " ORDER BY first_ns DESC, id DESC LIMIT 1", pid, id, &found);

	if (!rc && !found)
		return -ENOENT;
	if (!rc)
		rc = pn__store_int(s, "SELECT count(*) FROM process WHERE pid = ?1", pid, &count, &found);
	if (!rc && note)
		pn_buf_printf(note, "pid %" PRIu32 " was used by %lld process%s in the log; "
			      "showing the most recent (select another by its key)",
			      pid, (long long)count, count == 1 ? "" : "es");
	return rc;
}

int pn_store_tree(pn_store *s, const char *spec, int json, pn_buf *out, pn_buf *note)
{
	struct tree t = { 0 };
	uint32_t pid;
	int64_t id = 0;
	int rc;

	if (strchr(spec, ':'))
		rc = resolve_key(s, spec, &id);
	else if (!parse_pid(spec, &pid))
		rc = resolve_pid(s, pid, &id, note);
	else
		rc = -EINVAL;
	if (!rc)
		rc = load_descendants(s, id, &t);
	if (!rc && !t.ndown)
		rc = -ENOENT; /* deleted by retention between the two statements */
	if (!rc) {
		link_children(&t);
		rc = load_ancestors(s, &t);
	}
	if (!rc)
		render(out, &t, json);
	free_nodes(t.up, t.nup);
	free_nodes(t.down, t.ndown);
	return rc;
}
