/*
 * The eBPF backend: open -> configure -> load -> attach, with one cleanup
 * path (bpf_close), in the manner of libbpf-bootstrap. Feature checks are
 * made at run time against the running kernel, never by version number.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <linux/capability.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "internal.h"
#include "procfs.h"
#include "procnotify/bpf_drops.h"
#include "procnotify.skel.h"

#define DEFAULT_RING (16u << 20)

struct bpf_state {
	pn_handle *h;
	struct pn_bpf *skel;
	struct ring_buffer *rb;
	struct bpf_link *iter_link;
	const struct pn_cpu_drops *drops; /* the kernel's counters, mmapped */
	size_t drops_len;
	int ncpus;
	char *snap_buf;
	size_t snap_cap;
	int init_seen;           /* this snapshot had pid 1 */
	uint64_t init_start;     /* pid 1's start, as its children's records give it */
};

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (!getenv("PN_DEBUG_LIBBPF"))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* Says what is missing before libbpf would fail with a bare errno. */
static int preflight(char *err, size_t errlen)
{
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		pn__errmsg(err, errlen, "kernel BTF is missing (/sys/kernel/btf/vmlinux): "
			   "the eBPF backend needs a kernel built with CONFIG_DEBUG_INFO_BTF");
		return -ENOENT;
	}
	if (!pn__has_cap(CAP_SYS_ADMIN) && !(pn__has_cap(CAP_BPF) && pn__has_cap(CAP_PERFMON))) {
		pn__errmsg(err, errlen, "not permitted: run as root, or with CAP_BPF and "
			   "CAP_PERFMON (or CAP_SYS_ADMIN)");
		return -EPERM;
	}
	return 0;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct bpf_state *s = ctx;

	pn__ingest(s->h, data, size);
	return 0;
}

static void bpf_close(void *state)
{
	struct bpf_state *s = state;

	/* Detach first so nothing fires while the ring is torn down. */
	bpf_link__destroy(s->iter_link);
	if (s->skel)
		pn_bpf__detach(s->skel);
	ring_buffer__free(s->rb);
	if (s->drops)
		munmap((void *)s->drops, s->drops_len);
	pn_bpf__destroy(s->skel);
	free(s->snap_buf);
	free(s);
}

/* Maps the per-CPU drop counters read-only, so reading them costs no syscall. */
static int map_drops(struct bpf_state *s)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t len = (size_t)s->ncpus * sizeof(struct pn_cpu_drops);
	void *p;

	len = (len + (size_t)page - 1) & ~((size_t)page - 1);
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, bpf_map__fd(s->skel->maps.drops), 0);
	if (p == MAP_FAILED)
		return -errno;
	s->drops = p;
	s->drops_len = len;
	return 0;
}

/* A test's scope (only_cgroup in the BPF program) from PN_TEST_CGROUP, in
 * the test build only (PN_TEST_HOOKS): a released monitor must not be
 * blinded by whoever sets its environment. */
static void test_scope(struct pn_bpf *skel)
{
#ifdef PN_TEST_HOOKS
	const char *id = getenv("PN_TEST_CGROUP");

	if (id)
		skel->rodata->only_cgroup = strtoull(id, NULL, 10);
#else
	(void)skel;
#endif
}

