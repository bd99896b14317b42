/*
 * The cgroups of processes, against a cgroup tree of the test's own (a
 * temporary directory as the v2 root): one entry per path, its id the
 * directory's inode, found again by path and by id through colliding hash
 * chains, the bound on entries, and what each event type does to a
 * process's cgroup (a fork inherits, an exec's id finds it, others read
 * /proc once).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "linux/cgroup.h"
#include "proctable.h"
#include "check.h"

#define CG_MAX 65536 /* PN__CG_MAX in cgroup.c */
#define HEX "3f1a2b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70a"

#define DOCKER "/system.slice/docker-" HEX ".scope"

static char root[] = "/tmp/pn-cgroup.XXXXXX";

static uint64_t inode_of(const char *path)
{
	char full[4200];
	struct stat st;

	snprintf(full, sizeof(full), "%s%s", root, path);
	return stat(full, &st) ? 0 : (uint64_t)st.st_ino;
}

static void mkdirs(const char *path)
{
	char full[4200];

	snprintf(full, sizeof(full), "mkdir -p '%s%s'", root, path);
	if (system(full))
		fprintf(stderr, "cannot make %s\n", full);
}

/* This process's cgroup path, as /proc/self/cgroup gives it. */
static size_t own_path(char *buf, size_t cap, const char **path)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	size_t n = f ? fread(buf, 1, cap, f) : 0;

	if (f)
		fclose(f);
	return pn__cg_parse(buf, n, path);
}

static void test_intern(void)
{
	struct pn__cgroups t = { .root = root };
	const struct pn__cg *docker, *again, *missing, *longer;
	static char path[64], deep[5000];
	size_t n = 0;

	mkdirs(DOCKER);
	docker = pn__cg_intern(&t, DOCKER, strlen(DOCKER));
	CHECK(docker && docker->id == inode_of(DOCKER) && docker->id);
	CHECK(docker && docker->container.len == 64 && !memcmp(docker->container.ptr, HEX, 64));
	CHECK(docker && docker->path.len == strlen(DOCKER) && !strcmp(docker->path.ptr, DOCKER));
	again = pn__cg_intern(&t, DOCKER, strlen(DOCKER));
	CHECK(again == docker && t.n == 1);
	/* A path with no directory (gone, or v1), and one too long to look up. */
	missing = pn__cg_intern(&t, "/gone", 5);
	CHECK(missing && missing->id == 0 && missing->container.len == 0);
	memset(deep, 'd', sizeof(deep));
	deep[0] = '/';
	longer = pn__cg_intern(&t, deep, sizeof(deep));
	CHECK(longer && longer->id == 0 && longer->path.len == sizeof(deep));
	/* 2,000 more paths share 1,024 chains: each is found as itself. */
	for (int i = 0; i < 2000; i++) {
		int k = snprintf(path, sizeof(path), "/p%d", i);

		n += pn__cg_intern(&t, path, (size_t)k) != NULL;
	}
	CHECK(n == 2000 && t.n == 2003);
	n = 0;
	for (int i = 0; i < 2000; i++) {
		int k = snprintf(path, sizeof(path), "/p%d", i);
		const struct pn__cg *c = pn__cg_intern(&t, path, (size_t)k);

		n += c && c->path.len == (size_t)k && !memcmp(c->path.ptr, path, (size_t)k);
	}
	CHECK(n == 2000 && t.n == 2003);
	/* The bound: past it, a new path is not kept (a known one still is). */
	for (int i = 2000; t.n < CG_MAX; i++) {
		int k = snprintf(path, sizeof(path), "/p%d", i);

		if (!pn__cg_intern(&t, path, (size_t)k))
			break;
	}
	CHECK(t.n == CG_MAX);
	CHECK(pn__cg_intern(&t, "/one/more", 9) == NULL && t.n == CG_MAX);
	CHECK(pn__cg_intern(&t, "/gone", 5) == missing);
	pn__cg_free(&t);
	CHECK(t.n == 0 && t.by_path[0] == NULL);
}

