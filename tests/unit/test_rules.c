/* The rule engine: the issue's six lines, each field kind and operator,
 * keep/drop/tag/deny verdicts, ancestors, and every error with its place. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "procnotify/enforce.h"
#include "procnotify/rules.h"
#include "rules/needs.h"
#include "check.h"

static const char *const issue_lines[] = {
	"deny image=/tmp/**",
	"deny image_sha256=" "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
	"tag curl-from-web: image=/usr/bin/curl and ancestor.image=/usr/sbin/nginx",
	"drop comm=cron",
	"keep uid=0 or parent.image=/usr/sbin/sshd",
	"tag odd-exit: type=exit and not exit_code=0",
};

static pn_str S(const char *s)
{
	return (pn_str){ s, strlen(s) };
}

/* An exec of image by comm, uid 1000, with argv (NUL-separated). */
static pn_event exec_event(const char *image, const char *comm, const char *argv, size_t argv_len)
{
	pn_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = PN_EVENT_EXEC;
	ev.pid = 200;
	ev.ppid = 100;
	ev.uid = ev.euid = ev.gid = 1000;
	ev.image = S(image);
	ev.comm = S(comm);
	ev.argv = (pn_str){ argv, argv_len };
	ev.cwd = S("/home/u");
	ev.have = PN_HAVE_UID | PN_HAVE_IMAGE | PN_HAVE_COMM | PN_HAVE_ARGV | PN_HAVE_CWD |
		  PN_HAVE_PARENT | PN_HAVE_START | PN_HAVE_NS;
	return ev;
}

/* Ancestors: a list of images, parent first. */
struct chain {
	const char *const *images;
	unsigned n, calls;
};

static int chain_ancestor(void *user, unsigned depth, pn_str *image)
{
	struct chain *c = user;

	c->calls++;
	if (depth > c->n)
		return -ENOENT;
	if (!c->images[depth - 1])
		return 1;
	*image = S(c->images[depth - 1]);
	return 0;
}

static pn_rules *compile(const char *text)
{
	pn_rules *r = NULL;
	char err[256] = "";
	pn_rules_origin at = { "t.rules", 1, 1 };

	CHECK(pn_rules_new(&r) == 0);
	if (pn_rules_add(r, text, strlen(text), &at, err, sizeof(err))) {
		fprintf(stderr, "compile failed: %s\n", err);
		CHECK(0);
	}
	return r;
}

static pn_rules_verdict eval(const pn_rules *r, const pn_event *ev, struct chain *c,
			     const uint8_t *sha)
{
	pn_rules_input in = { ev, sha, c ? chain_ancestor : NULL, c };
	pn_rules_verdict v;

	CHECK(pn_rules_eval(r, &in, PN_RULES_OUTPUT | PN_RULES_DENY, &v) == 0);
	return v;
}

static void issue_examples(void)
{
	char text[1024] = "";
	static const uint8_t sha[32] = { 0x9f, 0x86, 0xd0, 0x81, 0x88, 0x4c, 0x7d, 0x65,
		0x9a, 0x2f, 0xea, 0xa0, 0xc5, 0x5a, 0xd0, 0x15, 0xa3, 0xbf, 0x4f, 0x1b, 0x2b,
		0x0b, 0x82, 0x2c, 0xd1, 0x5d, 0x6c, 0x15, 0xb0, 0xf0, 0x0a, 0x08 };
	const char *const nginx[] = { "/bin/sh", "/usr/sbin/nginx", "/sbin/init" };
	const char *const sshd[] = { "/usr/sbin/sshd" };
	struct chain web = { nginx, 3, 0 }, ssh = { sshd, 1, 0 };
	pn_event ev;
	pn_rules_verdict v;
	pn_rules *r;

	for (size_t i = 0; i < sizeof(issue_lines) / sizeof(issue_lines[0]); i++) {
		strcat(text, issue_lines[i]);
		strcat(text, "   # a comment\n\n");
	}
	r = compile(text);
	CHECK(pn_rules_count(r, 0) == 6);
	CHECK(pn_rules_count(r, PN_RULE_DENY) == 2 && pn_rules_count(r, PN_RULE_TAG) == 2);
	/* deny image=/tmp/...: any depth below /tmp, named by its place. */
	ev = exec_event("/tmp/a/b/x", "x", NULL, 0);
	v = eval(r, &ev, NULL, NULL);
	CHECK_STR(v.deny, "t.rules:1");
	ev = exec_event("/tmpx", "x", NULL, 0);
	CHECK(eval(r, &ev, NULL, NULL).deny == NULL);
	/* The hash, whatever the name. */
	ev = exec_event("/home/u/renamed", "renamed", NULL, 0);
	CHECK_STR(eval(r, &ev, NULL, sha).deny, "t.rules:3");
	CHECK(eval(r, &ev, NULL, NULL).deny == NULL);
	/* keep uid=0 or parent.image=sshd: uid 1000 under nginx is not kept... */
	ev = exec_event("/usr/bin/curl", "curl", NULL, 0);
	v = eval(r, &ev, &web, NULL);
	CHECK(!v.keep && v.ntags == 0);
	/* ... as root it is, and tagged: nginx is its grandparent. */
	ev.uid = 0;
	v = eval(r, &ev, &web, NULL);
	CHECK(v.keep && v.ntags == 1 && !strcmp(v.tags[0], "curl-from-web"));
	/* The parent is sshd: kept whatever the uid. */
	ev.uid = 1000;
	CHECK(eval(r, &ev, &ssh, NULL).keep);
	/* drop comm=cron wins over keep. */
	ev = exec_event("/usr/sbin/cron", "cron", NULL, 0);
	ev.uid = 0;
	CHECK(!eval(r, &ev, NULL, NULL).keep);
	/* odd-exit: exits that are not 0, a signal's too. */
	memset(&ev, 0, sizeof(ev));
	ev.type = PN_EVENT_EXIT;
	ev.have = PN_HAVE_UID;
	ev.exit_code = 3;
	v = eval(r, &ev, NULL, NULL);
	CHECK(v.keep && v.ntags == 1 && !strcmp(v.tags[0], "odd-exit"));
	ev.exit_code = 0;
	CHECK(eval(r, &ev, NULL, NULL).ntags == 0);
	ev.exit_code = -1;
	ev.signal = 9;
	CHECK(eval(r, &ev, NULL, NULL).ntags == 1);
	/* Lost records are never dropped or tagged. */
	ev.type = PN_EVENT_LOST;
	ev.uid = 5;
	v = eval(r, &ev, NULL, NULL);
	CHECK(v.keep && v.ntags == 0);
	pn_rules_free(r);
	/* Each line alone also compiles, as --rule gives it. */
	for (size_t i = 0; i < sizeof(issue_lines) / sizeof(issue_lines[0]); i++) {
		r = compile(issue_lines[i]);
		CHECK(pn_rules_count(r, 0) == 1);
		pn_rules_free(r);
	}
}

