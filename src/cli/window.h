/*
 * The window of the log a subcommand reads (--since, --until) and the zone
 * its times are read and shown in (--utc, --local): one set of rows and
 * one reading for `query` and `report`.
 */
#ifndef PN_CLI_WINDOW_H
#define PN_CLI_WINDOW_H
#include <stddef.h>
#include <stdint.h>
#include "cli.h"

struct cli_window {
	const char *since, *until;  /* as given; read once the zone is known */
	int utc, local;             /* --utc, --local (the default) */
	int64_t since_ns, until_ns; /* 0: open */
	int64_t zone_from, zone_to, zone_offset; /* the cached offset and when it holds */
};

/* The option rows of a struct cli_window at offset at of the options. */
#define CLI_WINDOW_ROWS(at)                                                          \
	{ .name = "since", .arg = "TIME",                                              \
	  .help = "at or after TIME: 2026-05-01, '2026-05-01 02:00[:00]'\n"            \
		  "(local, or UTC with --utc), RFC 3339\n"                             \
		  "(2026-05-01T02:00:00Z), today, yesterday, now,\n"                   \
		  "@EPOCH, or a time ago (10m, 2h, 7d)",                               \
	  .parse = pn_opt_string, .off = (at) + offsetof(struct cli_window, since),  \
	  .flags = PN_OPT_ONCE },                                                      \
	{ .name = "until", .arg = "TIME", .help = "at or before TIME",                 \
	  .parse = pn_opt_string, .off = (at) + offsetof(struct cli_window, until),  \
	  .flags = PN_OPT_ONCE }
#define CLI_ZONE_ROWS(at)                                                            \
	{ .name = "utc", .help = "times in UTC: the table's, and --since/--until\n"    \
				 "without an offset",                                  \
	  .parse = pn_opt_flag, .off = (at) + offsetof(struct cli_window, utc) },    \
	{ .name = "local", .help = "times in the local zone (TZ), the default",        \
	  .parse = pn_opt_flag, .off = (at) + offsetof(struct cli_window, local) }

/* Checks the zone flags and reads --since and --until: 0, or
 * PN_EXIT_USAGE after one line naming the option. */
int cli_window_read(const struct pn_cmd *cmd, struct cli_window *w);

/* The zone's offset from UTC at t_ns (east positive), 0 with --utc. */
int64_t cli_window_offset(struct cli_window *w, int64_t t_ns);
#endif
