/* Rules over the activity log (query --where): parent.image and
 * ancestor.image rebuilt from the rows as the live process table knew
 * them, a process older than the log known through its children's forks,
 * an ancestor that had exited no longer one, tags round-tripping. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "procnotify/rules.h"
#include "procnotify/store.h"
#include "check.h"

#define BOOT 0x1122334455667788ULL
#define T0 1790000000000000000LL

static char dir[] = "/tmp/pn-test-rules-log-XXXXXX";
static char path[256];

static pn_str S(const char *s)
{
	return (pn_str){ s, s ? strlen(s) : 0 };
}

/* An event of pid (start pid * 100), child of ppid, image when not NULL. */
static pn_event ev_of(enum pn_event_type type, uint32_t pid, uint32_t ppid, const char *image)
{
	static int64_t t = T0;
	pn_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.time_ns = t += 1000;
	ev.have = PN_HAVE_UID | PN_HAVE_PARENT | PN_HAVE_START | PN_HAVE_COMM;
	ev.pid = pid;
	ev.ppid = ppid;
	ev.key = (pn_key){ BOOT, (uint64_t)pid * 100, pid, 'L' };
	ev.parent_key = (pn_key){ BOOT, (uint64_t)ppid * 100, ppid, 'L' };
	ev.comm = S("x");
	ev.duration_ns = -1;
	if (image) {
		ev.image = S(image);
		ev.have |= PN_HAVE_IMAGE;
	}
	return ev;
}

/*
 * 10 (/bin/bash) ran before the log and has no row: only its child 20's
 * fork says its image. 20 execs make, forks 30 (cc, exits 1) and 40; 20
 * exits; then 40 execs, its parent still named 20. 50 forks from 10 too,
 * tagged live. 60 (sshd, child of 1) was running at the start: its
 * snapshot row says so, and 70, which it forks, reaches it and its parent.
 */
static int history(pn_event *ev)
{
	int n = 0;

	ev[n++] = ev_of(PN_EVENT_SNAPSHOT, 1, 0, "/sbin/init");       /* 1 */
	ev[n++] = ev_of(PN_EVENT_SNAPSHOT, 60, 1, "/usr/sbin/sshd");  /* 2 */
	ev[n++] = ev_of(PN_EVENT_FORK, 70, 60, "/usr/sbin/sshd");     /* 3 */

	ev[n++] = ev_of(PN_EVENT_FORK, 20, 10, "/bin/bash");     /* 1 */
	ev[n++] = ev_of(PN_EVENT_EXEC, 20, 10, "/usr/bin/make"); /* 2 */
	ev[n++] = ev_of(PN_EVENT_FORK, 30, 20, "/usr/bin/make"); /* 3 */
	ev[n++] = ev_of(PN_EVENT_EXEC, 30, 20, "/usr/bin/cc");   /* 4 */
	ev[n] = ev_of(PN_EVENT_EXIT, 30, 20, "/usr/bin/cc");     /* 5 */
	ev[n++].exit_code = 1;
	ev[n++] = ev_of(PN_EVENT_FORK, 40, 20, "/usr/bin/make"); /* 6 */
	ev[n++] = ev_of(PN_EVENT_EXIT, 20, 10, "/usr/bin/make"); /* 7 */
	ev[n++] = ev_of(PN_EVENT_EXEC, 40, 20, "/bin/x");        /* 8 */
	ev[n] = ev_of(PN_EVENT_FORK, 50, 10, "/bin/bash");       /* 9 */
	ev[n++].rules = (pn_str){ "web\0odd\0", 8 };
	ev[0].have &= ~PN_HAVE_PARENT;
	for (int i = 0; i < n; i++)
		ev[i].seq = (uint64_t)i + 1;
	return n;
}

struct run {
	pn_store *s;
	pn_rules *r;
	char seqs[64];
	char tags[64];
};

static int visit(const pn_event *ev, void *user)
{
	struct run *run = user;
	pn_rules_input in = { ev, NULL, pn__store_ancestor, run->s };
	pn_rules_verdict v;

	pn__store_ancestry_begin(run->s, ev);
	if (pn_rules_eval(run->r, &in, PN_RULES_OUTPUT, &v) == 0 && v.keep &&
	    ev->type != PN_EVENT_LOST)
		snprintf(run->seqs + strlen(run->seqs), sizeof(run->seqs) - strlen(run->seqs),
			 "%s%llu", run->seqs[0] ? "," : "", (unsigned long long)ev->seq);
	if (ev->rules.len == 8 && !memcmp(ev->rules.ptr, "web\0odd\0", 8))
		snprintf(run->tags, sizeof(run->tags), "%llu", (unsigned long long)ev->seq);
	return 0;
}

/* The seqs of the stored events expr selects, "1,2,3". */
static const char *where(pn_store *s, const char *expr, char *tags)
{
	static struct run run;
	pn_store_where w;
	char err[256];

	memset(&run, 0, sizeof(run));
	memset(&w, 0, sizeof(w));
	run.s = s;
	if (pn_rules_compile_expr(&run.r, expr, NULL, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return "error";
	}
	CHECK(pn_store_query_where(s, &w, visit, &run) >= 12);
	pn_rules_free(run.r);
	if (tags)
		strcpy(tags, run.tags);
	return run.seqs;
}

int main(void)
{
	pn_event ev[16];
	int n = history(ev);
	char err[256], tags[64] = "";
	pn_store *s = NULL;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/log.db", dir);
	CHECK(pn_store_open(&s, path, PN_STORE_WRITE, NULL, err, sizeof(err)) == 0);
	for (int i = 0; s && i < n; i++)
		pn_store_event(&ev[i], s);
	CHECK(pn_store_close(s) == 0);
	s = NULL;
	CHECK(pn_store_open(&s, path, PN_STORE_READ, NULL, err, sizeof(err)) == 0);
	if (!s)
		return pn_test_done("test_rules_log");
	/* 30's parent had exec'd make; 40's exec came after make exited. */
	CHECK_STR(where(s, "parent.image=/usr/bin/make", NULL), "6,7,8,9");
	/* 10 has no row: its children's forks say bash, and the walk ends. */
	CHECK_STR(where(s, "parent.image=/bin/bash", NULL), "4,5,10,12");
	CHECK_STR(where(s, "ancestor.image=/bin/bash", tags), "4,5,6,7,8,9,10,12");
	/* 60's snapshot row knows its image and its parent, 1. */
	CHECK_STR(where(s, "ancestor.image=/sbin/init", NULL), "2,3");
	CHECK_STR(where(s, "parent.image=/usr/sbin/sshd and type=fork", NULL), "3");
	CHECK_STR(where(s, "type=exit and not exit_code=0 and ancestor.image=/usr/bin/make", NULL),
		  "8");
	/* Tags came back from the log's rules column, each name whole. */
	CHECK_STR(tags, "12");
	pn_store_close(s);
	unlink(path);
	rmdir(dir);
	return pn_test_done("test_rules_log");
}
