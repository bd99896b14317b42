/*
 * Wire record -> pn_event. Everything a producer wrote is checked before use:
 * a record's size against its type's fixed part, each string reference
 * against the record's size.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "procnotify/decode.h"

/* The fixed part of each record type: a record is at least this long. */
static const size_t fixed_size[PN_REC_TYPE_MAX] = {
#define PN__FIXED_SIZE(N, n, v, rec, ...) [v] = sizeof(struct pn_rec_##rec),
	PN_EVENT_TYPE_MAP(PN__FIXED_SIZE)
#undef PN__FIXED_SIZE
};

uint64_t pn__hash64(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 0xcbf29ce484222325ULL;

	while (n--) {
		h ^= *s++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* Version 2 changed only the exec record: a producer of version 1 (a
 * Windows driver not yet updated) still makes every other record right. */
static int version_ok(unsigned version, unsigned type)
{
	return version == PN_REC_VERSION || (version == 1 && type != PN_REC_EXEC);
}

int pn__rec_check(const void *rec, size_t size)
{
	struct pn_rec_hdr h;

	if (size < sizeof(h))
		return -EINVAL;
	memcpy(&h, rec, sizeof(h));
	if (!version_ok(h.version, h.type) || h.type == 0 || h.type >= PN_REC_TYPE_MAX ||
	    h.size != size || size < fixed_size[h.type])
		return -EINVAL;
	return h.type;
}

/* Resolves a string reference; absent (0, 0) gives an empty string. */
static int get_str(const char *rec, size_t size, size_t fixed, struct pn_strref r, pn_str *out)
{
	out->ptr = rec + fixed;
	out->len = 0;
	if (r.len == 0)
		return 0;
	if (r.off < fixed || r.off > size || r.len > size - r.off)
		return -EINVAL;
	out->ptr = rec + r.off;
	out->len = r.len;
	return 0;
}

static size_t bounded_len(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

static void decode_task(const struct pn_rec_task *t, const struct pn__decode_ctx *c, pn_event *ev)
{
	ev->have = t->known & (PN_HAVE_UID | PN_HAVE_PARENT | PN_HAVE_START | PN_HAVE_TID |
			       PN_HAVE_COMM);
	ev->pid = t->pid;
	ev->tid = t->tid;
	ev->ppid = t->ppid;
	ev->uid = t->uid;
	ev->gid = t->gid;
	ev->euid = t->euid;
	ev->key = (pn_key){ c->boot, t->start_ns, t->pid, c->os };
	ev->parent_key = (pn_key){ c->boot, t->parent_start_ns, t->ppid, c->os };
	ev->comm.ptr = t->comm;
	ev->comm.len = bounded_len(t->comm, sizeof(t->comm));
}

static void decode_status(uint32_t status, uint32_t kind, pn_event *ev)
{
	if (kind == PN_EXIT_NTSTATUS) {
		ev->have |= PN_HAVE_NTSTATUS;
		ev->nt_status = status;
		ev->exit_code = (int)status;
		return;
	}
	ev->signal = (int)(status & 0x7f);
	ev->core_dumped = (status & 0x80) != 0;
	ev->exit_code = ev->signal ? -1 : (int)((status >> 8) & 0xff);
}

/*
 * The kernel names a pseudo-terminal "pts3"; people and ps(1) know it by
 * its device path below /dev, "pts/3". Other names are kept as they are.
 */
static void tty_name(char *out, size_t outlen, const char *in, size_t inlen)
{
	size_t n = bounded_len(in, inlen);

	if (n > 3 && !memcmp(in, "pts", 3) && in[3] >= '0' && in[3] <= '9') {
		snprintf(out, outlen, "pts/%.*s", (int)(n - 3), in + 3);
		return;
	}
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, in, n);
	out[n] = 0;
}

/* What the exec's paths mean: the image file, the namespaces, the root. */
static int decode_place(const struct pn_rec_exec *x, size_t size,
			const struct pn__decode_ctx *c, pn_event *ev)
{
	ev->have |= x->task.known & (PN_HAVE_IMAGE_ID | PN_HAVE_NS | PN_HAVE_ROOT);
	ev->image_dev = (pn_dev){ x->image_dev_major, x->image_dev_minor };
	ev->image_ino = x->image_ino;
	ev->mnt_ns = x->mnt_ns;
	ev->pid_ns = x->pid_ns;
	if ((ev->have & PN_HAVE_NS) && c->host_mnt_ns && x->mnt_ns != c->host_mnt_ns)
		ev->flags |= PN_EV_OTHER_MNT_NS;
	return get_str((const char *)x, size, sizeof(*x), x->root, &ev->root);
}

static int decode_exec(const char *rec, size_t size, const struct pn__decode_ctx *c,
		       pn_event *ev)
{
	const struct pn_rec_exec *x = (const void *)rec;
	size_t f = sizeof(*x);

	ev->have |= x->task.known & (PN_HAVE_IMAGE | PN_HAVE_ARGV | PN_HAVE_CWD |
				     PN_HAVE_FILENAME | PN_HAVE_SID | PN_HAVE_TTY);
	ev->flags |= x->flags & PN_EXEC_WIRE_FLAGS & ~PN_EXEC_DENIED; /* a create's alone */
	ev->sid = x->sid;
	ev->argc = x->argc;
	ev->old_tid = x->old_tid;
	ev->cgroup_id = x->cgroup_id;
	tty_name(ev->tty, sizeof(ev->tty), x->tty, sizeof(x->tty));
	if (get_str(rec, size, f, x->filename, &ev->filename) ||
	    get_str(rec, size, f, x->image, &ev->image) ||
	    get_str(rec, size, f, x->cwd, &ev->cwd) || get_str(rec, size, f, x->argv, &ev->argv))
		return -EINVAL;
	return decode_place(x, size, c, ev);
}

/* Windows: the creator beside the parent; a key with no start time, as the parent's. */
static void decode_creator(const struct pn_rec_create *x, const struct pn__decode_ctx *c,
			   pn_event *ev)
{
	if (!(x->task.known & PN_KNOWN_CREATOR))
		return;
	ev->have |= PN_HAVE_CREATOR;
	ev->creator_pid = x->creator_pid;
	ev->creator_key = (pn_key){ c->boot, 0, x->creator_pid, c->os };
	if (x->creator_pid == x->task.ppid)
		ev->creator_key = ev->parent_key;
	else
		ev->flags |= PN_EV_CREATOR_NOT_PARENT;
}

static int decode_create(const char *rec, size_t size, const struct pn__decode_ctx *c,
			 pn_event *ev)
{
	const struct pn_rec_create *x = (const void *)rec;

	ev->have |= x->task.known & (PN_HAVE_IMAGE | PN_HAVE_ARGV);
	ev->flags |= x->flags & (PN_EXEC_ARGV_TRUNCATED | PN_EXEC_IMAGE_TRUNCATED | PN_EXEC_DENIED);
	/* A refused creation is a denial, as a refused exec on Linux: one form. */
	if (x->flags & PN_EXEC_DENIED)
		ev->type = PN_EVENT_DENY;
	decode_creator(x, c, ev);
	if (get_str(rec, size, sizeof(*x), x->image, &ev->image) ||
	    get_str(rec, size, sizeof(*x), x->cmdline, &ev->argv))
		return -EINVAL;
	ev->argc = 1;
	return 0;
}

static int decode_exit(const char *rec, size_t size, pn_event *ev)
{
	const struct pn_rec_exit *x = (const void *)rec;

	ev->have |= x->task.known & PN_HAVE_IMAGE;
	decode_status(x->status, x->status_kind, ev);
	return get_str(rec, size, sizeof(*x), x->image, &ev->image);
}

static void decode_change(const struct pn_rec_change *x, pn_event *ev)
{
	ev->new_id = x->id_real;
	ev->new_eid = x->id_effective;
	if (x->hdr.type == PN_REC_PTRACE)
		ev->tracer_pid = x->id_real;
	if (x->hdr.type == PN_REC_SETSID) {
		ev->sid = x->task.pid;
		ev->have |= PN_HAVE_SID;
	}
}

static void decode_lost(const struct pn_rec_lost *x, pn_event *ev)
{
	ev->lost_count = x->count;
	ev->lost_count_known = x->count_known != 0;
#define PN__COPY_LOST(N, n, v, rec, slot, ...) PN__IF_##slot(ev->lost_by_type[v] = x->by_type[v];)
	PN_EVENT_TYPE_MAP(PN__COPY_LOST)
#undef PN__COPY_LOST
}

int pn__decode(const void *rec, size_t size, const struct pn__decode_ctx *c, pn_event *ev)
{
	const struct pn_rec_hdr *h = rec;
	const struct pn_rec_task *t = (const void *)((const char *)rec + sizeof(*h));
	int type = pn__rec_check(rec, size);

	if (type < 0)
		return type;
	memset(ev, 0, sizeof(*ev));
	ev->type = (enum pn_event_type)type;
	/* A record's clock is the producer's word: a time no clock could give
	 * (from a broken or hostile producer) wraps, it cannot overflow. */
	ev->time_ns = (int64_t)(h->time_ns +
				(uint64_t)((h->hdr_flags & PN_HDR_WALLCLOCK) ? 0 : c->mono_to_wall_ns));
	ev->duration_ns = -1;
	if (type == PN_REC_LOST) {
		decode_lost(rec, ev);
		return 0;
	}
	decode_task(t, c, ev);
	switch (type) {
	case PN_REC_EXEC:
		return decode_exec(rec, size, c, ev);
	case PN_REC_CREATE:
		return decode_create(rec, size, c, ev);
	case PN_REC_EXIT:
		if ((t->known & PN_KNOWN_START) && h->time_ns >= t->start_ns)
			ev->duration_ns = (int64_t)(h->time_ns - t->start_ns);
		return decode_exit(rec, size, ev);
	case PN_REC_COMM ... PN_REC_COREDUMP:
		decode_change(rec, ev);
		return 0;
	case PN_REC_SNAPSHOT: {
		const struct pn_rec_snapshot *s = rec;

		ev->have |= t->known & PN_HAVE_IMAGE;
		return get_str(rec, size, sizeof(*s), s->image, &ev->image);
	}
	}
	return 0;
}
