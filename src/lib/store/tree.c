/*
 * `procnotify tree`: one process, the chain of its known ancestors above it
 * and every descendant below it, each child under its parent in the order
 * they started. This file finds the processes, orders them and hands them
 * to a visitor in the order they are printed; rendering is src/lib/fmt/'s.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store_internal.h"
#include "strcache.h"

/* A walk up the parents that goes further than this is a damaged file. */
#define MAX_ANCESTORS 4096

/*
 * The tree is found as ids first (a few dozen bytes per process), and each
 * process's row is read again when its line is printed. Copying 10,000
 * rows into memory before printing faulted in megabytes, the slowest part
 * of a first tree. Its strings come from a reader's cache (strcache.h):
 * the processes of a tree share a few names, images and directories, and
 * a subquery per string cost a cursor and a seek per string per process.
 */
#define NODE_COLS                                                                           \
	"p.boot, p.start_ns, p.os, p.pid, p.parent_start, p.ppid, p.uid, p.comm, p.image,"   \
	" p.argv, p.cwd, p.first_ns, p.end_ns, p.exit_code, p.signal, p.core_dumped, p.host," \
	" EXISTS (SELECT 1 FROM event e INDEXED BY event_snapshot WHERE e.process = p.id"        \
	" AND e.type = 6)"
enum { N_BOOT, N_START, N_OS, N_PID, N_PSTART, N_PPID, N_UID, N_COMM, N_IMAGE, N_ARGV, N_CWD,
       N_FIRST, N_END, N_EXIT, N_SIG, N_CORE, N_HOST, N_SNAPSHOT };

struct link {
	int64_t id, parent_id, first_ns;
	size_t child, nchild;   /* its children: down[child .. child + nchild) */
	size_t up;              /* its parent's index in down (0 for the first) */
};

struct tree {
	int64_t up[MAX_ANCESTORS]; /* ancestors' ids, nearest first */
	size_t nup;
	struct link *down;      /* the process and its descendants, sorted so each
				 * node's children are adjacent, in start order */
	size_t ndown;
	sqlite3_stmt *row;      /* one process's row, by id */
	struct pn__strcache *sc; /* its strings */
	const pn_store_tree_visitor *v;
	void *user;
};

static int is_null(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL;
}

/* A string column, valid until the next row; not known when NULL or when
 * the strings table lacks its id (a damaged file). */
static int row_str(struct tree *t, int i, pn_str *v, uint32_t bit, uint32_t *have)
{
	int found = 0, rc = 0;

	if (!is_null(t->row, i))
		rc = pn__strcache_get(t->sc, sqlite3_column_int64(t->row, i), v, &found);
	if (found)
		*have |= bit;
	return rc;
}

/* The parent has the child's boot and os (see migration 1 -> 2). */
static void row_parent(sqlite3_stmt *st, pn_proc_node *n)
{
	if (is_null(st, N_PPID))
		return;
	n->ppid = (uint32_t)sqlite3_column_int64(st, N_PPID);
	n->parent_key = (pn_key){ n->key.boot, (uint64_t)sqlite3_column_int64(st, N_PSTART),
				  n->ppid, n->key.os };
	n->have |= PN_HAVE_PARENT;
}