/* What each event does to a process's cgroup. */
static void test_track(void)
{
	struct pn__cgroups t = { .root = root };
	struct pn__proctable pt;
	struct pn__proc *parent, child = { 0 }, other = { 0 };
	const struct pn__cg *mine, *cgs[1100];
	pn_event ev = { 0 };
	char buf[4096];
	const char *path;
	size_t n = own_path(buf, sizeof(buf), &path), found = 0;
	uint32_t me = (uint32_t)getpid();

	CHECK(pn__pt_init(&pt, 64) == 0);
	CHECK(n > 0);
	/* Known to /proc only: read once, then kept (an exit reads nothing). */
	mkdirs("/own");
	snprintf(buf + 3000, 200, "%.*s", (int)n, path);
	mkdirs(buf + 3000);
	ev.type = PN_EVENT_EXIT;
	ev.pid = me;
	pn__cg_track(&t, &pt, &other, &ev);
	mine = other.cg;
	CHECK(mine && mine->path.len == n && !memcmp(mine->path.ptr, path, n) &&
	      mine->id == inode_of(buf + 3000) && mine->id);
	ev.pid = 0; /* no such process: what was known stays */
	pn__cg_track(&t, &pt, &other, &ev);
	CHECK(other.cg == mine);
	/* A fork inherits its parent's, whatever /proc says of the child. */
	parent = pn__pt_put(&pt, 77, 770);
	parent->cg = pn__cg_intern(&t, "/docker/" HEX, 72);
	ev = (pn_event){ .type = PN_EVENT_FORK, .pid = me, .ppid = 77, .have = PN_HAVE_PARENT };
	ev.parent_key.start_ns = 770;
	pn__cg_track(&t, &pt, &child, &ev);
	CHECK(child.cg == parent->cg && child.cg->container.len == 64);
	/* A parent not known, or without a cgroup: the child's own, from /proc. */
	ev.parent_key.start_ns = 771;
	pn__cg_track(&t, &pt, &child, &ev);
	CHECK(child.cg == mine);
	parent->cg = NULL;
	ev.parent_key.start_ns = 770;
	child.cg = NULL;
	pn__cg_track(&t, &pt, &child, &ev);
	CHECK(child.cg == mine);
	/* An exec's cgroup id finds its interned cgroup, however the ids
	 * collide in the chains (1,100 directories: some share a chain). */
	for (int i = 0; i < 1100; i++) {
		char p[32], full[96];
		int k = snprintf(p, sizeof(p), "/c%d", i);

		snprintf(full, sizeof(full), "%s%s", root, p);
		mkdir(full, 0700);
		cgs[i] = pn__cg_intern(&t, p, (size_t)k);
	}
	for (int i = 0; i < 1100; i++) {
		ev = (pn_event){ .type = PN_EVENT_EXEC, .pid = 0, .cgroup_id = cgs[i]->id };
		pn__cg_track(&t, &pt, &child, &ev);
		found += child.cg == cgs[i];
	}
	CHECK(found == 1100);
	/* The same id as the process has: kept; an id never seen: /proc. */
	ev = (pn_event){ .type = PN_EVENT_EXEC, .pid = me, .cgroup_id = cgs[5]->id };
	pn__cg_track(&t, &pt, &child, &ev);
	CHECK(child.cg == cgs[5]);
	ev.cgroup_id = 1;
	pn__cg_track(&t, &pt, &child, &ev);
	CHECK(child.cg == mine);
	/* A snapshot reads /proc again, even for a process with a cgroup. */
	child.cg = cgs[7];
	ev = (pn_event){ .type = PN_EVENT_SNAPSHOT, .pid = me };
	pn__cg_track(&t, &pt, &child, &ev);
	CHECK(child.cg == mine);
	/* The event's fields: the path always, the container when there is one. */
	ev = (pn_event){ 0 };
	pn__cg_fill(&ev, NULL);
	CHECK(ev.have == 0);
	pn__cg_fill(&ev, cgs[0]);
	CHECK(ev.have == PN_HAVE_CGROUP && ev.cgroup.ptr == cgs[0]->path.ptr);
	pn__cg_fill(&ev, pn__cg_intern(&t, "/lxc/web", 8));
	CHECK(ev.have == (PN_HAVE_CGROUP | PN_HAVE_CONTAINER) && ev.container_id.len == 3);
	pn__cg_free(&t);
	pn__pt_free(&pt);
}

int main(void)
{
	char cmd[64];

	if (!mkdtemp(root))
		return 1;
	test_intern();
	test_track();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	if (system(cmd)) {
		/* a temporary directory left behind fails nothing */
	}
	return pn_test_done("test_cgroup");
}
