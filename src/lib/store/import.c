/*
 * Import: events read back from JSON Lines that a central collector
 * gathered from many hosts (pn__json_read_event), added to the log unless
 * it has them already, so that importing a file again, or a file that
 * grew, or lines a relay delivered twice, adds each event once.
 *
 * An event is the same when its host, time, seq, type and pid are: seq
 * alone restarts with every run of a monitor, and a host's clock gives
 * each of its events a time in ns. The time index finds the candidates;
 * the events of the batch not yet inserted are looked at in memory.
 */
#include <errno.h>
#include "store_internal.h"

static const char sql_seen[] =
	"SELECT 1 FROM event WHERE time_ns = ?1 AND seq = ?2 AND +type = ?3 AND host = ?4"
	" AND coalesce(pid, -1) = ?5 LIMIT 1";

static int same(const pn_event *a, const pn_event *b)
{
	return a->time_ns == b->time_ns && a->seq == b->seq && a->type == b->type &&
	       (a->type == PN_EVENT_LOST || a->pid == b->pid);
}

/* 1 when the log (or the open batch) holds ev from host already. */
static int seen(pn_store *s, const pn_event *ev, int64_t host)
{
	struct pn__store_batch *b = &s->batch;
	sqlite3_stmt *st = s->import_seen;
	int rc;

	for (int i = 0; i < b->nev; i++)
		if (b->host[i] == host && same(&b->ev[i], ev))
			return 1;
	if (!st && (rc = pn__db_prepare(&s->db, sql_seen, &s->import_seen)))
		return rc;
	st = s->import_seen;
	sqlite3_bind_int64(st, 1, ev->time_ns);
	sqlite3_bind_int64(st, 2, (int64_t)ev->seq);
	sqlite3_bind_int(st, 3, ev->type);
	sqlite3_bind_int64(st, 4, host);
	/* "+type": with a plain "type = ?3" SQLite asks whether the value
	 * makes the partial index of lost events usable, and compiles the
	 * statement again for every value bound (sqlite3_stmt_status's
	 * REPREPARE counted one per event). Likewise no "pid IS ?5". */
	sqlite3_bind_int64(st, 5, ev->type == PN_EVENT_LOST ? -1 : (int64_t)ev->pid);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : pn__db_err(&s->db, rc, "looking for an imported event");
}

int pn__store_import(pn_store *s, const pn_event *ev)
{
	int64_t host;
	int rc = pn_store_failed(s);

	/* Imports write on the caller's thread, which has no schema to
	 * write to until the writer thread's upgrade is done. */
	if (!rc && pn_store_upgrading(s))
		rc = pn__db_refuse(&s->db, -EBUSY, "the log is being upgraded: open it with "
						   "PN_STORE_WRITE for an import");
	if (!rc)
		rc = pn__store_host_id(s, ev, &host);
	if (!rc)
		rc = seen(s, ev, host);
	if (rc)
		return rc < 0 ? rc : 0;
	rc = pn__store_add(s, ev);
	if (rc)
		pn__store_fail(s, rc);
	return rc ? rc : 1;
}
