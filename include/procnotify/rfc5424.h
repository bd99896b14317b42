/*
 * Syslog messages (RFC 5424) of events, for the syslog output. Internal
 * (pn__ names, not exported by the shared library).
 *
 *   <86>1 2026-12-02T10:00:00.123456Z host procnotify 4242 exec
 *   [procnotify@32473 seq="7" pid="99" ppid="1" uid="0" comm="sh" image="/usr/bin/dash"
 *   key="L:..."] {"seq":7,"type":"exec",...}
 *
 * PRI is facility * 8 + severity (lost records at LOG_WARNING or above);
 * TIMESTAMP the event's time in UTC to the microsecond (RFC 5424 allows no
 * more; the JSON has the nanoseconds); APP-NAME procnotify; PROCID the
 * monitor's pid; MSGID the event type.
 *
 * MSG is the event's JSON line exactly as --json writes it, without its
 * newline: always valid UTF-8, no control byte (they are \u00XX), every
 * field exact (\udcXX for bytes that are not UTF-8). It has no BOM, though
 * RFC 5424 asks one of a UTF-8 MSG: rsyslog keeps a BOM in the message, and
 * mmjsonparse and JSON readers then refuse it; rsyslog's own RFC 5424
 * forwarding sends none either. rsyslog's mmjsonparse (cookie "") gives
 * every field back, but for bytes that are not UTF-8, which its JSON
 * library turns into U+FFFD; the MSG written as it came (%msg%) keeps them.
 *
 * The structured data element procnotify@32473 repeats the fields a
 * collector filters on, so that a rule needs no JSON parser: seq, pid,
 * ppid, uid, comm, image, key (a field the event does not know is left
 * out), rules (the tag rules it matched, "a,b", when any), or for a lost record seq, count and reason (producer, store,
 * output). Values are escaped for RFC 5424: strings get the table's
 * C-style escapes (no raw control byte, \xHH for bytes that are not UTF-8),
 * then '"', '\' and ']' a backslash before them. 32473 is RFC 5612's
 * enterprise number for examples: procnotify has none of its own.
 */
#ifndef PROCNOTIFY_RFC5424_H
#define PROCNOTIFY_RFC5424_H
#include <stdint.h>
#include "procnotify.h"
#include "format.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PN_SYSLOG_APP_NAME "procnotify"
#define PN_SYSLOG_SD_ID "procnotify@32473"
/* RFC 5424's HOSTNAME: 255 printable US-ASCII bytes at most. */
#define PN_SYSLOG_HOSTNAME_MAX 255

typedef struct pn__syslog_head {
	int facility;            /* 0..23 */
	int severity;            /* 0..7, of process events */
	uint32_t procid;
	char hostname[PN_SYSLOG_HOSTNAME_MAX + 1]; /* pn__syslog_set_hostname() */
} pn__syslog_head;

/* Takes name for HOSTNAME: bytes outside '!'..'~' become '_', and an
 * empty name is the NILVALUE "-". */
void pn__syslog_set_hostname(pn__syslog_head *h, const char *name);
/* One message, without any framing (no newline, no length). */
void pn__fmt_rfc5424(pn_buf *b, const pn_event *ev, const pn__syslog_head *h);
#ifdef __cplusplus
}
#endif
#endif
