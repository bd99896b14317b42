/*
 * SHA-256 of executables, remembered by file identity: device, inode, size,
 * mtime and ctime. A rename or a new link keeps every one of them, so a
 * hash rule cannot be dodged by calling the file something else; any
 * write changes mtime and ctime (and ctime cannot be set back from user
 * space), so a changed file is hashed again. Safe from several threads
 * (the slots are behind a lock; files are read outside it).
 */
#ifndef PN_HASHCACHE_H
#define PN_HASHCACHE_H
#include <stddef.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/stat.h>
#include "sha256.h"

struct pn__hash_slot {
	uint64_t dev, ino, size;
	int64_t mtime_ns, ctime_ns;
	uint8_t digest[PN_SHA256_LEN];
	int used;
};

struct pn__hashcache {
	pthread_mutex_t lock;
	struct pn__hash_slot *slots;
	size_t nslots;          /* a power of two */
	uint64_t hits, misses;  /* lookups answered from the cache, files read */
};

int pn__hashcache_init(struct pn__hashcache *c, size_t nslots);
void pn__hashcache_free(struct pn__hashcache *c);
/* The digest of the open file fd, whose fstat is st: from the cache, or read
 * whole with pread (the file offset is left alone). 0 or -errno; -ESTALE
 * when the file changed while it was read. */
int pn__hashcache_get(struct pn__hashcache *c, int fd, const struct stat *st,
		      uint8_t out[PN_SHA256_LEN]);
/* The digest from the cache only: 0, or -ENOENT when the file must be read. */
int pn__hashcache_lookup(struct pn__hashcache *c, const struct stat *st,
			 uint8_t out[PN_SHA256_LEN]);
#endif
