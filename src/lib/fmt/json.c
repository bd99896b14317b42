/* JSON Lines: one object per event, a field the backend cannot know is null. */
#include <inttypes.h>
#include "fmt_internal.h"

/* ,"name": */
static void member(pn_buf *b, const char *name)
{
	pn_buf_put(b, ",\"", 2);
	pn_buf_puts(b, name);
	pn_buf_put(b, "\":", 2);
}

void pn__json_str(pn_buf *b, const char *name, const pn_str *s, int known)
{
	member(b, name);
	if (known)
		pn_esc_json(b, s->ptr, s->len);
	else
		pn_buf_puts(b, "null");
}

void pn__json_u64(pn_buf *b, const char *name, uint64_t v, int known)
{
	member(b, name);
	if (known)
		pn_buf_put_u64(b, v);
	else
		pn_buf_puts(b, "null");
}

void pn__json_u32(pn_buf *b, const char *name, uint32_t v, int known)
{
	pn__json_u64(b, name, v, known);
}

void pn__json_bool(pn_buf *b, const char *name, int v)
{
	member(b, name);
	pn_buf_puts(b, v ? "true" : "false");
}

void pn__json_key(pn_buf *b, const char *name, const pn_key *k, int known)
{
	member(b, name);
	if (!known) {
		pn_buf_puts(b, "null");
		return;
	}
	pn_buf_putc(b, '"');
	pn_fmt_key(b, k);
	pn_buf_putc(b, '"');
}

void pn__json_time(pn_buf *b, const char *name, int64_t unix_ns, int known)
{
	member(b, name);
	if (!known) {
		pn_buf_puts(b, "null");
		return;
	}
	pn_buf_putc(b, '"');
	pn_fmt_time_rfc3339(b, unix_ns);
	pn_buf_putc(b, '"');
}

void pn__json_argv(pn_buf *b, const pn_str *argv, int known)
{
	size_t i = 0;
	int first = 1;

	pn_buf_puts(b, ",\"argv\":");
	if (!known) {
		pn_buf_puts(b, "null");
		return;
	}
	pn_buf_putc(b, '[');
	while (i < argv->len) {
		const char *a = argv->ptr + i;
		size_t n = 0;

		while (i + n < argv->len && a[n])
			n++;
		if (!first)
			pn_buf_putc(b, ',');
		pn_esc_json(b, a, n);
		first = 0;
		i += n + 1;
	}
	pn_buf_putc(b, ']');
}

static void put_process(pn_buf *b, const pn_event *ev)
{
	uint32_t h = ev->have;
	pn_str tty = { ev->tty, 0 };

	while (tty.len < sizeof(ev->tty) && ev->tty[tty.len])
		tty.len++;
	pn__json_u32(b, "pid", ev->pid, 1);
	pn__json_u32(b, "ppid", ev->ppid, h & PN_HAVE_PARENT);
	pn__json_u32(b, "tid", ev->tid, h & PN_HAVE_TID);
	pn__json_u32(b, "uid", ev->uid, h & PN_HAVE_UID);
	pn__json_u32(b, "gid", ev->gid, h & PN_HAVE_UID);
	pn__json_u32(b, "euid", ev->euid, h & PN_HAVE_UID);
	pn__json_str(b, "comm", &ev->comm, h & PN_HAVE_COMM);
	pn__json_str(b, "image", &ev->image, h & PN_HAVE_IMAGE);
	pn__json_key(b, "key", &ev->key, h & PN_HAVE_START);
	pn__json_key(b, "parent_key", &ev->parent_key, h & PN_HAVE_PARENT);
	if (ev->type == PN_EVENT_EXEC || ev->type == PN_EVENT_CREATE) {
		pn__json_str(b, "filename", &ev->filename, h & PN_HAVE_FILENAME);
		pn__json_argv(b, &ev->argv, h & PN_HAVE_ARGV);
		pn__json_bool(b, "argv_truncated", ev->flags & PN_EV_ARGV_TRUNCATED);
		pn__json_str(b, "cwd", &ev->cwd, h & PN_HAVE_CWD);
		pn__json_u32(b, "sid", ev->sid, h & PN_HAVE_SID);
		pn__json_u32(b, "old_tid", ev->old_tid, ev->type == PN_EVENT_EXEC && (h & PN_HAVE_TID));
		pn__json_str(b, "tty", &tty, (h & PN_HAVE_TTY) && tty.len);
		pn__json_bool(b, "best_effort", ev->flags & PN_EV_BEST_EFFORT);
	}
}

void pn__json_signal(pn_buf *b, int sig, int core_dumped)
{
	const char *name = pn_signal_name(sig);

	pn__json_u32(b, "signal", (uint32_t)sig, sig);
	pn_buf_puts(b, ",\"signal_name\":");
	if (sig && name)
		pn_buf_printf(b, "\"%s\"", name);
	else
		pn_buf_puts(b, "null");
	pn__json_bool(b, "core_dumped", core_dumped);
}

static void put_exit(pn_buf *b, const pn_event *ev)
{
	pn__json_u32(b, "exit_code", (uint32_t)ev->exit_code, !ev->signal);
	if (ev->have & PN_HAVE_NTSTATUS)
		pn_buf_printf(b, ",\"nt_status\":\"0x%08" PRIx32 "\"", ev->nt_status);
	pn__json_signal(b, ev->signal, ev->core_dumped);
	pn__json_u64(b, "duration_ns", (uint64_t)ev->duration_ns, ev->duration_ns >= 0);
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
		pn__json_u32(b, "sid", ev->sid, ev->have & PN_HAVE_SID);
		break;
	case PN_EVENT_PTRACE:
		pn__json_u32(b, "tracer_pid", ev->tracer_pid, ev->tracer_pid != 0);
		pn__json_bool(b, "attached", ev->tracer_pid != 0);
		break;
	default:
		break;
	}
}

static void put_lost(pn_buf *b, const pn_event *ev)
{
	if (ev->lost_count_known)
		pn_buf_printf(b, ",\"count\":%" PRIu64 ",\"by_type\":{\"fork\":%" PRIu64
			      ",\"exec\":%" PRIu64 ",\"exit\":%" PRIu64 "}",
			      ev->lost_count, ev->lost_by_type[PN_EVENT_FORK],
			      ev->lost_by_type[PN_EVENT_EXEC], ev->lost_by_type[PN_EVENT_EXIT]);
	else
		pn_buf_puts(b, ",\"count\":null,\"by_type\":null");
}

void pn_fmt_json(pn_buf *b, const pn_event *ev)
{
	pn_buf_puts(b, "{\"seq\":");
	pn_buf_put_u64(b, ev->seq);
	pn_buf_puts(b, ",\"type\":\"");
	pn_buf_puts(b, pn_event_type_name(ev->type));
	pn_buf_puts(b, "\",\"time\":\"");
	pn_fmt_time_rfc3339(b, ev->time_ns);
	pn_buf_putc(b, '"');
	if (ev->type == PN_EVENT_LOST)
		put_lost(b, ev);
	else
		put_process(b, ev);
	if (ev->type == PN_EVENT_EXIT)
		put_exit(b, ev);
	put_change(b, ev);
	pn_buf_puts(b, "}\n");
}
