/* JSON Lines: one object per event, a field the backend cannot know is null. */
#include <inttypes.h>
#include <string.h>
#include "fmt_internal.h"

static char *put_member(char *p, struct pn__member m)
{
	memcpy(p, m.text, m.len);
	return p + m.len;
}

static char *put_null(char *p)
{
	return PN__PUT_LIT(p, "null");
}

void pn__json_str(pn_buf *b, struct pn__member m, const pn_str *s, int known)
{
	char *p = pn__buf_room(b, m.len + (known ? PN__JSON_STR_MAX(s->len) : 4));

	if (!p)
		return;
	p = put_member(p, m);
	pn__buf_commit(b, known ? pn__put_json_str(p, s->ptr, s->len) : put_null(p));
}

void pn__json_u64(pn_buf *b, struct pn__member m, uint64_t v, int known)
{
	char *p = pn__buf_room(b, m.len + 20);

	if (!p)
		return;
	p = put_member(p, m);
	pn__buf_commit(b, known ? pn__put_udec(p, v, 1) : put_null(p));
}

void pn__json_bool(pn_buf *b, struct pn__member m, int v)
{
	char *p = pn__buf_room(b, m.len + 5);

	if (!p)
		return;
	p = put_member(p, m);
	pn__buf_commit(b, v ? PN__PUT_LIT(p, "true") : PN__PUT_LIT(p, "false"));
}

/* Opens a member whose value is a string of at most max bytes, needing no
 * escapes: the cursor after the opening quote. When the value is not
 * known, writes null and returns NULL, as it does without memory. */
static char *open_quoted(pn_buf *b, struct pn__member m, size_t max, int known)
{
	char *p = pn__buf_room(b, m.len + max + 2);

	if (!p)
		return NULL;
	p = put_member(p, m);
	if (!known) {
		pn__buf_commit(b, put_null(p));
		return NULL;
	}
	*p++ = '"';
	return p;
}

static void close_quoted(pn_buf *b, char *p)
{
	*p++ = '"';
	pn__buf_commit(b, p);
}

void pn__json_key(pn_buf *b, struct pn__member m, const pn_key *k, int known)
{
	char *p = open_quoted(b, m, PN__KEY_MAX, known);

	if (p)
		close_quoted(b, pn__put_key(p, k));
}

void pn__json_time(pn_buf *b, struct pn__member m, int64_t unix_ns, int known)
{
	char *p = open_quoted(b, m, PN__TIME_MAX, known);

	if (p)
		close_quoted(b, pn__put_time(p, unix_ns));
}

/* The arguments, each followed by a NUL, as a JSON array of strings. */
static void put_argv(pn_buf *b, struct pn__member m, const pn_str *argv, int known)
{
	/* Each byte escapes to at most 6; each argument (a byte at least) adds
	 * quotes and a comma; then the brackets. */
	char *p = pn__buf_room(b, m.len + 9 * argv->len + 4);
	size_t i = 0;

	if (!p)
		return;
	p = put_member(p, m);
	if (!known) {
		pn__buf_commit(b, put_null(p));
		return;
	}
	*p++ = '[';
	while (i < argv->len) {
		const char *a = argv->ptr + i;
		size_t n = 0;

		while (i + n < argv->len && a[n])
			n++;
		if (i)
			*p++ = ',';
		p = pn__put_json_str(p, a, n);
		i += n + 1;
	}
	*p++ = ']';
	pn__buf_commit(b, p);
}

void pn__json_argv(pn_buf *b, const pn_str *argv, int known)
{
	put_argv(b, PN__MEMBER("argv"), argv, known);
}

/* A terminal name; none ("") is null. */
static void put_tty(pn_buf *b, struct pn__member m, const char *tty, size_t size, int known)
{
	pn_str s = { tty, 0 };

	while (s.len < size && tty[s.len])
		s.len++;
	pn__json_str(b, m, &s, known && s.len);
}

/* A device number as "MAJ:MIN", as ls -l and /proc/PID/maps write it. */
static void put_dev(pn_buf *b, struct pn__member m, const pn_dev *d, int known)
{
	char *p = open_quoted(b, m, PN__DEV_MAX, known);

	if (p)
		close_quoted(b, pn__put_dev(p, d));
}

/*
 * The members of PN_FIELDS_PROCESS, PN_FIELDS_EXEC, PN_FIELDS_PATH,
 * PN_FIELDS_CREATOR and PN_FIELDS_DENY (procnotify/fields.h),
 * row by row: the expansion is straight-line code, as if written by hand.
 * A field is known when its have bit is set (PN_HAVE_ALWAYS is 0) and the
 * event is of one of its types; rows without a JSON member are skipped at
 * compile time. LIST_TYPES, the types whose events carry the list being
 * written, is checked once per list: a row with all of them needs no test
 * of its own, and the compiler drops it.
 */
