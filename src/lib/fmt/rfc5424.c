/* RFC 5424 messages of events; the layout is in procnotify/rfc5424.h. */
#include <string.h>
#include "fmt_internal.h"
#include "procnotify/rfc5424.h"

#define SEVERITY_WARNING 4

void pn__syslog_set_hostname(pn__syslog_head *h, const char *name)
{
	size_t n = strnlen(name, PN_SYSLOG_HOSTNAME_MAX);

	for (size_t i = 0; i < n; i++)
		h->hostname[i] = name[i] > ' ' && name[i] <= '~' ? name[i] : '_';
	h->hostname[n] = 0;
	if (!n)
		strcpy(h->hostname, "-");
}

/* "<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID " */
static void put_header(pn_buf *b, const pn_event *ev, const pn__syslog_head *h)
{
	int sev = h->severity;
	char *p, *z;

	if (ev->type == PN_EVENT_LOST && sev > SEVERITY_WARNING)
		sev = SEVERITY_WARNING;
	pn_buf_printf(b, "<%d>1 ", h->facility * 8 + sev);
	p = pn__buf_room(b, PN__TIME_MAX);
	if (!p)
		return;
	/* ".nnnnnnnnnZ" to ".uuuuuuZ": RFC 5424 takes six digits at most. */
	z = pn__put_time(p, ev->time_ns) - 1;
	memcpy(z - 3, "Z", 1);
	pn__buf_commit(b, z - 2);
	pn_buf_printf(b, " %s " PN_SYSLOG_APP_NAME " %u %s [" PN_SYSLOG_SD_ID, h->hostname,
		      (unsigned)h->procid, pn_event_type_name(ev->type));
}

static void param_u64(pn_buf *b, const char *name, uint64_t v)
{
	pn_buf_printf(b, " %s=\"", name);
	pn_buf_put_u64(b, v);
	pn_buf_putc(b, '"');
}

static void param_str(pn_buf *b, const char *name, const pn_str *s)
{
	pn_buf_printf(b, " %s=\"", name);
	pn__esc_sd_param(b, s->ptr, s->len);
	pn_buf_putc(b, '"');
}

static int known(const pn_event *ev, uint32_t bit)
{
	return (ev->have & bit) == bit;
}

/* The tag rules matched, as one parameter: rules="a,b". */
static void put_rules_sd(pn_buf *b, const pn_str *rules)
{
	size_t i = 0;

	if (!rules->len)
		return;
	pn_buf_puts(b, " rules=\"");
	while (i < rules->len) {
		size_t n = strnlen(rules->ptr + i, rules->len - i);

		if (i)
			pn_buf_putc(b, ',');
		pn__esc_sd_param(b, rules->ptr + i, n);
		i += n + 1;
	}
	pn_buf_putc(b, '"');
}

static void put_process_sd(pn_buf *b, const pn_event *ev)
{
	param_u64(b, "pid", ev->pid);
	if (known(ev, PN_HAVE_PARENT))
		param_u64(b, "ppid", ev->ppid);
	if (known(ev, PN_HAVE_UID))
		param_u64(b, "uid", ev->uid);
	if (known(ev, PN_HAVE_COMM))
		param_str(b, "comm", &ev->comm);
	if (known(ev, PN_HAVE_IMAGE))
		param_str(b, "image", &ev->image);
	if (known(ev, PN_HAVE_START)) {
		pn_buf_puts(b, " key=\"");
		pn_fmt_key(b, &ev->key);
		pn_buf_putc(b, '"');
	}
	put_rules_sd(b, &ev->rules);
}

static void put_lost_sd(pn_buf *b, const pn_event *ev)
{
	static const char *const reasons[] = { "producer", "store", "output" };

	if (ev->lost_count_known)
		param_u64(b, "count", ev->lost_count);
	if (ev->lost_reason < sizeof(reasons) / sizeof(reasons[0]))
		pn_buf_printf(b, " reason=\"%s\"", reasons[ev->lost_reason]);
}

void pn__fmt_rfc5424(pn_buf *b, const pn_event *ev, const pn__syslog_head *h)
{
	put_header(b, ev, h);
	param_u64(b, "seq", ev->seq);
	if (ev->type == PN_EVENT_LOST)
		put_lost_sd(b, ev);
	else
		put_process_sd(b, ev);
	pn_buf_put(b, "] ", 2);
	pn_fmt_json(b, ev);
	/* The JSON line's newline: a message is framed by its transport. */
	if (!b->oom && b->len && b->data[b->len - 1] == '\n')
		b->data[--b->len] = 0;
}
