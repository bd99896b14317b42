/*
 * SHA-256 as FIPS 180-4 specifies it: 64-byte blocks, big-endian words,
 * the message padded with 0x80, zeros and its length in bits. On x86-64
 * CPUs with the SHA extensions the blocks go through those instructions
 * (5 to 8 times faster: the monitor hashes every new executable a hash
 * rule meets); elsewhere through the portable rounds.
 */
#include <stdlib.h>
#include <string.h>
#include "sha256.h"
#if defined(__linux__) && defined(__x86_64__) && defined(__GNUC__)
#define PN_SHA_NI 1
#include <cpuid.h>
#include <immintrin.h>
#endif

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void compress_portable(uint32_t h[8], const uint8_t block[64])
{
	uint32_t w[64], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6],
			hh = h[7];

	for (int i = 0; i < 16; i++)
		w[i] = be32(block + 4 * i);
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);

		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	for (int i = 0; i < 64; i++) {
		uint32_t t1 = hh + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K[i] +
			      w[i];
		uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));

		hh = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
	h[5] += f;
	h[6] += g;
	h[7] += hh;
}

#ifdef PN_SHA_NI
/*
 * One block with the SHA extensions. The state is held as ABEF and CDGH,
 * the order SHA256RNDS2 works in; each group of four rounds adds K to four
 * schedule words, two rounds per instruction; words 16..63 come from
 * SHA256MSG1 (W[t-16] + sigma0(W[t-15])), W[t-7] by a byte shift of the
 * two groups before, and SHA256MSG2 (sigma1 of the last two words).
 */
__attribute__((target("sha,sse4.1")))
static void compress_ni(uint32_t h[8], const uint8_t block[64])
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
	__m128i cdab = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[0]), 0xB1);
	__m128i efgh = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[4]), 0x1B);
	__m128i abef = _mm_alignr_epi8(cdab, efgh, 8), cdgh = _mm_blend_epi16(efgh, cdab, 0xF0);
	__m128i abef0 = abef, cdgh0 = cdgh, w[16], m;

	for (int i = 0; i < 16; i++) {
		if (i < 4)
			w[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(block + 16 * i)), bswap);
		else
			w[i] = _mm_sha256msg2_epu32(
				_mm_add_epi32(_mm_sha256msg1_epu32(w[i - 4], w[i - 3]),
					      _mm_alignr_epi8(w[i - 1], w[i - 2], 4)),
				w[i - 1]);
		m = _mm_add_epi32(w[i], _mm_loadu_si128((const __m128i *)&K[4 * i]));
		cdgh = _mm_sha256rnds2_epu32(cdgh, abef, m);
		abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(m, 0x0E));
	}
	abef = _mm_shuffle_epi32(_mm_add_epi32(abef, abef0), 0x1B); /* FEBA */
	cdgh = _mm_shuffle_epi32(_mm_add_epi32(cdgh, cdgh0), 0xB1); /* DCHG */
	_mm_storeu_si128((__m128i *)&h[0], _mm_blend_epi16(abef, cdgh, 0xF0)); /* DCBA */
	_mm_storeu_si128((__m128i *)&h[4], _mm_alignr_epi8(cdgh, abef, 8));    /* HGFE */
}

/* CPUID: SHA (leaf 7, EBX bit 29), SSE4.1 (leaf 1, ECX bit 19), SSSE3 (bit
 * 9). Valgrind passes the SHA bit on but cannot run the instructions (its
 * memcheck stops the program with SIGILL): under it, the portable rounds. */
static int has_sha_ni(void)
{
	const char *preload = getenv("LD_PRELOAD");
	unsigned a, b, c, d;

	if (preload && strstr(preload, "/vgpreload_"))
		return 0;
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 19)) || !(c & (1u << 9)))
		return 0;
	return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 29));
}
#endif

static int use_portable = -1; /* -1: not decided yet */

void pn__sha256_portable(int on)
{
	use_portable = on ? 1 : -1;
}

static void compress(uint32_t h[8], const uint8_t block[64])
{
#ifdef PN_SHA_NI
	if (use_portable < 0)
		use_portable = !has_sha_ni(); /* the same answer from any thread */
	if (!use_portable) {
		compress_ni(h, block);
		return;
	}
#endif
	compress_portable(h, block);
}

void pn__sha256_init(struct pn__sha256 *s)
{
	static const uint32_t iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
					0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };

	memcpy(s->h, iv, sizeof(iv));
	s->total = 0;
	s->used = 0;
}

void pn__sha256_update(struct pn__sha256 *s, const void *data, size_t len)
{
	const uint8_t *p = data;

	s->total += len;
	while (len) {
		size_t n = 64 - s->used < len ? 64 - s->used : len;

		if (s->used == 0 && len >= 64) { /* whole blocks straight from the input */
			compress(s->h, p);
			p += 64;
			len -= 64;
			continue;
		}
		memcpy(s->block + s->used, p, n);
		s->used += n;
		p += n;
		len -= n;
		if (s->used == 64) {
			compress(s->h, s->block);
			s->used = 0;
		}
	}
}

void pn__sha256_final(struct pn__sha256 *s, uint8_t out[PN_SHA256_LEN])
{
	uint64_t bits = s->total * 8;
	uint8_t pad[72] = { 0x80 };
	size_t padlen = (s->used < 56 ? 56 : 120) - s->used;

	for (int i = 0; i < 8; i++)
		pad[padlen + i] = (uint8_t)(bits >> (56 - 8 * i));
	pn__sha256_update(s, pad, padlen + 8);
	for (int i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(s->h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(s->h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(s->h[i] >> 8);
		out[4 * i + 3] = (uint8_t)s->h[i];
	}
}

void pn__sha256_hex(const uint8_t d[PN_SHA256_LEN], char out[2 * PN_SHA256_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < PN_SHA256_LEN; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[2 * PN_SHA256_LEN] = 0;
}
