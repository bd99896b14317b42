/*
 * The writer: one row per event and one per process, in batched
 * transactions, and retention in small steps between batches.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "store_internal.h"

/* How often retention looks for work, and how soon it goes on when a step
 * did not finish it. */
#define RETENTION_IDLE_NS (1000 * 1000000ULL)
#define RETENTION_BUSY_NS (50 * 1000000ULL)

static const char sql_insert_event[] =
	"INSERT INTO event(run, seq, type, time_ns, have, flags, process, pid, tid, ppid,"
	" parent_start, uid, gid, euid, sid, comm, image, filename, cwd, argv, argc, old_tid,"
	" tty, cgroup_id, exit_code, signal, core_dumped, nt_status, duration_ns, lost_count,"
	" lost_fork, lost_exec, lost_exit, lost_create) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
	" ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25,"
	" ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34)";

/* A process row gathers what its events tell: the first known parent (an
 * exit after the parent died names the reaper instead), the latest exec's
 * image and arguments, and the exit. The statements share the parameters
 * ?1..?20 (the key is ?1..?4), and the update takes the row id as ?21;
 * plain single-row statements need no statement journal, unlike an upsert,
 * which halves the cost of an event. */
static const char sql_insert_process[] =
	"INSERT OR IGNORE INTO process(boot, start_ns, os, pid, ppid, parent_start, uid, gid,"
	" euid, comm, image, argv, argc, cwd, first_ns, exec_ns, end_ns, exit_code, signal,"
	" core_dumped) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
	" ?15, ?16, ?17, ?18, ?19, ?20)";

/* The parent is not set here: SQLite rewrites the entries of every index
 * whose columns an UPDATE sets, so setting ppid on each exec and exit
 * rewrote the parent index for nothing. adopt_parent() sets it, once. */
static const char sql_update_process[] =
	"UPDATE process SET"
	" uid = coalesce(?7, uid), gid = coalesce(?8, gid), euid = coalesce(?9, euid),"
	" comm = coalesce(?10, comm), image = coalesce(?11, image),"
	" argv = CASE WHEN ?16 IS NULL THEN argv ELSE ?12 END,"
	" argc = CASE WHEN ?16 IS NULL THEN argc ELSE ?13 END,"
	" cwd = CASE WHEN ?16 IS NULL THEN cwd ELSE ?14 END,"
	" exec_ns = coalesce(?16, exec_ns), end_ns = coalesce(?17, end_ns),"
	" exit_code = coalesce(?18, exit_code), signal = coalesce(?19, signal),"
	" core_dumped = coalesce(?20, core_dumped)"
	" WHERE id = ?21";

static const char sql_adopt_parent[] =
	"UPDATE process SET ppid = ?1, parent_start = ?2 WHERE id = ?3 AND ppid IS NULL";

static const char sql_find_process[] =
	"SELECT id FROM process WHERE pid = ?4 AND start_ns = ?2 AND boot = ?1 AND os = ?3";

static int is_exec(const pn_event *ev)
{
	return ev->type == PN_EVENT_EXEC || ev->type == PN_EVENT_CREATE;
}