static int load_and_attach(struct bpf_state *s, const pn_options *opt, char *err, size_t errlen)
{
	uint32_t ring = opt->ring_bytes ? opt->ring_bytes : DEFAULT_RING;
	int rc;

	s->skel = pn_bpf__open();
	if (!s->skel) {
		pn__errmsg(err, errlen, "cannot open the BPF object: %s", strerror(errno));
		return -errno;
	}
	if ((rc = bpf_map__set_max_entries(s->skel->maps.events, ring))) {
		pn__errmsg(err, errlen, "ring size %u: must be a power of two, >= 4096", ring);
		return rc;
	}
	s->ncpus = libbpf_num_possible_cpus();
	if (s->ncpus < 0) {
		pn__errmsg(err, errlen, "cannot count the CPUs: %s", strerror(-s->ncpus));
		return s->ncpus;
	}
	/* A slot per CPU for the tracepoints, one more for the task iterator. */
	s->skel->rodata->nr_cpus = s->ncpus;
	if ((rc = bpf_map__set_max_entries(s->skel->maps.scratch_map, s->ncpus + 1)) ||
	    (rc = bpf_map__set_max_entries(s->skel->maps.drops, s->ncpus))) {
		pn__errmsg(err, errlen, "cannot size the per-CPU maps: %s", strerror(-rc));
		return rc;
	}
	/* Wake the reader when the ring is a quarter full; the timer does the rest. */
	s->skel->rodata->wakeup_bytes = ring / 4;
	test_scope(s->skel);
	bpf_program__set_autoattach(s->skel->progs.pn_snapshot, false);
	if ((rc = pn_bpf__load(s->skel))) {
		pn__errmsg(err, errlen, "the kernel refused the BPF programs (%s); "
			   "set PN_DEBUG_LIBBPF=1 to see the verifier log", strerror(-rc));
		return rc;
	}
	if ((rc = pn_bpf__attach(s->skel))) {
		pn__errmsg(err, errlen, "cannot attach to the sched_process_* tracepoints: %s",
			   strerror(-rc));
		return rc;
	}
	if ((rc = map_drops(s))) {
		pn__errmsg(err, errlen, "cannot map the drop counters: %s", strerror(-rc));
		return rc;
	}
	s->iter_link = bpf_program__attach_iter(s->skel->progs.pn_snapshot, NULL);
	if (!s->iter_link) {
		rc = -errno;
		pn__errmsg(err, errlen, "cannot create the task iterator: %s", strerror(-rc));
		return rc;
	}
	s->rb = ring_buffer__new(bpf_map__fd(s->skel->maps.events), on_record, s, NULL);
	if (!s->rb) {
		rc = -errno;
		pn__errmsg(err, errlen, "cannot map the ring buffer: %s", strerror(-rc));
		return rc;
	}
	return 0;
}

static int bpf_open(pn_handle *h, const pn_options *opt, void **state, char *err, size_t errlen)
{
	struct bpf_state *s;
	int rc = preflight(err, errlen);

	if (rc)
		return rc;
	libbpf_set_print(libbpf_print);
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->h = h;
	rc = load_and_attach(s, opt, err, errlen);
	if (rc) {
		bpf_close(s);
		return rc;
	}
	*state = s;
	return 0;
}

static int bpf_fd(void *state)
{
	return ring_buffer__epoll_fd(((struct bpf_state *)state)->rb);
}

static int bpf_drain(void *state)
{
	int n = ring_buffer__consume(((struct bpf_state *)state)->rb);

	return n < 0 ? n : 0;
}

static int bpf_drops(void *state, uint64_t *total, uint64_t by_type[PN_REC_TYPE_MAX])
{
	struct bpf_state *s = state;

	/* The total is the sum of the types, not the kernel's own total, which
	 * a handler bumps a moment later: the two always agree this way. */
	*total = 0;
	memset(by_type, 0, PN_REC_TYPE_MAX * sizeof(*by_type));
	for (int c = 0; c < s->ncpus; c++)
		for (int t = 0; t < PN_REC_TYPE_MAX; t++)
			by_type[t] += __atomic_load_n(&s->drops[c].by_type[t], __ATOMIC_RELAXED);
	for (int t = 0; t < PN_REC_TYPE_MAX; t++)
		*total += by_type[t];
	return 0;
}

/* A sequentially consistent store is a full barrier: a drain after it sees
 * every record made before a handler could see the flag (see the BPF side). */
static void bpf_park(void *state, int parked)
{
	__atomic_store_n(&((struct bpf_state *)state)->skel->bss->consumer_parked, parked,
			 __ATOMIC_SEQ_CST);
}

