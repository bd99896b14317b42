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

/* A row the batch's events updated: the parent is not set here, since
 * SQLite rewrites the entries of every index whose columns an UPDATE sets;
 * sql_adopt_parent sets it, once. Without an exec (?16) the arguments are
 * only filled in where the row has none: a snapshot's, read from /proc
 * afterwards, never replace those an exec recorded. The key in the WHERE
 * clause makes a stale cached id (its row deleted by retention) miss
 * instead of hitting another process. Binds ?1..?21 as an insert does,
 * and the id as ?22. */
static const char sql_update_process[] =
	"UPDATE process SET"
	" uid = coalesce(?7, uid), gid = coalesce(?8, gid), euid = coalesce(?9, euid),"
	" comm = coalesce(?10, comm), image = coalesce(?11, image),"
	" argv = CASE WHEN ?16 IS NULL THEN coalesce(argv, ?12) ELSE ?12 END,"
	" argc = CASE WHEN ?16 IS NULL THEN coalesce(argc, ?13) ELSE ?13 END,"
	" cwd = CASE WHEN ?16 IS NULL THEN cwd ELSE ?14 END,"
	" exec_ns = coalesce(?16, exec_ns), end_ns = coalesce(?17, end_ns),"
	" exit_code = coalesce(?18, exit_code), signal = coalesce(?19, signal),"
	" core_dumped = coalesce(?20, core_dumped)"
	" WHERE id = ?22 AND pid = ?4 AND start_ns = ?2 AND host = ?21";

static const char sql_adopt_parent[] =
	"UPDATE process SET ppid = ?1, parent_start = ?2 WHERE id = ?3 AND ppid IS NULL";

static const char sql_find_process[] =
	"SELECT id FROM process WHERE pid = ?4 AND start_ns = ?2 AND boot = ?1 AND os = ?3"
	" AND host = ?5";

/* The strings of a row the batch updated stay in use as long as the row:
 * retention keeps a string until every event up to its last_ns is gone,
 * and a long-lived process's row may keep an exec's arguments that no
 * remaining event names. */
static const char sql_touch_process[] =
	"UPDATE str SET last_ns = ?2 WHERE last_ns < ?2 AND id IN ("
	" SELECT comm FROM process WHERE id = ?1 UNION ALL SELECT image FROM process WHERE id = ?1"
	" UNION ALL SELECT argv FROM process WHERE id = ?1"
	" UNION ALL SELECT cwd FROM process WHERE id = ?1)";

/* Events recorded under the id a process was to get, moved to its row. */
static const char sql_repoint[] = "UPDATE event SET process = ?1 WHERE process = ?2";

static int step_done(pn_store *s, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : pn__db_err(&s->db, rc, "recording a process");
}

static int find_process(pn_store *s, const struct pn__store_proc *p, int64_t *id)
{
	sqlite3_stmt *st = s->find_process;
	int rc;

	pn__store_bind_key(st, 0, &p->key);
	sqlite3_bind_int64(st, 5, p->host);
	rc = sqlite3_step(st);
	*id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : pn__db_err(&s->db, rc, "recording a process");
}

/* The cache slot of a process: the row ids of recent processes, so most
 * events find their row without looking the key up. A slot is only a
 * hint; a wrong or stale one falls back to the key at commit. */
static struct pn__store_slot *slot_of(pn_store *s, const pn_key *k, int64_t host)
{
	uint64_t h = (k->start_ns ^ ((uint64_t)k->pid << 32) ^ (uint64_t)host) * 0x9e3779b97f4a7c15ULL;

	return &s->cache[h >> (64 - PN_STORE_CACHE_BITS)];
}

/* Row id of the process of ev (the batch's copy of the event), merging
 * what ev tells into the batch's record of it. A process neither in the
 * batch nor in the cache is taken for new, as the processes of a storm
 * are; commit corrects that guess. */