/* The current row as a node; its strings live until the next row. */
static int row_node(struct tree *t, pn_proc_node *n)
{
	sqlite3_stmt *st = t->row;
	int rc;

	memset(n, 0, sizeof(*n));
	pn__strcache_row(t->sc);
	n->pid = (uint32_t)sqlite3_column_int64(st, N_PID);
	n->key = (pn_key){ (uint64_t)sqlite3_column_int64(st, N_BOOT),
			   (uint64_t)sqlite3_column_int64(st, N_START), n->pid,
			   (uint32_t)sqlite3_column_int64(st, N_OS) };
	row_parent(st, n);
	if (!is_null(st, N_UID)) {
		n->uid = (uint32_t)sqlite3_column_int64(st, N_UID);
		n->have |= PN_HAVE_UID;
	}
	rc = row_str(t, N_COMM, &n->comm, PN_HAVE_COMM, &n->have);
	if (!rc)
		rc = row_str(t, N_IMAGE, &n->image, PN_HAVE_IMAGE, &n->have);
	if (!rc)
		rc = row_str(t, N_ARGV, &n->argv, PN_HAVE_ARGV, &n->have);
	if (!rc)
		rc = row_str(t, N_CWD, &n->cwd, PN_HAVE_CWD, &n->have);
	n->start_ns = sqlite3_column_int64(st, N_FIRST);
	n->end_ns = is_null(st, N_END) ? 0 : sqlite3_column_int64(st, N_END);
	n->exit_code = sqlite3_column_int(st, N_EXIT);
	n->signal = sqlite3_column_int(st, N_SIG);
	n->core_dumped = sqlite3_column_int(st, N_CORE);
	n->observed_at_start = sqlite3_column_int(st, N_SNAPSHOT);
	return rc;
}

/* Steps t->row to process id; the caller resets it once done with the row. */
static int fetch(pn_store *s, struct tree *t, int64_t id, pn_proc_node *n)
{
	int rc;

	sqlite3_bind_int64(t->row, 1, id);
	rc = sqlite3_step(t->row);
	if (rc == SQLITE_ROW) {
		rc = row_node(t, n);
		if (rc)
			sqlite3_reset(t->row);
		return rc;
	}
	sqlite3_reset(t->row);
	return rc == SQLITE_DONE ? -ENOENT : pn__db_err(&s->db, rc, "tree");
}

/* Binds a key and its host as the ?1..?5 of a statement that looks a
 * process up: a key is unique on its host only. */
static void bind_key(sqlite3_stmt *st, const pn_key *k, int64_t host)
{
	sqlite3_bind_int64(st, 1, k->pid);
	sqlite3_bind_int64(st, 2, (int64_t)k->start_ns);
	sqlite3_bind_int64(st, 3, (int64_t)k->boot);
	sqlite3_bind_int64(st, 4, k->os);
	sqlite3_bind_int64(st, 5, host);
}

#define BY_KEY "p.pid = ?1 AND p.start_ns = ?2 AND p.boot = ?3 AND p.os = ?4"
#define BY_KEY_HOST BY_KEY " AND p.host = ?5"

/* Appends every (id, parent id, first_ns) row of st to t->down. */
static int collect_links(pn_store *s, sqlite3_stmt *st, struct tree *t)
{
	size_t cap = 0;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (t->ndown == cap) {
			struct link *p = realloc(t->down, (cap = cap ? cap * 2 : 64) * sizeof(*p));

			if (!p)
				return -ENOMEM;
			t->down = p;
		}
		t->down[t->ndown++] = (struct link){ sqlite3_column_int64(st, 0),
						     sqlite3_column_int64(st, 1),
						     sqlite3_column_int64(st, 2), 0, 0, 0 };
	}
	return rc == SQLITE_DONE ? 0 : pn__db_err(&s->db, rc, "tree");
}

static int load_descendants(pn_store *s, int64_t id, struct tree *t)
{
	/* One statement for the whole subtree, each level found through the
	 * parent index. A child starts after its parent, so (start_ns, id)
	 * grows along every link that is followed: a damaged file with a loop
	 * of parents still ends, without the cost of UNION remembering every
	 * row. */
	static const char sql[] =
		"WITH RECURSIVE d(id, pid, start_ns, boot, os, host, parent, first_ns) AS ("
		" SELECT id, pid, start_ns, boot, os, host, 0, first_ns FROM process WHERE id = ?1"
		" UNION ALL SELECT p.id, p.pid, p.start_ns, p.boot, p.os, p.host, d.id, p.first_ns"
		"  FROM d JOIN process p"
		"  ON p.ppid = d.pid AND p.parent_start = d.start_ns AND p.boot = d.boot"
		"  AND p.os = d.os AND p.host = d.host WHERE p.start_ns > d.start_ns"
		"  OR (p.start_ns = d.start_ns AND p.id > d.id))"
		" SELECT id, parent, first_ns FROM d";
	sqlite3_stmt *st;
	int rc = pn__db_prepare(&s->db, sql, &st);

	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	rc = collect_links(s, st, t);
	sqlite3_finalize(st);
	return rc;
}

