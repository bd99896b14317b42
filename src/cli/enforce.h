/* The monitor's exec enforcement: its deny rules on the library's
 * enforcer (enforce.c). */
#ifndef PN_CLI_ENFORCE_H
#define PN_CLI_ENFORCE_H
#include "cli.h"

/* Starts enforcing when o's rules hold deny rules (before the sandbox:
 * fanotify needs CAP_SYS_ADMIN to start). 0, or an exit code after one
 * line on stderr. */
int pn_cli_enforce_start(pn_handle *h, const struct monitor_opts *o);
/* SIGHUP: the new set's deny rules replace the running ones. */
void pn_cli_enforce_reload(pn_handle *h, pn_rules *fresh);
/* At exit: what enforcement decided, one line on stderr. */
void pn_cli_enforce_summary(pn_handle *h);
#endif
