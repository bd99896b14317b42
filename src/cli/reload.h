/* SIGHUP's config reload: what may change while the monitor runs. */
#ifndef PN_CLI_RELOAD_H
#define PN_CLI_RELOAD_H
#include "cli.h"

/* Says on stderr, one line each, which options differ between the running
 * and the freshly read ones but can only change at a restart (everything
 * but `types`); returns how many. */
int pn_cli_reload_fixed(const struct monitor_opts *run, const struct monitor_opts *fresh);
#endif