/* Binds v, or NULL when the event does not know it. */
static void bind_int(sqlite3_stmt *st, int i, int64_t v, int known)
{
	if (known)
		sqlite3_bind_int64(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

static void bind_process_exit(sqlite3_stmt *st, const pn_event *ev)
{
	int is_exit = ev->type == PN_EVENT_EXIT;

	bind_int(st, 17, ev->time_ns, is_exit);
	bind_int(st, 18, ev->exit_code, is_exit);
	bind_int(st, 19, ev->signal, is_exit);
	bind_int(st, 20, ev->core_dumped, is_exit);
}

static void bind_key(sqlite3_stmt *st, const pn_key *k)
{
	sqlite3_bind_int64(st, 1, (int64_t)k->boot);
	sqlite3_bind_int64(st, 2, (int64_t)k->start_ns);
	sqlite3_bind_int64(st, 3, k->os);
	sqlite3_bind_int64(st, 4, k->pid);
}

static void bind_process(sqlite3_stmt *st, const pn_event *ev)
{
	uint32_t h = ev->have;
	int exec = is_exec(ev);

	bind_key(st, &ev->key);
	bind_int(st, 5, ev->ppid, h & PN_HAVE_PARENT);
	bind_int(st, 6, (int64_t)ev->parent_key.start_ns, h & PN_HAVE_PARENT);
	bind_int(st, 7, ev->uid, h & PN_HAVE_UID);
	bind_int(st, 8, ev->gid, h & PN_HAVE_UID);
	bind_int(st, 9, ev->euid, h & PN_HAVE_UID);
	pn__store_bind_str(st, 10, &ev->comm, h & PN_HAVE_COMM);
	pn__store_bind_str(st, 11, &ev->image, h & PN_HAVE_IMAGE);
	pn__store_bind_str(st, 12, &ev->argv, exec && (h & PN_HAVE_ARGV));
	bind_int(st, 13, ev->argc, exec && (h & PN_HAVE_ARGV));
	pn__store_bind_str(st, 14, &ev->cwd, exec && (h & PN_HAVE_CWD));
	sqlite3_bind_int64(st, 15, ev->time_ns);
	bind_int(st, 16, ev->time_ns, exec);
	bind_process_exit(st, ev);
}

static int step_done(pn_store *s, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : pn__store_err(s, rc, "recording a process");
}

/* Updates row id with ev; *hit says whether the row was there. */
static int update_process(pn_store *s, const pn_event *ev, int64_t id, int *hit)
{
	int rc;

	bind_process(s->up_process, ev);
	sqlite3_bind_int64(s->up_process, 21, id);
	rc = step_done(s, s->up_process);
	*hit = !rc && sqlite3_changes(s->db) > 0;
	return rc;
}

static int find_process(pn_store *s, const pn_key *k, int64_t *id)
{
	sqlite3_stmt *st = s->find_process;
	int rc;

	bind_key(st, k);
	rc = sqlite3_step(st);
	*id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : pn__store_err(s, rc, "recording a process");
}

/* The cache slot of a process: the row ids of recent processes, so most
 * events update their row by id without looking the key up. A slot is
 * only a hint; a wrong or stale one falls back to the key. */
static struct pn__store_slot *slot_of(pn_store *s, const pn_key *k)
{
	uint64_t h = (k->start_ns ^ ((uint64_t)k->pid << 32)) * 0x9e3779b97f4a7c15ULL;

	return &s->cache[h >> (64 - PN_STORE_CACHE_BITS)];
}

/* A row recorded without a parent takes the first one an event names. */
static int adopt_parent(pn_store *s, const pn_event *ev, int64_t id)
{
	sqlite3_stmt *st = s->adopt_parent;

	sqlite3_bind_int64(st, 1, ev->ppid);
	sqlite3_bind_int64(st, 2, (int64_t)ev->parent_key.start_ns);
	sqlite3_bind_int64(st, 3, id);
	return step_done(s, st);
}

/* A new process: its row is inserted; one seen before: its row updated,
 * and given the event's parent unless it is known to have one. */
static int upsert_process(pn_store *s, const pn_event *ev, int64_t *id)
{
	struct pn__store_slot *slot = slot_of(s, &ev->key);
	uint32_t has_parent = 0, ev_parent = (ev->have & PN_HAVE_PARENT) != 0;
	int hit = 0, inserted = 0, rc = 0;

	if (slot->id && slot->pid == ev->key.pid && slot->start_ns == ev->key.start_ns) {
		has_parent = slot->has_parent;
		rc = update_process(s, ev, *id = slot->id, &hit);
	}
	if (!rc && !hit) {
		has_parent = 0;
		bind_process(s->ins_process, ev);
		rc = step_done(s, s->ins_process);
		hit = inserted = !rc && sqlite3_changes(s->db) > 0;
		*id = sqlite3_last_insert_rowid(s->db);
	}
	if (!rc && !hit)
		rc = find_process(s, &ev->key, id);
	if (!rc && !hit)
		rc = update_process(s, ev, *id, &hit);
	if (!rc && !inserted && !has_parent && ev_parent)
		rc = adopt_parent(s, ev, *id);
	*slot = (struct pn__store_slot){ ev->key.pid, has_parent | ev_parent, ev->key.start_ns, *id };
	return rc;
}

static void bind_event_process(sqlite3_stmt *st, const pn_event *ev)
{
	uint32_t h = ev->have;
	int exec = is_exec(ev), is_proc = ev->type != PN_EVENT_LOST;
	pn_str tty = { ev->tty, strnlen(ev->tty, sizeof(ev->tty)) };

	bind_int(st, 8, ev->pid, is_proc);
	bind_int(st, 9, ev->tid, h & PN_HAVE_TID);
	bind_int(st, 10, ev->ppid, h & PN_HAVE_PARENT);
	bind_int(st, 11, (int64_t)ev->parent_key.start_ns, h & PN_HAVE_PARENT);
	bind_int(st, 12, ev->uid, h & PN_HAVE_UID);
	bind_int(st, 13, ev->gid, h & PN_HAVE_UID);
	bind_int(st, 14, ev->euid, h & PN_HAVE_UID);
	bind_int(st, 15, ev->sid, h & PN_HAVE_SID);
	pn__store_bind_str(st, 16, &ev->comm, h & PN_HAVE_COMM);
	pn__store_bind_str(st, 17, &ev->image, h & PN_HAVE_IMAGE);
	pn__store_bind_str(st, 18, &ev->filename, h & PN_HAVE_FILENAME);
	pn__store_bind_str(st, 19, &ev->cwd, h & PN_HAVE_CWD);
	pn__store_bind_str(st, 20, &ev->argv, h & PN_HAVE_ARGV);
	bind_int(st, 21, ev->argc, exec);
	bind_int(st, 22, ev->old_tid, exec);
	pn__store_bind_str(st, 23, &tty, h & PN_HAVE_TTY);
	bind_int(st, 24, (int64_t)ev->cgroup_id, exec);
}

static void bind_event_end(sqlite3_stmt *st, const pn_event *ev)
{
	int is_exit = ev->type == PN_EVENT_EXIT, is_lost = ev->type == PN_EVENT_LOST;

	bind_int(st, 25, ev->exit_code, is_exit);
	bind_int(st, 26, ev->signal, is_exit);
	bind_int(st, 27, ev->core_dumped, is_exit);
	bind_int(st, 28, ev->nt_status, is_exit && (ev->have & PN_HAVE_NTSTATUS));
	bind_int(st, 29, ev->duration_ns, is_exit && ev->duration_ns >= 0);
	bind_int(st, 30, (int64_t)ev->lost_count, is_lost && ev->lost_count_known);
	for (int t = PN_EVENT_FORK; t <= PN_EVENT_CREATE; t++)
		bind_int(st, 30 + t, (int64_t)ev->lost_by_type[t], is_lost && ev->lost_count_known);
}

static int insert_event(pn_store *s, const pn_event *ev, int64_t process)
{
	sqlite3_stmt *st = s->ins_event;
	int rc;

	sqlite3_bind_int64(st, 1, s->run);
	sqlite3_bind_int64(st, 2, (int64_t)ev->seq);
	sqlite3_bind_int(st, 3, ev->type);
	sqlite3_bind_int64(st, 4, ev->time_ns);
	sqlite3_bind_int64(st, 5, ev->have);
	sqlite3_bind_int64(st, 6, ev->flags);
	bind_int(st, 7, process, ev->type != PN_EVENT_LOST);
	bind_event_process(st, ev);
	bind_event_end(st, ev);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : pn__store_err(s, rc, "recording an event");
}

static int begin_batch(pn_store *s)
{
	int rc;

	if (s->in_txn)
		return 0;
	rc = pn__store_exec(s, "BEGIN IMMEDIATE");
	if (!rc) {
		s->batch_start_ns = pn__store_mono_ns();
		s->in_txn = 1;
		s->pending = 0;
	}
	return rc;
}

static int add(pn_store *s, const pn_event *ev)
{
	int64_t process = 0;
	int rc = begin_batch(s);

	if (!rc && ev->type != PN_EVENT_LOST)
		rc = upsert_process(s, ev, &process);
	if (!rc)
		rc = insert_event(s, ev, process);
	if (rc)
		return rc;
	if (++s->pending >= PN_STORE_BATCH_EVENTS)
		return pn_store_commit(s);
	return 0;
}

void pn_store_event(const pn_event *ev, void *user)
{
	pn_store *s = user;

	if (!s->failed)
		s->failed = add(s, ev);
}

int pn_store_commit(pn_store *s)
{
	int rc;

	if (!s->in_txn)
		return 0;
	rc = pn__store_exec(s, "COMMIT");
	s->in_txn = 0;
	s->pending = 0;
	if (rc) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		if (!s->failed)
			s->failed = rc;
	}
	return rc;
}

static int retention_due(pn_store *s, uint64_t now)
{
	return (s->opt.max_age_ns || s->opt.max_size) && now >= s->next_retention_ns;
}

int pn_store_tick(pn_store *s)
{
	uint64_t now = pn__store_mono_ns();
	int more;

	if (s->failed)
		return s->failed;
	if (s->in_txn && now - s->batch_start_ns >= PN_STORE_BATCH_MS * 1000000ULL)
		pn_store_commit(s);
	if (!s->failed && retention_due(s, now)) {
		more = begin_batch(s);
		if (!more)
			more = pn__store_retention_step(s);
		if (more < 0 && !s->failed)
			s->failed = more;
		pn_store_commit(s);
		s->next_retention_ns = now + (more > 0 ? RETENTION_BUSY_NS : RETENTION_IDLE_NS);
	}
	return s->failed;
}

/* The gap a crashed run left: its last batch and everything until now.
 * A lost event with an unknown count shows it in every query. */
static int record_crash_gap(pn_store *s)
{
	pn_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = PN_EVENT_LOST;
	ev.time_ns = pn__store_wall_ns();
	ev.duration_ns = -1;
	return add(s, &ev);
}

static int start_run(pn_store *s, int *crashed)
{
	sqlite3_stmt *st;
	int rc = pn__store_prepare(s, "SELECT ended_ns IS NULL FROM run ORDER BY id DESC LIMIT 1", &st);

	if (rc)
		return rc;
	*crashed = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	rc = pn__store_prepare(s, "INSERT INTO run(started_ns, monitor_pid) VALUES(?1, ?2)", &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, pn__store_wall_ns());
	sqlite3_bind_int64(st, 2, getpid());
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return pn__store_err(s, rc, "starting a run");
	s->run = sqlite3_last_insert_rowid(s->db);
	return 0;
}

int pn__store_writer_open(pn_store *s)
{
	int crashed = 0;
	int rc = pn__store_prepare(s, sql_insert_event, &s->ins_event);

	if (!rc)
		rc = pn__store_prepare(s, sql_insert_process, &s->ins_process);
	if (!rc)
		rc = pn__store_prepare(s, sql_update_process, &s->up_process);
	if (!rc)
		rc = pn__store_prepare(s, sql_adopt_parent, &s->adopt_parent);
	if (!rc)
		rc = pn__store_prepare(s, sql_find_process, &s->find_process);
	if (!rc)
		s->cache = calloc(1u << PN_STORE_CACHE_BITS, sizeof(*s->cache));
	if (!rc && !s->cache)
		rc = -ENOMEM;
	if (!rc)
		rc = start_run(s, &crashed);
	if (!rc && crashed)
		rc = record_crash_gap(s);
	if (!rc)
		rc = pn_store_commit(s);
	s->next_retention_ns = pn__store_mono_ns();
	return rc;
}

static int end_run(pn_store *s)
{
	sqlite3_stmt *st;
	int rc = pn__store_prepare(s, "UPDATE run SET ended_ns = ?1 WHERE id = ?2", &st);

	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, pn__store_wall_ns());
	sqlite3_bind_int64(st, 2, s->run);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : pn__store_err(s, rc, "ending the run");
}

void pn__store_writer_close(pn_store *s)
{
	int rc = pn_store_commit(s);

	/* A run whose end is not recorded counts as crashed: only a run
	 * whose every event was committed may say it ended. */
	if (!rc && s->run && !s->failed) {
		rc = end_run(s);
		if (rc)
			s->failed = rc;
	}
	sqlite3_finalize(s->ins_event);
	sqlite3_finalize(s->ins_process);
	sqlite3_finalize(s->up_process);
	sqlite3_finalize(s->adopt_parent);
	sqlite3_finalize(s->find_process);
	free(s->cache);
}
