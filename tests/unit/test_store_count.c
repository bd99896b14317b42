/*
 * `query --count` reads what the count needs, not the whole log: counted
 * by the bytes the process reads (/proc/self/io, rchar), a count of one
 * process's events, with the lost records beside them, reads a few pages.
 * It used to read the whole time index for the lost records' part (SQLite
 * chose event_time, which holds the type, over event_lost): 0.3 s on 10
 * million events for a count whose answer was 3.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "check.h"
#include "rchar.h"
#include "testdir.h"
#include "procnotify.h"
#include "procnotify/store.h"

#define PROCS 20000
#define BOOT 0x5c645282e5804455ULL

static char dir[] = "/tmp/pn-test-count-XXXXXX";
static char path[256];

/* Each process a fork and an exit, and one lost record among them. */
static void write_log(void)
{
	/* Room for every event: a queue that overflows adds lost records. */
	pn_store_options o = { .queue_bytes = 512u << 20 };
	char err[256] = "";
	pn_store *s = NULL;

	CHECK(pn_store_open(&s, path, PN_STORE_WRITE, &o, err, sizeof(err)) == 0 && s);
	for (uint32_t i = 0; s && i < PROCS; i++) {
		pn_event ev = { 0 };

		ev.seq = 2 * i + 1;
		ev.type = PN_EVENT_FORK;
		ev.time_ns = 1767225600LL * 1000000000 + (int64_t)i * 1000;
		ev.pid = 1000 + i;
		ev.ppid = 1;
		ev.key = (pn_key){ BOOT, 1000000 + i, ev.pid, 'L' };
		ev.parent_key = (pn_key){ BOOT, 1, 1, 'L' };
		ev.have = PN_HAVE_START | PN_HAVE_PARENT;
		pn_store_event(&ev, s);
		ev.seq++;
		ev.type = i == PROCS / 2 ? PN_EVENT_LOST : PN_EVENT_EXIT;
		ev.lost_count = 7;
		ev.lost_count_known = 1;
		pn_store_event(&ev, s);
	}
	CHECK(s && pn_store_close(s) == 0);
}

int main(void)
{
	pn_store_term t = { PN_WHERE_PID, NULL, 1000 + 17 };
	pn_store_where w = { .terms = &t, .nterms = 1 };
	struct stat st;
	pn_store *r = NULL;
	uint64_t n = 0;
	long long before, read;

	if (testdir_make(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/log.db", dir);
	write_log();
	CHECK(stat(path, &st) == 0 && st.st_size > 1 << 20);
	CHECK(pn_store_open(&r, path, PN_STORE_READ, NULL, NULL, 0) == 0 && r);
	before = rchar();
	CHECK(r && pn__store_count(r, &w, &n) == 0);
	read = rchar() - before;
	/* The process's fork and exit, and the lost record, which every
	 * process filter shows. */
	CHECK(n == 3);
	/* Some pages of indexes and rows, about 1% of the file; the time
	 * index alone is 11 to 12% of it. */
	CHECK(before >= 0 && read < st.st_size / 20);
	if (read >= st.st_size / 20)
		fprintf(stderr, "  the count read %lld bytes of a %lld-byte log\n", read,
			(long long)st.st_size);
	if (r)
		pn_store_close(r);
	testdir_remove(dir);
	return pn_test_done("test_store_count");
}