static int64_t note_process(pn_store *s, const pn_event *ev, int64_t host)
{
	struct pn__store_batch *b = &s->batch;
	int fresh;
	struct pn__store_proc *p = pn__batch_proc(b, &ev->key, host, &fresh);
	struct pn__store_slot *slot = slot_of(s, &ev->key, host);

	if (fresh) {
		p->first_ns = ev->time_ns;
		p->existing = slot->id && slot->pid == ev->key.pid &&
			      slot->start_ns == ev->key.start_ns && slot->host == host;
		p->id = p->existing ? slot->id : b->next_id++;
		p->row_parent = p->existing && slot->has_parent;
	}
	pn__batch_merge(p, ev);
	b->proc[b->nev - 1] = (uint32_t)(p - b->procs);
	*slot = (struct pn__store_slot){ ev->key.pid, p->row_parent || (p->known & PN_HAVE_PARENT),
					 ev->key.start_ns, host, p->id };
	return p->id;
}

/* Updates row id with p; *hit says whether the row was there. */
static int update_process(pn_store *s, const struct pn__store_proc *p, int64_t id, int *hit)
{
	int rc = pn__store_bind_process(s, s->up_process, 0, p);

	*hit = 0;
	if (rc)
		return rc;
	sqlite3_bind_int64(s->up_process, 22, id);
	rc = step_done(s, s->up_process);
	*hit = !rc && sqlite3_changes(s->db.conn) > 0;
	if (!*hit)
		return rc;
	sqlite3_bind_int64(s->touch_process, 1, id);
	sqlite3_bind_int64(s->touch_process, 2, p->last_ns);
	return step_done(s, s->touch_process);
}

/* A row recorded without a parent takes the first one an event names. */
static int adopt_parent(pn_store *s, const struct pn__store_proc *p, int64_t id)
{
	sqlite3_stmt *st = s->adopt_parent;

	if (p->row_parent || !(p->known & PN_HAVE_PARENT))
		return 0;
	sqlite3_bind_int64(st, 1, p->ppid);
	sqlite3_bind_int64(st, 2, (int64_t)p->parent_start);
	sqlite3_bind_int64(st, 3, id);
	return step_done(s, st);
}

/* A process whose row is elsewhere than the batch assumed: it was there
 * under another id (a process seen before its cache slot was reused, or
 * before this writer started), so that row is updated and the batch's
 * events are moved to it. */
static int resolve_process(pn_store *s, struct pn__store_proc *p)
{
	int64_t id;
	int hit, rc = find_process(s, p, &id);

	if (!rc && !id)
		return pn__db_err(&s->db, SQLITE_CONSTRAINT,
				     "process row id taken: is another monitor writing this log?");
	if (!rc)
		rc = update_process(s, p, id, &hit);
	if (!rc)
		rc = adopt_parent(s, p, id);
	if (!rc && id != p->id) {
		sqlite3_bind_int64(s->repoint, 1, id);
		sqlite3_bind_int64(s->repoint, 2, p->id);
		rc = step_done(s, s->repoint);
	}
	if (!rc)
		*slot_of(s, &p->key, p->host) = (struct pn__store_slot){
			p->key.pid, (p->known & PN_HAVE_PARENT) != 0, p->key.start_ns, p->host, id };
	p->id = id; /* for its proc_str rows */
	return rc;
}

/* Writes one process row: an update of the cached row, or an insert under
 * the batch's id, or, when neither fits, the row found by key. */
static int write_process(pn_store *s, struct pn__store_proc *p)
{
	int hit = 0, rc = 0;

	if (p->existing)
		rc = update_process(s, p, p->id, &hit);
	if (!rc && hit)
		return adopt_parent(s, p, p->id);
	if (!rc)
		rc = pn__store_insert_processes(s, &p, 1);
	if (rc < 0)
		return rc;
	return rc == 1 ? 0 : resolve_process(s, p);
}

/* Inserts a full chunk of new processes in one statement; in the rare
 * chunk where some row was there already, each is written on its own
 * (an insert the statement made is then found under its own id). */
static int insert_chunk(pn_store *s, struct pn__store_proc **p)
{
	int n = pn__store_insert_processes(s, p, PN_STORE_ROWS);
	int rc = n < 0 ? n : 0;

	for (int r = 0; !rc && n < PN_STORE_ROWS && r < PN_STORE_ROWS; r++)
		rc = write_process(s, p[r]);
	return rc;
}

