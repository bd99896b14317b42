/*
 * Out of memory: the library's calls to malloc, calloc, realloc, strdup
 * and strndup go through this test's wrappers (linked with --wrap, see
 * mk/tests.mk), which fail the Nth allocation after arm(N). Each scenario
 * runs with N = 0, 1, 2, ... until it makes fewer allocations than N: at
 * every N it must fail with its documented error and message, or
 * succeed, and leave nothing allocated behind (the sanitizer and valgrind
 * suites run this program too).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "outtest.h"
#include "procnotify.h"
#include "procnotify/format.h"
#include "procnotify/output.h"
#include "procnotify/rules.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);

static long fail_at = -1, seen;

static void arm(long n)
{
	seen = 0;
	fail_at = n;
}

/* Disarms; 1 when the armed allocation was made (and failed). */
static int disarm(void)
{
	int hit = fail_at >= 0 && seen > fail_at;

	fail_at = -1;
	return hit;
}

static int failing(void)
{
	if (fail_at < 0 || seen++ != fail_at)
		return 0;
	errno = ENOMEM;
	return 1;
}

void *__wrap_malloc(size_t n)
{
	return failing() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
	return failing() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
	return failing() ? NULL : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
	return failing() ? NULL : __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n)
{
	return failing() ? NULL : __real_strndup(s, n);
}

/* Every construct of the language in one source: names, defaults for
 * deny rules, globs (one long enough for the matcher's heap state),
 * substrings, regular expressions, long chains. */
#define A26 "aaaaaaaaaaaaaaaaaaaaaaaaaa"
static const char rules_text[] =
	"tag long: image=/" A26 A26 A26 A26 A26 A26 A26 A26 A26 A26 "*\n"
	"tag web: image=/usr/sbin/nginx or image*=httpd or comm~=^php-fpm\n"
	"deny image=/tmp/** and not (argv*=--safe or cwd=/home/*)\n"
	"drop comm=cron and uid=0 and gid=0 and euid=0 and ppid=1 and pid!=1\n"
	"keep image=/usr/[a-z]*/x?? or argv=-c or ancestor.image~=(sshd|login)$\n";

/* Compiling a set: every failure says "out of memory" and leaves the set
 * as it was; evaluating one never fails. */
static void rules(void)
{
	static const char argv[] = "sh\0-c\0id";
	pn_event ev;
	pn_rules_input in = { &ev, NULL, NULL, NULL };
	pn_rules_verdict v;
	int done = 0, failed = 0;

	memset(&ev, 0, sizeof(ev));
	ev.type = PN_EVENT_EXEC;
	ev.have = PN_HAVE_IMAGE | PN_HAVE_ARGV | PN_HAVE_CWD;
	ev.image = (pn_str){ "/tmp/x", 6 };
	ev.argv = (pn_str){ argv, sizeof(argv) };
	ev.cwd = (pn_str){ "/root", 5 };
	for (long n = 0; !done; n++) {
		pn_rules *r = NULL;
		char err[256] = "";
		pn_rules_origin at = { "oom.rules", 1, 1 };
		int rc;

		arm(n);
		rc = pn_rules_new(&r);
		if (!rc)
			rc = pn_rules_add(r, rules_text, strlen(rules_text), &at, err, sizeof(err));
		if (!rc)
			rc = pn_rules_eval(r, &in, PN_RULES_OUTPUT | PN_RULES_DENY, &v);
		done = !disarm();
		if (rc) {
			failed++;
			CHECK((rc == -ENOMEM && (!r || strstr(err, "out of memory"))) ||
			      (rc == -EINVAL && strstr(err, "out of memory")));
			CHECK(!r || pn_rules_count(r, 0) == 0);
		} else {
			/* The argv test may have lost its joined line: it is then
			 * false, and the deny rule (not argv*=--safe ...) matches still. */
			CHECK(v.deny && !strcmp(v.deny, "oom.rules:3"));
		}
		pn_rules_free(r);
	}
	CHECK(failed > 20);
}

/* An expression, and a file, the same way. */
static void expr_and_file(void)
{
	char path[] = "/tmp/pn-oom-rules.XXXXXX";
	int fd = mkstemp(path), done = 0;

	CHECK(fd >= 0 && write(fd, rules_text, strlen(rules_text)) == (ssize_t)strlen(rules_text));
	close(fd);
	for (long n = 0; !done; n++) {
		pn_rules *r = NULL;
		char err[256] = "";
		int rc, rc2;

		arm(n);
		rc = pn_rules_compile_expr(&r, "image~=a+b and comm=x", NULL, err, sizeof(err));
		pn_rules_free(r);
		CHECK(rc == 0 || rc == -ENOMEM || (rc == -EINVAL && strstr(err, "out of memory")));
		r = NULL;
		rc2 = pn_rules_new(&r);
		if (!rc2)
			rc2 = pn_rules_add_file(r, path, err, sizeof(err));
		done = !disarm();
		CHECK(rc2 == 0 || rc2 == -ENOMEM || (rc2 == -EINVAL && strstr(err, "out of memory")));
		pn_rules_free(r);
	}
	unlink(path);
}

