/* Builds wire records in memory, as a producer would, for the unit tests. */
#ifndef PN_TEST_RECBUILD_H
#define PN_TEST_RECBUILD_H
#include <string.h>
#include "procnotify/record.h"

struct recbuf {
	union {
		struct pn_rec_hdr hdr;
		struct pn_rec_fork fork;
		struct pn_rec_exec exec;
		struct pn_rec_exit exit;
		struct pn_rec_create create;
		struct pn_rec_snapshot snap;
		struct pn_rec_lost lost;
		struct pn_rec_change change;
		char bytes[65536];
	} u;
	size_t len;
};

static inline void rb_start(struct recbuf *r, int type, size_t fixed, uint64_t t)
{
	memset(r, 0, sizeof(*r));
	r->u.hdr.type = (pn_u16)type;
	r->u.hdr.version = PN_REC_VERSION;
	r->u.hdr.time_ns = t;
	r->len = fixed;
	r->u.hdr.size = (pn_u32)fixed;
}

static inline void rb_task(struct pn_rec_task *t, uint32_t pid, uint32_t ppid, uint64_t start,
			   const char *comm)
{
	t->pid = t->tid = pid;
	t->ppid = ppid;
	t->uid = t->gid = t->euid = 1000;
	t->start_ns = start;
	t->parent_start_ns = start / 2;
	t->known = PN_KNOWN_UID | PN_KNOWN_PARENT | PN_KNOWN_START | PN_KNOWN_TID | PN_KNOWN_COMM;
	size_t n = strlen(comm);

	memcpy(t->comm, comm, n < sizeof(t->comm) ? n : sizeof(t->comm));
}

static inline void rb_str(struct recbuf *r, struct pn_strref *ref, const char *s, size_t n)
{
	ref->off = (pn_u32)r->len;
	ref->len = (pn_u32)n;
	memcpy(r->u.bytes + r->len, s, n);
	r->len += n;
	r->u.hdr.size = (pn_u32)r->len;
}
#endif