/* The batch's process rows: new ones PN_STORE_ROWS per statement. */
static int write_processes(pn_store *s)
{
	struct pn__store_batch *b = &s->batch;
	struct pn__store_proc *chunk[PN_STORE_ROWS];
	int n = 0, rc = 0;

	for (uint32_t i = 0; !rc && i < b->nprocs; i++) {
		if (b->procs[i].existing) {
			rc = write_process(s, &b->procs[i]);
			continue;
		}
		chunk[n++] = &b->procs[i];
		if (n == PN_STORE_ROWS) {
			rc = insert_chunk(s, chunk);
			n = 0;
		}
	}
	for (int r = 0; !rc && r < n; r++)
		rc = write_process(s, chunk[r]);
	return rc;
}

/* The strings lookup.h records, under the events' process records. */
static void note_strings(pn_store *s, int64_t (*ids)[PN__LK_KINDS])
{
	struct pn__store_batch *b = &s->batch;

	for (int i = 0; i < b->nev; i++)
		for (int k = 0; k < PN__LK_KINDS && b->ev[i].type != PN_EVENT_LOST; k++)
			pn__lookup_note(&s->lookup, b->proc[i], (enum pn__lookup_kind)k, ids[i][k]);
}

static int flush_events(pn_store *s)
{
	struct pn__store_batch *b = &s->batch;
	int64_t ids[PN_STORE_ROWS][PN__LK_KINDS];
	int rc = 0;

	if (b->nev == PN_STORE_ROWS)
		rc = pn__store_insert_events(s, b->ev, b->process, b->host, ids, PN_STORE_ROWS);
	else
		for (int i = 0; !rc && i < b->nev; i++)
			rc = pn__store_insert_events(s, &b->ev[i], &b->process[i], &b->host[i],
						     &ids[i], 1);
	if (!rc)
		note_strings(s, ids);
	b->nev = 0;
	return rc;
}

static int64_t proc_row(uint32_t proc, void *user)
{
	return ((pn_store *)user)->batch.procs[proc].id;
}

/* Ids of new process rows continue after the largest in the file, and
 * never go back within a run: a cached id deleted by retention is not
 * handed to another process. */
static int next_process_id(pn_store *s)
{
	int64_t max = 0;
	int found, rc = pn__db_int(&s->db, "SELECT max(id) FROM process", 0, &max, &found);

	if (!rc && max >= s->batch.next_id)
		s->batch.next_id = max + 1;
	return rc;
}

static int begin_batch(pn_store *s)
{
	int rc;

	if (s->in_txn)
		return 0;
	/* Another process holding the log's write lock makes the writer wait,
	 * never fail: its thread retries while the queue takes the events,
	 * unless someone waits for it (a commit, the close). */
	while ((rc = pn__db_exec(&s->db, "BEGIN IMMEDIATE")) == -EBUSY && !pn__store_impatient(s))
		;
	if (!rc)
		rc = next_process_id(s);
	if (!rc) {
		s->batch_start_ns = pn__store_mono_ns();
		s->in_txn = 1;
		s->pending = 0;
	}
	return rc;
}

int pn__store_add(pn_store *s, const pn_event *ev)
{
	struct pn__store_batch *b = &s->batch;
	const pn_event *copy;
	int64_t host = 0;
	int rc = begin_batch(s);

	if (!rc)
		rc = pn__store_host_id(s, ev, &host);
	if (!rc)
		rc = pn__batch_queue_event(b, ev, &copy);
	if (!rc)
		b->host[b->nev - 1] = host;
	if (!rc && ev->type != PN_EVENT_LOST)
		b->process[b->nev - 1] = note_process(s, copy, host);
	if (!rc && b->nev == PN_STORE_ROWS)
		rc = flush_events(s);
	if (rc)
		return rc;
	if (++s->pending >= PN_STORE_BATCH_EVENTS || b->arena.bytes >= PN_STORE_BATCH_BYTES)
		return pn__store_commit_batch(s);
	return 0;
}

/* A stall of the writer: how long it did not take events. */
#define STALL_NS (50 * 1000000ULL)

static void count_stall(uint64_t *n, uint64_t *over, uint64_t *longest, uint64_t ns)
{
	(*n)++;
	*over += ns > STALL_NS;
	*longest = ns > *longest ? ns : *longest;
}

