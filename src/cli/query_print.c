/* How `procnotify query` prints an event: dates in a zone, names beside ids. */
#include "query.h"
#include "procnotify/csv.h"

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
	else if (q->format == PN_OUT_ECS)
		pn_fmt_ecs(b, ev, &(pn_fmt_ecs_extra){ NULL, user, group });
	else
		pn_fmt_table_row_dated(b, ev, &(pn_fmt_table_extra){
			cli_window_offset(&run->q->win, ev->time_ns), user, group });
}
