/*
 * The enforcer's decisions without fanotify: an enforcer of the test's own
 * whose "fanotify descriptor" is a pipe, so each answer (struct
 * fanotify_response) can be read back, questions about files of the test's
 * own, and this process as the one exec'ing. The deny rules and the
 * callback, each need of the context read from /proc (cgroup, namespaces,
 * ancestors, cwd), a hash deferred and decided by the hasher thread, the
 * hasher's stop, the hash cache's identity checks, and a denial's copy.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/fanotify.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "linux/enforce_int.h"
#include "rules/needs.h"
#include "check.h"

static char dir[] = "/tmp/pn-decide.XXXXXX";
static int answers[2]; /* the enforcer writes its answers to [1] */

/* A file of the test's: its path and an open descriptor. */
static int make_file(const char *name, const char *content, char *path, size_t cap)
{
	int fd;

	snprintf(path, cap, "%s/%s", dir, name);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	if (fd < 0 || write(fd, content, strlen(content)) != (ssize_t)strlen(content))
		return -1;
	return fd;
}

static void hex_of(int fd, char hex[65])
{
	struct pn__sha256 s;
	uint8_t d[PN_SHA256_LEN];
	char buf[4096];
	ssize_t n;
	off_t off = 0;

	pn__sha256_init(&s);
	while ((n = pread(fd, buf, sizeof(buf), off)) > 0) {
		pn__sha256_update(&s, buf, (size_t)n);
		off += n;
	}
	pn__sha256_final(&s, d);
	pn__sha256_hex(d, hex);
}

static pn_rules *rules(const char *text)
{
	pn_rules_origin at = { "test", 1, 1 };
	char err[256] = "";
	pn_rules *r = NULL;

	if (pn_rules_new(&r) || pn_rules_add(r, text, strlen(text), &at, err, sizeof(err))) {
		fprintf(stderr, "rules: %s\n", err);
		pn_rules_free(r);
		return NULL;
	}
	return r;
}

static struct pn__enforcer *enforcer(pn_rules *r)
{
	struct pn__enforcer *e = calloc(1, sizeof(*e));

	if (!e)
		abort();
	e->fan_fd = answers[1];
	e->stop_fd = -1;
	e->ready_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	e->deadline_ns = 5 * PN_NS_PER_SEC;
	e->denials_tail = &e->denials;
	e->rules = r;
	e->rules_needs = pn__rules_needs(r, PN_RULE_DENY);
	pthread_mutex_init(&e->lock, NULL);
	pthread_cond_init(&e->wake, NULL);
	pthread_cond_init(&e->to_hash, NULL);
	if (pn__hashcache_init(&e->cache, 16))
		abort();
	return e;
}

/* What the test made: its ready descriptor (answers[] are main's), then
 * what the library frees of any enforcer. */
static void enforcer_free(struct pn__enforcer *e)
{
	close(e->ready_fd);
	pn__enforcer_free(e);
}

static struct pn__question question(int fd)
{
	return (struct pn__question){ .fd = fd, .pid = (uint32_t)getpid() };
}

/* The verdict on the file fd with the rules text, this process exec'ing. */
static int verdict(const char *text, int fd, int may_defer, char *rule, size_t cap)
{
	struct pn__enforcer *e = enforcer(rules(text));
	struct pn__question q = question(fd);
	int v = pn__enforce_decide(e, &e->main_d, &q, may_defer);

	snprintf(rule, cap, "%s", e->main_d.rule);
	enforcer_free(e);
	return v;
}

