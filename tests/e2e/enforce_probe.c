/*
 * The library's exec enforcement driven directly, without the rule
 * language: deny the execs of files under one directory (--deny-dir DIR)
 * or with one SHA-256 (--deny-sha256 HEX). Prints "ready" on stderr once
 * enforcing, each deny event as JSON on stdout, and at SIGTERM/SIGINT the
 * enforcer's counters as one JSON object on stderr. --sandbox applies
 * pn_sandbox() as the monitor does. --misuse FILE checks instead that the
 * enforcement calls refuse what they cannot do, and that a denial of FILE
 * (its directory) left undelivered is freed by pn_close(), and prints
 * check.h's line. For the end-to-end tests only: every rule it can express names a
 * place or a hash the test alone creates.
 */
#include <errno.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include "procnotify.h"
#include "procnotify/enforce.h"
#include "procnotify/format.h"
#include "procnotify/rules.h"
#include "procnotify/sandbox.h"
#include "check.h"

static const char *deny_dir, *deny_sha;
static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

static int decide(const pn_exec_ctx *c, void *user, const char **rule)
{
	size_t n = deny_dir ? strlen(deny_dir) : 0;
	char hex[65] = "";

	if (deny_dir && c->ev->image.len > n && !memcmp(c->ev->image.ptr, deny_dir, n) &&
	    c->ev->image.ptr[n] == '/') {
		*rule = "probe-dir";
		return 1;
	}
	for (int i = 0; c->sha256 && i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", c->sha256[i]);
	if (deny_sha && c->sha256 && !strcmp(hex, deny_sha)) {
		*rule = "probe-sha256";
		return 1;
	}
	return 0;
}

static void on_event(const pn_event *ev, void *user)
{
	pn_buf b = { 0 };

	pn_fmt_json(&b, ev);
	fwrite(b.data, 1, b.len, stdout);
	fflush(stdout);
	pn_buf_free(&b);
}

static void print_stats(pn_handle *h)
{
	pn_enforce_stats st = PN_ENFORCE_STATS_INIT;

	if (pn_enforce_get_stats(h, &st))
		return;
	fprintf(stderr, "{\"asked\":%llu,\"allowed\":%llu,\"denied\":%llu,\"deadline_allowed\":%llu,"
		"\"error_allowed\":%llu,\"self_allowed\":%llu,\"hash_read\":%llu,\"hash_cached\":%llu,"
		"\"filesystems\":%llu,\"mark_refused\":%llu,\"p50_ns\":%llu,\"p99_ns\":%llu}\n",
		(unsigned long long)st.asked, (unsigned long long)st.allowed,
		(unsigned long long)st.denied, (unsigned long long)st.deadline_allowed,
		(unsigned long long)st.error_allowed, (unsigned long long)st.self_allowed,
		(unsigned long long)st.hash_read, (unsigned long long)st.hash_cached,
		(unsigned long long)st.filesystems, (unsigned long long)st.mark_refused,
		(unsigned long long)st.latency_p50_ns, (unsigned long long)st.latency_p99_ns);
}

/* Runs target in a child: 1 when its exec was refused with EPERM. */
static int denied(const char *target)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		execl(target, target, (char *)NULL);
		_exit(errno == EPERM ? 0 : 1);
	}
	return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       WEXITSTATUS(status) == 0;
}

/* Each refusal of the enforcement calls; the enforcer started here denies
 * target's directory only. Then a denial is left undelivered at
 * pn_close(): it is freed with the handle (a leak check says otherwise). */
static int misuse(const char *target)
{
	static char dir[4096];
	pn_options o = PN_OPTIONS_INIT;
	pn_enforce_options eo = PN_ENFORCE_OPTIONS_INIT, small = eo, none = eo;
	pn_enforce_stats st = PN_ENFORCE_STATS_INIT;
	pn_rules *r = NULL;
	pn_handle *h;
	char err[256] = "";

	if (pn_open(&h, &o))
		return fprintf(stderr, "enforce_probe: %s\n", o.errmsg), 1;
	snprintf(dir, sizeof(dir), "%s", target);
	deny_dir = dirname(dir); /* which writes into its argument */
	eo.decide = small.decide = decide;
	small.size = sizeof(small) - 1;
	CHECK(pn_enforce(NULL, &eo, err, sizeof(err)) == -EINVAL);
	CHECK(pn_enforce(h, NULL, err, sizeof(err)) == -EINVAL);
	CHECK(pn_enforce(h, &none, err, sizeof(err)) == -EINVAL);  /* no callback */
	CHECK(pn_enforce(h, &small, err, sizeof(err)) == -EINVAL); /* an older, smaller struct */
	CHECK(pn_enforce_rules(NULL, NULL, 0, err, sizeof(err)) == -EINVAL);
	CHECK(pn_enforce_get_stats(h, &st) == -ENOENT);            /* not enforcing */
	CHECK(pn_enforce_get_stats(NULL, &st) == -ENOENT);
	CHECK(pn_enforce(h, &eo, err, sizeof(err)) == 0);
	CHECK(pn_enforce(h, &eo, err, sizeof(err)) == -EBUSY);     /* once per handle */
	CHECK(pn_rules_new(&r) == 0);
	CHECK(pn_enforce_rules(h, r, 0, err, sizeof(err)) == -EBUSY); /* the callback decides */
	CHECK(pn_enforce_get_stats(h, NULL) == -EINVAL);
	CHECK(pn_enforce_get_stats(h, &st) == 0 && st.filesystems >= 1);
	CHECK(denied(target));
	pn_rules_free(r);
	pn_close(h); /* never polled: the denial's event is still queued */
	return pn_test_done("enforce_probe --misuse");
}

int main(int argc, char **argv)
{
	pn_options o = PN_OPTIONS_INIT;
	pn_enforce_options eo = PN_ENFORCE_OPTIONS_INIT;
	pn_handle *h;
	char err[256] = "";
	int sandbox = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--deny-dir") && i + 1 < argc)
			deny_dir = argv[++i];
		else if (!strcmp(argv[i], "--deny-sha256") && i + 1 < argc)
			deny_sha = argv[++i];
		else if (!strcmp(argv[i], "--deadline-ms") && i + 1 < argc)
			eo.deadline_ms = (uint32_t)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--sandbox"))
			sandbox = 1;
		else if (!strcmp(argv[i], "--misuse") && i + 1 < argc)
			return misuse(argv[++i]);
		else
			return fprintf(stderr, "enforce_probe: bad argument %s\n", argv[i]), 2;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	if (pn_open(&h, &o))
		return fprintf(stderr, "enforce_probe: %s\n", o.errmsg), 1;
	eo.needs = PN_NEED_PROC | (deny_sha ? PN_NEED_SHA256 : 0);
	eo.decide = decide;
	pn_register(h, PN_MASK(PN_EVENT_DENY), on_event, NULL);
	if (pn_enforce(h, &eo, err, sizeof(err)) ||
	    (sandbox && pn_sandbox(h, err, sizeof(err)))) {
		fprintf(stderr, "enforce_probe: %s\n", err);
		pn_close(h);
		return 1;
	}
	fprintf(stderr, "procnotify: ready (enforce probe)\n");
	while (!stop) {
		int rc = pn_poll(h, 200);

		if (rc < 0 && rc != -EINTR)
			break;
	}
	pn_flush(h);
	print_stats(h);
	pn_close(h);
	return 0;
}
