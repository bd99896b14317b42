/*
 * `procnotify report`: the activity of a time window, counted from the
 * log and handed to a visitor section by section (procnotify/report.h);
 * nothing here formats.
 *
 * Each pass reads one covering index over the window, in time order,
 * and counts into hashes (tally.c): execs from event_exec, exits from
 * event_exit, every event's type from event_time, processes and their
 * parents from process_first (migration 7 -> 8). No row of the tables
 * is read but those of the top parents. With a filter on events
 * (--where), the window's events are rebuilt and tested instead.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "store_internal.h"
#include "procnotify/report.h"
#include "tally.h"

/* Counters of an image's entry. */
enum { EXECS, EXITS, NONZERO, SIGNALED, CORE };
#define HOUR_NS 3600000000000LL
#define KEY_MAX (1 + 4096)          /* a known byte and a path */
#define PARENT_KEY (8 + 8 + 4 + 4)   /* boot, start, pid, os */

struct report {
	pn_store *s;
	int64_t since, until;       /* the window, closed */
	uint32_t top;
	struct pn__tally images, users, parents;
	struct pn__tally ids;       /* images by their id in str, before merge_id() */
	struct pn__tally snapped;   /* ids of the processes a snapshot found */
	pn_report_row *hours;       /* in time order, one per hour that saw events */
	size_t nhours;
	pn_report_row summary;
	pn_report_window w;
	unsigned char key[KEY_MAX]; /* the key of the row being counted */
	int (*keep)(const pn_event *ev, void *user); /* the events to count; NULL: all */
	void *keep_user;
	const pn_report_visitor *v;
	void *user;
};

/* Numbers in keys are big-endian, so that ties sort by their value. */
static unsigned char *put_be(unsigned char *p, uint64_t v, int bytes)
{
	for (int i = bytes - 1; i >= 0; i--)
		*p++ = (unsigned char)(v >> (8 * i));
	return p;
}

static uint64_t get_be(const unsigned char **p, int bytes)
{
	uint64_t v = 0;

	for (int i = 0; i < bytes; i++)
		v = v << 8 | *(*p)++;
	return v;
}

/* A key of a tally: a byte that says whether the value is known, then
 * its bytes, so an unknown image is not the empty one. */
static size_t str_key(unsigned char *k, const void *p, size_t n, int known)
{
	k[0] = known != 0;
	if (n > KEY_MAX - 1)
		n = KEY_MAX - 1;
	if (n)
		memcpy(k + 1, p, n);
	return n + 1;
}

static size_t col_key(unsigned char *k, sqlite3_stmt *st, int col)
{
	return str_key(k, sqlite3_column_blob(st, col), (size_t)sqlite3_column_bytes(st, col),
		       sqlite3_column_type(st, col) != SQLITE_NULL);
}

/* The key of a string column's id in str (schema 11: rows hold ids). */
static size_t id_key(unsigned char *k, sqlite3_stmt *st, int col)
{
	k[0] = sqlite3_column_type(st, col) != SQLITE_NULL;
	put_be(k + 1, (uint64_t)sqlite3_column_int64(st, col), 8);
	return 9;
}

static pn_str key_str(const struct pn__tally_entry *e)
{
	return (pn_str){ (const char *)e->key + 1, e->len - 1 };
}

/* Prepares sql and binds the window as ?1 and ?2. */
static int prepare(struct report *r, const char *sql, sqlite3_stmt **st)
{
	int rc = pn__db_prepare(&r->s->db, sql, st);

	if (!rc) {
		sqlite3_bind_int64(*st, 1, r->since);
		sqlite3_bind_int64(*st, 2, r->until);
	}
	return rc;
}

/* Ends a pass: rc is SQLITE_DONE, an SQLite error or a -errno. */
static int finish(struct report *r, sqlite3_stmt *st, int rc)
{
	if (rc > 0)
		rc = rc == SQLITE_DONE ? 0 : pn__db_err(&r->s->db, rc, "report");
	sqlite3_finalize(st);
	return rc;
}

static int64_t hour_start(int64_t t)
{
	return t - ((t % HOUR_NS) + HOUR_NS) % HOUR_NS;
}