/* This process's name, as /proc/self/comm gives it. */
static const char *comm(void)
{
	static char buf[32];
	FILE *f = fopen("/proc/self/comm", "re");

	if (!f || !fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	if (f)
		fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return buf;
}

/* The first line of /proc/self/cgroup's v2 path ("0::PATH"). */
static int own_cgroup(char *path, size_t cap)
{
	char buf[4096];
	FILE *f = fopen("/proc/self/cgroup", "re");
	int found = 0;

	while (f && fgets(buf, sizeof(buf), f))
		if (!strncmp(buf, "0::/", 4)) {
			buf[strcspn(buf, "\n")] = 0;
			snprintf(path, cap, "%s", buf + 3);
			found = 1;
		}
	if (f)
		fclose(f);
	return found;
}

/* Each need a rule can have, read from this process's /proc: the rule
 * denies only when what was read is right. */
static void test_rules_needs(void)
{
	char path[4200], text[8192], rule[256], cg[4096], cwd[4096], parent[4096];
	int fd = make_file("prog", "#!/bin/true\n", path, sizeof(path));
	struct stat mnt, pidns;
	ssize_t n;

	CHECK(fd >= 0);
	/* The image alone: no /proc read; a rule of another file allows. */
	snprintf(text, sizeof(text), "deny img: image=%s/*", dir);
	CHECK(verdict(text, fd, 1, rule, sizeof(rule)) == 1);
	CHECK_STR(rule, "img");
	CHECK(verdict("deny image=/nonexistent/**", fd, 1, rule, sizeof(rule)) == 0);
	CHECK_STR(rule, "");
	/* The process: uid, comm, its working directory. */
	snprintf(text, sizeof(text), "deny uid=%u and comm=\"%s\"", (unsigned)getuid(), comm());
	CHECK(verdict(text, fd, 1, rule, sizeof(rule)) == 1);
	CHECK_STR(rule, "test:1");
	CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
	snprintf(text, sizeof(text), "deny cwd=%s", cwd);
	CHECK(verdict(text, fd, 1, rule, sizeof(rule)) == 1);
	snprintf(text, sizeof(text), "deny cwd=%s/elsewhere", cwd);
	CHECK(verdict(text, fd, 1, rule, sizeof(rule)) == 0);
	/* The cgroup v2 the process is in, by the inode of its directory. */
	if (own_cgroup(cg, sizeof(cg))) {
		snprintf(text, sizeof(text), "deny cgroup=%s", cg);
		CHECK(verdict(text, fd, 1, rule, sizeof(rule)) == 1);
	} else {
		CHECK(!"this host has no cgroup v2");
	}
	/* The namespaces, by inode. */
	CHECK(stat("/proc/self/ns/mnt", &mnt) == 0 && stat("/proc/self/ns/pid", &pidns) == 0);
	snprintf(text, sizeof(text), "deny mnt_ns=%lu and pid_ns=%lu", (unsigned long)mnt.st_ino,
		 (unsigned long)pidns.st_ino);
	CHECK(verdict(text, fd, 1, rule, sizeof(rule)) == 1);
	snprintf(text, sizeof(text), "deny mnt_ns=%lu", (unsigned long)mnt.st_ino + 1);
	CHECK(verdict(text, fd, 1, rule, sizeof(rule)) == 0);
	/* The ancestors: the parent's image, and its parent's; the walk ends. */
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)getppid());
	n = readlink(path, parent, sizeof(parent) - 1);
	CHECK(n > 0);
	parent[n > 0 ? n : 0] = 0;
	snprintf(text, sizeof(text), "deny ancestor.image=%s", parent);
	CHECK(verdict(text, fd, 1, rule, sizeof(rule)) == 1);
	CHECK(verdict("deny ancestor.image=/nonexistent/x", fd, 1, rule, sizeof(rule)) == 0);
	/* The exec's arguments: this process waits in no execve, they stay
	 * unknown and an argv rule is false. */
	CHECK(verdict("deny argv*=x", fd, 1, rule, sizeof(rule)) == 0);
	close(fd);
}

/* A hash rule: deferred while the cache lacks the file, decided once it
 * is read; a question whose file cannot be named is an error (allowed). */
static void test_hash_defer(void)
{
	char path[4200], text[256], hex[65], rule[256];
	int fd = make_file("hashed", "#!/bin/true\nhashed\n", path, sizeof(path));
	struct pn__enforcer *e;
	struct pn__question q;

	CHECK(fd >= 0);
	hex_of(fd, hex);
	snprintf(text, sizeof(text), "deny h: image_sha256=%s", hex);
	e = enforcer(rules(text));
	q = question(fd);
	CHECK(pn__enforce_decide(e, &e->main_d, &q, 1) == PN__VERDICT_DEFER);
	CHECK(pn__enforce_decide(e, &e->hash_d, &q, 0) == 1);
	CHECK_STR(e->hash_d.rule, "h");
	/* The denial's event carries the hash it was decided on. */
	CHECK(e->hash_d.work.ev.have & PN_HAVE_SHA256);
	CHECK(e->hash_d.work.ev.image_sha256.len == 64 &&
	      !memcmp(e->hash_d.work.ev.image_sha256.ptr, hex, 64));
	/* Now cached: decided at once, without deferring. */
	CHECK(pn__enforce_decide(e, &e->main_d, &q, 1) == 1);
	CHECK(e->cache.hits == 1 && e->cache.misses == 1);
	q.fd = -1;
	CHECK(pn__enforce_decide(e, &e->main_d, &q, 1) == -1);
	enforcer_free(e);
	/* No rules at all: every exec is allowed. */
	CHECK(verdict("", fd, 1, rule, sizeof(rule)) == 0);
	close(fd);
}