void pn__store_stalls_get(const pn_store *s, pn__store_stalls *out)
{
	*out = s->stalls;
	out->merges = s->strings.merges;
	out->longest_merge_ns = s->strings.longest_merge_ns;
}

static int commit_batch(pn_store *s)
{
	int rc = flush_events(s);

	if (!rc)
		rc = write_processes(s);
	if (!rc)
		rc = pn__lookup_commit(&s->lookup, &s->db, proc_row, s);
	if (!rc)
		rc = pn__intern_commit(&s->strings, &s->db);
	/* The batch's strings go into a segment of the trigram index: it
	 * pays for their merging as it adds them, as FTS5's automerge made
	 * it, but a few leaves a command and only what is due. */
	if (!rc && s->strings.told)
		rc = pn__intern_merge(&s->strings, &s->db,
				      1 + s->strings.told / PN__INTERN_MERGE_STRINGS);
	if (!rc)
		rc = pn__db_exec(&s->db, "COMMIT");
	pn__batch_reset(&s->batch);
	s->in_txn = 0;
	s->pending = 0;
	if (rc) {
		sqlite3_exec(s->db.conn, "ROLLBACK", NULL, NULL, NULL);
		pn__intern_forget(&s->strings); /* its new strings are gone */
		pn__lookup_forget(&s->lookup);
		pn__store_fail(s, rc);
	}
	return rc;
}

int pn__store_commit_batch(pn_store *s)
{
	uint64_t t = pn__store_mono_ns();
	int rc;

	if (!s->in_txn)
		return 0;
	rc = commit_batch(s);
	count_stall(&s->stalls.commits, &s->stalls.commits_over, &s->stalls.longest_commit_ns,
		    pn__store_mono_ns() - t);
	return rc;
}

static int retention_on(const pn_store *s)
{
	return s->opt.max_age_ns || s->opt.max_size;
}

static int retention_due(const pn_store *s, uint64_t now)
{
	return retention_on(s) && now >= s->next_retention_ns;
}

int pn__store_timers(pn_store *s, int now_all)
{
	uint64_t now = pn__store_mono_ns(), start, took;
	int more;

	if (s->in_txn && (now_all || now - s->batch_start_ns >= PN_STORE_BATCH_MS * 1000000ULL))
		pn__store_commit_batch(s);
	if (!pn_store_failed(s) && (now_all ? retention_on(s) : retention_due(s, now))) {
		/* The batch goes in first: retention sees what it is to judge. */
		start = pn__store_mono_ns();
		more = pn__store_commit_batch(s);
		if (!more)
			more = begin_batch(s);
		if (!more)
			more = pn__store_retention_step(s);
		if (more < 0)
			pn__store_fail(s, more);
		pn__store_commit_batch(s);
		took = pn__store_mono_ns() - start;
		count_stall(&s->stalls.steps, &s->stalls.steps_over, &s->stalls.longest_step_ns, took);
		/* The pause from the step's end: the writer takes events between. */
		s->next_retention_ns = start + took + (more > 0 ? RETENTION_BUSY_NS : RETENTION_IDLE_NS);
	}
	return pn_store_failed(s);
}

uint64_t pn__store_next_due_ns(const pn_store *s)
{
	uint64_t due = UINT64_MAX;

	if (pn_store_failed(s))
		return due; /* nothing more is written */
	if (s->in_txn)
		due = s->batch_start_ns + PN_STORE_BATCH_MS * 1000000ULL;
	if (retention_on(s) && s->next_retention_ns < due)
		due = s->next_retention_ns;
	return due;
}

/* The gap a crashed run left: its last batch and everything until now.
 * A lost event with an unknown count shows it in every query, and in a
 * query of one host (--host) when it is that host's gap: the host of the
 * last event the dead run wrote (a monitor's own), read from the newest
 * event, which only that run can have written since. A run that wrote
 * none leaves a gap of no known host. */
