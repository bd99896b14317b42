/*
 * SIGHUP's config reload: the options are read afresh (the config file,
 * then the same command line over it) and compared with the running ones.
 * The event types shown in the stream change live (a registration mask),
 * and so do the rules (--rule, --rules and their keys, and the contents of
 * a rules file): the monitor compiles the new set completely, then swaps
 * it in between two deliveries, and a set with an error is refused whole
 * with the error's FILE:LINE:COL, the running one kept. Everything else was used to open the kernel side, the
 * files or the log, so a changed value is refused with a message naming it
 * and the running value is kept until a restart.
 */
#include <stddef.h>
#include <string.h>
#include "cli.h"
#include "reload.h"

enum kind { K_INT, K_U32, K_U64, K_DOUBLE, K_STR };

#define ROW(key, field, k) { key, offsetof(struct monitor_opts, field), k }
static const struct fixed {
	const char *key;
	size_t off;
	enum kind kind;
} fixed[] = {
	ROW("json", format, K_INT),
	ROW("output", output, K_STR),
	ROW("duration", duration_s, K_DOUBLE),
	ROW("no-header", no_header, K_INT),
	ROW("no-sandbox", no_sandbox, K_INT),
	ROW("backend", lib.backend, K_INT),
	ROW("ring-size", lib.ring_bytes, K_U32),
	ROW("flush-ms", lib.flush_ms, K_U32),
	ROW("netlink-rcvbuf", lib.netlink_rcvbuf, K_U32),
	ROW("hostname", lib.host, K_STR),
	ROW("db", db, K_STR),
	ROW("db-max-age", db_opt.max_age_ns, K_U64),
	ROW("db-max-size", db_opt.max_size, K_U64),
	ROW("db-queue", db_opt.queue_bytes, K_U64), /* no option sets it: the default */
	ROW("syslog", syslog, K_STR),
	ROW("journal", journal, K_STR),
	ROW("syslog-priority", syslog_facility, K_INT),
	ROW("syslog-priority", syslog_severity, K_INT),
	ROW("output-queue", output_queue, K_U32),
	ROW("deny-deadline", deny_deadline_ms, K_U32),
};

/* A new member of struct monitor_opts needs a row above (or a live path in
 * pn_cli_reload_types): this fails to compile until the size is updated. */
_Static_assert(sizeof(void *) != 8 || sizeof(struct monitor_opts) == 440,
	       "struct monitor_opts changed: give the new member a row in reload.c");

static int same(const struct fixed *f, const void *a, const void *b)
{
	const char *pa = (const char *)a + f->off, *pb = (const char *)b + f->off;

	switch (f->kind) {
	case K_INT: return *(const int *)pa == *(const int *)pb;
	case K_U32: return *(const uint32_t *)pa == *(const uint32_t *)pb;
	case K_U64: return *(const uint64_t *)pa == *(const uint64_t *)pb;
	case K_DOUBLE: return *(const double *)pa == *(const double *)pb;
	case K_STR: {
		const char *sa = *(const char *const *)pa, *sb = *(const char *const *)pb;

		return sa == sb || (sa && sb && !strcmp(sa, sb));
	}
	}
	return 0;
}

int pn_cli_reload_fixed(const struct monitor_opts *run, const struct monitor_opts *fresh)
{
	int refused = 0;

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		if (same(&fixed[i], run, fresh))
			continue;
		fprintf(stderr, "procnotify: reload: %s cannot change while running; "
				"keeping the running value (restart to apply)\n", fixed[i].key);
		refused++;
	}
	return refused;
}
