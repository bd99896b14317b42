/*
 * The process spec of `procnotify tree` (a pid or a key "L:<boot>:<start>:
 * <pid>") on any text, resolved against a small log of known processes
 * (PN_FUZZ_TREE_DB, by default the seed log of the sqlite target): refused
 * as malformed, not found, or walked.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include "procnotify/format.h"
#include "procnotify/store.h"
#include "fuzz.h"

static pn_store *store;
static char path[4096];

static void remove_copy(void)
{
	static const char *const suffix[] = { "", "-wal", "-shm" };
	char p[sizeof(path) + 16];

	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, suffix[i]);
		unlink(p);
	}
}

static int copy_file(const char *from, const char *to)
{
	char buf[65536];
	int in = open(from, O_RDONLY | O_CLOEXEC), out;
	ssize_t n;

	if (in < 0)
		return -1;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	while (out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			n = -1;
	close(in);
	if (out >= 0)
		close(out);
	return out < 0 ? -1 : 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *seed = getenv("PN_FUZZ_TREE_DB");
	const char *dir = getenv("PN_FUZZ_TMP") ? getenv("PN_FUZZ_TMP") : "/tmp";
	char err[256] = "cannot copy it";

	snprintf(path, sizeof(path), "%s/pn-fuzz-tree-%d.db", dir, (int)getpid());
	/* Opened for writing once, as the monitor would: a seed of an older
	 * schema is migrated. */
	if (copy_file(seed ? seed : "tests/fuzz/corpus/fuzz_sqlite/golden.db", path) ||
	    pn_store_open(&store, path, PN_STORE_WRITE, NULL, err, sizeof(err)) ||
	    pn_store_close(store) ||
	    pn_store_open(&store, path, PN_STORE_READ, NULL, err, sizeof(err))) {
		fprintf(stderr, "fuzz_tree_key: cannot open the log %s: %s\n", path, err);
		abort();
	}
	atexit(remove_copy);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static pn_buf out, note;
	pn_fmt_tree t = { &out, size & 1, 0 };
	char *spec = fuzz_cstr(data, size);
	int rc;

	pn_buf_reset(&out);
	pn_buf_reset(&note);
	rc = pn_store_tree_fmt(store, spec, &t, &note);
	FUZZ_ASSERT(rc == 0 || rc == -ENOENT || rc == -EINVAL);
	free(spec);
	return 0;
}