/* The row of the hour of t, made when new; NULL without memory. Events
 * come in time order (or nearly, through --where), so the hour is the
 * last one, or a new one after it, nearly always. */
static pn_report_row *hour_of(struct report *r, int64_t t)
{
	int64_t h = hour_start(t);
	size_t lo = 0, hi = r->nhours;
	pn_report_row *p;

	if (hi && r->hours[hi - 1].time_ns == h)
		return &r->hours[hi - 1];
	if (hi && r->hours[hi - 1].time_ns > h) {
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;

			if (r->hours[mid].time_ns == h)
				return &r->hours[mid];
			if (r->hours[mid].time_ns < h)
				lo = mid + 1;
			else
				hi = mid;
		}
	} else {
		lo = hi;
	}
	if (!(p = realloc(r->hours, (r->nhours + 1) * sizeof(*p))))
		return NULL;
	r->hours = p;
	memmove(&p[lo + 1], &p[lo], (r->nhours++ - lo) * sizeof(*p));
	memset(&p[lo], 0, sizeof(*p));
	p[lo].time_ns = h;
	return &p[lo];
}

/* What the passes count, one event or row at a time; 0 or -ENOMEM. */
static int count_type(struct report *r, int64_t t, int type)
{
	pn_report_row *h;

	/* A snapshot states what ran when the monitor started: no activity. */
	if (type == PN_EVENT_SNAPSHOT)
		return 0;
	if (!(h = hour_of(r, t)))
		return -ENOMEM;
	/* The writer stores only known types: another is a damaged file. */
	if (type < 0 || type >= PN_EVENT_TYPE_MAX)
		return pn__db_refuse(&r->s->db, -EILSEQ, "an event of an unknown type: "
				     "the log is damaged");
	h->by_type[type]++;
	h->count++;
	r->summary.by_type[type]++;
	r->summary.count++;
	return 0;
}

/* An exec of the image whose key is in r->key (klen bytes), by uid: into
 * t, the images by their string or by their id in str (merged later). */
static int count_exec(struct report *r, struct pn__tally *t_img, size_t klen, int64_t t,
		      uint32_t uid, int uid_known)
{
	struct pn__tally_entry *img = pn__tally_get(t_img, r->key, klen), *usr;
	unsigned char uk[5] = { uid_known != 0 };

	put_be(uk + 1, uid, 4);
	usr = pn__tally_get(&r->users, uk, sizeof(uk));
	if (!img || !usr)
		return -ENOMEM;
	img->n[EXECS]++;
	usr->n[0]++;
	if (t < img->first)
		img->first = t;
	return 0;
}

static int count_exit(struct report *r, struct pn__tally *t_img, size_t klen, int64_t t, int sig,
		      int code, int core)
{
	struct pn__tally_entry *img = pn__tally_get(t_img, r->key, klen);
	pn_report_row *h = hour_of(r, t);

	if (!img || !h)
		return -ENOMEM;
	img->n[EXITS]++;
	img->n[NONZERO] += !sig && code;
	img->n[SIGNALED] += sig != 0;
	img->n[CORE] += core != 0;
	h->nonzero += sig || code;
	return 0;
}

/* A process started; its parent's key, when known. */
static int count_child(struct report *r, const pn_key *parent)
{
	unsigned char k[PARENT_KEY], *p = k;
	struct pn__tally_entry *e;

	r->summary.processes++;
	if (!parent)
		return 0;
	/* Ties go to the parent that started first. */
	p = put_be(p, parent->boot, 8);
	p = put_be(p, parent->start_ns, 8);
	p = put_be(p, parent->pid, 4);
	put_be(p, parent->os, 4);
	if (!(e = pn__tally_get(&r->parents, k, sizeof(k))))
		return -ENOMEM;
	e->n[0]++;
	return 0;
}

/* Every event of the window: the summary's and the hours' counts by type. */
static int pass_types(struct report *r)
{
	sqlite3_stmt *st;
	int rc = prepare(r, "SELECT time_ns, type FROM event INDEXED BY event_time"
			    " WHERE time_ns BETWEEN ?1 AND ?2", &st);

	while (!rc && (rc = sqlite3_step(st)) == SQLITE_ROW)
		rc = count_type(r, sqlite3_column_int64(st, 0), sqlite3_column_int(st, 1));
	return finish(r, st, rc);
}

