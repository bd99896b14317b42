/* The cgroup of each process, interned (cgroup.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "../container.h"
#include "../proctable.h"
#include "cgroup.h"
#include "procfs.h"

/* Distinct cgroups kept at most: a host that makes and removes containers
 * all day makes new ones; past this, new ones are read but not kept, and
 * their processes' events say no cgroup (known ones still do). */
#define PN__CG_MAX 65536

static uint64_t hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

/* The start of the line that starts with want, or NULL. */
static const char *line_of(const char *text, size_t n, const char *want)
{
	size_t k = strlen(want);

	for (const char *p = text; p < text + n;) {
		const char *eol = memchr(p, '\n', (size_t)(text + n - p));

		if ((size_t)(text + n - p) >= k && !memcmp(p, want, k))
			return p;
		p = eol ? eol + 1 : text + n;
	}
	return NULL;
}

size_t pn__cg_parse(const char *text, size_t n, const char **path)
{
	const char *l = line_of(text, n, "0::"), *sd = memmem(text, n, ":name=systemd:", 14), *end;

	if (!l && sd) /* "ID:name=systemd:/path", a v1 hierarchy */
		for (l = sd; l > text && l[-1] != '\n'; l--)
			;
	if (!l && n)
		l = text;
	if (!l || !(l = memchr(l, ':', (size_t)(text + n - l))) ||
	    !(l = memchr(l + 1, ':', (size_t)(text + n - l - 1))))
		return 0;
	l++;
	end = memchr(l, '\n', (size_t)(text + n - l));
	*path = l;
	return end ? (size_t)(end - l) : (size_t)(text + n - l);
}

static struct pn__cg *find_path(struct pn__cgroups *t, const char *s, size_t n)
{
	struct pn__cg *c = t->by_path[hash(s, n) % PN__CG_BUCKETS];

	while (c && (c->path.len != n || memcmp(c->path.ptr, s, n)))
		c = c->next_path;
	return c;
}

static const struct pn__cg *find_id(struct pn__cgroups *t, uint64_t id)
{
	struct pn__cg *c = id ? t->by_id[id % PN__CG_BUCKETS] : NULL;

	while (c && c->id != id)
		c = c->next_id;
	return c;
}

/* Where cgroup v2 is mounted: /sys/fs/cgroup, or on a hybrid host (v1
 * controllers beside it) /sys/fs/cgroup/unified; "" without one. */
static const char *v2_root(struct pn__cgroups *t)
{
	static const char *const roots[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };
	char probe[64];
	struct stat st;

	for (size_t i = 0; !t->root && i < sizeof(roots) / sizeof(roots[0]); i++) {
		snprintf(probe, sizeof(probe), "%s/cgroup.controllers", roots[i]);
		if (!stat(probe, &st))
			t->root = roots[i];
	}
	if (!t->root)
		t->root = "";
	return t->root;
}

/* A cgroup v2 id is its directory's inode number (0 when it cannot be
 * stat()ed, as on a v1-only host). */
static uint64_t id_of(struct pn__cgroups *t, const char *path, size_t n)
{
	const char *root = v2_root(t);
	char full[4096 + 64];
	struct stat st;

	if (n > 4096 || !root[0])
		return 0;
	snprintf(full, sizeof(full), "%s%.*s", root, (int)n, path);
	return stat(full, &st) ? 0 : (uint64_t)st.st_ino;
}

const struct pn__cg *pn__cg_intern(struct pn__cgroups *t, const char *s, size_t n)
{
	struct pn__cg *c = find_path(t, s, n);
	char id[256], *mem;
	size_t k;

	if (c || t->n >= PN__CG_MAX)
		return c;
	k = pn__container_id(s, n, id, sizeof(id));
	c = malloc(sizeof(*c) + n + 1 + k + 1);
	if (!c)
		return NULL;
	mem = (char *)(c + 1);
	memcpy(mem, s, n);
	mem[n] = 0;
	memcpy(mem + n + 1, id, k);
	mem[n + 1 + k] = 0;
	*c = (struct pn__cg){ id_of(t, s, n), { mem, n }, { mem + n + 1, k }, NULL, NULL };
	c->next_path = t->by_path[hash(s, n) % PN__CG_BUCKETS];
	t->by_path[hash(s, n) % PN__CG_BUCKETS] = c;
	if (c->id) {
		c->next_id = t->by_id[c->id % PN__CG_BUCKETS];
		t->by_id[c->id % PN__CG_BUCKETS] = c;
	}
	t->n++;
	return c;
}

static const struct pn__cg *of_pid(struct pn__cgroups *t, uint32_t pid)
{
	char buf[8192];
	const char *path;
	int truncated;
	ssize_t n = pn__procfs_read(pid, "cgroup", buf, sizeof(buf), &truncated);
	size_t len = n > 0 ? pn__cg_parse(buf, (size_t)n, &path) : 0;

	return len ? pn__cg_intern(t, path, len) : NULL;
}

void pn__cg_track(struct pn__cgroups *t, struct pn__proctable *pt, struct pn__proc *p,
		  const pn_event *ev)
{
	const struct pn__proc *pp;
	const struct pn__cg *c;

	switch (ev->type) {
	case PN_EVENT_FORK:
		pp = (ev->have & PN_HAVE_PARENT) ? pn__pt_find(pt, ev->ppid, ev->parent_key.start_ns)
						 : NULL;
		p->cg = pp && pp->cg ? pp->cg : of_pid(t, ev->pid);
		break;
	case PN_EVENT_EXEC:
		/* Joining a container's cgroup before its exec is how a process
		 * enters it (docker exec): the exec's own cgroup counts. */
		if (p->cg && ev->cgroup_id && p->cg->id == ev->cgroup_id)
			break;
		c = find_id(t, ev->cgroup_id);
		p->cg = c ? c : of_pid(t, ev->pid);
		break;
	case PN_EVENT_SNAPSHOT:
		p->cg = of_pid(t, ev->pid);
		break;
	default:
		if (!p->cg)
			p->cg = of_pid(t, ev->pid);
	}
}

void pn__cg_fill(pn_event *ev, const struct pn__cg *cg)
{
	if (!cg)
		return;
	ev->cgroup = cg->path;
	ev->have |= PN_HAVE_CGROUP;
	if (cg->container.len) {
		ev->container_id = cg->container;
		ev->have |= PN_HAVE_CONTAINER;
	}
}

void pn__cg_free(struct pn__cgroups *t)
{
	for (size_t i = 0; i < PN__CG_BUCKETS; i++) {
		while (t->by_path[i]) {
			struct pn__cg *c = t->by_path[i];

			t->by_path[i] = c->next_path;
			free(c);
		}
	}
	memset(t, 0, sizeof(*t));
}
