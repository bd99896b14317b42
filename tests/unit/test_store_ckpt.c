/*
 * The checkpointer (src/lib/store/ckpt.c): once the writer thread runs, a
 * thread of its own copies the WAL into the file from PN__CKPT_FRAMES
 * frames on, which the writer's commits no longer do (SQLite's
 * autocheckpoint did it at 2048, on the writer's thread: 50 to 700 ms
 * commits on a 10-million-event log); the WAL starts over once it holds
 * PN__CKPT_RESTART_FRAMES, so it stays bounded; closing the log stops the
 * thread, and the last connection removes the WAL.
 *
 * What SQLite did is read from the -shm file, whose header the WAL format
 * documents: the WAL's frames (mxFrame) and how many are in the file
 * (nBackfill).
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "testdir.h"
#include "procnotify.h"
#include "procnotify/store.h"
#include "store/ckpt.h"

#define NS 1000000000LL
#define ARGV_BYTES 5000 /* longer than str_fts takes: no trigram work */
#define CHUNK 50

static char dir[] = "/tmp/pn-test-ckpt-XXXXXX";
static char path[256];

struct wal_state {
	uint32_t frames, copied;
};

static int wal_state(struct wal_state *w)
{
	char shm[300];
	unsigned char hdr[136];
	int fd;
	ssize_t n;

	snprintf(shm, sizeof(shm), "%s-shm", path);
	fd = open(shm, O_RDONLY);
	if (fd < 0)
		return -1;
	n = pread(fd, hdr, sizeof(hdr), 0);
	close(fd);
	if (n != (ssize_t)sizeof(hdr))
		return -1;
	memcpy(&w->frames, hdr + 16, 4); /* the first copy of the header */
	memcpy(&w->copied, hdr + 96, 4); /* the checkpoint information */
	return 0;
}

static int threads(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

/* CHUNK execs, each with arguments of its own, committed. */
static void write_chunk(pn_store *s, uint32_t *pid)
{
	static char argv[ARGV_BYTES];

	for (int i = 0; i < CHUNK; i++, (*pid)++) {
		pn_event ev;

		memset(&ev, 0, sizeof(ev));
		ev.type = PN_EVENT_EXEC;
		ev.time_ns = 1900000000LL * NS + *pid;
		ev.have = PN_HAVE_TID | PN_HAVE_ARGV;
		ev.pid = ev.tid = *pid;
		ev.key = (pn_key){ 1, *pid, *pid, 'L' };
		memset(argv, 'a' + *pid % 26, sizeof(argv));
		snprintf(argv, 16, "%u", *pid);
		ev.argv = (pn_str){ argv, sizeof(argv) };
		ev.argc = 1;
		ev.duration_ns = -1;
		pn_store_event(&ev, s);
	}
	CHECK(pn_store_commit(s) == 0);
}

/* Until the WAL holds at least frames frames, then what it holds. */
static struct wal_state write_until(pn_store *s, uint32_t *pid, uint32_t frames)
{
	struct wal_state w = { 0 };

	do
		write_chunk(s, pid);
	while (wal_state(&w) == 0 && w.frames < frames && *pid < 1000000);
	return w;
}

/* Whether the checkpointer copies every frame within 30 s (a busy machine). */
static int copied_all(struct wal_state *w)
{
	for (int i = 0; i < 3000; i++) {
		if (wal_state(w) == 0 && w->copied == w->frames)
			return 1;
		usleep(10000);
	}
	return 0;
}

int main(void)
{
	char err[256] = "", wal[300];
	int before = threads();
	struct wal_state w;
	uint32_t pid = 100, was;
	pn_store *s = NULL;

	if (testdir_make(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/log.db", dir);
	snprintf(wal, sizeof(wal), "%s-wal", path);
	CHECK(pn_store_open(&s, path, PN_STORE_WRITE, NULL, err, sizeof(err)) == 0 && s);
	if (!s) {
		fprintf(stderr, "%s\n", err);
		return pn_test_done("test_store_ckpt");
	}
	CHECK(pn_store_start(s) == 0);
	CHECK(threads() == before + 2); /* the writer and the checkpointer */

	/* Below the writer's own bound, only the checkpointer copies. */
	w = write_until(s, &pid, PN__CKPT_FRAMES);
	CHECK(w.frames >= PN__CKPT_FRAMES && w.frames < PN__CKPT_RESTART_FRAMES);
	CHECK(copied_all(&w));

	/* From the restart bound on, a commit that finds the checkpointer
	 * idle copies its own frames, and the next batch writes the WAL from
	 * its start. */
	w = write_until(s, &pid, PN__CKPT_RESTART_FRAMES);
	CHECK(copied_all(&w));
	was = w.frames;
	write_chunk(s, &pid);
	write_chunk(s, &pid);
	CHECK(wal_state(&w) == 0 && w.frames < was / 2);
	if (w.frames >= was / 2)
		fprintf(stderr, "the WAL went from %u frames to %u (%u copied)\n", was, w.frames,
			w.copied);

	CHECK(pn_store_close(s) == 0);
	CHECK(threads() == before);
	CHECK(access(wal, F_OK) != 0);
	testdir_remove(dir);
	return pn_test_done("test_store_ckpt");
}
