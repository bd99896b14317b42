/*
 * The log's writer thread as a caller sees it: started once, by
 * pn_store_start() or the first event, never for a log open for reading;
 * pn_store_due_ms() -1 (the thread keeps its own time); and under a flood
 * into a small queue, every event either in the log or counted, exactly,
 * in a lost record there, and the same count in pn_store_take_lost().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "check.h"
#include "testdir.h"
#include "procnotify.h"
#include "procnotify/store.h"

#define NS 1000000000LL
#define FLOOD 20000

static char dir[] = "/tmp/pn-test-writer-XXXXXX";
static char path[256];

static pn_event fork_of(uint32_t pid)
{
	pn_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = PN_EVENT_FORK;
	ev.seq = pid;
	ev.time_ns = 1900000000LL * NS + pid;
	ev.pid = ev.tid = pid;
	ev.duration_ns = -1;
	return ev;
}

struct tally {
	uint64_t forks, lost, lost_forks, gaps;
};

static int add_up(const pn_event *ev, void *user)
{
	struct tally *t = user;

	if (ev->type == PN_EVENT_FORK)
		t->forks++;
	if (ev->type == PN_EVENT_LOST) {
		t->gaps++;
		t->lost += ev->lost_count;
		t->lost_forks += ev->lost_by_type[PN_EVENT_FORK];
		CHECK(ev->lost_count_known && ev->lost_reason == PN_LOST_STORE);
	}
	return 0;
}

static void start_once(void)
{
	char err[256] = "";
	pn_store *s = NULL, *r = NULL;

	CHECK(pn_store_open(&s, path, PN_STORE_WRITE, NULL, err, sizeof(err)) == 0 && s);
	if (!s)
		return;
	CHECK(pn_store_due_ms(s) == -1);
	CHECK(pn_store_start(s) == 0 && pn_store_start(s) == 0);
	CHECK(pn_store_open(&r, path, PN_STORE_READ, NULL, err, sizeof(err)) == 0 && r);
	CHECK(pn_store_start(r) == 0 && pn_store_due_ms(r) == -1);
	pn_store_close(r);
	CHECK(pn_store_close(s) == 0);
}

/* Closes the writer, then counts what the log holds into t. */
static void close_and_count(pn_store *s, struct tally *t)
{
	char err[256] = "";

	CHECK(pn_store_close(s) == 0);
	s = NULL;
	CHECK(pn_store_open(&s, path, PN_STORE_READ, NULL, err, sizeof(err)) == 0 && s);
	if (!s)
		return;
	CHECK(pn_store_query(s, &(pn_store_filter){ 0 }, add_up, t) >= 0);
	pn_store_close(s);
}

static void flood(void)
{
	pn_store_options o = { .queue_bytes = 16 << 10 };
	char err[256] = "";
	pn_store *s = NULL;
	pn_event lost;
	uint64_t reported = 0;
	struct tally t = { 0 };

	CHECK(pn_store_open(&s, path, PN_STORE_WRITE, &o, err, sizeof(err)) == 0 && s);
	if (!s)
		return;
	for (uint32_t pid = 1; pid <= FLOOD; pid++) {
		pn_event ev = fork_of(pid);

		pn_store_event(&ev, s);
		if (pid % 1000 == 0 && pn_store_take_lost(s, &lost))
			reported += lost.lost_count;
	}
	CHECK(pn_store_commit(s) == 0);
	while (pn_store_take_lost(s, &lost))
		reported += lost.lost_count;
	CHECK(pn_store_failed(s) == 0);
	close_and_count(s, &t);
	/* A 16 KiB queue takes a few dozen events: some were refused on any
	 * machine but one whose writer outruns a loop of pn_store_event(). */
	CHECK(t.forks + t.lost == FLOOD);
	CHECK(t.lost == t.lost_forks && t.lost == reported);
	if (t.forks + t.lost != FLOOD || t.lost != reported)
		fprintf(stderr, "%llu forks, %llu lost in %llu gaps, %llu reported\n",
			(unsigned long long)t.forks, (unsigned long long)t.lost,
			(unsigned long long)t.gaps, (unsigned long long)reported);
}


/* A queue smaller than one event refuses every event: each must still be
 * counted, in a lost record of the log and in pn_store_take_lost(), or
 * the log must refuse such a queue at open. (Fails: every event vanishes,
 * no lost record is ever written, nothing is reported, nothing fails.) */
static void tiny_queue(void)
{
	pn_store_options o = { .queue_bytes = 64 };
	char err[256] = "";
	pn_store *s = NULL;
	pn_event lost;
	uint64_t reported = 0;
	struct tally t = { 0 };
	int rc = pn_store_open(&s, path, PN_STORE_WRITE, &o, err, sizeof(err));

	if (rc) {
		CHECK(rc == -EINVAL); /* refused at open: also a fix */
		return;
	}
	for (uint32_t pid = 1; pid <= 3; pid++) {
		pn_event ev = fork_of(pid);

		pn_store_event(&ev, s);
	}
	CHECK(pn_store_commit(s) == 0);
	while (pn_store_take_lost(s, &lost))
		reported += lost.lost_count;
	close_and_count(s, &t);
	CHECK(t.forks + t.lost == 3);
	CHECK(reported == 3);
}

int main(void)
{
	if (testdir_make(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/log.db", dir);
	start_once();
	snprintf(path, sizeof(path), "%s/flood.db", dir);
	flood();
	snprintf(path, sizeof(path), "%s/tiny.db", dir);
	tiny_queue();
	testdir_remove(dir);
	return pn_test_done("test_store_writer");
}