static int cb_calls;
static const uint8_t *cb_sha;

static int deny_all(const pn_exec_ctx *c, void *user, const char **rule)
{
	cb_calls++;
	cb_sha = c->sha256;
	*rule = user;
	return c->ev->image.len > 0;
}

/* The caller's callback: it names the rule, or none (an empty name), and
 * is not called until the hash it asked for is there. */
static void test_callback(void)
{
	char path[4200];
	int fd = make_file("cb", "#!/bin/true\ncb\n", path, sizeof(path));
	struct pn__enforcer *e = enforcer(NULL);
	struct pn__question q = question(fd);

	e->opt.decide = deny_all;
	e->opt.user = "mine";
	e->opt.needs = PN_NEED_PROC;
	CHECK(pn__enforce_decide(e, &e->main_d, &q, 1) == 1);
	CHECK_STR(e->main_d.rule, "mine");
	CHECK(cb_calls == 1 && cb_sha == NULL);
	/* A denial's event names the process, its parent's image, its cwd. */
	CHECK((e->main_d.work.ev.have & (PN_HAVE_COMM | PN_HAVE_CWD | PN_HAVE_PARENT_IMAGE)) ==
	      (PN_HAVE_COMM | PN_HAVE_CWD | PN_HAVE_PARENT_IMAGE));
	e->opt.user = NULL;
	e->opt.needs = PN_NEED_SHA256;
	CHECK(pn__enforce_decide(e, &e->main_d, &q, 1) == PN__VERDICT_DEFER);
	CHECK(cb_calls == 1);
	CHECK(pn__enforce_decide(e, &e->main_d, &q, 0) == 1);
	CHECK(cb_calls == 2 && cb_sha != NULL);
	CHECK_STR(e->main_d.rule, "");
	enforcer_free(e);
	close(fd);
}

/* The answers written to the pipe: fd and response of each, in order. */
static int read_answers(struct fanotify_response *r, int max)
{
	ssize_t n = read(answers[0], r, (size_t)max * sizeof(*r));

	return n < 0 ? 0 : (int)(n / (ssize_t)sizeof(*r));
}

static void defer_q(struct pn__enforcer *e, int fd, int answered)
{
	struct pn__question q = question(fd);

	q.answered = answered;
	q.deferred = 1;
	e->deferred[(e->dhead + e->dcount++) % PN__DEFER_LEN] = q;
}

/* The hasher: it decides the deferred questions in order, answers those
 * the watchdog has not, queues the denials; stopped, it allows what is
 * left unread. */
static void test_hasher(void)
{
	char path[4200], text[256], hex[65];
	int bad = make_file("bad", "#!/bin/true\nbad\n", path, sizeof(path));
	int good = make_file("good", "#!/bin/true\ngood\n", path, sizeof(path));
	struct fanotify_response r[8];
	struct pn__enforcer *e;
	pthread_t t;
	uint64_t ready = 0;
	int n;

	hex_of(bad, hex);
	snprintf(text, sizeof(text), "deny bad: image_sha256=%s", hex);
	e = enforcer(rules(text));
	pthread_mutex_lock(&e->lock);
	defer_q(e, dup(bad), 0);
	defer_q(e, dup(good), 0);
	defer_q(e, dup(good), 1); /* allowed by the watchdog meanwhile */
	pthread_mutex_unlock(&e->lock);
	CHECK(pthread_create(&t, NULL, pn__enforce_hasher_main, e) == 0);
	for (int i = 0; i < 3000; i++) { /* 30 s at most */
		pthread_mutex_lock(&e->lock);
		n = (int)e->dcount;
		pthread_mutex_unlock(&e->lock);
		if (!n)
			break;
		usleep(10000);
	}
	n = read_answers(r, 8);
	CHECK(n == 2);
	CHECK(n >= 1 && r[0].response == FAN_DENY);
	CHECK(n >= 2 && r[1].response == FAN_ALLOW);
	CHECK(e->st.denied == 1 && e->st.allowed == 1);
	CHECK(read(e->ready_fd, &ready, sizeof(ready)) == sizeof(ready) && ready == 1);
	CHECK(e->denials && !e->denials->next && !strcmp(e->denials->rule, "bad"));
	/* The queued denial's strings are its own, not the hasher's. */
	CHECK(e->denials && e->denials->info.ev.image.ptr == e->denials->info.image);
	CHECK(e->cache.misses == 2);
	/* Stopped with questions still deferred: the unanswered are allowed. */
	pthread_mutex_lock(&e->lock);
	e->stopping = 1;
	defer_q(e, dup(bad), 1);
	defer_q(e, dup(good), 0);
	pthread_cond_signal(&e->to_hash);
	pthread_mutex_unlock(&e->lock);
	pthread_join(t, NULL);
	n = read_answers(r, 8);
	CHECK(n == 1 && r[0].response == FAN_ALLOW);
	CHECK(e->dcount == 0 && e->st.denied == 1);
	enforcer_free(e);
	close(bad);
	close(good);
}