/* A buffer whose growth fails is marked, keeps what it had, and takes
 * nothing more; freeing it is enough. */
static void buffers(void)
{
	char arg[4096];
	pn_event ev;
	int done = 0;

	memset(arg, 'a', sizeof(arg));
	memset(&ev, 0, sizeof(ev));
	ev.type = PN_EVENT_EXEC;
	ev.have = PN_HAVE_ARGV;
	ev.argv = (pn_str){ arg, sizeof(arg) };
	for (long n = 0; !done; n++) {
		pn_buf b = { 0 };

		arm(n);
		pn_buf_puts(&b, "x");
		pn_fmt_json(&b, &ev);
		pn_buf_printf(&b, "%s", "tail");
		done = !disarm();
		CHECK(b.oom == !done);
		CHECK(done ? b.len > sizeof(arg) : b.len < sizeof(arg));
		pn_buf_free(&b);
	}
}

/* Opening an output: -ENOMEM and nothing left, or an output that closes. */
static void outputs(void)
{
	static const pn__output_ops *const ops[] = { &pn__output_syslog, &pn__output_journal };
	static const char *const targets[] = { "udp://127.0.0.1:514", "/run/nothing.sock" };
	pn_output_options opt = { .queue_bytes = 4096, .facility = 1, .severity = 6, .hostname = "h" };

	for (int i = 0; i < 2; i++) {
		int done = 0;

		for (long n = 0; !done; n++) {
			pn_output *out = NULL;
			char err[256] = "";
			int rc;

			arm(n);
			rc = pn__output_open(&out, ops[i], targets[i], &opt, err, sizeof(err));
			done = !disarm();
			CHECK(rc == 0 ? out != NULL : rc == -ENOMEM && out == NULL);
			pn__output_close(out);
		}
	}
}

/* Writing an event: a sink whose message cannot be built says -ENOMEM
 * (the layer then reconnects and writes it again), and a later write
 * goes through. Each driver is called as the output's thread calls it. */
/* The collector takes what it was sent, and so keeps room for more: the
 * connections a listening socket has, a datagram socket's messages. */
static void discard(int fd, int listening)
{
	char buf[16384];

	while (readable(fd, 0))
		if (listening)
			close(accept(fd, NULL, NULL));
		else if (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) < 0)
			break;
}

static void sink_writes(const pn__output_ops *ops, const char *target, int fd, int listening)
{
	static const char arg[8192];
	pn_output_options opt = { .facility = 1, .severity = 6, .hostname = "h" };
	pn_event ev;
	volatile int stop = 0;
	int done = 0;

	memset(&ev, 0, sizeof(ev));
	ev.type = PN_EVENT_EXEC;
	ev.have = PN_HAVE_ARGV;
	ev.argv = (pn_str){ arg, sizeof(arg) };
	for (long n = 0; !done; n++) {
		void *state = NULL;
		char err[256];
		int rc, again;

		CHECK(ops->open(&state, target, &opt, err, sizeof(err)) == 0);
		CHECK(ops->connect(state, err, sizeof(err)) == 0);
		arm(n);
		rc = ops->write(state, &ev, 0, &stop);
		done = !disarm();
		CHECK(rc == (done ? 0 : -ENOMEM));
		again = ops->connect(state, err, sizeof(err));
		CHECK(again == 0 && ops->write(state, &ev, 0, &stop) == 0);
		ops->close(state);
		discard(fd, listening);
	}
}

static void sinks(void)
{
	char target[160];
	int port, lfd = loopback(SOCK_STREAM, &port), ufd, jfd;

	CHECK(listen(lfd, 64) == 0);
	snprintf(target, sizeof(target), "tcp://127.0.0.1:%d", port);
	sink_writes(&pn__output_syslog, target, lfd, 1);
	ufd = dgram_listen(outtest_path("syslog.sock"));
	snprintf(target, sizeof(target), "unix:%s", outtest_path("syslog.sock"));
	sink_writes(&pn__output_syslog, target, ufd, 0);
	jfd = dgram_listen(outtest_path("journal.sock"));
	sink_writes(&pn__output_journal, outtest_path("journal.sock"), jfd, 0);
	close(lfd);
	close(ufd);
	close(jfd);
}

int main(void)
{
	rules();
	expr_and_file();
	buffers();
	outputs();
	sinks();
	return pn_test_done("test_oom");
}
