/* Pieces every output form shares: time stamps, process keys, signal names. */
#include <inttypes.h>
#include "../clock.h"
#include "fmt_internal.h"

/* Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm): no
 * libc time zone state, the same result on Linux and Windows. */
static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
	int64_t era, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	yoe = z - era * 146097;
	yoe = (yoe - yoe / 1460 + yoe / 36524 - yoe / 146096) / 365;
	doy = z - era * 146097 - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static void split_time(int64_t unix_ns, int64_t *days, unsigned *sec_of_day, unsigned *ns)
{
	int64_t s = unix_ns / PN_NS_PER_SEC, r = unix_ns % PN_NS_PER_SEC;

	if (r < 0) {
		r += PN_NS_PER_SEC;
		s -= 1;
	}
	*ns = (unsigned)r;
	*days = s / 86400;
	if (s % 86400 < 0)
		*days -= 1;
	*sec_of_day = (unsigned)(s - *days * 86400);
}

static char *put_hms(char *p, unsigned sod)
{
	p = pn__put_2digits(p, sod / 3600);
	*p++ = ':';
	p = pn__put_2digits(p, sod / 60 % 60);
	*p++ = ':';
	return pn__put_2digits(p, sod % 60);
}

/* An int64_t of nanoseconds spans the years 1677 to 2262: the year always
 * has four digits. */
char *pn__put_time(char *p, int64_t unix_ns)
{
	int64_t days;
	unsigned sod, ns, m, d;
	int y;

	split_time(unix_ns, &days, &sod, &ns);
	civil_from_days(days, &y, &m, &d);
	p = pn__put_2digits(p, (unsigned)y / 100);
	p = pn__put_2digits(p, (unsigned)y % 100);
	*p++ = '-';
	p = pn__put_2digits(p, m);
	*p++ = '-';
	p = pn__put_2digits(p, d);
	*p++ = 'T';
	p = put_hms(p, sod);
	*p++ = '.';
	p = pn__put_udec(p, ns, 9);
	*p++ = 'Z';
	return p;
}

/* By hand, not printf: one of these per event in a storm. */
void pn_fmt_time_rfc3339(pn_buf *b, int64_t unix_ns)
{
	char *p = pn__buf_room(b, PN__TIME_MAX);

	if (p)
		pn__buf_commit(b, pn__put_time(p, unix_ns));
}

/* HH:MM:SS.mmm in UTC, the table's time column. */
void pn__fmt_clock(pn_buf *b, int64_t unix_ns)
{
	int64_t days;
	unsigned sod, ns;
	char *p = pn__buf_room(b, 12);

	if (!p)
		return;
	split_time(unix_ns, &days, &sod, &ns);
	p = put_hms(p, sod);
	*p++ = '.';
	pn__buf_commit(b, pn__put_udec(p, ns / PN_NS_PER_MS, 3));
}

char *pn__put_key(char *p, const pn_key *k)
{
	static const char hex[] = "0123456789abcdef";

	*p++ = k->os ? (char)k->os : '?';
	*p++ = ':';
	for (int i = 0; i < 16; i++)
		*p++ = hex[(k->boot >> (60 - 4 * i)) & 15];
	*p++ = ':';
	p = pn__put_udec(p, k->start_ns, 1);
	*p++ = ':';
	return pn__put_udec(p, k->pid, 1);
}

char *pn__put_dev(char *p, const pn_dev *d)
{
	p = pn__put_udec(p, d->major, 1);
	*p++ = ':';
	return pn__put_udec(p, d->minor, 1);
}

void pn_fmt_key(pn_buf *b, const pn_key *k)
{
	char *p = pn__buf_room(b, PN__KEY_MAX);

	if (p)
		pn__buf_commit(b, pn__put_key(p, k));
}

/* Linux numbering: exit statuses in records are Linux wait statuses. */
static const char *const sig_names[] = {
	NULL, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS",
	"SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM",
	"SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN",
	"SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH",
	"SIGIO", "SIGPWR", "SIGSYS",
};

const char *pn_signal_name(int sig)
{
	if (sig > 0 && sig < (int)(sizeof(sig_names) / sizeof(sig_names[0])))
		return sig_names[sig];
	return NULL;
}

/* How each type's count is shown: PN_EVENT_TYPE_MAP's shown column. */
enum { SHOW_NEVER, SHOW_IFANY, SHOW_ALWAYS };
static const unsigned char type_shown[PN_EVENT_TYPE_MAX] = {
#define PN__TYPE_SHOWN(N, n, v, rec, slot, shown, ...) [v] = SHOW_##shown,
	PN_EVENT_TYPE_MAP(PN__TYPE_SHOWN)
#undef PN__TYPE_SHOWN
};

int pn__type_count_shown(size_t t, uint64_t count)
{
	return t < PN_EVENT_TYPE_MAX &&
	       (type_shown[t] == SHOW_ALWAYS || (type_shown[t] == SHOW_IFANY && count));
}

void pn_fmt_type_counts(pn_buf *b, const uint64_t *count, size_t n)
{
	const char *sep = "";

	for (size_t t = 0; t < n; t++) {
		if (!pn__type_count_shown(t, count[t]))
			continue;
		pn_buf_printf(b, "%s%s %" PRIu64, sep, pn_event_type_name((enum pn_event_type)t),
			      count[t]);
		sep = ", ";
	}
}