/* Executions: per image (with the first time) and per user. */
static int pass_execs(struct report *r)
{
	sqlite3_stmt *st;
	int rc = prepare(r, "SELECT time_ns, image, uid FROM event INDEXED BY event_exec"
			    " WHERE type = 2 AND time_ns BETWEEN ?1 AND ?2", &st);

	while (!rc && (rc = sqlite3_step(st)) == SQLITE_ROW)
		rc = count_exec(r, &r->ids, id_key(r->key, st, 1), sqlite3_column_int64(st, 0),
				(uint32_t)sqlite3_column_int64(st, 2),
				sqlite3_column_type(st, 2) != SQLITE_NULL);
	return finish(r, st, rc);
}

/* Exits per image: all, non-zero statuses, signals, core dumps; and the
 * failed exits of each hour. */
static int pass_exits(struct report *r)
{
	sqlite3_stmt *st;
	int rc = prepare(r, "SELECT time_ns, image, signal, exit_code, core_dumped FROM event"
			    " INDEXED BY event_exit WHERE type = 3 AND time_ns BETWEEN ?1 AND ?2", &st);

	while (!rc && (rc = sqlite3_step(st)) == SQLITE_ROW)
		rc = count_exit(r, &r->ids, id_key(r->key, st, 1), sqlite3_column_int64(st, 0),
				sqlite3_column_int(st, 2), sqlite3_column_int(st, 3),
				sqlite3_column_int(st, 4));
	return finish(r, st, rc);
}

/* The string of each id of t, looked up once, into r->key: fn(r, entry,
 * key length) for each. The same string may have several ids (the writer
 * stores a string again once its cache forgot it). */