/* The id of the process with key *k (0 when the log does not know it);
 * *k becomes the key of its parent, which *has_parent says it has. */
static int step_up(pn_store *s, sqlite3_stmt *st, pn_key *k, int64_t host, int *has_parent,
		   int64_t *id)
{
	int rc;

	bind_key(st, k, host);
	rc = sqlite3_step(st);
	*id = 0;
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		*has_parent = !is_null(st, 1);
		k->pid = (uint32_t)sqlite3_column_int64(st, 1);
		k->start_ns = (uint64_t)sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : pn__db_err(&s->db, rc, "tree");
}

/* The ids of the known ancestors of the process asked for, nearest first,
 * up to the first parent the log does not know (or a loop back to it).
 * Parents are on their children's host. */
static int load_ancestors(pn_store *s, struct tree *t)
{
	sqlite3_stmt *st;
	pn_proc_node n;
	pn_key k;
	int64_t id, host;
	int has_parent, rc = fetch(s, t, t->down[0].id, &n);

	if (rc)
		return rc;
	k = n.parent_key; /* a copy: the row's strings are not needed */
	host = sqlite3_column_int64(t->row, N_HOST);
	has_parent = (n.have & PN_HAVE_PARENT) != 0;
	sqlite3_reset(t->row);
	rc = pn__db_prepare(&s->db, "SELECT p.id, p.ppid, p.parent_start FROM process p WHERE "
			       BY_KEY_HOST, &st);
	while (!rc && has_parent && t->nup < MAX_ANCESTORS) {
		rc = step_up(s, st, &k, host, &has_parent, &id);
		if (rc || !id || id == t->down[0].id)
			break;
		t->up[t->nup++] = id;
	}
	sqlite3_finalize(st);
	return rc;
}

static int by_parent_then_start(const void *a, const void *b)
{
	const struct link *x = a, *y = b;

	if (x->parent_id != y->parent_id)
		return x->parent_id < y->parent_id ? -1 : 1;
	if (x->first_ns != y->first_ns)
		return x->first_ns < y->first_ns ? -1 : 1;
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
		struct link *x = &t->down[i];

		x->child = first_child(t, x->id);
		while (x->child + x->nchild < t->ndown &&
		       t->down[x->child + x->nchild].parent_id == x->id)
			t->down[x->child + x->nchild++].up = i;
	}
}

/* Hands one process, read from its row, to the visitor. */
static int enter(pn_store *s, struct tree *t, int64_t id, unsigned depth, int selected)
{
	pn_proc_node n;
	int rc = fetch(s, t, id, &n);

	if (!rc)
		rc = t->v->enter(&n, depth, selected, t->user);
	sqlite3_reset(t->row);
	return rc;
}

/* From the last process entered (a leaf, index i at depth), leaves each
 * process whose children are all done, up to the first with a next
 * sibling, or the subtree's top; *i and *depth become that sibling's. */
static int climb(struct tree *t, size_t *i, unsigned *depth, int *done)
{
	int rc;

	for (;;) {
		const struct link *p = &t->down[t->down[*i].up];

		rc = t->v->leave(*depth, t->user);
		*done = !rc && *i == 0;
		if (rc || *done)
			return rc;
		if (*i + 1 < p->child + p->nchild) {
			++*i;
			return 0;
		}
		*i = t->down[*i].up;
		--*depth;
	}
}

/* The subtree, depth first without recursion: the links say where each
 * node's children and parent are, so the walk needs no stack. */
