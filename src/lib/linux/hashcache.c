/* The hash cache: direct-mapped by (dev, ino), a newer file evicts an older. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "hashcache.h"

int pn__hashcache_init(struct pn__hashcache *c, size_t nslots)
{
	size_t n = 1;

	while (n < nslots)
		n <<= 1;
	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
	c->slots = calloc(n, sizeof(*c->slots));
	if (!c->slots)
		return -ENOMEM;
	c->nslots = n;
	return 0;
}

void pn__hashcache_free(struct pn__hashcache *c)
{
	free(c->slots);
	c->slots = NULL;
	pthread_mutex_destroy(&c->lock);
}

static int64_t ns(struct timespec t)
{
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* The identity the digest belongs to; every member must match. */
static struct pn__hash_slot identity(const struct stat *st)
{
	return (struct pn__hash_slot){ .dev = st->st_dev, .ino = st->st_ino,
				       .size = (uint64_t)st->st_size,
				       .mtime_ns = ns(st->st_mtim), .ctime_ns = ns(st->st_ctim),
				       .used = 1 };
}

static int same_file(const struct pn__hash_slot *a, const struct pn__hash_slot *b)
{
	return a->used && b->used && a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

static int hash_fd(int fd, uint64_t size, uint8_t out[PN_SHA256_LEN])
{
	struct pn__sha256 s;
	static __thread char buf[65536];
	uint64_t off = 0;

	pn__sha256_init(&s);
	for (;;) {
		ssize_t n = pread(fd, buf, sizeof(buf), (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		pn__sha256_update(&s, buf, (size_t)n);
		off += (uint64_t)n;
	}
	pn__sha256_final(&s, out);
	return off == size ? 0 : -ESTALE;
}

static struct pn__hash_slot *slot_of(struct pn__hashcache *c, const struct pn__hash_slot *id)
{
	uint64_t h = (id->dev * 0x9e3779b97f4a7c15ULL) ^ id->ino;

	return &c->slots[(h ^ (h >> 29)) & (c->nslots - 1)];
}

int pn__hashcache_lookup(struct pn__hashcache *c, const struct stat *st,
			 uint8_t out[PN_SHA256_LEN])
{
	struct pn__hash_slot want = identity(st), *slot;
	int rc = -ENOENT;

	pthread_mutex_lock(&c->lock);
	slot = slot_of(c, &want);
	if (same_file(slot, &want)) {
		c->hits++;
		memcpy(out, slot->digest, PN_SHA256_LEN);
		rc = 0;
	}
	pthread_mutex_unlock(&c->lock);
	return rc;
}

int pn__hashcache_get(struct pn__hashcache *c, int fd, const struct stat *st,
		      uint8_t out[PN_SHA256_LEN])
{
	struct pn__hash_slot want = identity(st), now;
	struct stat after;
	int err;

	if (pn__hashcache_lookup(c, st, out) == 0)
		return 0;
	if ((err = hash_fd(fd, want.size, out)))
		return err;
	/* Written to while it was read: the digest names no one version. */
	if (fstat(fd, &after))
		return -errno;
	now = identity(&after);
	if (!same_file(&want, &now))
		return -ESTALE;
	memcpy(want.digest, out, PN_SHA256_LEN);
	pthread_mutex_lock(&c->lock);
	c->misses++;
	*slot_of(c, &want) = want;
	pthread_mutex_unlock(&c->lock);
	return 0;
}