static int resolve(struct report *r, struct pn__tally *t,
		   int (*fn)(struct report *, struct pn__tally_entry *, size_t))
{
	sqlite3_stmt *st;
	int rc = pn__db_prepare(&r->s->db, "SELECT value FROM str WHERE id = ?1", &st);

	for (size_t i = 0; !rc && i < t->n; i++) {
		struct pn__tally_entry *e = &t->e[i];
		const unsigned char *p = e->key + 1;
		size_t klen = str_key(r->key, NULL, 0, 0);

		if (e->key[0]) {
			sqlite3_bind_int64(st, 1, (int64_t)get_be(&p, 8));
			rc = sqlite3_step(st);
			if (rc == SQLITE_ROW)
				klen = col_key(r->key, st, 0);
			else if (rc != SQLITE_DONE)
				break;
		}
		rc = fn(r, e, klen);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return rc > 0 ? pn__db_err(&r->s->db, rc, "report") : rc;
}

/* An image's counts by id added to its counts by string. */
static int merge_id(struct report *r, struct pn__tally_entry *e, size_t klen)
{
	struct pn__tally_entry *img = pn__tally_get(&r->images, r->key, klen);

	if (!img)
		return -ENOMEM;
	for (int i = 0; i < PN__TALLY_N; i++)
		img->n[i] += e->n[i];
	if (e->first < img->first)
		img->first = e->first;
	return 0;
}

/* An image that ran before the window is not new. */
static int mark_old(struct report *r, struct pn__tally_entry *e, size_t klen)
{
	struct pn__tally_entry *img = pn__tally_find(&r->images, r->key, klen);

	if (img)
		img->flag = 1;
	return 0;
}

/* The images of the window that ran before it, by their ids first. */
static int pass_before(struct report *r)
{
	struct pn__tally before = { 0 };
	sqlite3_stmt *st;
	int rc;

	if (r->since == INT64_MIN || !r->images.n)
		return 0;
	if (r->s->scoped)
		rc = prepare(r, "SELECT image FROM event WHERE type = 2 AND time_ns < ?1"
			        " AND host = ?3", &st);
	else
		rc = prepare(r, "SELECT image FROM event INDEXED BY event_exec"
			        " WHERE type = 2 AND time_ns < ?1", &st);
	if (!rc && r->s->scoped)
		sqlite3_bind_int64(st, 3, r->s->scope_host);
	while (!rc && (rc = sqlite3_step(st)) == SQLITE_ROW)
		rc = pn__tally_get(&before, r->key, id_key(r->key, st, 0)) ? 0 : -ENOMEM;
	rc = finish(r, st, rc);
	if (!rc)
		rc = resolve(r, &before, mark_old);
	pn__tally_free(&before);
	return rc;
}

/* The processes a snapshot found in the window: their rows begin there,
 * but they started before the monitor. A few thousand per start; the
 * type is in event_time, so only their rows are read. */
static int pass_snapshots(struct report *r)
{
	sqlite3_stmt *st;
	int rc = prepare(r, "SELECT process FROM event INDEXED BY event_time"
			    " WHERE time_ns BETWEEN ?1 AND ?2 AND type = 6", &st);

	while (!rc && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		unsigned char k[8];

		put_be(k, (uint64_t)sqlite3_column_int64(st, 0), 8);
		rc = pn__tally_get(&r->snapped, k, sizeof(k)) ? 0 : -ENOMEM;
	}
	return finish(r, st, rc);
}

/* Processes started in the window, counted per parent. */
static int pass_parents(struct report *r)
{
	sqlite3_stmt *st;
	int rc = pass_snapshots(r);

	if (!rc)
		rc = prepare(r, "SELECT ppid, parent_start, boot, os, id FROM process INDEXED BY"
			        " process_first WHERE first_ns BETWEEN ?1 AND ?2", &st);
	if (rc)
		return rc;
	while (!rc && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		pn_key k = { (uint64_t)sqlite3_column_int64(st, 2),
			     (uint64_t)sqlite3_column_int64(st, 1),
			     (uint32_t)sqlite3_column_int64(st, 0),
			     (uint32_t)sqlite3_column_int64(st, 3) };
		unsigned char id[8];

		rc = 0;
		put_be(id, (uint64_t)sqlite3_column_int64(st, 4), 8);
		if (r->snapped.n && pn__tally_find(&r->snapped, id, sizeof(id)))
			continue;
		rc = count_child(r, sqlite3_column_type(st, 0) == SQLITE_NULL ? NULL : &k);
	}
	return finish(r, st, rc);
}

/* With a filter on events (--where), every event of the window is rebuilt
 * and tested, and the kept ones counted as the passes count their rows:
 * processes started are the forks kept. */
static int scan_event(const pn_event *ev, void *user)
{
	struct report *r = user;
	int image_known = (ev->have & PN_HAVE_IMAGE) != 0, rc;
	size_t klen = str_key(r->key, ev->image.ptr, image_known ? ev->image.len : 0, image_known);

	if (r->keep && !r->keep(ev, r->keep_user))
		return 0;
	rc = count_type(r, ev->time_ns, ev->type);
	if (!rc && ev->type == PN_EVENT_EXEC)
		rc = count_exec(r, &r->images, klen, ev->time_ns, ev->uid,
				(ev->have & PN_HAVE_UID) != 0);
	if (!rc && ev->type == PN_EVENT_EXIT)
		rc = count_exit(r, &r->images, klen, ev->time_ns, ev->signal, ev->exit_code,
				ev->core_dumped);
	if (!rc && ev->type == PN_EVENT_FORK)
		rc = count_child(r, (ev->have & PN_HAVE_PARENT) ? &ev->parent_key : NULL);
	return rc;
}

static int scan(struct report *r)
{
	pn_store_where w = { .since_ns = r->w.since_ns, .until_ns = r->w.until_ns };
	int rc = pn_store_query_where(r->s, &w, scan_event, r);

	return rc < 0 ? rc : 0;
}

/* Orders: most counted first (counter 0 unless said), then by key. */
#define BY_COUNTER(name, expr)                                               \
	static uint64_t name##_of(const struct pn__tally_entry *e) { return expr; } \
	static int name(const void *a, const void *b)                          \
	{                                                                      \
		const struct pn__tally_entry *x = *(void *const *)a, *y = *(void *const *)b; \
		uint64_t nx = name##_of(x), ny = name##_of(y);                 \
		return nx != ny ? (nx < ny) - (nx > ny) : pn__tally_key_cmp(x, y); \
	}
BY_COUNTER(by_count, e->n[0])
BY_COUNTER(by_failures, e->n[NONZERO] + e->n[SIGNALED])

static int by_first(const void *a, const void *b)
{
	const struct pn__tally_entry *x = *(void *const *)a, *y = *(void *const *)b;

	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return pn__tally_key_cmp(x, y);
}

static int executed(const struct pn__tally_entry *e) { return e->n[EXECS] > 0; }
static int failed(const struct pn__tally_entry *e) { return by_failures_of(e) > 0; }
static int is_new(const struct pn__tally_entry *e) { return e->n[EXECS] && !e->flag; }

static void image_row(const struct pn__tally_entry *e, pn_report_row *row)
{
	row->image = key_str(e);
	row->have |= e->key[0] ? PN_HAVE_IMAGE : 0;
	row->count = e->n[EXECS];
	row->time_ns = e->first;
}

static void failure_row(const struct pn__tally_entry *e, pn_report_row *row)
{
	image_row(e, row);
	row->count = e->n[EXITS];
	row->nonzero = e->n[NONZERO];
	row->signaled = e->n[SIGNALED];
	row->core_dumped = e->n[CORE];
}

static void user_row(const struct pn__tally_entry *e, pn_report_row *row)
{
	const unsigned char *p = e->key + 1;

	row->uid = (uint32_t)get_be(&p, 4);
	row->have |= e->key[0] ? PN_HAVE_UID : 0;
	row->count = e->n[0];
}

/* What the log knows of a parent; the strings live until st is reset. */
static int parent_row(struct report *r, sqlite3_stmt *st, const struct pn__tally_entry *e,
		      pn_report_row *row)
{
	const unsigned char *p = e->key;
	int rc;

	row->key.boot = get_be(&p, 8);
	row->key.start_ns = get_be(&p, 8);
	row->key.pid = (uint32_t)get_be(&p, 4);
	row->key.os = (uint32_t)get_be(&p, 4);
	row->pid = row->key.pid;
	row->count = e->n[0];
	sqlite3_bind_int64(st, 1, row->key.pid);
	sqlite3_bind_int64(st, 2, (int64_t)row->key.start_ns);
	sqlite3_bind_int64(st, 3, (int64_t)row->key.boot);
	sqlite3_bind_int64(st, 4, row->key.os);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? 0 : pn__db_err(&r->s->db, rc, "report");
	if (sqlite3_column_type(st, 0) != SQLITE_NULL)
		row->comm = pn__db_col_str(st, 0), row->have |= PN_HAVE_COMM;
	if (sqlite3_column_type(st, 1) != SQLITE_NULL)
		row->image = pn__db_col_str(st, 1), row->have |= PN_HAVE_IMAGE;
	if (sqlite3_column_type(st, 2) != SQLITE_NULL)
		row->argv = pn__db_col_str(st, 2), row->have |= PN_HAVE_ARGV;
	if (sqlite3_column_type(st, 3) != SQLITE_NULL)
		row->uid = (uint32_t)sqlite3_column_int64(st, 3), row->have |= PN_HAVE_UID;
	return 0;
}

struct ranked {
	enum pn_report_section sec;
	struct pn__tally *t;
	int (*keep)(const struct pn__tally_entry *);
	int (*cmp)(const void *, const void *);
	void (*fill)(const struct pn__tally_entry *, pn_report_row *);
};

/* A ranked section: its first `top` entries, and how many there are. */
static int emit_ranked(struct report *r, const struct ranked *k)
{
	size_t shown, total;
	struct pn__tally_entry **v = pn__tally_sorted(k->t, k->keep, k->cmp, r->top, &shown, &total);
	sqlite3_stmt *st = NULL;
	int rc = v ? r->v->begin(k->sec, &r->w, r->user) : -ENOMEM;

	if (!rc && !k->fill)
		rc = pn__db_prepare(&r->s->db, "SELECT " PN__STR_OF("comm") ", " PN__STR_OF("image") ", "
				       PN__STR_OF("argv") ", uid FROM process p"
				       " WHERE pid = ?1 AND start_ns = ?2 AND boot = ?3 AND os = ?4"
				       " AND (?5 IS NULL OR host = ?5)", &st);
	if (st && r->s->scoped)
		sqlite3_bind_int64(st, 5, r->s->scope_host);
	for (size_t i = 0; !rc && i < shown; i++) {
		pn_report_row row;

		memset(&row, 0, sizeof(row));
		if (k->fill)
			k->fill(v[i], &row);
		else
			rc = parent_row(r, st, v[i], &row);
		if (!rc)
			rc = r->v->row(k->sec, &row, r->user);
		if (st)
			sqlite3_reset(st);
	}
	if (!rc)
		rc = r->v->end(k->sec, total, r->user);
	sqlite3_finalize(st);
	free(v);
	return rc;
}

static int emit_list(struct report *r, enum pn_report_section sec, const pn_report_row *rows,
		     size_t n)
{
	int rc = r->v->begin(sec, &r->w, r->user);

	for (size_t i = 0; !rc && i < n; i++)
		rc = r->v->row(sec, &rows[i], r->user);
	return rc ? rc : r->v->end(sec, n, r->user);
}

static int emit(struct report *r)
{
	const struct ranked ranked[] = {
		{ PN_REPORT_IMAGES, &r->images, executed, by_count, image_row },
		{ PN_REPORT_PARENTS, &r->parents, NULL, by_count, NULL },
		{ PN_REPORT_USERS, &r->users, NULL, by_count, user_row },
		{ PN_REPORT_FAILURES, &r->images, failed, by_failures, failure_row },
		{ PN_REPORT_NEW_IMAGES, &r->images, is_new, by_first, image_row },
	};
	int rc = emit_list(r, PN_REPORT_SUMMARY, &r->summary, 1);

	for (size_t i = 0; !rc && i < sizeof(ranked) / sizeof(ranked[0]); i++)
		rc = emit_ranked(r, &ranked[i]);
	return rc ? rc : emit_list(r, PN_REPORT_HOURS, r->hours, r->nhours);
}

static int extent(struct report *r)
{
	int found, rc = pn__db_int(&r->s->db, "SELECT min(time_ns) FROM event", 0,
				   &r->w.first_ns, &found);

	return rc ? rc : pn__db_int(&r->s->db, "SELECT max(time_ns) FROM event", 0,
				    &r->w.last_ns, &found);
}

static int run(struct report *r)
{
	/* The indexes hold neither a rule's fields nor the host. */
	int slow = r->keep || r->s->scoped, rc = extent(r);

	if (!rc && slow)
		rc = scan(r);
	if (!rc && !slow)
		rc = pass_types(r);
	if (!rc && !slow)
		rc = pass_execs(r);
	if (!rc && !slow)
		rc = pass_exits(r);
	if (!rc && !slow)
		rc = pass_parents(r);
	if (!rc && !slow)
		rc = resolve(r, &r->ids, merge_id);
	if (!rc)
		rc = pass_before(r);
	return rc ? rc : emit(r);
}

int pn__store_report(pn_store *s, const pn_report_scope *sc, uint32_t top,
		     const pn_report_visitor *v, void *user)
{
	struct report *r;
	int rc;

	if (!(r = calloc(1, sizeof(*r))))
		return -ENOMEM;
	*r = (struct report){ .s = s, .top = top, .v = v, .user = user, .keep = sc->keep,
			      .keep_user = sc->keep_user };
	r->since = sc->since_ns ? sc->since_ns : INT64_MIN;
	r->until = sc->until_ns ? sc->until_ns : INT64_MAX;
	r->w.since_ns = sc->since_ns;
	r->w.until_ns = sc->until_ns;
	/* One read transaction: every section counts the same events. */
	rc = pn__db_exec(&s->db, "BEGIN");
	if (!rc)
		rc = run(r);
	sqlite3_exec(s->db.conn, "COMMIT", NULL, NULL, NULL);
	pn__tally_free(&r->images);
	pn__tally_free(&r->ids);
	pn__tally_free(&r->users);
	pn__tally_free(&r->parents);
	pn__tally_free(&r->snapped);
	free(r->hours);
	free(r);
	return rc;
}