static int walk_down(pn_store *s, struct tree *t)
{
	size_t i = 0;
	unsigned depth = (unsigned)t->nup;
	int done = 0, rc = enter(s, t, t->down[0].id, depth, 1);

	while (!rc) {
		if (t->down[i].nchild) {
			i = t->down[i].child;
			depth++;
		} else {
			rc = climb(t, &i, &depth, &done);
			if (rc || done)
				break;
		}
		rc = enter(s, t, t->down[i].id, depth, 0);
	}
	return rc;
}

/* Ancestors from the farthest down to the parent, then the subtree, then
 * the ancestors are left, nearest first. */
static int walk(pn_store *s, struct tree *t)
{
	int rc = 0;

	for (size_t d = 0; !rc && d < t->nup; d++)
		rc = enter(s, t, t->up[t->nup - 1 - d], (unsigned)d, 0);
	if (!rc)
		rc = walk_down(s, t);
	for (size_t d = t->nup; !rc && d > 0; d--)
		rc = t->v->leave((unsigned)d - 1, t->user);
	return rc;
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

static int is_digit(int c, int base)
{
	return base == 16 ? isxdigit(c) : isdigit(c);
}

/* An unsigned number of 1 to max digits in base 10 or 16, then sep;
 * returns the text after sep, or NULL. */
static const char *parse_field(const char *p, int base, int max, char sep, uint64_t *v)
{
	int n = 0;

	while (n <= max && is_digit((unsigned char)p[n], base))
		n++;
	if (n == 0 || n > max || p[n] != sep)
		return NULL;
	errno = 0;
	*v = strtoull(p, NULL, base);
	return errno ? NULL : p + n + (sep != 0);
}

/* A key as pn_fmt_key() prints it: "L:<boot hex>:<start ns>:<pid>", every
 * field present, nothing after it; the system an upper-case letter. */
int pn__store_parse_key(const char *spec, pn_key *k)
{
	const char *p = spec + 2;
	uint64_t pid;

	if (spec[0] < 'A' || spec[0] > 'Z' || spec[1] != ':')
		return -EINVAL;
	k->os = (unsigned char)spec[0];
	p = parse_field(p, 16, 16, ':', &k->boot);
	if (p)
		p = parse_field(p, 10, 20, ':', &k->start_ns);
	if (p)
		p = parse_field(p, 10, 10, 0, &pid);
	if (!p || pid > UINT32_MAX)
		return -EINVAL;
	k->pid = (uint32_t)pid;
	return 0;
}

/* The host condition of a lookup: none, or the reader's scope. */
static const char *host_cond(const pn_store *s)
{
	return s->scoped ? " AND p.host = ?5" : "";
}

/*
 * The most recent process that sql's ?1..?5 (a key, or a pid as ?1, and
 * the scope's host as ?5) select; *count is how many it chose from.
 * sql selects p.id and a count over the same rows.
 */
static int pick(pn_store *s, const char *sql, const pn_key *k, int64_t *id, int64_t *count)
{
	sqlite3_stmt *st;
	int rc = pn__db_prepare(&s->db, sql, &st);

	if (rc)
		return rc;
	bind_key(st, k, s->scope_host);
	rc = sqlite3_step(st);
	*id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	*count = rc == SQLITE_ROW ? sqlite3_column_int64(st, 1) : 0;
	if (rc == SQLITE_ROW && !*id)
		rc = SQLITE_DONE; /* the count of no row */
	rc = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : pn__db_err(&s->db, rc, "tree");
	sqlite3_finalize(st);
	return rc;
}

/* A key names one process on each host that ran it: two hosts restored
 * from one running snapshot share a boot id. */
static int resolve_key(pn_store *s, const char *spec, int64_t *id, pn_buf *note)
{
	pn_buf sql = { 0 };
	pn_key k;
	int64_t count;
	int rc = pn__store_parse_key(spec, &k);

	if (rc)
		return rc;
	pn_buf_printf(&sql, "SELECT max(p.id), count(*) FROM process p WHERE %s%s", BY_KEY,
		      host_cond(s));
	rc = sql.oom ? -ENOMEM : pick(s, sql.data, &k, id, &count);
	pn_buf_free(&sql);
	if (!rc && count > 1 && note)
		pn_buf_printf(note, "key %s is on %lld hosts in the log; showing the last "
			      "recorded (select one with --host)", spec, (long long)count);
	return rc;
}

/* The most recent process with the pid, and a sentence saying it was chosen. */
static int resolve_pid(pn_store *s, uint32_t pid, int64_t *id, pn_buf *note)
{
	pn_buf sql = { 0 };
	pn_key k = { .pid = pid };
	int64_t count;
	int rc;

	pn_buf_printf(&sql, "SELECT (SELECT p.id FROM process p WHERE p.pid = ?1%s"
		      " ORDER BY p.first_ns DESC, p.id DESC LIMIT 1),"
		      " (SELECT count(*) FROM process p WHERE p.pid = ?1%s)",
		      host_cond(s), host_cond(s));
	rc = sql.oom ? -ENOMEM : pick(s, sql.data, &k, id, &count);
	pn_buf_free(&sql);
	if (!rc && note)
		pn_buf_printf(note, "pid %" PRIu32 " was used by %lld process%s in the log%s; "
			      "showing the most recent (select another by its key)",
			      pid, (long long)count, count == 1 ? "" : "es",
			      s->scoped ? " on that host" : "");
	return rc;
}

/* The tree of the process spec names, read in one snapshot of the log. */
static int build(pn_store *s, const char *spec, pn_buf *note, struct tree *t)
{
	uint32_t pid;
	int64_t id = 0;
	int rc;

	if (strchr(spec, ':'))
		rc = resolve_key(s, spec, &id, note);
	else if (!parse_pid(spec, &pid))
		rc = resolve_pid(s, pid, &id, note);
	else
		rc = -EINVAL;
	if (!rc)
		rc = load_descendants(s, id, t);
	if (!rc && !t->ndown)
		rc = -ENOENT;
	if (!rc) {
		link_children(t);
		rc = pn__db_prepare(&s->db, "SELECT " NODE_COLS " FROM process p WHERE p.id = ?1",
				       &t->row);
	}
	if (!rc)
		rc = pn__strcache_new(&s->db, &t->sc);
	if (!rc)
		rc = load_ancestors(s, t);
	if (!rc)
		rc = walk(s, t);
	return rc;
}

int pn_store_tree(pn_store *s, const char *spec, const pn_store_tree_visitor *v, void *user,
		  pn_buf *note)
{
	struct tree *t = calloc(1, sizeof(*t));
	int rc;

	if (!t)
		return -ENOMEM;
	t->v = v;
	t->user = user;
	/* One read transaction: retention in a writer cannot take a process
	 * away between finding it and printing it. */
	rc = pn__db_exec(&s->db, "BEGIN");
	if (!rc)
		rc = build(s, spec, note, t);
	sqlite3_exec(s->db.conn, "COMMIT", NULL, NULL, NULL);
	sqlite3_finalize(t->row);
	pn__strcache_free(t->sc);
	free(t->down);
	free(t);
	return rc;
}

/* The visitor most callers want: each process written as it is visited. */
static int fmt_enter(const pn_proc_node *n, unsigned depth, int selected, void *user)
{
	pn_fmt_tree_enter(user, n, depth, selected);
	return 0;
}

static int fmt_leave(unsigned depth, void *user)
{
	pn_fmt_tree_leave(user, depth);
	return 0;
}

int pn_store_tree_fmt(pn_store *s, const char *spec, pn_fmt_tree *t, pn_buf *note)
{
	static const pn_store_tree_visitor v = { fmt_enter, fmt_leave };

	return pn_store_tree(s, spec, &v, t, note);
}
