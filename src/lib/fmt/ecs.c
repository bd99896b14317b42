/*
 * Elastic Common Schema: one JSON object per event, nested as ECS documents
 * are (process.parent.pid is {"process":{"parent":{"pid":...}}}), so that
 * Filebeat, Vector or Logstash ingest it without remapping.
 *
 * The fields come from the field table (procnotify/fields.h): a field with
 * an ECS name (PN_FIELD_ECS_MAP) is written there, every other field JSON
 * writes goes under "procnotify.<its JSON name>"; what JSON writes by hand
 * (the exit, the change events, lost records) is written by hand here too.
 * A field that is not known is left out, as ECS wants, rather than null.
 * Strings are escaped as in JSON (pn__put_json_str): \udcHH for a byte
 * that is not UTF-8, no raw control byte.
 *
 * The members are collected with their dotted paths, sorted, and written
 * as nested objects; nothing is allocated.
 */
#include <stdlib.h>
#include <string.h>
#include "fmt_internal.h"

#define ECS_VERSION "8.11.0"
#define MAX_ITEMS 80
#define MAX_DEPTH 6

enum vt { V_NUM, V_KEYWORD, V_STR, V_ARGV, V_CMDLINE, V_KEY, V_TIME, V_RAW, V_DEV };

struct item {
	char path[48];
	enum vt t;
	uint64_t n;
	pn_str s;               /* V_STR, V_ARGV, V_CMDLINE; V_RAW's text */
	const pn_key *k;
	pn_dev d;
};

struct ecs {
	struct item it[MAX_ITEMS];
	struct item spare;      /* past MAX_ITEMS: filled, never written */
	unsigned n;
};

enum as { ECS_NUM = V_NUM, ECS_STR = V_STR, ECS_KEYWORD = V_KEYWORD };

/* Each field's ECS name, or none, by its place in PN_FIELD_MAP. */
#define EF_ENUM(name, ...) EF_##name,
enum ecs_field { PN_FIELD_MAP(EF_ENUM) EF_COUNT };
#define ECS_NAME(name, path, as) [EF_##name] = { path, ECS_##as },
static const struct {
	const char *path;
	enum as as;
} ecs_names[EF_COUNT] = { PN_FIELD_ECS_MAP(ECS_NAME) };

/* Up to n bytes of s at p (its length if shorter); returns the cursor past them. */
static char *put_upto(char *p, const char *s, size_t n)
{
	size_t len = strnlen(s, n);

	memcpy(p, s, len);
	return p + len;
}

/* Never NULL: more members than any event has (a bug, not input) go to
 * the spare item, left out of the document, not past the array. A path
 * is a then b, cut to fit (no path of the schema is that long). */
static struct item *add(struct ecs *e, const char *a, const char *b, enum vt t)
{
	struct item *it = e->n < MAX_ITEMS ? &e->it[e->n++] : &e->spare;
	char *p;

	*it = (struct item){ .t = t };
	p = put_upto(it->path, a, sizeof(it->path) - 1);
	*put_upto(p, b, sizeof(it->path) - 1 - (size_t)(p - it->path)) = 0;
	return it;
}

static void add_num(struct ecs *e, const char *path, enum vt t, uint64_t n)
{
	add(e, path, "", t)->n = n;
}

static void add_str(struct ecs *e, const char *a, const char *b, enum vt t, pn_str s)
{
	add(e, a, b, t)->s = s;
}

static void add_raw(struct ecs *e, const char *path, const char *json)
{
	add_str(e, path, "", V_RAW, (pn_str){ json, strlen(json) });
}

/* A field of the table: at its ECS name, else under procnotify. */
static struct item *add_field(struct ecs *e, enum ecs_field f, const char *json, enum vt t)
{
	const char *path = ecs_names[f].path;
	struct item *it = path ? add(e, path, "", t) : add(e, "procnotify.", json, t);

	if (path && (t == V_NUM || t == V_KEYWORD))
		it->t = (enum vt)ecs_names[f].as;
	return it;
}