/* One expression on one event: 1, 0, or -1 when it did not compile. */
static int where(const char *expr, const pn_event *ev, struct chain *c)
{
	pn_rules *r;
	char err[256];
	pn_rules_origin at = { "--where", 1, 1 };
	pn_rules_verdict v;
	pn_rules_input in = { ev, NULL, c ? chain_ancestor : NULL, c };

	if (pn_rules_compile_expr(&r, expr, &at, err, sizeof(err)))
		return -1;
	CHECK(pn_rules_eval(r, &in, PN_RULES_OUTPUT, &v) == 0);
	pn_rules_free(r);
	return v.keep;
}

static void strings_and_numbers(void)
{
	static const char argv[] = "curl\0-o\0/tmp/x y\0http://evil.example/a";
	pn_event ev = exec_event("/usr/bin/curl", "curl", argv, sizeof(argv));
	const char *const up[] = { "/bin/bash", NULL, "/usr/sbin/nginx" };
	struct chain c = { up, 3, 0 };

	CHECK(where("image=/usr/bin/*", &ev, NULL) == 1);
	CHECK(where("image=/usr/*", &ev, NULL) == 0);      /* '*' stops at '/' */
	CHECK(where("image=/usr/**", &ev, NULL) == 1);
	CHECK(where("image=/usr/**/c?rl", &ev, NULL) == 1);
	CHECK(where("image=/usr/bin/[a-c]url", &ev, NULL) == 1);
	CHECK(where("image=/usr/bin/[!c]url", &ev, NULL) == 0);
	CHECK(where("image!=/usr/bin/curl", &ev, NULL) == 0);
	CHECK(where("image*=bin/cu", &ev, NULL) == 1);
	CHECK(where("image~=^/usr/(s?bin)/cu+rl$", &ev, NULL) == 1);
	CHECK(where("comm=curl and cwd=/home/*", &ev, NULL) == 1);
	/* argv: = any one argument, *= and ~= the line joined by spaces. */
	CHECK(where("argv=-o", &ev, NULL) == 1);
	CHECK(where("argv=http://*", &ev, NULL) == 0);
	CHECK(where("argv=http:**", &ev, NULL) == 1);
	CHECK(where("argv*='-o /tmp/x y'", &ev, NULL) == 1);
	CHECK(where("argv~=\"evil\\.example\"", &ev, NULL) == 1);
	CHECK(where("argv~=(a|b)", &ev, NULL) == 1);
	CHECK(where("argv~='^curl .*a$'", &ev, NULL) == 1);
	CHECK(where("argv~=^-o", &ev, NULL) == 0);
	/* Numbers and names for them. */
	CHECK(where("uid=1000 and euid>=1000 and gid<1001 and ppid=100 and pid!=1", &ev, NULL) == 1);
	CHECK(where("uid>1000", &ev, NULL) == 0);
	CHECK(where("user=root", &ev, NULL) == 0);
	ev.uid = 0;
	CHECK(where("user=root", &ev, NULL) == 1);
	CHECK(where("user=0", &ev, NULL) == 1);
	/* Unknown fields are false, not of them true. */
	ev.have &= ~PN_HAVE_UID;
	CHECK(where("uid=0", &ev, NULL) == 0 && where("uid!=0", &ev, NULL) == 0);
	CHECK(where("not uid=0", &ev, NULL) == 1);
	CHECK(where("exit_code=0", &ev, NULL) == 0); /* an exec has none */
	/* Ancestors: an unknown image in between is skipped, not the end. */
	CHECK(where("parent.image=/bin/bash", &ev, &c) == 1);
	CHECK(where("parent.image=/usr/sbin/nginx", &ev, &c) == 0);
	CHECK(where("ancestor.image=/usr/sbin/nginx", &ev, &c) == 1);
	CHECK(where("ancestor.image=/sbin/init", &ev, &c) == 0);
	CHECK(where("ancestor.image~=nginx$", &ev, NULL) == 0);
	/* Precedence: and binds tighter than or; parentheses; not. */
	CHECK(where("comm=x and comm=y or comm=curl", &ev, NULL) == 1);
	CHECK(where("comm=x and (comm=y or comm=curl)", &ev, NULL) == 0);
	CHECK(where("not not comm=curl", &ev, NULL) == 1);
	CHECK(where("(comm=curl)", &ev, NULL) == 1);
	CHECK(where("type=exec and not type=exit", &ev, NULL) == 1);
	CHECK(where("type!=exec", &ev, NULL) == 0);
	/* Flags and the mount namespace. */
	CHECK(where("mnt_ns=host", &ev, NULL) == 1);
	ev.flags |= PN_EV_OTHER_MNT_NS;
	CHECK(where("mnt_ns!=host and other_mnt_ns", &ev, NULL) == 1);
	CHECK(where("other_mnt_ns=false", &ev, NULL) == 0);
	CHECK(where("argv_truncated", &ev, NULL) == 0);
	ev.have |= PN_HAVE_IMAGE_ID;
	ev.image_dev = (pn_dev){ 8, 1 };
	CHECK(where("image_dev=8:1", &ev, NULL) == 1 && where("image_dev!=8:1", &ev, NULL) == 0);
}

