/* User and group names of ids, looked up once each. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "names.h"

struct names_entry {
	uint32_t id;
	int used;                   /* 0 free, 1 user, 2 group */
	char *name;                 /* NULL: the id has no name */
};

/* The name of an id from the system's databases, malloc'ed, or NULL. */
static char *lookup(int group, uint32_t id)
{
	char buf[16384];
	struct passwd pw, *pwr = NULL;
	struct group gr, *grr = NULL;

	if (group) {
		if (getgrgid_r((gid_t)id, &gr, buf, sizeof(buf), &grr) || !grr)
			return NULL;
		return strdup(grr->gr_name);
	}
	if (getpwuid_r((uid_t)id, &pw, buf, sizeof(buf), &pwr) || !pwr)
		return NULL;
	return strdup(pwr->pw_name);
}

static struct names_entry *find(struct names_entry *slots, uint32_t cap, int kind, uint32_t id)
{
	uint32_t i = (id * 2654435761u + (uint32_t)kind) & (cap - 1);

	while (slots[i].used && (slots[i].used != kind || slots[i].id != id))
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

/* Doubles the table (or makes the first one) once it is half full. */
static int grow(struct names *n)
{
	uint32_t cap = n->cap ? n->cap * 2 : 64;
	struct names_entry *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (uint32_t i = 0; i < n->cap; i++)
		if (n->slots[i].used)
			*find(slots, cap, n->slots[i].used, n->slots[i].id) = n->slots[i];
	free(n->slots);
	n->slots = slots;
	n->cap = cap;
	return 0;
}

const char *names_get(struct names *n, int group, uint32_t id)
{
	int kind = group ? 2 : 1;
	struct names_entry *e;

	if (n->used * 2 >= n->cap && grow(n))
		return NULL;
	e = find(n->slots, n->cap, kind, id);
	if (!e->used) {
		*e = (struct names_entry){ id, kind, lookup(group, id) };
		n->used++;
	}
	return e->name;
}

void names_free(struct names *n)
{
	for (uint32_t i = 0; i < n->cap; i++)
		free(n->slots[i].name);
	free(n->slots);
	*n = (struct names){ 0 };
}

int names_parse_user(const char *s, uint32_t *uid)
{
	char buf[16384], *end;
	struct passwd pw, *pwr = NULL;
	unsigned long v;

	if (!getpwnam_r(s, &pw, buf, sizeof(buf), &pwr) && pwr) {
		*uid = (uint32_t)pwr->pw_uid;
		return 0;
	}
	/* A number that names no user is still a uid (a deleted account). */
	errno = 0;
	v = strtoul(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end || errno || v > UINT32_MAX)
		return -ENOENT;
	*uid = (uint32_t)v;
	return 0;
}
