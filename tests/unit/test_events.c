/*
 * The event type and field tables (procnotify/events.h, fields.h): every
 * list generated from them agrees with the others, and counts per type show
 * every type that has one.
 */
#include <errno.h>
#include <stddef.h>
#include "procnotify/decode.h"
#include "procnotify/format.h"
#include "recbuild.h"
#include "check.h"

static void test_names(void)
{
	int n = 0;

	for (int t = 0; t < PN_EVENT_TYPE_MAX; t++) {
		const char *name = pn_event_type_name((enum pn_event_type)t);

		if (!strcmp(name, "unknown")) {
			CHECK(!(PN_MASK_ALL & PN_MASK(t)));
			continue;
		}
		n++;
		CHECK(pn_event_type_from_name(name) == t);
		CHECK(PN__MASK_TYPES & PN_MASK(t));
		/* The stream's types; a snapshot is asked for by name only. */
		CHECK(!(PN_MASK_ALL & PN_MASK(t)) == (t == PN_EVENT_SNAPSHOT));
	}
	CHECK(n == 13);
	CHECK(pn_event_type_from_name("coredump") == PN_EVENT_COREDUMP);
	CHECK(pn_event_type_from_name("deny") == PN_EVENT_DENY);
	CHECK(pn_event_type_from_name("snapshot") == PN_EVENT_SNAPSHOT);
	CHECK(PN_EVENT_SNAPSHOT == (int)PN_REC_SNAPSHOT);
	CHECK(pn_event_type_from_name("unknown") == -EINVAL);
	CHECK(pn_event_type_from_name("") == -EINVAL);
	CHECK_STR(pn_event_type_name(PN_EVENT_TYPE_MAX), "unknown");
}

static void test_type_counts(void)
{
	uint64_t c[PN_EVENT_TYPE_MAX] = { 0 };
	pn_buf b = { 0 };

	pn_fmt_type_counts(&b, c, PN_EVENT_TYPE_MAX);
	CHECK_STR(b.data, "fork 0, exec 0, exit 0");
	c[PN_EVENT_FORK] = 1, c[PN_EVENT_EXEC] = 2, c[PN_EVENT_EXIT] = 3;
	c[PN_EVENT_LOST] = 9, c[PN_EVENT_COMM] = 4, c[PN_EVENT_COREDUMP] = 5;
	pn_buf_reset(&b);
	pn_fmt_type_counts(&b, c, PN_EVENT_TYPE_MAX);
	CHECK_STR(b.data, "fork 1, exec 2, exit 3, comm 4, coredump 5");
	pn_buf_reset(&b);
	pn_fmt_type_counts(&b, c, PN_LOST_SLOTS);
	CHECK_STR(b.data, "fork 1, exec 2, exit 3");
	pn_buf_free(&b);
}

/* One set of flag bits: what a producer writes is what the event says. */
static void test_flags(void)
{
	static const struct pn__decode_ctx ctx = { 0, 1, 'L', 0 };
	struct recbuf r;
	pn_event ev;

	rb_start(&r, PN_REC_EXEC, sizeof(r.u.exec), 1);
	rb_task(&r.u.exec.task, 10, 1, 1, "x");
	r.u.exec.flags = PN_EXEC_WIRE_FLAGS;
	CHECK(pn__decode(&r.u, r.len, &ctx, &ev) == 0);
	CHECK(ev.flags == (PN_EV_ARGV_TRUNCATED | PN_EV_IMAGE_TRUNCATED | PN_EV_CWD_TRUNCATED |
			   PN_EV_BEST_EFFORT | PN_EV_FILENAME_TRUNCATED | PN_EV_IMAGE_DELETED));
	CHECK(!(PN_EXEC_WIRE_FLAGS & PN_EV_IMAGE_FROM_TABLE));
}

/* A refused Windows creation is a deny event, as a refused Linux exec; an
 * allowed one stays a create. The stats keep 1.0's layout: deny is
 * counted in a member of its own. */
static void test_deny(void)
{
	static const struct pn__decode_ctx ctx = { 0, 1, 'W', 0 };
	struct recbuf r;
	pn_event ev;
	pn_stats st;

	rb_start(&r, PN_REC_CREATE, sizeof(r.u.create), 1);
	rb_task(&r.u.create.task, 10, 1, 1, "x");
	r.u.create.flags = PN_EXEC_DENIED;
	CHECK(pn__decode(&r.u, r.len, &ctx, &ev) == 0);
	CHECK(ev.type == PN_EVENT_DENY && (ev.flags & PN_EV_DENIED));
	r.u.create.flags = 0;
	CHECK(pn__decode(&r.u, r.len, &ctx, &ev) == 0);
	CHECK(ev.type == PN_EVENT_CREATE);
	CHECK(sizeof(st.delivered) == 13 * sizeof(uint64_t));
	CHECK(offsetof(pn_stats, delivered_deny) > offsetof(pn_stats, lost_unknown));
}

/* A lost record's slots are the event's and the stats' slots. */
static void test_lost_slots(void)
{
	static const struct pn__decode_ctx ctx = { 0, 1, 'L', 0 };
	struct recbuf r;
	pn_event ev;
	pn_stats st;

	CHECK(sizeof(ev.lost_by_type) == sizeof(r.u.lost.by_type));
	CHECK(sizeof(st.lost_by_type) == sizeof(r.u.lost.by_type));
	rb_start(&r, PN_REC_LOST, sizeof(r.u.lost), 1);
	for (int t = 0; t < PN_REC_LOST_SLOTS; t++)
		r.u.lost.by_type[t] = 100 + t;
	r.u.lost.count_known = 1;
	CHECK(pn__decode(&r.u, r.len, &ctx, &ev) == 0);
	CHECK(ev.lost_by_type[PN_EVENT_FORK] == 101 && ev.lost_by_type[PN_EVENT_CREATE] == 105);
	/* Snapshot records lost in a resync are counted under their type too. */
	CHECK(ev.lost_by_type[0] == 0 && ev.lost_by_type[PN_EVENT_SNAPSHOT] == 106);
}

int main(void)
{
	test_names();
	test_type_counts();
	test_flags();
	test_lost_slots();
	test_deny();
	return pn_test_done("test_events");
}