#define KNOWN(bit, types)                                    \
	((ev->have & PN_HAVE_##bit) == PN_HAVE_##bit &&      \
	 (((types) & LIST_TYPES) == LIST_TYPES || (PN_MASK(ev->type) & (types))))
#define JSON_u32(name, bit, types, json) \
	pn__json_u64(b, PN__MEMBER(json), ev->name, KNOWN(bit, types))
#define JSON_u64 JSON_u32
#define JSON_str(name, bit, types, json) \
	pn__json_str(b, PN__MEMBER(json), &ev->name, KNOWN(bit, types))
#define JSON_argv(name, bit, types, json) \
	put_argv(b, PN__MEMBER(json), &ev->name, KNOWN(bit, types))
#define JSON_key(name, bit, types, json) \
	pn__json_key(b, PN__MEMBER(json), &ev->name, KNOWN(bit, types))
#define JSON_tty(name, bit, types, json) \
	put_tty(b, PN__MEMBER(json), ev->name, sizeof(ev->name), KNOWN(bit, types))
#define JSON_dev(name, bit, types, json) \
	put_dev(b, PN__MEMBER(json), &ev->name, KNOWN(bit, types))
#define JSON_flag(name, bit, types, json) \
	pn__json_bool(b, PN__MEMBER(json), ev->flags & PN_EV_##bit)
#define JSON_FIELD(name, kind, bit, types, json, ...) \
	if (sizeof(json) > 1)                         \
		JSON_##kind(name, bit, types, json);

/* The members of one list, when the event's type carries it. */
#define PUT_LIST(list)                             \
	if (PN_MASK(ev->type) & LIST_TYPES) {      \
		list(JSON_FIELD)                   \
	}

static void put_process(pn_buf *b, const pn_event *ev)
{
#define LIST_TYPES PN__PROC_TYPES
	PUT_LIST(PN_FIELDS_PROCESS)
#undef LIST_TYPES
#define LIST_TYPES PN__EXEC_TYPES
	PUT_LIST(PN_FIELDS_EXEC)
#undef LIST_TYPES
#define LIST_TYPES PN__PATH_TYPES
	PUT_LIST(PN_FIELDS_PATH)
#undef LIST_TYPES
#define LIST_TYPES PN__CREATE_TYPES
	PUT_LIST(PN_FIELDS_CREATOR)
#undef LIST_TYPES
#define LIST_TYPES PN__DENY_TYPES
	PUT_LIST(PN_FIELDS_DENY)
#undef LIST_TYPES
	/* Only when known, so that Windows events print as they did
	 * (fields.h): a Linux event has a cgroup, maybe no container. */
	if (ev->have & PN_HAVE_CGROUP) {
		pn__json_str(b, PN__MEMBER("cgroup"), &ev->cgroup, 1);
		pn__json_str(b, PN__MEMBER("container_id"), &ev->container_id,
			     ev->have & PN_HAVE_CONTAINER);
	}
}

void pn__json_signal(pn_buf *b, int sig, int core_dumped)
{
	const char *name = pn_signal_name(sig);
	pn_str s = { name, name ? strlen(name) : 0 };

	pn__json_u64(b, PN__MEMBER("signal"), (uint32_t)sig, sig);
	pn__json_str(b, PN__MEMBER("signal_name"), &s, sig && name);
	pn__json_bool(b, PN__MEMBER("core_dumped"), core_dumped);
}

static void put_exit(pn_buf *b, const pn_event *ev)
{
	pn__json_u64(b, PN__MEMBER("exit_code"), pn__exit_code(ev->exit_code), !ev->signal);
	if (ev->have & PN_HAVE_NTSTATUS)
		pn_buf_printf(b, ",\"nt_status\":\"0x%08" PRIx32 "\"", ev->nt_status);
	pn__json_signal(b, ev->signal, ev->core_dumped);
	pn__json_u64(b, PN__MEMBER("duration_ns"), (uint64_t)ev->duration_ns, ev->duration_ns >= 0);
}

/* What the netlink connector's extra events carry beyond the process. */
static void put_change(pn_buf *b, const pn_event *ev)
{
	switch (ev->type) {
	case PN_EVENT_SETUID:
		pn_buf_printf(b, ",\"new_uid\":%" PRIu32 ",\"new_euid\":%" PRIu32, ev->new_id,
			      ev->new_eid);
		break;
	case PN_EVENT_SETGID:
		pn_buf_printf(b, ",\"new_gid\":%" PRIu32 ",\"new_egid\":%" PRIu32, ev->new_id,
			      ev->new_eid);
		break;
	case PN_EVENT_SETSID:
		pn__json_u64(b, PN__MEMBER("sid"), ev->sid, ev->have & PN_HAVE_SID);
		break;
	case PN_EVENT_PTRACE:
		pn__json_u64(b, PN__MEMBER("tracer_pid"), ev->tracer_pid, ev->tracer_pid != 0);
		pn__json_bool(b, PN__MEMBER("attached"), ev->tracer_pid != 0);
		break;
	default:
		break;
	}
}

/* The count of each type shown (pn_fmt_type_counts()), as an object. */
void pn__json_type_counts(pn_buf *b, const uint64_t *count, size_t n)
{
	char sep = '{';

	for (size_t t = 0; t < n; t++) {
		if (!pn__type_count_shown(t, count[t]))
			continue;
		pn_buf_printf(b, "%c\"%s\":%" PRIu64, sep, pn_event_type_name((enum pn_event_type)t),
			      count[t]);
		sep = ',';
	}
	if (sep == '{')
		pn_buf_putc(b, sep);
	pn_buf_putc(b, '}');
}

static void put_lost(pn_buf *b, const pn_event *ev)
{
	if (!ev->lost_count_known) {
		pn_buf_puts(b, ",\"count\":null,\"by_type\":null");
		return;
	}
	pn_buf_printf(b, ",\"count\":%" PRIu64 ",\"by_type\":", ev->lost_count);
	pn__json_type_counts(b, ev->lost_by_type, PN_LOST_SLOTS);
	/* The producer's losses keep the record as it always was. */
	if (ev->lost_reason == PN_LOST_STORE)
		pn_buf_puts(b, ",\"reason\":\"store\"");
	else if (ev->lost_reason == PN_LOST_OUTPUT)
		pn_buf_puts(b, ",\"reason\":\"output\"");
}

/* {"seq":N,"type":"T","time":"T" */
static void put_head(pn_buf *b, const pn_event *ev)
{
	const char *type = pn_event_type_name(ev->type);
	size_t n = strlen(type);
	char *p = pn__buf_room(b, 64 + n + PN__TIME_MAX);

	if (!p)
		return;
	p = pn__put_udec(PN__PUT_LIT(p, "{\"seq\":"), ev->seq, 1);
	p = PN__PUT_LIT(p, ",\"type\":\"");
	memcpy(p, type, n);
	p = pn__put_time(PN__PUT_LIT(p + n, "\",\"time\":\""), ev->time_ns);
	*p++ = '"';
	pn__buf_commit(b, p);
}

/* The host, on every event, snapshots too: the lines of many hosts stay
 * apart, and import needs it to put a snapshot row under its host. */
static void put_host(pn_buf *b, const pn_event *ev)
{
#define LIST_TYPES PN__MASK_TYPES
	PUT_LIST(PN_FIELDS_HOST)
#undef LIST_TYPES
}

/* named: "user" and "group" follow the process's fields. */
static void put_json(pn_buf *b, const pn_event *ev, int named, const char *user, const char *group)
{
	int ids = (ev->have & PN_HAVE_UID) != 0;
	pn_str u = { user, user ? strlen(user) : 0 }, g = { group, group ? strlen(group) : 0 };

	put_head(b, ev);
	put_host(b, ev);
	if (ev->type == PN_EVENT_LOST)
		put_lost(b, ev);
	else
		put_process(b, ev);
	if (named && ev->type != PN_EVENT_LOST) {
		pn__json_str(b, PN__MEMBER("user"), &u, ids && user);
		pn__json_str(b, PN__MEMBER("group"), &g, ids && group);
	}
	if (ev->type == PN_EVENT_EXIT)
		put_exit(b, ev);
	put_change(b, ev);
	/* Only when a tag rule matched: untagged events print as they always did. */
	if (ev->rules.len && ev->type != PN_EVENT_LOST)
		put_argv(b, PN__MEMBER("rules"), &ev->rules, 1);
	pn_buf_put(b, "}\n", 2);
}

void pn_fmt_json(pn_buf *b, const pn_event *ev)
{
	put_json(b, ev, 0, NULL, NULL);
}

void pn_fmt_json_named(pn_buf *b, const pn_event *ev, const char *user, const char *group)
{
	put_json(b, ev, 1, user, group);
}
