/* --since, --until, --utc and --local: see window.h. */
#include <errno.h>
#include <time.h>
#include "clock.h"
#include "window.h"

int cli_window_read(const struct pn_cmd *cmd, struct cli_window *w)
{
	const char *arg[2] = { w->since, w->until }, *name[2] = { "--since", "--until" };
	int64_t *dest[2] = { &w->since_ns, &w->until_ns }, now = (int64_t)pn__clock_ns(CLOCK_REALTIME);

	if (w->utc && w->local)
		return pn_opt_usage_error(cmd, "one time zone at a time:", "--utc --local");
	tzset();
	for (int i = 0; i < 2; i++) {
		int rc = arg[i] ? pn_store_parse_when(arg[i], now, !w->utc, dest[i]) : 0;

		if (rc == -ERANGE)
			pn_opt_error("procnotify: ", name[i], arg[i], "out of range: from "
				     "1677-09-21T00:12:44Z to 2262-04-11T23:47:16Z");
		else if (rc)
			pn_opt_error("procnotify: ", name[i], arg[i], "expected a date and time "
				     "(2026-05-01 02:00, RFC 3339), today, yesterday, now, @EPOCH "
				     "or a time ago (10m)");
		if (rc)
			return PN_EXIT_USAGE;
	}
	return 0;
}

/* Time zones change their offset on the hour or the half hour, so an
 * offset found for a time holds to the end of its quarter hour: one
 * localtime_r() per quarter hour of history, not one per event. */
#define ZONE_SPAN_NS (15 * 60 * PN_NS_PER_SEC)

int64_t cli_window_offset(struct cli_window *w, int64_t t_ns)
{
	int64_t from = t_ns - (t_ns % ZONE_SPAN_NS + ZONE_SPAN_NS) % ZONE_SPAN_NS;
	time_t t = (time_t)(t_ns / PN_NS_PER_SEC);
	struct tm tm;

	if (w->utc)
		return 0;
	if (w->zone_to && t_ns >= w->zone_from && t_ns < w->zone_to)
		return w->zone_offset;
	w->zone_offset = localtime_r(&t, &tm) ? (int64_t)tm.tm_gmtoff * PN_NS_PER_SEC : 0;
	w->zone_from = from;
	w->zone_to = from + ZONE_SPAN_NS;
	return w->zone_offset;
}