/* An answer the kernel no longer takes is counted, and nothing waits. */
static void test_answer_refused(void)
{
	struct pn__enforcer *e = enforcer(NULL);
	struct pn__question q = question(-1);

	e->fan_fd = -1;
	pn__enforce_answer(e, &q, FAN_ALLOW);
	CHECK(q.answered == 1 && e->st.error_allowed == 1);
	enforcer_free(e);
}

/* A copy's strings point into the copy; one that points elsewhere (not
 * into the original) stays as it was. */
static void test_rebase(void)
{
	static char outside[] = "elsewhere";
	struct pn__exec_info *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	char path[4200], on_stack[] = "on the stack";
	int fd = make_file("rebase", "x", path, sizeof(path));

	CHECK(pn__exec_info_fill(a, fd, (uint32_t)getpid(), NULL) == 0);
	pn__exec_info_need(a, PN_NEED_PROC | PN_NEED_CWD | PN_NEED_ANCESTORS);
	a->ev.container_id = (pn_str){ outside, sizeof(outside) - 1 };
	a->ev.cgroup = (pn_str){ on_stack, sizeof(on_stack) - 1 };
	*b = *a;
	pn__exec_info_rebase(b, a);
	CHECK(b->ev.image.ptr == b->image && b->ev.cwd.ptr == b->cwd && b->ev.comm.ptr == b->comm);
	CHECK(b->ctx.ev == &b->ev && b->ctx.ancestors == b->anc);
	CHECK(b->ctx.nancestors >= 1 && b->anc[0].ptr >= b->anc_buf &&
	      b->anc[0].ptr < b->anc_buf + sizeof(b->anc_buf));
	CHECK(b->ev.container_id.ptr == outside && b->ev.cgroup.ptr == on_stack);
	CHECK(b->ev.argv.ptr == NULL);
	memset(a, 0, sizeof(*a)); /* the copy needs nothing of the original */
	CHECK(!strncmp(b->ev.image.ptr, path, b->ev.image.len) && b->ev.image.len == strlen(path));
	free(a);
	free(b);
	close(fd);
}

/* The process gone before its exec is decided, and a file that cannot be
 * hashed: what cannot be read stays unknown, and nothing waits for it. */
static void test_unreadable(void)
{
	struct pn__exec_info *x = calloc(1, sizeof(*x));
	struct pn__hashcache c;
	pn_str parent;
	pid_t pid = fork();
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	CHECK(pn__hashcache_init(&c, 4) == 0);
	CHECK(pn__exec_info_fill(x, fd, (uint32_t)pid, &c) == 0);
	pn__exec_info_need(x, PN_NEED_PROC | PN_NEED_CWD | PN_NEED_ANCESTORS | PN_NEED_CGROUP |
				      PN_NEED_NS | PN_NEED_ARGV | PN_NEED_SHA256);
	CHECK(x->ev.have == (PN_HAVE_IMAGE | PN_HAVE_IMAGE_ID));
	CHECK(x->ctx.nancestors == 0 && x->ev.cgroup_id == 0 && x->ctx.sha256 == NULL);
	CHECK(x->hash_missing == 0); /* read, and failed: not waiting for the hasher */
	CHECK(pn__exec_info_ancestor(x, 1, &parent) == -ENOENT);
	pn__exec_info_complete(x);
	CHECK(x->ev.have == (PN_HAVE_IMAGE | PN_HAVE_IMAGE_ID));
	pn__hashcache_free(&c);
	close(fd);
	free(x);
}

