/*
 * rules_bench: what the rule engine costs an event. Evaluates a few typical
 * live rules (and 100 deny rules, none matching) on fork, exec and exit
 * events with a parent chain, and prints ns per event for each set: the
 * best of 5 rounds, since on a shared machine noise only ever adds.
 * Usage: rules_bench [ITERATIONS]   (default 1,000,000 per event type and round)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "procnotify/rules.h"

static const char few[] =
	"drop comm=cron\n"
	"keep uid>=0 or parent.image=/usr/sbin/sshd\n"
	"tag odd-exit: type=exit and not exit_code=0\n"
	"tag curl-from-web: image=/usr/bin/curl and ancestor.image=/usr/sbin/nginx\n"
	"tag secrets: argv~='--(password|token)[= ]'\n";

static int ancestor(void *user, unsigned depth, pn_str *image)
{
	static const char *const chain[] = { "/usr/bin/bash", "/usr/sbin/sshd", "/sbin/init" };

	(void)user;
	if (depth > 3)
		return -ENOENT;
	*image = (pn_str){ chain[depth - 1], strlen(chain[depth - 1]) };
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static pn_rules *build(const char *text)
{
	pn_rules *r;
	char err[256];

	if (pn_rules_new(&r) || pn_rules_add(r, text, strlen(text), NULL, err, sizeof(err))) {
		fprintf(stderr, "rules_bench: %s\n", err);
		exit(1);
	}
	return r;
}

/* Seconds for n evaluations of r on each type of event, what selecting. */
static double round_s(const pn_rules *r, unsigned what, long n, long *kept)
{
	static const char argv[] = "/usr/bin/true\0--verbose\0/tmp/some/file";
	pn_event ev;
	double total = 0;

	memset(&ev, 0, sizeof(ev));
	ev.have = PN_HAVE_UID | PN_HAVE_IMAGE | PN_HAVE_COMM | PN_HAVE_ARGV | PN_HAVE_PARENT;
	ev.image = (pn_str){ "/usr/bin/true", 13 };
	ev.comm = (pn_str){ "true", 4 };
	ev.argv = (pn_str){ argv, sizeof(argv) };
	for (int t = PN_EVENT_FORK; t <= PN_EVENT_EXIT; t++) {
		pn_rules_input in = { &ev, NULL, ancestor, NULL };
		pn_rules_verdict v;
		double t0;

		ev.type = (enum pn_event_type)t;
		t0 = now_s();
		for (long i = 0; i < n; i++) {
			pn_rules_eval(r, &in, what, &v);
			*kept += v.keep && !v.deny;
		}
		total += now_s() - t0;
	}
	return total;
}

static void run(const char *name, const pn_rules *r, unsigned what, long n)
{
	double best = 0;
	long kept = 0;

	for (int round = 0; round < 5; round++) {
		double s = round_s(r, what, n, &kept);

		if (!round || s < best)
			best = s;
	}
	printf("%-44s %7.1f ns per event (%ld of %ld kept)\n", name, best / (3.0 * n) * 1e9, kept,
	       15 * n);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	pn_rules *a = build(few), *d;
	char *deny = malloc(100 * 64);

	deny[0] = 0;
	for (int i = 0; i < 100; i++)
		sprintf(deny + strlen(deny), "deny image=/opt/bench-nothing-%d/**\n", i);
	d = build(deny);
	run("no rules", NULL, PN_RULES_OUTPUT, n);
	run("5 live rules (keep, drop, 3 tags)", a, PN_RULES_OUTPUT, n);
	run("100 deny rules, none matching", d, PN_RULES_DENY, n);
	pn_rules_free(a);
	pn_rules_free(d);
	free(deny);
	return 0;
}
