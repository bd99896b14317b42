/*
 * Reading back the JSON Lines procnotify writes (src/lib/fmt/json.c), for
 * `procnotify import`: one line into a pn_event. The members json.c writes
 * from the field table (procnotify/fields.h) are found through the same
 * table, so a field added there is read back without code here; the head,
 * the exit, the change events and the lost records, which json.c writes by
 * hand, are read by hand.
 *
 * Strings are decoded into the caller's scratch, which a line never
 * outgrows: \udcHH gives back the byte HH that was not UTF-8, so every
 * byte of a name survives the trip. A member this build does not know is
 * skipped, so the lines of a newer procnotify still load.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "json_lex.h"
#include "store_internal.h"

enum kind { K_u32, K_u64, K_i32, K_i64, K_str, K_argv, K_key, K_tty, K_dev, K_flag };

struct member {
	const char *name;       /* "" for a field JSON does not write */
	unsigned char kind;
	uint32_t have;          /* PN_HAVE_ bit a value (not null) sets */
	uint32_t flag;          /* K_flag: the PN_EV_ bit */
	size_t off;             /* the pn_event member, but for K_flag */
};

#define M_FIELD(name, kind, bit, json) \
	{ json, K_##kind, PN_HAVE_##bit, 0, offsetof(pn_event, name) },
#define M_u32 M_FIELD
#define M_u64 M_FIELD
#define M_i32 M_FIELD
#define M_i64 M_FIELD
#define M_str M_FIELD
#define M_argv M_FIELD
#define M_key M_FIELD
#define M_tty M_FIELD
#define M_dev M_FIELD
#define M_flag(name, kind, bit, json) { json, K_flag, 0, PN_EV_##bit, 0 },
#define MEMBER(name, kind, bit, types, json, ...) M_##kind(name, kind, bit, json)

/* What json.c's put_host and put_process write, in their order. */
static const struct member members[] = {
	PN_FIELDS_HOST(MEMBER) PN_FIELDS_PROCESS(MEMBER) PN_FIELDS_EXEC(MEMBER)
	PN_FIELDS_PATH(MEMBER) PN_FIELDS_CREATOR(MEMBER) PN_FIELDS_DENY(MEMBER)
	PN_FIELDS_CGROUP(MEMBER)
};
#define NMEMBERS (sizeof(members) / sizeof(members[0]))

/* The members json.c writes by hand. */
enum special {
	S_SEQ, S_TYPE, S_TIME, S_EXIT_CODE, S_NT_STATUS, S_SIGNAL, S_CORE, S_DURATION,
	S_NEW_ID, S_NEW_EID, S_TRACER, S_COUNT, S_BY_TYPE, S_REASON, S_RULES, S_NONE,
};
static const struct {
	const char *name;
	enum special s;
} specials[] = {
	{ "seq", S_SEQ }, { "type", S_TYPE }, { "time", S_TIME },
	{ "exit_code", S_EXIT_CODE }, { "nt_status", S_NT_STATUS }, { "signal", S_SIGNAL },
	{ "core_dumped", S_CORE }, { "duration_ns", S_DURATION },
	{ "new_uid", S_NEW_ID }, { "new_gid", S_NEW_ID },
	{ "new_euid", S_NEW_EID }, { "new_egid", S_NEW_EID }, { "tracer_pid", S_TRACER },
	{ "count", S_COUNT }, { "by_type", S_BY_TYPE }, { "reason", S_REASON },
	{ "rules", S_RULES },
};

/* A lost record's reasons, by the word JSON writes (the producer's has none). */
static const char *const reasons[] = { [PN_LOST_STORE] = "store", [PN_LOST_OUTPUT] = "output" };

/* The arguments: an array of strings, each followed by a NUL in the scratch. */
static int read_argv(struct pn__json_in *in, pn_str *argv, uint32_t *argc)
{
	pn_str a;

	argv->ptr = in->out;
	*argc = 0;
	if (!pn__json_eat(in, ']')) {
		do {
			if (!pn__json_eat(in, '"') || pn__json_string(in, &a))
				return pn__json_fail(in, "argv holds a non-string");
			*in->out++ = 0;
			++*argc;
		} while (pn__json_eat(in, ','));
		if (!pn__json_eat(in, ']'))
			return pn__json_fail(in, "argv not closed");
	}
	argv->len = (size_t)(in->out - argv->ptr);
	return 0;
}

/* A short string copied NUL-terminated into buf, for the parsers of keys,
 * times and devices. */
static int small(struct pn__json_in *in, const pn_str *s, char *buf, size_t size)
{
	if (s->len >= size || memchr(s->ptr, 0, s->len))
		return pn__json_fail(in, "a malformed key, time or device");
	memcpy(buf, s->ptr, s->len);
	buf[s->len] = 0;
	return 0;
}

/* A key as pn_fmt_key() writes it, "?" for a key of no known system. */
static int read_key(struct pn__json_in *in, const pn_str *s, char *buf, size_t size, pn_key *k)
{
	int none;

	if (small(in, s, buf, size))
		return -EINVAL;
	none = buf[0] == '?';
	buf[0] = none ? 'A' : buf[0];
	if (pn__store_parse_key(buf, k))
		return pn__json_fail(in, "a malformed key");
	k->os = none ? 0 : k->os;
	return 0;
}

static int read_dev(struct pn__json_in *in, const pn_str *s, pn_dev *d)
{
	char buf[24], *colon;
	unsigned long long maj, min;

	if (small(in, s, buf, sizeof(buf)) || !(colon = strchr(buf, ':')) ||
	    sscanf(buf, "%llu:%llu", &maj, &min) != 2 || maj > UINT32_MAX || min > UINT32_MAX)
		return pn__json_fail(in, "a malformed device");
	*d = (pn_dev){ (uint32_t)maj, (uint32_t)min };
	return 0;
}

/* A number into a field of kind k, range-checked. */
static int set_number(struct pn__json_in *in, enum kind k, void *dst, const struct pn__json_val *v)
{
	if (v->t != JT_NUM)
		return pn__json_fail(in, "a field of the wrong type");
	if ((k == K_u32 && (v->neg || v->u > UINT32_MAX)) || (k == K_u64 && v->neg) ||
	    (k == K_i32 && v->u > (uint64_t)INT32_MAX + v->neg) ||
	    (k == K_i64 && v->u > (uint64_t)INT64_MAX + v->neg))
		return pn__json_fail(in, "a number out of range");
	if (k == K_u32)
		*(uint32_t *)dst = (uint32_t)v->u;
	else if (k == K_u64)
		*(uint64_t *)dst = v->u;
	else if (k == K_i32)
		*(int *)dst = v->neg ? (int)-(int64_t)v->u : (int)v->u;
	else
		*(int64_t *)dst = v->neg ? (int64_t)(0 - v->u) : (int64_t)v->u;
	return 0;
}

static int set_string(struct pn__json_in *in, const struct member *m, void *dst,
		      const struct pn__json_val *v)
{
	char buf[64];

	if (v->t != JT_STR)
		return pn__json_fail(in, "a field of the wrong type");
	switch (m->kind) {
	case K_str:
		*(pn_str *)dst = v->s;
		return 0;
	case K_key:
		return read_key(in, &v->s, buf, sizeof(buf), dst);
	case K_tty:
		if (v->s.len >= PN_EVENT_TTY_LEN || memchr(v->s.ptr, 0, v->s.len))
			return pn__json_fail(in, "a malformed tty");
		memcpy(dst, v->s.ptr, v->s.len);
		return 0;
	default:
		return read_dev(in, &v->s, dst);
	}
}

/* One member of the field table. */
static int set_member(struct pn__json_in *in, const struct member *m)
{
	pn_event *ev = in->ev;
	void *dst = (char *)ev + m->off;
	struct pn__json_val v;
	int rc = pn__json_value(in, &v);

	if (rc || v.t == JT_NULL)
		return rc;
	if (m->kind == K_flag) {
		if (v.t != JT_TRUE && v.t != JT_FALSE)
			return pn__json_fail(in, "a flag that is not true or false");
		ev->flags |= v.t == JT_TRUE ? m->flag : 0;
		return 0;
	}
	ev->have |= m->have;
	if (m->kind == K_argv)
		return v.t == JT_ARRAY ? read_argv(in, dst, &ev->argc) : pn__json_fail(in, "argv is no array");
	if (m->kind == K_str || m->kind == K_key || m->kind == K_tty || m->kind == K_dev)
		return set_string(in, m, dst, &v);
	return set_number(in, (enum kind)m->kind, dst, &v);
}

static int set_type(struct pn__json_in *in, const struct pn__json_val *v)
{
	for (int t = 0; t < PN_EVENT_TYPE_MAX; t++) {
		const char *name = pn_event_type_name((enum pn_event_type)t);

		if (v->t == JT_STR && name && strlen(name) == v->s.len &&
		    !memcmp(name, v->s.ptr, v->s.len) && strcmp(name, "?")) {
			in->ev->type = (enum pn_event_type)t;
			return 0;
		}
	}
	return pn__json_fail(in, "an unknown event type");
}

static int set_time(struct pn__json_in *in, const struct pn__json_val *v)
{
	char buf[48];

	if (v->t != JT_STR || small(in, &v->s, buf, sizeof(buf)) ||
	    pn__store_parse_rfc3339(buf, &in->ev->time_ns))
		return pn__json_fail(in, "a malformed time");
	in->have_time = 1;
	return 0;
}

/* A lost record's count per type: {"fork":2,"exit":3}. */
static int set_by_type(struct pn__json_in *in)
{
	struct pn__json_val v;
	pn_str name;

	if (pn__json_eat(in, '}'))
		return 0;
	do {
		if (!pn__json_eat(in, '"') || pn__json_string(in, &name) || !pn__json_eat(in, ':') ||
		    pn__json_value(in, &v) || v.t != JT_NUM || v.neg)
			return pn__json_fail(in, "a malformed by_type");
		for (int t = 0; t < PN_LOST_SLOTS; t++) {
			const char *n = pn_event_type_name((enum pn_event_type)t);

			if (n && strlen(n) == name.len && !memcmp(n, name.ptr, name.len))
				in->ev->lost_by_type[t] = v.u;
		}
	} while (pn__json_eat(in, ','));
	return pn__json_eat(in, '}') ? 0 : pn__json_fail(in, "by_type not closed");
}

static int set_reason(struct pn__json_in *in, const struct pn__json_val *v)
{
	for (size_t r = 0; r < sizeof(reasons) / sizeof(reasons[0]); r++) {
		if (v->t == JT_STR && reasons[r] && strlen(reasons[r]) == v->s.len &&
		    !memcmp(reasons[r], v->s.ptr, v->s.len)) {
			in->ev->lost_reason = (uint32_t)r;
			return 0;
		}
	}
	return pn__json_fail(in, "an unknown lost reason");
}

static int set_nt_status(struct pn__json_in *in, const struct pn__json_val *v)
{
	char buf[16];
	unsigned long st;
	char *end;

	if (v->t != JT_STR || small(in, &v->s, buf, sizeof(buf)) || strncmp(buf, "0x", 2))
		return pn__json_fail(in, "a malformed nt_status");
	st = strtoul(buf + 2, &end, 16);
	if (*end || st > UINT32_MAX)
		return pn__json_fail(in, "a malformed nt_status");
	in->ev->nt_status = (uint32_t)st;
	in->ev->have |= PN_HAVE_NTSTATUS;
	return 0;
}

/* A number that JSON writes as null for a default (an exit's code when a
 * signal ended it, a detached tracer, an unknown duration). */
static int set_or(struct pn__json_in *in, enum kind k, void *dst, const struct pn__json_val *v,
		  int64_t dflt)
{
	if (v->t == JT_NULL) {
		if (k == K_i64 || k == K_u64)
			*(int64_t *)dst = dflt;
		else
			*(int32_t *)dst = (int32_t)dflt;
		return 0;
	}
	return set_number(in, k, dst, v);
}

static int set_special(struct pn__json_in *in, enum special s)
{
	pn_event *ev = in->ev;
	struct pn__json_val v;
	int rc = pn__json_value(in, &v);

	if (rc)
		return rc;
	switch (s) {
	case S_SEQ: return set_number(in, K_u64, &ev->seq, &v);
	case S_TYPE: return set_type(in, &v);
	case S_TIME: return set_time(in, &v);
	/* json.c writes the code as unsigned: Windows' statuses are above 2^31. */
	case S_EXIT_CODE: return set_or(in, K_u32, &ev->exit_code, &v, -1);
	case S_NT_STATUS: return set_nt_status(in, &v);
	case S_SIGNAL: return set_or(in, K_i32, &ev->signal, &v, 0);
	case S_CORE: ev->core_dumped = v.t == JT_TRUE; return 0;
	case S_DURATION: return set_or(in, K_i64, &ev->duration_ns, &v, -1);
	case S_NEW_ID: return set_number(in, K_u32, &ev->new_id, &v);
	case S_NEW_EID: return set_number(in, K_u32, &ev->new_eid, &v);
	case S_TRACER: return set_or(in, K_u32, &ev->tracer_pid, &v, 0);
	case S_COUNT:
		ev->lost_count_known = v.t != JT_NULL;
		return set_or(in, K_u64, &ev->lost_count, &v, 0);
	case S_BY_TYPE: return v.t == JT_OBJECT ? set_by_type(in) : 0;
	case S_REASON: return set_reason(in, &v);
	case S_RULES: {
		uint32_t n;

		return v.t == JT_ARRAY ? read_argv(in, &ev->rules, &n) : pn__json_fail(in, "rules is no array");
	}
	default: return v.t == JT_ARRAY || v.t == JT_OBJECT
			? pn__json_skip_items(in, v.t == JT_ARRAY ? ']' : '}', 0) : 0;
	}
}

/* The member's row: members come in json.c's order, so the one after
 * the last found is tried first. */
static const struct member *find_member(struct pn__json_in *in, const pn_str *name)
{
	for (unsigned i = 0; i < NMEMBERS; i++) {
		unsigned at = (in->cursor + i) % NMEMBERS;
		const char *n = members[at].name;

		if (n[0] && strlen(n) == name->len && !memcmp(n, name->ptr, name->len)) {
			in->cursor = at + 1;
			return &members[at];
		}
	}
	return NULL;
}

static enum special find_special(const pn_str *name)
{
	for (size_t i = 0; i < sizeof(specials) / sizeof(specials[0]); i++)
		if (strlen(specials[i].name) == name->len &&
		    !memcmp(specials[i].name, name->ptr, name->len))
			return specials[i].s;
	return S_NONE;
}

static int read_member(struct pn__json_in *in)
{
	char *mark = in->out;
	const struct member *m;
	pn_str name;

	if (!pn__json_eat(in, '"') || pn__json_string(in, &name) || !pn__json_eat(in, ':'))
		return pn__json_fail(in, "a malformed member");
	in->out = mark; /* member names are not kept */
	/* A member of the table whose event type does not carry it cannot
	 * be in json.c's output, but the lists share names (sid): the table
	 * is tried first, and a known name sets its field. */
	m = find_member(in, &name);
	return m ? set_member(in, m) : set_special(in, find_special(&name));
}

int pn__json_read_event(const char *line, size_t n, char *scratch, pn_event *ev, const char **why)
{
	struct pn__json_in in = { line, line + n, scratch, ev, 0, 0, NULL };
	int rc = 0;

	memset(ev, 0, sizeof(*ev));
	ev->type = PN_EVENT_TYPE_MAX;
	ev->duration_ns = -1;
	if (!pn__json_eat(&in, '{'))
		rc = pn__json_fail(&in, "not a JSON object");
	if (!rc && !pn__json_eat(&in, '}')) {
		do
			rc = read_member(&in);
		while (!rc && pn__json_eat(&in, ','));
		if (!rc && !pn__json_eat(&in, '}'))
			rc = pn__json_fail(&in, "the object is not closed");
	}
	pn__json_skip_ws(&in);
	if (!rc && in.p != in.end)
		rc = pn__json_fail(&in, "text after the object");
	if (!rc && (ev->type == PN_EVENT_TYPE_MAX || !in.have_time || !ev->seq))
		rc = pn__json_fail(&in, "no seq, type or time: not a procnotify event");
	/* No monitor names a host so (pn_options.host), and the log would keep
	 * it as no host at all: two such hosts' events would look alike. */
	if (!rc && (ev->have & PN_HAVE_HOST) && ev->host.len > PN_HOST_MAX)
		rc = pn__json_fail(&in, "a host name longer than 255 bytes");
	*why = in.why;
	return rc;
}
