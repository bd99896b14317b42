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
void pn__json_argv(pn_buf *b, const pn_str *argv, int known)
{
	const struct pn__member m = PN__MEMBER("argv");
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

static void put_process(pn_buf *b, const pn_event *ev)
{
	uint32_t h = ev->have;
	pn_str tty = { ev->tty, 0 };

	while (tty.len < sizeof(ev->tty) && ev->tty[tty.len])
		tty.len++;
	pn__json_u64(b, PN__MEMBER("pid"), ev->pid, 1);
	pn__json_u64(b, PN__MEMBER("ppid"), ev->ppid, h & PN_HAVE_PARENT);
	pn__json_u64(b, PN__MEMBER("tid"), ev->tid, h & PN_HAVE_TID);
	pn__json_u64(b, PN__MEMBER("uid"), ev->uid, h & PN_HAVE_UID);
	pn__json_u64(b, PN__MEMBER("gid"), ev->gid, h & PN_HAVE_UID);
	pn__json_u64(b, PN__MEMBER("euid"), ev->euid, h & PN_HAVE_UID);
	pn__json_str(b, PN__MEMBER("comm"), &ev->comm, h & PN_HAVE_COMM);
	pn__json_str(b, PN__MEMBER("image"), &ev->image, h & PN_HAVE_IMAGE);
	pn__json_key(b, PN__MEMBER("key"), &ev->key, h & PN_HAVE_START);
	pn__json_key(b, PN__MEMBER("parent_key"), &ev->parent_key, h & PN_HAVE_PARENT);
	if (ev->type == PN_EVENT_EXEC || ev->type == PN_EVENT_CREATE) {
		pn__json_str(b, PN__MEMBER("filename"), &ev->filename, h & PN_HAVE_FILENAME);
		pn__json_argv(b, &ev->argv, h & PN_HAVE_ARGV);
		pn__json_bool(b, PN__MEMBER("argv_truncated"), ev->flags & PN_EV_ARGV_TRUNCATED);
		pn__json_str(b, PN__MEMBER("cwd"), &ev->cwd, h & PN_HAVE_CWD);
		pn__json_u64(b, PN__MEMBER("sid"), ev->sid, h & PN_HAVE_SID);
		pn__json_u64(b, PN__MEMBER("old_tid"), ev->old_tid,
			     ev->type == PN_EVENT_EXEC && (h & PN_HAVE_TID));
		pn__json_str(b, PN__MEMBER("tty"), &tty, (h & PN_HAVE_TTY) && tty.len);
		pn__json_bool(b, PN__MEMBER("best_effort"), ev->flags & PN_EV_BEST_EFFORT);
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
	pn__json_u64(b, PN__MEMBER("exit_code"), (uint32_t)ev->exit_code, !ev->signal);
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

/* Lost creates only come from the Windows driver, so Linux never shows the key. */
static void put_lost(pn_buf *b, const pn_event *ev)
{
	uint64_t creates = ev->lost_by_type[PN_EVENT_CREATE];

	if (!ev->lost_count_known) {
		pn_buf_puts(b, ",\"count\":null,\"by_type\":null");
		return;
	}
	pn_buf_printf(b, ",\"count\":%" PRIu64 ",\"by_type\":{\"fork\":%" PRIu64
		      ",\"exec\":%" PRIu64 ",\"exit\":%" PRIu64, ev->lost_count,
		      ev->lost_by_type[PN_EVENT_FORK], ev->lost_by_type[PN_EVENT_EXEC],
		      ev->lost_by_type[PN_EVENT_EXIT]);
	if (creates)
		pn_buf_printf(b, ",\"create\":%" PRIu64, creates);
	pn_buf_putc(b, '}');
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

void pn_fmt_json(pn_buf *b, const pn_event *ev)
{
	put_head(b, ev);
	if (ev->type == PN_EVENT_LOST)
		put_lost(b, ev);
	else
		put_process(b, ev);
	if (ev->type == PN_EVENT_EXIT)
		put_exit(b, ev);
	put_change(b, ev);
	pn_buf_put(b, "}\n", 2);
}
