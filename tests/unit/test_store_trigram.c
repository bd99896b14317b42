/*
 * The piece of `query --argv TEXT` asked of the trigram index leaves out
 * a trigram that most strings hold, however its hits lie among the ids.
 * After a day's retention of a 10-million-event log, the oldest strings
 * left were the few still in use: the first 256 hits of "src" spread over
 * 145,000 ids instead of 511, the reader took it for a rare trigram, and
 * `--argv src/m10/f1234.c` read the whole list of "src" (318 ms, 47 ms
 * once the reader estimated from the newest hits). Here the strings are
 * written in that order: a stretch where one in 100 holds "src", then a
 * stretch where all do, then the few that hold the text.
 */
#include <stdio.h>
#include <string.h>
#include <sqlite3.h>
#include "check.h"
#include "store_open.h"
#include "testdir.h"
#include "procnotify.h"
#include "procnotify/store.h"
#include "store/db.h"
#include "store/trigram.h"

#define SPARSE 20000 /* one in SPARSE_EVERY of these holds "src" */
#define SPARSE_EVERY 100
#define DENSE 10000  /* these all do */
#define NEEDLES 50   /* these hold the text */
#define BOOT 0x5c645282e5804455ULL
#define T0 (1767225600LL * 1000000000)

static char dir[] = "/tmp/pn-test-trigram-XXXXXX";
static char path[256];

/* The arguments of string i, in the order they are first stored. */
static int args_of(uint32_t i, char *args, size_t size)
{
	if (i < SPARSE)
		return i % SPARSE_EVERY ? snprintf(args, size, "obj/o%u.o", i)
					: snprintf(args, size, "src/s%u.c", i);
	if (i < SPARSE + DENSE)
		return snprintf(args, size, "src/d%u.c", i);
	return snprintf(args, size, "src/needle%u.c", i);
}

static void write_log(void)
{
	pn_store_options o = { .queue_bytes = 512u << 20 };
	char args[64];
	pn_store *s = store_open(path, PN_STORE_WRITE, &o);

	for (uint32_t i = 0; s && i < SPARSE + DENSE + NEEDLES; i++) {
		pn_event ev = { 0 };

		ev.seq = i + 1;
		ev.type = PN_EVENT_EXEC;
		ev.time_ns = T0 + (int64_t)i * 1000;
		ev.pid = 1000 + i % 30000;
		ev.ppid = 1;
		ev.key = (pn_key){ BOOT, 1000000 + i, ev.pid, 'L' };
		ev.parent_key = (pn_key){ BOOT, 1, 1, 'L' };
		ev.have = PN_HAVE_START | PN_HAVE_PARENT | PN_HAVE_IMAGE | PN_HAVE_ARGV;
		ev.comm = (pn_str){ "cc", 2 };
		ev.image = (pn_str){ "/usr/bin/cc", 11 };
		ev.argv = (pn_str){ args, (size_t)args_of(i, args, sizeof(args)) };
		ev.argc = 1;
		ev.duration_ns = -1;
		pn_store_event(&ev, s);
	}
	CHECK(s && pn_store_close(s) == 0);
}

static int visit(const pn_event *ev, void *user)
{
	(void)ev;
	(void)user;
	return 0;
}

static int count_events(const char *argv)
{
	pn_store_filter f = { .argv = argv };
	pn_store *r = NULL;
	int n;

	r = store_open(path, PN_STORE_READ, NULL);
	if (!r)
		return -1;
	n = pn_store_query(r, &f, visit, NULL);
	pn_store_close(r);
	return n;
}

int main(void)
{
	struct pn__db d = { 0 };
	pn_buf phrase = { 0 };
	int64_t strings = 0;

	if (testdir_make(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/log.db", dir);
	write_log();
	CHECK(pn__db_open(&d, path, SQLITE_OPEN_READONLY) == 0);
	CHECK(pn__trigram_phrase(&d, "src/needle", &phrase, &strings) == 0);
	CHECK(phrase.data && !phrase.oom);
	/* The rare trigrams, and none of the common "src" and "rc/". */
	CHECK(phrase.data && strstr(phrase.data, "\"nee\""));
	CHECK(phrase.data && !strstr(phrase.data, "\"src\"") && !strstr(phrase.data, "\"rc/\""));
	if (phrase.data && strstr(phrase.data, "\"rc/\""))
		fprintf(stderr, "  asked the index for %s: %lld strings\n", phrase.data,
			(long long)strings);
	CHECK(strings == NEEDLES);
	pn_buf_free(&phrase);
	pn__db_close(&d);
	/* The piece changes what is read, never the answer. */
	CHECK(count_events("src/needle") == NEEDLES);
	CHECK(count_events("rc/d") == DENSE);
	testdir_remove(dir);
	return pn_test_done("test_store_trigram");
}
