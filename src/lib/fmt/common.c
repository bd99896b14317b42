/* Pieces every output form shares: time stamps, process keys, signal names. */
#include <inttypes.h>
#include "procnotify/format.h"

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
	int64_t s = unix_ns / 1000000000, r = unix_ns % 1000000000;

	if (r < 0) {
		r += 1000000000;
		s -= 1;
	}
	*ns = (unsigned)r;
	*days = s / 86400;
	if (s % 86400 < 0)
		*days -= 1;
	*sec_of_day = (unsigned)(s - *days * 86400);
}

void pn_fmt_time_rfc3339(pn_buf *b, int64_t unix_ns)
{
	int64_t days;
	unsigned sod, ns, m, d;
	int y;

	split_time(unix_ns, &days, &sod, &ns);
	civil_from_days(days, &y, &m, &d);
	pn_buf_printf(b, "%04d-%02u-%02uT%02u:%02u:%02u.%09uZ", y, m, d, sod / 3600,
		      sod / 60 % 60, sod % 60, ns);
}

/* HH:MM:SS.mmm in UTC, the table's time column. */
void pn__fmt_clock(pn_buf *b, int64_t unix_ns)
{
	int64_t days;
	unsigned sod, ns;

	split_time(unix_ns, &days, &sod, &ns);
	pn_buf_printf(b, "%02u:%02u:%02u.%03u", sod / 3600, sod / 60 % 60, sod % 60,
		      ns / 1000000);
}

void pn_fmt_key(pn_buf *b, const pn_key *k)
{
	pn_buf_putc(b, k->os ? (char)k->os : '?');
	pn_buf_putc(b, ':');
	pn_buf_put_hex64(b, k->boot, 16);
	pn_buf_putc(b, ':');
	pn_buf_put_u64(b, k->start_ns);
	pn_buf_putc(b, ':');
	pn_buf_put_u64(b, k->pid);
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
