/*
 * Deny rules, enforced: the library's fanotify decider with the monitor's
 * compiled rules (README, Exec enforcement). It starts only when the rules
 * hold a deny rule, so a monitor without one never asks the kernel to wait
 * for it; a reload may change the deny rules of a running enforcer, not
 * start one (the sandbox has dropped what starting takes).
 */
#include <stdio.h>
#include "procnotify/enforce.h"
#include "enforce.h"

int pn_cli_enforce_start(pn_handle *h, const struct monitor_opts *o)
{
	unsigned n = pn_rules_count(o->rules, PN_RULE_DENY);
	char err[256] = "";

	if (!n)
		return 0;
	if (pn_enforce_rules(h, o->rules, o->deny_deadline_ms, err, sizeof(err))) {
		fprintf(stderr, "procnotify: %s\n", err);
		return PN_EXIT_FAIL;
	}
	fprintf(stderr, "procnotify: enforcing %u deny rule%s\n", n, n == 1 ? "" : "s");
	return 0;
}

void pn_cli_enforce_reload(pn_handle *h, pn_rules *fresh)
{
	pn_enforce_stats st = PN_ENFORCE_STATS_INIT;

	if (pn_enforce_get_stats(h, &st) == 0) {
		pn_enforce_rules(h, fresh, 0, NULL, 0); /* a swap: nothing can fail */
		return;
	}
	if (pn_rules_count(fresh, PN_RULE_DENY))
		fprintf(stderr, "procnotify: reload: deny rules are enforced from the next "
				"start only (this monitor started without any)\n");
}

void pn_cli_enforce_summary(pn_handle *h)
{
	pn_enforce_stats st = PN_ENFORCE_STATS_INIT;

	if (pn_enforce_get_stats(h, &st))
		return;
	fprintf(stderr, "procnotify: enforcement: %llu execs asked, %llu denied, %llu allowed, "
		"%llu allowed late (deadline), %llu allowed on error; decision median %.1f us, "
		"p99 %.1f us, max %.1f us\n",
		(unsigned long long)st.asked, (unsigned long long)st.denied,
		(unsigned long long)st.allowed, (unsigned long long)st.deadline_allowed,
		(unsigned long long)(st.error_allowed + st.self_allowed),
		st.latency_p50_ns / 1e3, st.latency_p99_ns / 1e3, st.latency_max_ns / 1e3);
	fprintf(stderr, "procnotify: enforcement: %llu file systems marked (%llu refusing "
		"permission events), %llu more in %llu other mount namespaces\n",
		(unsigned long long)st.filesystems, (unsigned long long)st.mark_refused,
		(unsigned long long)st.ns_filesystems, (unsigned long long)st.namespaces);
}
