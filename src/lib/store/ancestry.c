/*
 * parent.image and ancestor.image over the log, for `query --where`: what
 * the monitor's process table knew of each ancestor when the event was
 * delivered, rebuilt from the rows stored before it, so a rule matches a
 * stored event exactly as it matched live.
 *
 * The table knows a process from its fork (the image it inherits), its
 * execs (the image each one gives, or none when the exec's was unknown)
 * and the snapshots of what runs (at the start, at a resync: the log has
 * them as snapshot rows), and forgets it at its exit. Its children's fork
 * rows carry the image the table had for it at each fork. So an ancestor's image at an event is
 * that of the latest of those rows before the event; an ancestor whose exit
 * came before the event is not known, as it was not live. A process with
 * no row of its own (a log written before snapshots were logged, or one
 * whose snapshot retention removed) is known only through its children's
 * forks, without its own parent.
 */
#include <errno.h>
#include "store_internal.h"

enum { ST_FIND, ST_EXITED, ST_OWN, ST_CHILD };

static const char *const sql[] = {
	[ST_FIND] = "SELECT id, ppid, parent_start FROM process"
		    " WHERE pid = ?1 AND start_ns = ?2 AND boot = ?3 AND os = ?4",
	[ST_EXITED] = "SELECT 1 FROM event WHERE process = ?1 AND type = 3 AND id < ?2 LIMIT 1",
	/* Its own fork, exec and create rows, and the snapshot of it the
	 * monitor's start (or a resync) took. */
	[ST_OWN] = "SELECT id, " PN__STR_OF("image") ", have FROM event WHERE process = ?1 AND id <= ?2"
		   " AND type IN (1, 2, 5, 6) ORDER BY id DESC LIMIT 1",
	/* Its children's fork rows (the event itself may be one). */
	[ST_CHILD] = "SELECT e.id, " PN__STR_OF("e.image") ", e.have FROM process p"
		     " JOIN event e ON e.process = p.id"
		     " WHERE p.ppid = ?1 AND p.parent_start = ?2 AND p.boot = ?3 AND p.os = ?4"
		     " AND e.type = 1 AND e.id <= ?5 ORDER BY e.id DESC LIMIT 1",
};

static int prepared(pn_store *s, int i, sqlite3_stmt **st)
{
	int rc = 0;

	if (!s->anc.st[i])
		rc = pn__db_prepare(&s->db, sql[i], &s->anc.st[i]);
	*st = s->anc.st[i];
	if (!rc)
		sqlite3_reset(*st);
	return rc;
}

/* The row of process (pid, start) in the walk's boot and os; 0 when none. */
static int64_t find(pn_store *s, uint32_t pid, uint64_t start, int64_t *ppid, int64_t *pstart)
{
	struct pn__store_walk *w = &s->anc;
	sqlite3_stmt *st;

	if (prepared(s, ST_FIND, &st))
		return 0;
	sqlite3_bind_int64(st, 1, pid);
	sqlite3_bind_int64(st, 2, (int64_t)start);
	sqlite3_bind_int64(st, 3, (int64_t)w->boot);
	sqlite3_bind_int64(st, 4, w->os);
	if (sqlite3_step(st) != SQLITE_ROW)
		return 0;
	*ppid = sqlite3_column_type(st, 1) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 1);
	*pstart = sqlite3_column_int64(st, 2);
	return sqlite3_column_int64(st, 0);
}

static int exited(pn_store *s, int64_t proc)
{
	sqlite3_stmt *st;

	if (prepared(s, ST_EXITED, &st))
		return 0;
	sqlite3_bind_int64(st, 1, proc);
	sqlite3_bind_int64(st, 2, s->visiting);
	return sqlite3_step(st) == SQLITE_ROW;
}

/* The latest row witnessing the image of the walk's current process:
 * its statement stays on that row, so *image stays valid until the next
 * call. 0; 1 when that row does not know the image; -ENOENT when no row
 * witnesses the process at all.
 * Its own rows first: the table's image of it changes only through them,
 * so a child's fork row says the same unless the process has none before
 * the event (it ran before the log, unseen); and a busy parent's children
 * are many, its own rows few. */
static int image_of(pn_store *s, pn_str *image)
{
	struct pn__store_walk *w = &s->anc;
	sqlite3_stmt *st;

	if (w->proc && !prepared(s, ST_OWN, &st)) {
		sqlite3_bind_int64(st, 1, w->proc);
		sqlite3_bind_int64(st, 2, s->visiting);
		if (sqlite3_step(st) == SQLITE_ROW)
			goto found;
	}
	if (prepared(s, ST_CHILD, &st))
		return -ENOENT;
	sqlite3_bind_int64(st, 1, w->pid);
	sqlite3_bind_int64(st, 2, (int64_t)w->start);
	sqlite3_bind_int64(st, 3, (int64_t)w->boot);
	sqlite3_bind_int64(st, 4, w->os);
	sqlite3_bind_int64(st, 5, s->visiting);
	if (sqlite3_step(st) != SQLITE_ROW)
		return -ENOENT;
found:
	if (!(sqlite3_column_int64(st, 2) & PN_HAVE_IMAGE))
		return 1;
	*image = pn__db_col_str(st, 1);
	return image->len ? 0 : 1;
}

/* Moves the walk to (pid, start), unless it had exited. A process that
 * was never the subject of a row (it ran before the log began) has no row
 * of its own: its children's fork rows may still say its image, but not
 * who its parent was, so the walk ends there. */
static int step_to(pn_store *s, uint32_t pid, uint64_t start)
{
	struct pn__store_walk *w = &s->anc;
	int64_t ppid = -1, pstart = 0;

	w->proc = find(s, pid, start, &ppid, &pstart);
	if (w->proc && exited(s, w->proc))
		return -ENOENT;
	w->pid = pid;
	w->start = start;
	w->has_parent = w->proc && ppid >= 0;
	w->ppid = (uint32_t)ppid;
	w->pstart = (uint64_t)pstart;
	return 0;
}

int pn__store_ancestor(void *user, unsigned depth, pn_str *image)
{
	pn_store *s = user;
	struct pn__store_walk *w = &s->anc;
	const pn_event *ev = w->ev;
	int rc;

	if (depth == 1) {
		w->boot = ev->key.boot;
		w->os = ev->key.os;
		rc = (ev->have & PN_HAVE_PARENT) ? step_to(s, ev->ppid, ev->parent_key.start_ns)
						 : -ENOENT;
	} else if (depth == w->depth + 1 && w->alive && w->has_parent) {
		rc = step_to(s, w->ppid, w->pstart);
	} else {
		rc = -ENOENT;
	}
	w->depth = depth;
	if (!rc)
		rc = image_of(s, image);
	w->alive = rc >= 0;
	return rc;
}

void pn__store_ancestry_begin(pn_store *s, const pn_event *ev)
{
	s->anc.ev = ev;
	s->anc.depth = 0;
	s->anc.alive = 0;
}

void pn__store_ancestry_close(pn_store *s)
{
	for (size_t i = 0; i < sizeof(s->anc.st) / sizeof(s->anc.st[0]); i++)
		sqlite3_finalize(s->anc.st[i]);
}
