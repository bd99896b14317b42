/*
 * SHA-256 (FIPS 180-4), small and portable: the digest of an executable
 * that deny rules match by content (image_sha256). No library of its own:
 * the monitor hashes a file at most once per change (the hash cache).
 */
#ifndef PN_SHA256_H
#define PN_SHA256_H
#include <stddef.h>
#include <stdint.h>

#define PN_SHA256_LEN 32

struct pn__sha256 {
	uint32_t h[8];
	uint64_t total;      /* bytes hashed so far */
	uint8_t block[64];
	size_t used;         /* bytes waiting in block */
};

void pn__sha256_init(struct pn__sha256 *s);
void pn__sha256_update(struct pn__sha256 *s, const void *data, size_t len);
void pn__sha256_final(struct pn__sha256 *s, uint8_t out[PN_SHA256_LEN]);
/* Tests: 1 uses the portable rounds even where the SHA extensions are;
 * 0 goes back to the fastest there is. */
void pn__sha256_portable(int on);
/* The 64 lower-case hex digits of a digest, NUL-terminated. */
void pn__sha256_hex(const uint8_t d[PN_SHA256_LEN], char out[2 * PN_SHA256_LEN + 1]);
#endif
