/* How `procnotify query` prints an event: dates in a zone, names beside ids. */
#include <time.h>
#include "clock.h"
#include "query.h"
#include "procnotify/csv.h"

/* Time zones change their offset on the hour or the half hour, so an
 * offset found for a time holds to the end of its quarter hour: one
 * localtime_r() per quarter hour of history, not one per event. */
#define ZONE_SPAN_NS (15 * 60 * PN_NS_PER_SEC)

static int64_t zone_offset(struct query_run *run, int64_t t_ns)
{
	int64_t from = t_ns - (t_ns % ZONE_SPAN_NS + ZONE_SPAN_NS) % ZONE_SPAN_NS;
	time_t t = (time_t)(t_ns / PN_NS_PER_SEC);
	struct tm tm;

	if (run->q->utc)
		return 0;
	if (run->zone_to && t_ns >= run->zone_from && t_ns < run->zone_to)
		return run->zone_offset;
	run->zone_offset = localtime_r(&t, &tm) ? (int64_t)tm.tm_gmtoff * PN_NS_PER_SEC : 0;
	run->zone_from = from;
	run->zone_to = from + ZONE_SPAN_NS;
	return run->zone_offset;
}

void query_print(struct query_run *run, const pn_event *ev)
{
	const struct query_opts *q = run->q;
	pn_buf *b = &run->sink.buf;
	int named = !q->numeric && ev->type != PN_EVENT_LOST && (ev->have & PN_HAVE_UID);
	const char *user = named ? names_get(&run->names, 0, ev->uid) : NULL;
	const char *group = named ? names_get(&run->names, 1, ev->gid) : NULL;

	if (q->format == PN_OUT_JSON && q->numeric)
		pn_fmt_json(b, ev);
	else if (q->format == PN_OUT_JSON)
		pn_fmt_json_named(b, ev, user, group);
	else if (q->format == PN_OUT_CSV)
		pn__fmt_csv(b, ev);
	else
		pn_fmt_table_row_dated(b, ev, &(pn_fmt_table_extra){
			zone_offset(run, ev->time_ns), user, group });
}