static int record_crash_gap(pn_store *s, int64_t dead_run)
{
	sqlite3_stmt *st;
	pn_event ev;
	int rc = pn__db_prepare(&s->db, "SELECT e.run, h.name FROM event e"
				" LEFT JOIN host h ON h.id = e.host ORDER BY e.id DESC LIMIT 1", &st);

	if (rc)
		return rc;
	memset(&ev, 0, sizeof(ev));
	ev.type = PN_EVENT_LOST;
	ev.time_ns = pn__store_wall_ns();
	ev.duration_ns = -1;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) == dead_run &&
	    sqlite3_column_type(st, 1) != SQLITE_NULL) {
		ev.host = pn__db_col_str(st, 1);
		ev.have |= PN_HAVE_HOST;
	}
	rc = pn__store_add(s, &ev);
	sqlite3_finalize(st);
	return rc;
}

/* A new run; *dead_run is the last one when it never ended (a crash),
 * else 0. */
static int start_run(pn_store *s, int64_t *dead_run)
{
	sqlite3_stmt *st;
	int rc = pn__db_prepare(&s->db, "SELECT id FROM run WHERE ended_ns IS NULL"
				" AND id = (SELECT max(id) FROM run)", &st);

	if (rc)
		return rc;
	*dead_run = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	rc = pn__db_prepare(&s->db, "INSERT INTO run(started_ns, monitor_pid) VALUES(?1, ?2)", &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, pn__store_wall_ns());
	sqlite3_bind_int64(st, 2, getpid());
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return pn__db_err(&s->db, rc, "starting a run");
	s->run = sqlite3_last_insert_rowid(s->db.conn);
	return 0;
}

int pn__store_writer_open(pn_store *s)
{
	int64_t dead_run = 0;
	int rc = pn__store_rows_open(s);

	if (!rc)
		rc = pn__store_hosts_open(s);
	if (!rc)
		rc = pn__db_prepare(&s->db, sql_update_process, &s->up_process);
	if (!rc)
		rc = pn__db_prepare(&s->db, sql_adopt_parent, &s->adopt_parent);
	if (!rc)
		rc = pn__db_prepare(&s->db, sql_find_process, &s->find_process);
	if (!rc)
		rc = pn__db_prepare(&s->db, sql_repoint, &s->repoint);
	if (!rc)
		rc = pn__db_prepare(&s->db, sql_touch_process, &s->touch_process);
	if (!rc)
		rc = pn__intern_open(&s->strings, &s->db);
	if (!rc)
		rc = pn__lookup_open(&s->lookup, &s->db);
	if (!rc)
		rc = pn__batch_init(&s->batch);
	if (!rc)
		s->cache = calloc(1u << PN_STORE_CACHE_BITS, sizeof(*s->cache));
	if (!rc && !s->cache)
		rc = -ENOMEM;
	if (!rc)
		rc = start_run(s, &dead_run);
	if (!rc && dead_run)
		rc = record_crash_gap(s, dead_run);
	if (!rc)
		rc = pn__store_commit_batch(s);
	s->next_retention_ns = pn__store_mono_ns();
	return rc;
}

static int end_run(pn_store *s)
{
	sqlite3_stmt *st;
	int rc = pn__db_prepare(&s->db, "UPDATE run SET ended_ns = ?1 WHERE id = ?2", &st);

	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, pn__store_wall_ns());
	sqlite3_bind_int64(st, 2, s->run);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : pn__db_err(&s->db, rc, "ending the run");
}

void pn__store_writer_close(pn_store *s)
{
	int rc = pn__store_commit_batch(s);

	/* A run whose end is not recorded counts as crashed: only a run
	 * whose every event was committed may say it ended. */
	if (!rc && s->run && !pn_store_failed(s)) {
		rc = end_run(s);
		if (rc)
			pn__store_fail(s, rc);
	}
	pn__store_rows_close(s);
	pn__store_hosts_close(s);
	sqlite3_finalize(s->import_seen);
	sqlite3_finalize(s->up_process);
	sqlite3_finalize(s->adopt_parent);
	sqlite3_finalize(s->find_process);
	sqlite3_finalize(s->repoint);
	sqlite3_finalize(s->touch_process);
	pn__intern_close(&s->strings);
	pn__lookup_close(&s->lookup);
	pn__batch_free(&s->batch);
	free(s->cache);
}