/* Feeds whole records from buf to the core; returns the bytes consumed. */
static size_t feed_records(struct bpf_state *s, const char *buf, size_t len)
{
	size_t off = 0;

	while (len - off >= sizeof(struct pn_rec_hdr)) {
		const struct pn_rec_hdr *hdr = (const void *)(buf + off);
		const struct pn_rec_snapshot *r = (const void *)hdr;

		if (hdr->size < sizeof(*hdr) || hdr->size > len - off)
			break;
		if (hdr->size >= sizeof(*r) && r->task.pid == 1)
			s->init_seen = 1;
		if (hdr->size >= sizeof(*r) && r->task.ppid == 1 && (r->task.known & PN_KNOWN_PARENT))
			s->init_start = r->task.parent_start_ns;
		pn__ingest(s->h, buf + off, hdr->size);
		off += hdr->size;
	}
	return off;
}

/*
 * The kernel's task iterator does not always show pid 1 (a 6.18 kernel in
 * a Firecracker VM starts after it, as a trivial iterator shows too), and
 * without it no tree reaches the top. Its children's records give its
 * start exactly (the key its events use); /proc gives the rest.
 */
static void add_init(struct bpf_state *s)
{
	struct {
		struct pn_rec_snapshot r;
		char image[PN_PATH_MAX + 8]; /* room for the alignment */
	} rec;
	struct pn__procstat st;
	ssize_t n;
	int truncated;

	if (s->init_seen || !s->init_start || pn__procfs_stat(1, &st))
		return;
	memset(&rec.r, 0, sizeof(rec.r));
	rec.r.task = (struct pn_rec_task){ .pid = 1, .tid = 1, .start_ns = s->init_start,
					   .known = PN_KNOWN_START | PN_KNOWN_TID | PN_KNOWN_COMM };
	memcpy(rec.r.task.comm, st.comm, sizeof(rec.r.task.comm));
	if (!pn__procfs_ids(1, &rec.r.task.uid, &rec.r.task.gid, &rec.r.task.euid))
		rec.r.task.known |= PN_KNOWN_UID;
	n = pn__procfs_link(1, "exe", rec.image, PN_PATH_MAX, &truncated);
	if (n > 0 && !truncated) {
		rec.r.image = (struct pn_strref){ sizeof(rec.r), (uint32_t)n };
		rec.r.task.known |= PN_KNOWN_IMAGE;
	}
	rec.r.hdr = (struct pn_rec_hdr){ .type = PN_REC_SNAPSHOT, .version = PN_REC_VERSION,
		.size = (uint32_t)PN_REC_ALIGN(sizeof(rec.r) + (size_t)(n > 0 && !truncated ? n : 0)),
		.time_ns = pn__clock_ns(CLOCK_MONOTONIC) };
	pn__ingest(s->h, &rec, rec.r.hdr.size);
}

static int bpf_snapshot(void *state)
{
	struct bpf_state *s = state;
	size_t have = 0, used;
	ssize_t n;
	int fd = bpf_iter_create(bpf_link__fd(s->iter_link));

	if (fd < 0)
		return -errno;
	if (!s->snap_buf) {
		s->snap_cap = PN_REC_BUF;
		s->snap_buf = malloc(s->snap_cap);
		if (!s->snap_buf) {
			close(fd);
			return -ENOMEM;
		}
	}
	s->init_seen = 0;
	s->init_start = 0;
	/* Records can straddle read() boundaries: keep the tail for the next read. */
	while ((n = read(fd, s->snap_buf + have, s->snap_cap - have)) > 0) {
		have += (size_t)n;
		used = feed_records(s, s->snap_buf, have);
		memmove(s->snap_buf, s->snap_buf + used, have - used);
		have -= used;
	}
	close(fd);
	if (n >= 0)
		add_init(s);
	return n < 0 ? -errno : 0;
}

const struct pn__backend_ops pn__bpf_backend = {
	.name = "bpf",
	.open = bpf_open,
	.fd = bpf_fd,
	.drain = bpf_drain,
	.drops = bpf_drops,
	.park = bpf_park,
	.snapshot = bpf_snapshot,
	.close = bpf_close,
	/* The ring and the drop counters are mapped, and a resync makes a new
	 * iterator from the attached link (BPF_ITER_CREATE): none. */
	.steady_caps = 0,
};