/* A file whose path is longer than the kernel will print: the question
 * cannot name it, and is not decided (allowed as an error). */
static void test_unnamed_file(void)
{
	struct pn__exec_info *x = calloc(1, sizeof(*x));
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), fd;
	char name[250];

	memset(name, 'd', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	for (int i = 0; i < 20 && dfd >= 0; i++) { /* 20 levels of 250 bytes: 5000 */
		int next;

		mkdirat(dfd, name, 0700);
		next = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		close(dfd);
		dfd = next;
	}
	fd = openat(dfd, "prog", O_RDWR | O_CREAT | O_CLOEXEC, 0700);
	CHECK(fd >= 0);
	CHECK(pn__exec_info_fill(x, fd, (uint32_t)getpid(), NULL) == -ENAMETOOLONG);
	close(fd);
	close(dfd);
	free(x);
}

static void test_hashcache(void)
{
	char path[4200], path2[4200];
	int a = make_file("ha", "aaaa", path, sizeof(path));
	int b = make_file("hb", "bbbbbb", path2, sizeof(path2));
	int d = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct pn__hashcache c;
	uint8_t out[PN_SHA256_LEN], first[PN_SHA256_LEN];
	struct stat sa, sb, sd, odd;
	char hex[65], want[65];

	CHECK(pn__hashcache_init(&c, 5) == 0 && c.nslots == 8);
	pn__hashcache_free(&c);
	CHECK(pn__hashcache_init(&c, 1) == 0 && c.nslots == 1); /* one slot: b evicts a */
	CHECK(fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && fstat(d, &sd) == 0);
	CHECK(pn__hashcache_lookup(&c, &sa, out) == -ENOENT);
	CHECK(pn__hashcache_get(&c, a, &sa, first) == 0);
	pn__sha256_hex(first, hex);
	hex_of(a, want);
	CHECK_STR(hex, want);
	CHECK(pn__hashcache_get(&c, a, &sa, out) == 0 && !memcmp(out, first, sizeof(out)));
	CHECK(c.hits == 1 && c.misses == 1);
	CHECK(pn__hashcache_get(&c, b, &sb, out) == 0 && c.misses == 2);
	CHECK(pn__hashcache_lookup(&c, &sa, out) == -ENOENT);
	CHECK(pn__hashcache_lookup(&c, &sb, out) == 0);
	/* Any change of identity is a miss: a mode change moves ctime only. */
	CHECK(fchmod(b, 0700) == 0 && fstat(b, &odd) == 0);
	CHECK(odd.st_ctim.tv_nsec != sb.st_ctim.tv_nsec || odd.st_ctim.tv_sec != sb.st_ctim.tv_sec);
	CHECK(pn__hashcache_lookup(&c, &odd, out) == -ENOENT);
	odd = sb;
	odd.st_mtim.tv_sec++;
	CHECK(pn__hashcache_lookup(&c, &odd, out) == -ENOENT);
	odd = sb;
	odd.st_size++;
	CHECK(pn__hashcache_lookup(&c, &odd, out) == -ENOENT);
	odd = sb;
	odd.st_dev++;
	CHECK(pn__hashcache_lookup(&c, &odd, out) == -ENOENT);
	/* The file is not what its fstat said: shorter than st_size, or
	 * changed since (mtime): -ESTALE, nothing cached. */
	odd = sa;
	odd.st_size++;
	CHECK(pn__hashcache_get(&c, a, &odd, out) == -ESTALE);
	odd = sa;
	odd.st_mtim.tv_nsec ^= 1;
	CHECK(pn__hashcache_get(&c, a, &odd, out) == -ESTALE);
	CHECK(c.misses == 2);
	/* What cannot be read: a directory. */
	CHECK(pn__hashcache_get(&c, d, &sd, out) == -EISDIR);
	pn__hashcache_free(&c);
	close(a);
	close(b);
	close(d);
}

int main(void)
{
	char cmd[64];

	if (!mkdtemp(dir) || pipe2(answers, O_CLOEXEC | O_NONBLOCK))
		return 1;
	test_rules_needs();
	test_hash_defer();
	test_callback();
	test_hasher();
	test_answer_refused();
	test_rebase();
	test_unnamed_file();
	test_unreadable();
	test_hashcache();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd)) {
		/* a temporary directory left behind fails nothing */
	}
	close(answers[0]);
	close(answers[1]);
	return pn_test_done("test_enforce_decide");
}