static void exits_and_signals(void)
{
	pn_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = PN_EVENT_EXIT;
	ev.exit_code = -1;
	ev.signal = 9;
	CHECK(where("signal=KILL", &ev, NULL) == 1);
	CHECK(where("signal=SIGKILL", &ev, NULL) == 1);
	CHECK(where("signal=9 and signal>0", &ev, NULL) == 1);
	/* After a signal the exit code is unknown (JSON's null), -1 or not. */
	CHECK(where("exit_code=4294967295", &ev, NULL) == 0);
	CHECK(where("not exit_code=0", &ev, NULL) == 1);
	ev.signal = 0;
	ev.exit_code = 255;
	CHECK(where("exit_code=255 and signal=0", &ev, NULL) == 1);
	CHECK(where("exit_code>=1 and exit_code<=255", &ev, NULL) == 1);
	/* Windows' statuses as every output writes them: unsigned. */
	ev.exit_code = (int)0xC0000005u;
	CHECK(where("exit_code=3221225477 and exit_code>255", &ev, NULL) == 1);
	CHECK(where("exit_code>0", &ev, NULL) == 1);
}

static void tags_and_order(void)
{
	pn_rules *r = compile("tag b: comm=curl\ntag a: image=/usr/**\ntag b: uid=1000\n"
			      "drop comm=nothing\n");
	pn_event ev = exec_event("/usr/bin/curl", "curl", NULL, 0);
	pn_rules_verdict v = eval(r, &ev, NULL, NULL);
	char buf[64];
	size_t n;

	/* First match first, each name once. */
	CHECK(v.keep && v.ntags == 2);
	CHECK_STR(v.tags[0], "b");
	CHECK_STR(v.tags[1], "a");
	n = pn_rules_tags_join(&v, buf, sizeof(buf));
	CHECK(n == 4 && !memcmp(buf, "b\0a\0", 4));
	CHECK(pn_rules_tags_join(&v, buf, 3) == 2); /* "a" does not fit after "b" */
	/* References: the set outlives the first free. */
	CHECK(pn_rules_ref(r) == r);
	pn_rules_free(r);
	CHECK(eval(r, &ev, NULL, NULL).ntags == 2);
	pn_rules_free(r);
	pn_rules_free(NULL);
	/* No rules: everything is kept, nothing denied. */
	v = eval(NULL, &ev, NULL, NULL);
	CHECK(v.keep && !v.deny && !v.ntags);
	/* A deny event the keep rules reject is still tagged: the live rules
	 * deliver it whatever keep says; its own hash is read for hash tests. */
	r = compile("keep uid=0\ntag h: image_sha256=" "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
	ev.type = PN_EVENT_DENY;
	ev.image_sha256 = S("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
	ev.have |= PN_HAVE_SHA256;
	v = eval(r, &ev, NULL, NULL);
	CHECK(!v.keep && v.ntags == 1 && !strcmp(v.tags[0], "h"));
	ev.image_sha256.ptr = "0f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
	CHECK(eval(r, &ev, NULL, NULL).ntags == 0);
	pn_rules_free(r);
	/* A snapshot too: tested like any process event, tagged when not kept. */
	r = compile("keep uid=0\ntag s: comm=curl and type=snapshot\ntag n: not type=exec");
	ev.type = PN_EVENT_SNAPSHOT;
	v = eval(r, &ev, NULL, NULL);
	CHECK(!v.keep && v.ntags == 2 && !strcmp(v.tags[0], "s") && !strcmp(v.tags[1], "n"));
	ev.type = PN_EVENT_EXEC;
	pn_rules_free(r);
	/* Named deny rules. */
	r = compile("deny no-tmp: image=/usr/**");
	CHECK_STR(eval(r, &ev, NULL, NULL).deny, "no-tmp");
	pn_rules_free(r);
}

/* text (len bytes) must fail with exactly want. */
static void error_is_n(const char *text, size_t len, const char *want)
{
	pn_rules *r = NULL;
	char err[256] = "";
	pn_rules_origin at = { "f.rules", 1, 1 };

	CHECK(pn_rules_new(&r) == 0);
	CHECK(pn_rules_add(r, "keep uid=1", 10, &at, err, sizeof(err)) == 0);
	CHECK(pn_rules_add(r, text, len, &at, err, sizeof(err)) == -EINVAL);
	CHECK_STR(err, want);
	CHECK(pn_rules_count(r, 0) == 1); /* the set as it was */
	pn_rules_free(r);
}

static void error_is(const char *text, const char *want)
{
	error_is_n(text, strlen(text), want);
}

static void errors(void)
{
	error_is("kept uid=0", "f.rules:1:1: expected keep, drop, tag or deny");
	error_is("# ok\n\nkeep uid=0\n  drop", "f.rules:4:7: expected an expression");
	error_is("tag uid=0", "f.rules:1:5: tag needs a name: tag NAME: EXPRESSION");
	error_is("tag -x: uid=0", "f.rules:1:5: a name is 1 to 64 of A-Z a-z 0-9 _ . - "
				  "and starts with a letter, digit or _");
	error_is("keep imagee=/x", "f.rules:1:6: unknown field 'imagee'");
	error_is("keep image", "f.rules:1:11: expected an operator after image");
	error_is("keep image=", "f.rules:1:12: expected a value");
	error_is("keep (image=/x", "f.rules:1:15: expected ')'");
	error_is("keep image=/x)", "f.rules:1:14: unbalanced ')'");
	error_is("keep image=/x comm=y", "f.rules:1:15: expected 'and', 'or' or the end of the rule");
	error_is("keep uid=x", "f.rules:1:10: uid takes a number from 0 that fits 32 bits");
	error_is("keep uid=4294967296", "f.rules:1:10: uid takes a number from 0 that fits 32 bits");
	error_is("keep uid=-1", "f.rules:1:10: uid takes a number from 0 that fits 32 bits");
	error_is("keep exit_code=1x", "f.rules:1:16: exit_code takes a number from 0 that fits 32 bits");
	error_is("keep signal=NOPE", "f.rules:1:13: signal takes an integer or a signal name (KILL, SIGKILL)");
	error_is("keep uid*=0", "f.rules:1:11: uid takes = != < <= > >=");
	error_is("keep comm<x", "f.rules:1:11: comm takes = != *= ~=");
	error_is("keep type~=exec", "f.rules:1:12: type takes = or != only");
	error_is("keep type=birth", "f.rules:1:11: unknown event type");
	error_is("keep user=no-such-user-here", "f.rules:1:11: no such user in /etc/passwd");
	error_is("deny image_sha256=abc", "f.rules:1:19: image_sha256 takes 64 hex digits");
	error_is("keep argv~=\"(\"", "f.rules:1:12: bad regular expression (POSIX ERE): "
				      "Unmatched ( or \\(");
	error_is("keep argv~=(a+)++", "f.rules:1:12: bad regular expression (POSIX ERE): "
				   "a repetition of a repetition (POSIX leaves it undefined)");
	error_is("keep argv~=((a{200}){200}){200}", "f.rules:1:12: bad regular expression "
		 "(POSIX ERE): its repetitions would make too large an automaton");
	CHECK(where("argv~='^(-[a-z]+ ?){1,8}[[:alnum:]]{2,}$'", &(pn_event){ 0 }, NULL) == 0);
	error_is("keep image=/x[", "f.rules:1:12: bad glob: an unterminated [ or a trailing \\");
	error_is("keep comm=\"abc", "f.rules:1:11: unterminated string");
	error_is("keep comm=\"a\\xqb\"", "f.rules:1:13: bad escape: \\xHH takes two hex digits, not 00");
	error_is("keep comm=\"a\\x00\"", "f.rules:1:13: bad escape: \\xHH takes two hex digits, not 00");
	error_is("keep comm=a & comm=b", "f.rules:1:13: unexpected character");
	error_is("keep image_dev=8", "f.rules:1:16: a device is MAJOR:MINOR");
	error_is("keep argv_truncated=maybe", "f.rules:1:21: a flag is true or false");
	error_is("keep mnt_ns<host", "f.rules:1:13: mnt_ns=host and mnt_ns!=host only");
	error_is("keep cgroup=/no/such/cgroup", "f.rules:1:13: no such cgroup: give its path "
					   "under /sys/fs/cgroup, from /");
	error_is("keep not", "f.rules:1:9: expected a field, 'not' or '('");
	error_is_n("keep comm=\"a\0b\"", 16, "f.rules:1:11: a NUL byte in a string");
	error_is_n("keep comm=a\0b", 13, "f.rules:1:11: a NUL byte in a value");
	error_is("keep mnt_ns=x", "f.rules:1:13: mnt_ns takes a number from 0 or host");
	error_is("keep cgroup_id=-3", "f.rules:1:16: cgroup_id takes a number from 0");
	{
		char long_re[1200] = "keep argv~=", deep_re[100] = "keep argv~=";

		memset(long_re + 11, 'a', 1030);
		error_is(long_re, "f.rules:1:12: bad regular expression (POSIX ERE): "
				  "longer than 1024 bytes");
		for (int i = 0; i < 33; i++)
			strcat(deep_re, "(");
		error_is(deep_re, "f.rules:1:12: bad regular expression (POSIX ERE): "
				  "groups nested more than 32 deep");
	}
	error_is("keep uid=0 and", "f.rules:1:15: expected a field, 'not' or '('");
	/* Columns of a config value: the origin's column is the first byte's. */
	{
		pn_rules *r;
		char err[256];
		pn_rules_origin at = { "procnotify.conf", 7, 8 };

		CHECK(pn_rules_new(&r) == 0);
		CHECK(pn_rules_add(r, "drop comm=", 10, &at, err, sizeof(err)) == -EINVAL);
		CHECK_STR(err, "procnotify.conf:7:18: expected a value");
		pn_rules_free(r);
		at = (pn_rules_origin){ "--where", 0, 0 };
		CHECK(pn_rules_compile_expr(&r, "uid=0 and bogus=1", &at, err, sizeof(err)) == -EINVAL);
		CHECK_STR(err, "--where:1:11: unknown field 'bogus'");
		CHECK(r == NULL);
		CHECK(pn_rules_compile_expr(&r, "", &at, err, sizeof(err)) == -EINVAL);
		CHECK_STR(err, "--where:1:1: expected an expression");
		CHECK(pn_rules_compile_expr(&r, "uid=0\nkeep uid=1", &at, err, sizeof(err)) == -EINVAL);
		CHECK_STR(err, "--where:1:6: an expression is one line");
	}
	/* Nesting is bounded; a long flat chain is not. */
	{
		char deep[400] = "keep ", flat[16384] = "keep comm=a";

		for (int i = 0; i < 100; i++)
			strcat(deep, "(");
		strcat(deep, "uid=0");
		error_is(deep, "f.rules:1:70: nested too deeply");
		for (int i = 0; i < 1000; i++)
			strcat(flat, " or comm=b");
		pn_rules_free(compile(flat));
	}
	CHECK(pn_rules_add_file(NULL, "x", NULL, 0) == -EINVAL);
	{
		pn_rules *r;
		char err[256];

		CHECK(pn_rules_new(&r) == 0);
		CHECK(pn_rules_add_file(r, "/nonexistent/rules", err, sizeof(err)) == -ENOENT);
		CHECK_STR(err, "/nonexistent/rules: No such file or directory");
		pn_rules_free(r);
	}
}

/* ---- edges of each piece ---- */

/* Globs: escapes, classes with a leading ']' or '-', negation both ways,
 * '?' never a '/', the prefix shape only without other metacharacters,
 * and a pattern long enough for the matcher's heap state. */
static void globs(void)
{
	pn_event ev = exec_event("/a*b/c]d-e", "x", NULL, 0);
	char longpat[400] = "image=/", longimg[400];

	CHECK(where("image=/a\\*b/**", &ev, NULL) == 1);
	CHECK(where("image=/a\\?b/**", &ev, NULL) == 0);
	CHECK(where("image=/a?b/**", &ev, NULL) == 1);
	CHECK(where("image=/a*b?c]d-e", &ev, NULL) == 0);   /* ? is not / */
	CHECK(where("image=/a*b/c[]]d-e", &ev, NULL) == 1); /* ']' first is a member */
	CHECK(where("image=/a*b/c]d[a-]e", &ev, NULL) == 1); /* '-' last is a member */
	CHECK(where("image=/a*b/c]d[!-]e", &ev, NULL) == 0);
	CHECK(where("image=/a*b/c]d[^x-z]e", &ev, NULL) == 1);
	CHECK(where("image=/a*b/c]d[e-z]e", &ev, NULL) == 0); /* '-' is below e */
	CHECK(where("image=/a*b/c]d-?", &ev, NULL) == 1);
	CHECK(where("image=/a**", &ev, NULL) == 1);           /* a prefix */
	CHECK(where("image=/b**", &ev, NULL) == 0);
	CHECK(where("image=/a?**", &ev, NULL) == 1);          /* not only a prefix */
	error_is("keep image=/x\\", "f.rules:1:12: bad glob: an unterminated [ or a trailing \\");
	/* Past 256 bytes of pattern. */
	memset(longpat + 7, 'x', 300);
	strcpy(longpat + 307, "*");
	memset(longimg, 0, sizeof(longimg));
	longimg[0] = '/';
	memset(longimg + 1, 'x', 300);
	strcpy(longimg + 301, "tail");
	ev.image = S(longimg);
	CHECK(where(longpat, &ev, NULL) == 1);
	longimg[5] = 'y';
	CHECK(where(longpat, &ev, NULL) == 0);
}

/* The ERE guard: bracket expressions of every form, counted repeats, a
 * ')' with no group, the product of two groups past the bound. */
static void eres(void)
{
	pn_event ev = exec_event("/usr/bin/a]b", "x", NULL, 0);

	CHECK(where("image~=[]]b$", &ev, NULL) == 1);
	CHECK(where("image~=a[^]]b", &ev, NULL) == 0);
	CHECK(where("image~=[[:alpha:]]]b", &ev, NULL) == 1);
	CHECK(where("image~=[[.a.]]]", &ev, NULL) == 1);
	CHECK(where("image~=[[=b=]]$", &ev, NULL) == 1);
	CHECK(where("image~=b{1}$", &ev, NULL) == 1);
	CHECK(where("image~=/{1,}usr", &ev, NULL) == 1);
	CHECK(where("image~=s{1,3}r", &ev, NULL) == 1);
	/* '{' not before a digit is no repetition to the guard; glibc refuses it. */
	error_is("keep image~=a{x", "f.rules:1:13: bad regular expression (POSIX ERE): "
				  "Unmatched \\{");
	CHECK(where("image~=\\]", &ev, NULL) == 1);
	error_is("keep image~=[[:alpha]", "f.rules:1:13: bad regular expression (POSIX ERE): "
					"Unmatched [, [^, [:, [., or [=");
	error_is("keep image~=[abc", "f.rules:1:13: bad regular expression (POSIX ERE): "
				   "Unmatched [, [^, [:, [., or [=");
	error_is("keep image~=a{3", "f.rules:1:13: bad regular expression (POSIX ERE): "
				  "Unmatched \\{");
	error_is("keep image~=(a{2999})(a{2999})", "f.rules:1:13: bad regular expression "
		 "(POSIX ERE): its repetitions would make too large an automaton");
}

/* Quoted values: every escape in "...", none in '...' (a glob's own
 * backslash then reads the next byte as it is), CRLF line ends. */
static void lexing(void)
{
	pn_event ev = exec_event("/x", "a\"\n\tJ", NULL, 0);
	pn_rules *r;
	char err[256];

	CHECK(where("comm=\"a\\\"\\n\\tJ\"", &ev, NULL) == 1);
	CHECK(where("comm=\"a\\\"\\n\\t\\x4a\"", &ev, NULL) == 1);
	CHECK(where("comm=\"a\\\"\\n\\t\\x4A\"", &ev, NULL) == 1);
	CHECK(where("comm=\"a\\\"\\n\\t\\x4b\"", &ev, NULL) == 0);
	ev.comm = S("a\\x");
	CHECK(where("comm='a\\\\x'", &ev, NULL) == 1);   /* the glob gets a\\x: a, \, x */
	CHECK(where("comm=\"a\\\\x\"", &ev, NULL) == 0); /* the glob gets a\x: ax */
	error_is("keep comm=\"a\\x4\"", "f.rules:1:13: bad escape: \\xHH takes two hex digits, not 00");
	error_is("keep comm=\"a\\xg1\"", "f.rules:1:13: bad escape: \\xHH takes two hex digits, not 00");
	error_is("keep comm=\"a\\", "f.rules:1:11: unterminated string");
	error_is("keep (comm=)", "f.rules:1:12: expected a value");
	/* A file written on Windows. */
	CHECK(pn_rules_new(&r) == 0);
	CHECK(pn_rules_add(r, "keep uid=0\r\ndrop comm=x\t\r\n", strlen("keep uid=0\r\ndrop comm=x\t\r\n"),
			   NULL, err, sizeof(err)) == 0);
	CHECK(pn_rules_count(r, 0) == 2);
	pn_rules_free(r);
}

/* Each kind of field: 64-bit numbers (unsigned ones compare unsigned),
 * terminals, flags both ways, devices, the event's own hash in either
 * case, the cgroup by its path, and an argv whose last argument was cut
 * (no NUL) or that holds an empty one. */
static void field_kinds(void)
{
	static const char cut[] = "a\0\0b c";
	pn_event ev = exec_event("/x", "x", cut, sizeof(cut) - 1);
	struct stat st;

	ev.have |= PN_HAVE_IMAGE_ID | PN_HAVE_TTY;
	ev.image_ino = 5;
	ev.cgroup_id = UINT64_MAX;
	strcpy(ev.tty, "pts/7");
	ev.image_dev = (pn_dev){ 8, 1 };
	CHECK(where("image_ino=5 and image_ino<=5 and image_ino>4", &ev, NULL) == 1);
	CHECK(where("cgroup_id>1", &ev, NULL) == 1); /* not -1 */
	CHECK(where("tty=pts/* and tty!=pts/1 and tty*=s/ and tty~=^pts", &ev, NULL) == 1);
	CHECK(where("image_dev=8:2 or image_dev!=8:1", &ev, NULL) == 0);
	CHECK(where("argv_truncated!=true and argv_truncated=0 and not argv_truncated=1", &ev, NULL) == 1);
	ev.flags |= PN_EV_ARGV_TRUNCATED;
	CHECK(where("argv_truncated!=false and argv_truncated=true", &ev, NULL) == 1);
	CHECK(where("argv*='b c' and argv~='^a  b c$' and argv=''", &ev, NULL) == 1);
	CHECK(where("argv!=x and not argv!=a", &ev, NULL) == 1);
	/* Unknown-but-present strings: no pointer at all. */
	ev.comm = (pn_str){ NULL, 0 };
	CHECK(where("comm~=^$ and comm*='' and not comm*=x", &ev, NULL) == 1);
	/* exit durations are 64-bit signed. */
	memset(&ev, 0, sizeof(ev));
	ev.type = PN_EVENT_EXIT;
	ev.have = PN_HAVE_START;
	ev.duration_ns = -5;
	CHECK(where("duration_ns<0 and duration_ns>-6", &ev, NULL) == 1);
	/* The cgroup: by its directory's inode; a process without one never matches. */
	ev = exec_event("/x", "x", NULL, 0);
	CHECK(stat("/sys/fs/cgroup/", &st) == 0);
	ev.cgroup_id = st.st_ino;
	CHECK(where("cgroup=/", &ev, NULL) == 1);
	ev.cgroup_id = 0;
	CHECK(where("cgroup=/ or cgroup!=/", &ev, NULL) == 0);
	error_is("keep cgroup=cpu", "f.rules:1:13: no such cgroup: give its path under /sys/fs/cgroup, from /");
	error_is("keep cgroup=/a/../b", "f.rules:1:13: no such cgroup: give its path under /sys/fs/cgroup, from /");
}

/* A deny event's own image_sha256: upper case reads as lower, anything
 * but 64 hex digits never matches, nor an event without one. */
static void event_hashes(void)
{
	static const char lower[] = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
	char upper[65], bad[65];
	pn_event ev = exec_event("/x", "x", NULL, 0);
	char expr[100];

	for (int i = 0; i < 64; i++)
		upper[i] = (char)(lower[i] >= 'a' ? lower[i] - 32 : lower[i]);
	upper[64] = 0;
	memcpy(bad, lower, sizeof(bad));
	bad[63] = 'g';
	snprintf(expr, sizeof(expr), "image_sha256=%s", lower);
	ev.type = PN_EVENT_DENY;
	ev.have |= PN_HAVE_SHA256;
	ev.image_sha256 = S(upper);
	CHECK(where(expr, &ev, NULL) == 1);
	ev.image_sha256 = S(bad);
	CHECK(where(expr, &ev, NULL) == 0);
	ev.image_sha256 = (pn_str){ lower, 63 };
	CHECK(where(expr, &ev, NULL) == 0);
	ev.image_sha256 = S(lower);
	ev.have &= ~PN_HAVE_SHA256;
	CHECK(where(expr, &ev, NULL) == 0);
	ev.type = PN_EVENT_EXEC; /* an exec carries none: only the caller's */
	ev.have |= PN_HAVE_SHA256;
	CHECK(where(expr, &ev, NULL) == 0);
	snprintf(expr, sizeof(expr), "image_sha256!=%s", lower);
	CHECK(where(expr, &ev, NULL) == 0);
}

/* The set's own calls: misuse refused, defaults for a missing origin or
 * error buffer, and files that cannot be rules (a directory, too large). */
static void set_calls(void)
{
	pn_rules *r;
	pn_rules_verdict v;
	pn_rules_input in = { NULL, NULL, NULL, NULL };
	pn_event ev = exec_event("/x", "x", NULL, 0);
	char err[256], path[] = "/tmp/pn-rules-big.XXXXXX";
	FILE *f;
	int fd;

	CHECK(pn_rules_new(NULL) == -EINVAL);
	CHECK(pn_rules_new(&r) == 0);
	CHECK(pn_rules_add(NULL, "keep uid=0", 10, NULL, err, sizeof(err)) == -EINVAL);
	CHECK(pn_rules_add(r, NULL, 3, NULL, err, sizeof(err)) == -EINVAL);
	CHECK(pn_rules_add(r, NULL, 0, NULL, err, sizeof(err)) == 0 && pn_rules_count(r, 0) == 0);
	/* No origin: "rules", line 1, column 1; no buffer: only the status. */
	CHECK(pn_rules_add(r, "keep uid=", 9, NULL, err, sizeof(err)) == -EINVAL);
	CHECK_STR(err, "rules:1:10: expected a value");
	CHECK(pn_rules_add(r, "keep uid=", 9, &(pn_rules_origin){ NULL, 0, 0 }, NULL, 0) == -EINVAL);
	CHECK(pn_rules_add(r, "deny comm=x", 11, NULL, err, 0) == 0);
	CHECK(pn_rules_count(r, PN_RULE_DENY) == 1 && pn_rules_count(r, 99) == 0);
	CHECK(pn_rules_count(NULL, 0) == 0);
	/* An unnamed deny rule without an origin is named by line alone. */
	in.ev = &ev;
	ev.comm = S("x");
	CHECK(pn_rules_eval(r, &in, PN_RULES_DENY, &v) == 0);
	CHECK_STR(v.deny, "rules:1");
	CHECK(pn_rules_eval(r, &in, PN_RULES_DENY, NULL) == -EINVAL);
	CHECK(pn_rules_eval(r, NULL, PN_RULES_DENY, &v) == -EINVAL);
	in.ev = NULL;
	CHECK(pn_rules_eval(r, &in, PN_RULES_DENY, &v) == -EINVAL);
	/* Files. */
	CHECK(pn_rules_add_file(r, NULL, err, sizeof(err)) == -EINVAL);
	CHECK(pn_rules_add_file(r, "/tmp", err, sizeof(err)) == -EIO);
	CHECK_STR(err, "/tmp: Input/output error");
	CHECK(pn_rules_add_file(r, "/nonexistent/rules", NULL, 0) == -ENOENT);
	fd = mkstemp(path);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	CHECK(f != NULL);
	for (int i = 0; f && i < (4 << 20) / 16 + 1; i++)
		fputs("# a comment ...\n", f);
	if (f)
		fclose(f);
	CHECK(pn_rules_add_file(r, path, err, sizeof(err)) == -EFBIG);
	CHECK(strstr(err, ": File too large") != NULL);
	unlink(path);
	CHECK(pn_rules_count(r, 0) == 1);
	pn_rules_free(r);
	/* An expression: no origin is "expression"; no expression, no set. */
	CHECK(pn_rules_compile_expr(&r, "uid=", NULL, err, sizeof(err)) == -EINVAL);
	CHECK_STR(err, "expression:1:5: expected a value");
	CHECK(pn_rules_compile_expr(NULL, "uid=0", NULL, err, sizeof(err)) == -EINVAL);
	CHECK(pn_rules_compile_expr(&r, NULL, NULL, err, sizeof(err)) == -EINVAL);
}

/* More tag rules match than a verdict holds: the first 32 by their order,
 * the others counted. */
static void many_tags(void)
{
	char text[64 * 40] = "", line[64];
	pn_event ev = exec_event("/x", "x", NULL, 0);
	pn_rules_verdict v;
	pn_rules *r;

	for (int i = 0; i < 40; i++) {
		snprintf(line, sizeof(line), "tag t%d: uid=1000\n", i);
		strcat(text, line);
	}
	r = compile(text);
	v = eval(r, &ev, NULL, NULL);
	CHECK(v.ntags == PN_RULES_MAX_TAGS && v.tags_dropped == 40 - PN_RULES_MAX_TAGS);
	CHECK_STR(v.tags[0], "t0");
	CHECK_STR(v.tags[PN_RULES_MAX_TAGS - 1], "t31");
	pn_rules_free(r);
}

/* Names and operators each kind refuses. */
static void more_errors(void)
{
	char name[100] = "tag ";

	memset(name + 4, 'n', 65);
	strcpy(name + 69, ": uid=0");
	error_is(name, "f.rules:1:5: a name is 1 to 64 of A-Z a-z 0-9 _ . - "
		       "and starts with a letter, digit or _");
	error_is("tag .x: uid=0", "f.rules:1:5: a name is 1 to 64 of A-Z a-z 0-9 _ . - "
				  "and starts with a letter, digit or _");
	error_is("keep rules=x", "f.rules:1:6: unknown field 'rules'");
	error_is("keep uid~=0", "f.rules:1:11: uid takes = != < <= > >=");
	error_is("keep tty<x", "f.rules:1:10: tty takes = != *= ~=");
	error_is("keep argv>x", "f.rules:1:11: argv takes = != *= ~=");
	error_is("keep parent.image<=x", "f.rules:1:20: parent.image takes = != *= ~=");
	error_is("keep argv_truncated*=1", "f.rules:1:22: argv_truncated takes = or != only");
	error_is("keep image_dev~=1:2", "f.rules:1:17: image_dev takes = or != only");
	error_is("keep image_dev=-1:2", "f.rules:1:16: a device is MAJOR:MINOR");
	error_is("keep image_dev=1:2x", "f.rules:1:16: a device is MAJOR:MINOR");
	error_is("keep exit_code=4294967296", "f.rules:1:16: exit_code takes a number from 0 that fits 32 bits");
	error_is("keep exit_code=-1", "f.rules:1:16: exit_code takes a number from 0 that fits 32 bits");
	error_is("keep exit_code=-", "f.rules:1:16: exit_code takes a number from 0 that fits 32 bits");
	error_is("keep image_ino=18446744073709551616", "f.rules:1:16: image_ino takes a number from 0");
	{
		char text[100] = "deny image_sha256=";

		memset(text + 18, 'a', 64);
		text[18 + 63] = 'g';
		text[18 + 64] = 0;
		error_is(text, "f.rules:1:19: image_sha256 takes 64 hex digits");
	}
}

/* What enforcement must fill before it asks the rules of one action. */
static void needs(void)
{
	static const struct {
		const char *rule;
		uint32_t needs;
	} cases[] = {
		{ "deny image=/x and pid=1 and type=exec and image_ino=1 and image_dev=1:1", 0 },
		{ "deny image_sha256=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", PN_NEED_SHA256 },
		{ "deny ancestor.image=/x or parent.image=/y", PN_NEED_ANCESTORS },
		{ "deny mnt_ns=host", PN_NEED_NS },
		{ "deny mnt_ns=4 or pid_ns=5", PN_NEED_NS },
		{ "deny argv=x or argc=2 or argv_truncated", PN_NEED_ARGV },
		{ "deny cwd=/tmp", PN_NEED_CWD },
		{ "deny cgroup=/ or cgroup_id=3", PN_NEED_CGROUP },
		{ "deny uid=0 and comm=x", PN_NEED_PROC },
	};
	pn_rules *r;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = compile(cases[i].rule);
		CHECK(pn__rules_needs(r, PN_RULE_DENY) == cases[i].needs);
		CHECK(pn__rules_needs(r, PN_RULE_KEEP) == 0); /* other actions' rules are not read */
		pn_rules_free(r);
	}
	CHECK(pn__rules_needs(NULL, PN_RULE_DENY) == 0);
}

int main(void)
{
	issue_examples();
	strings_and_numbers();
	exits_and_signals();
	tags_and_order();
	errors();
	globs();
	eres();
	lexing();
	field_kinds();
	event_hashes();
	set_calls();
	many_tags();
	more_errors();
	needs();
	return pn_test_done("test_rules");
}