#define KNOWN(bit, types) \
	((ev->have & PN_HAVE_##bit) == PN_HAVE_##bit && (PN_MASK(ev->type) & (types)))
/* A flag's bit column is its PN_EV_ bit: it is known on its types. */
#define KNOWN_flag(bit, types) (PN_MASK(ev->type) & (types))
#define KNOWN_u32 KNOWN
#define KNOWN_u64 KNOWN
#define KNOWN_i32 KNOWN
#define KNOWN_i64 KNOWN
#define KNOWN_str KNOWN
#define KNOWN_argv KNOWN
#define KNOWN_key KNOWN
#define KNOWN_tty KNOWN
#define KNOWN_dev KNOWN

static const pn_str ecs_true = { "true", 4 }, ecs_false = { "false", 5 };

#define ECS_u32(name, bit, json) add_field(e, EF_##name, json, V_NUM)->n = ev->name
#define ECS_u64 ECS_u32
#define ECS_i32 ECS_u32
#define ECS_i64 ECS_u32
#define ECS_str(name, bit, json) add_field(e, EF_##name, json, V_STR)->s = ev->name
#define ECS_argv(name, bit, json) add_field(e, EF_##name, json, V_ARGV)->s = ev->name
#define ECS_key(name, bit, json) add_field(e, EF_##name, json, V_KEY)->k = &ev->name
#define ECS_dev(name, bit, json) add_field(e, EF_##name, json, V_DEV)->d = ev->name
#define ECS_tty(name, bit, json) \
	add_field(e, EF_##name, json, V_STR)->s = (pn_str){ ev->name, strnlen(ev->name, sizeof(ev->name)) }
#define ECS_flag(name, bit, json) \
	add_field(e, EF_##name, json, V_RAW)->s = ev->flags & PN_EV_##bit ? ecs_true : ecs_false

/* Written when JSON writes it (or ECS names it) and known; a list
 * ("rules") or a tty that is empty is not known. */
#define ECS_FIELD(name, kind, bit, types, json, ...)                                    \
	if ((sizeof(json) > 1 || ecs_names[EF_##name].path) && KNOWN_##kind(bit, types) && \
	    !EMPTY_##kind(ev->name))                                                     \
		ECS_##kind(name, bit, json);

#define EMPTY_argv(v) (!(v).len)
#define EMPTY_tty(v) (!(v)[0])
#define EMPTY_u32(v) 0
#define EMPTY_u64(v) 0
#define EMPTY_i32(v) 0
#define EMPTY_i64(v) 0
#define EMPTY_str(v) 0
#define EMPTY_key(v) 0
#define EMPTY_dev(v) 0
#define EMPTY_flag(v) 0

/* host.name, on every event: a lost record names the host that lost. */
static void add_host(struct ecs *e, const pn_event *ev)
{
	PN_FIELDS_HOST(ECS_FIELD)
}

static void add_fields(struct ecs *e, const pn_event *ev)
{
	PN_FIELDS_PROCESS(ECS_FIELD)
	PN_FIELDS_EXEC(ECS_FIELD)
	PN_FIELDS_PATH(ECS_FIELD)
	PN_FIELDS_CREATOR(ECS_FIELD)
	PN_FIELDS_DENY(ECS_FIELD)
	PN_FIELDS_RULES(ECS_FIELD)
	PN_FIELDS_CGROUP(ECS_FIELD)
}

/* ECS's event.type of each event type. */
static const char *event_type(const pn_event *ev)
{
	switch (ev->type) {
	case PN_EVENT_FORK: case PN_EVENT_EXEC: return "[\"start\"]";
	case PN_EVENT_CREATE:
		return ev->flags & PN_EV_DENIED ? "[\"start\",\"denied\"]" : "[\"start\"]";
	case PN_EVENT_DENY: return "[\"start\",\"denied\"]";
	case PN_EVENT_EXIT: return "[\"end\"]";
	case PN_EVENT_COREDUMP: return "[\"info\"]";
	default: return "[\"change\"]";
	}
}

static void add_head(struct ecs *e, const pn_event *ev, const pn_fmt_ecs_extra *x)
{
	const char *type = pn_event_type_name(ev->type);
	int lost = ev->type == PN_EVENT_LOST;

	add_num(e, "@timestamp", V_TIME, (uint64_t)ev->time_ns);
	add_raw(e, "ecs.version", "\"" ECS_VERSION "\"");
	/* A gap in the trail is no process event: the pipeline failed. */
	add_raw(e, "event.kind", lost ? "\"pipeline_error\"" : "\"event\"");
	if (!lost) {
		add_raw(e, "event.category", "[\"process\"]");
		add_raw(e, "event.type", event_type(ev));
	}
	if (ev->type == PN_EVENT_DENY || (ev->type == PN_EVENT_CREATE && (ev->flags & PN_EV_DENIED)))
		add_raw(e, "event.outcome", "\"failure\"");
	add_str(e, "event.action", "", V_STR, (pn_str){ type, strlen(type) });
	add_num(e, "event.sequence", V_NUM, ev->seq);
	add_raw(e, "event.module", "\"procnotify\"");
	add_raw(e, "event.dataset", "\"procnotify.process\"");
	if (x && x->host_id)
		add_str(e, "host.id", "", V_STR, (pn_str){ x->host_id, strlen(x->host_id) });
}

/* The names of user.id and group.id (the real ids, as Auditbeat names
 * them; user.effective.id is the effective uid), when the caller knows them. */
static void add_user(struct ecs *e, const pn_event *ev, const pn_fmt_ecs_extra *x)
{
	if (!(ev->have & PN_HAVE_UID) || ev->type == PN_EVENT_LOST)
		return;
	if (x && x->user)
		add_str(e, "user.name", "", V_STR, (pn_str){ x->user, strlen(x->user) });
	if (x && x->group)
		add_str(e, "group.name", "", V_STR, (pn_str){ x->group, strlen(x->group) });
}

/* The arguments once more, as ECS also wants them: counted, and joined. */
static void add_command_line(struct ecs *e, const pn_event *ev)
{
	if (!(PN_MASK(ev->type) & PN__EXEC_TYPES) || !(ev->have & PN_HAVE_ARGV))
		return;
	add_num(e, "process.args_count", V_NUM, ev->argc);
	add_str(e, "process.command_line", "", V_CMDLINE, ev->argv);
}

static void add_exit(struct ecs *e, const pn_event *ev)
{
	const char *name = pn_signal_name(ev->signal);

	add_num(e, "process.end", V_TIME, (uint64_t)ev->time_ns);
	if (!ev->signal)
		add_num(e, "process.exit_code", V_NUM, pn__exit_code(ev->exit_code));
	if (ev->have & PN_HAVE_NTSTATUS)
		add_num(e, "procnotify.nt_status", V_NUM, ev->nt_status);
	if (ev->signal)
		add_num(e, "procnotify.signal", V_NUM, (uint32_t)ev->signal);
	if (ev->signal && name)
		add_str(e, "procnotify.signal_name", "", V_STR, (pn_str){ name, strlen(name) });
	add_raw(e, "procnotify.core_dumped", ev->core_dumped ? "true" : "false");
	if (ev->duration_ns >= 0)
		add_num(e, "procnotify.duration_ns", V_NUM, (uint64_t)ev->duration_ns);
}

/* The netlink connector's changes, named as JSON names them. (A setsid's
 * new session is the sid row of the field table, written with the others.) */
static void add_change(struct ecs *e, const pn_event *ev)
{
	int uid = ev->type == PN_EVENT_SETUID;

	if (uid || ev->type == PN_EVENT_SETGID) {
		add_num(e, uid ? "procnotify.new_uid" : "procnotify.new_gid", V_NUM, ev->new_id);
		add_num(e, uid ? "procnotify.new_euid" : "procnotify.new_egid", V_NUM, ev->new_eid);
	} else if (ev->type == PN_EVENT_PTRACE) {
		if (ev->tracer_pid)
			add_num(e, "procnotify.tracer_pid", V_NUM, ev->tracer_pid);
		add_raw(e, "procnotify.attached", ev->tracer_pid ? "true" : "false");
	}
}

static void add_lost(struct ecs *e, const pn_event *ev)
{
	static const char *const reasons[] = { "producer", "store", "output" };

	if (ev->lost_reason < sizeof(reasons) / sizeof(reasons[0]))
		add_str(e, "procnotify.lost.reason", "", V_STR,
			(pn_str){ reasons[ev->lost_reason], strlen(reasons[ev->lost_reason]) });
	if (!ev->lost_count_known)
		return;
	add_num(e, "procnotify.lost.count", V_NUM, ev->lost_count);
	for (size_t t = 0; t < PN_LOST_SLOTS; t++)
		if (pn__type_count_shown(t, ev->lost_by_type[t]))
			add(e, "procnotify.lost.by_type.", pn_event_type_name((enum pn_event_type)t),
			    V_NUM)->n = ev->lost_by_type[t];
}

/* The arguments, each followed by a NUL: a JSON array, or (joined) one
 * string with a space between two arguments, as ECS's command_line. */
static char *put_args(char *p, const pn_str *argv, int joined)
{
	size_t i = 0;

	if (!joined)
		*p++ = '[';
	while (i < argv->len) {
		const char *a = argv->ptr + i;
		size_t n = strnlen(a, argv->len - i);
		char *open;

		if (!joined && i)
			*p++ = ',';
		open = joined && i ? p - 1 : p;
		/* Joined: the next string's opening quote takes the place of
		 * the last one's closing quote, and becomes the space. */
		p = pn__put_json_str(open, a, n);
		if (joined && i)
			*open = ' ';
		i += n + 1;
	}
	if (joined && !argv->len)
		p = PN__PUT_LIT(p, "\"\"");
	if (!joined)
		*p++ = ']';
	return p;
}

static size_t value_max(const struct item *it)
{
	switch (it->t) {
	case V_STR: return PN__JSON_STR_MAX(it->s.len);
	case V_ARGV: case V_CMDLINE: return 9 * it->s.len + 4;
	case V_RAW: return it->s.len;
	default: return 64;
	}
}

static char *put_value(char *p, const struct item *it)
{
	switch (it->t) {
	case V_NUM: return pn__put_udec(p, it->n, 1);
	case V_STR: return pn__put_json_str(p, it->s.ptr, it->s.len);
	case V_ARGV: return put_args(p, &it->s, 0);
	case V_CMDLINE: return put_args(p, &it->s, 1);
	case V_RAW: memcpy(p, it->s.ptr, it->s.len); return p + it->s.len;
	default: break;
	}
	*p++ = '"';
	if (it->t == V_KEYWORD)
		p = pn__put_udec(p, it->n, 1);
	else if (it->t == V_KEY)
		p = pn__put_key(p, it->k);
	else if (it->t == V_TIME)
		p = pn__put_time(p, (int64_t)it->n);
	else
		p = pn__put_dev(p, &it->d);
	*p++ = '"';
	return p;
}

/* The open objects while the sorted members are written: the names of
 * those inside the top one, and whether each (the top one too) has a
 * member already. */
struct nest {
	const char *name[MAX_DEPTH];
	size_t len[MAX_DEPTH];
	int has[MAX_DEPTH + 1];
	unsigned depth;
};

/* The length of path's first component, up to a '.' or its end. */
static size_t component(const char *path)
{
	return strcspn(path, ".");
}

/* Closes the objects that path is not in; returns the rest of path. */
static const char *close_to(pn_buf *b, struct nest *n, const char *path)
{
	unsigned keep = 0;

	while (keep < n->depth) {
		size_t c = component(path);

		if (path[c] != '.' || c != n->len[keep] || memcmp(path, n->name[keep], c))
			break;
		path += c + 1;
		keep++;
	}
	for (; n->depth > keep; n->depth--)
		pn_buf_putc(b, '}');
	return path;
}

/* "name": in the innermost open object, after a comma when it is not
 * the first member. */
static void put_name(pn_buf *b, struct nest *n, const char *name, size_t len)
{
	char *p = pn__buf_room(b, len + 4);

	if (!p)
		return;
	if (n->has[n->depth])
		*p++ = ',';
	n->has[n->depth] = 1;
	*p++ = '"';
	memcpy(p, name, len);
	pn__buf_commit(b, PN__PUT_LIT(p + len, "\":"));
}

/* One member: the objects its path opens, then its name and value. */
static void put_item(pn_buf *b, struct nest *n, const struct item *it)
{
	const char *rest = close_to(b, n, it->path);
	size_t c;
	char *p;

	while (rest[c = component(rest)] == '.' && n->depth < MAX_DEPTH) {
		put_name(b, n, rest, c);
		pn_buf_putc(b, '{');
		n->name[n->depth] = rest;
		n->len[n->depth++] = c;
		n->has[n->depth] = 0;
		rest += c + 1;
	}
	put_name(b, n, rest, strlen(rest));
	p = pn__buf_room(b, value_max(it));
	if (p)
		pn__buf_commit(b, put_value(p, it));
}

/* The members are sorted by reference: an item is some hundred bytes,
 * which qsort would otherwise move about (and allocate room for). */
static int by_path(const void *a, const void *b)
{
	return strcmp((*(const struct item *const *)a)->path, (*(const struct item *const *)b)->path);
}

void pn_fmt_ecs(pn_buf *b, const pn_event *ev, const pn_fmt_ecs_extra *x)
{
	struct ecs e;
	struct nest n = { .depth = 0, .has = { 0 } };
	const struct item *order[MAX_ITEMS];

	e.n = 0;
	add_head(&e, ev, x);
	add_host(&e, ev);
	if (ev->type == PN_EVENT_LOST) {
		add_lost(&e, ev);
	} else {
		add_fields(&e, ev);
		add_user(&e, ev, x);
		add_command_line(&e, ev);
	}
	if (ev->type == PN_EVENT_EXIT)
		add_exit(&e, ev);
	add_change(&e, ev);
	for (unsigned i = 0; i < e.n; i++)
		order[i] = &e.it[i];
	qsort(order, e.n, sizeof(order[0]), by_path);
	pn_buf_putc(b, '{');
	for (unsigned i = 0; i < e.n; i++)
		put_item(b, &n, order[i]);
	close_to(b, &n, "");
	pn_buf_put(b, "}\n", 2);
}
