/* systemd's service notifications (sd_notify(3)): READY=1, RELOADING=1,
 * STOPPING=1, WATCHDOG=1. */
#ifndef PN_CLI_NOTIFY_H
#define PN_CLI_NOTIFY_H

/* Connects to $NOTIFY_SOCKET when it is set; call before dropping
 * privileges. Returns 0, or -1 after saying why on stderr (the monitor
 * runs on: the service manager will report the missing READY=1). */
int pn_cli_notify_open(void);

/* Sends one state ("READY=1\nSTATUS=..."); nothing when not under systemd. */
void pn_cli_notify(const char *state);

/* Says WATCHDOG=1 when it is due (systemd's WatchdogSec=); returns the
 * milliseconds until the next one, or -1 when no watchdog is asked for. */
int pn_cli_notify_watchdog(void);

void pn_cli_notify_close(void);
#endif
