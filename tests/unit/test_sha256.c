/* SHA-256: the FIPS 180-4 / NIST test vectors, every split of a message
 * across updates, and agreement with sha256sum(1) on a real executable. */
#include <stdio.h>
#include <stdlib.h>
#include "sha256.h"
#include "check.h"

static void digest_hex(const void *data, size_t len, char out[65])
{
	struct pn__sha256 s;
	uint8_t d[PN_SHA256_LEN];

	pn__sha256_init(&s);
	pn__sha256_update(&s, data, len);
	pn__sha256_final(&s, d);
	pn__sha256_hex(d, out);
}

static void vectors(void)
{
	static const struct { const char *msg, *hex; } v[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
		{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
		  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
	};
	char hex[65];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		digest_hex(v[i].msg, strlen(v[i].msg), hex);
		CHECK_STR(hex, v[i].hex);
	}
}

/* One million 'a': many whole blocks, fed in uneven pieces. */
static void million(void)
{
	struct pn__sha256 s;
	uint8_t d[PN_SHA256_LEN];
	char chunk[997], hex[65];
	size_t left = 1000000;

	memset(chunk, 'a', sizeof(chunk));
	pn__sha256_init(&s);
	while (left) {
		size_t n = left < sizeof(chunk) ? left : sizeof(chunk);

		pn__sha256_update(&s, chunk, n);
		left -= n;
	}
	pn__sha256_final(&s, d);
	pn__sha256_hex(d, hex);
	CHECK_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* Every length across the padding's edges (55, 56, 63, 64 bytes...), each
 * split at every place: the same digest as in one piece. */
static void splits(void)
{
	char msg[130], whole[65], parts[65];
	int bad = 0;

	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (char)(i * 7 + 1);
	for (size_t len = 0; len <= sizeof(msg); len++) {
		digest_hex(msg, len, whole);
		for (size_t cut = 0; cut <= len; cut++) {
			struct pn__sha256 s;
			uint8_t d[PN_SHA256_LEN];

			pn__sha256_init(&s);
			pn__sha256_update(&s, msg, cut);
			pn__sha256_update(&s, msg + cut, len - cut);
			pn__sha256_final(&s, d);
			pn__sha256_hex(d, parts);
			bad += strcmp(whole, parts) != 0;
		}
	}
	CHECK(bad == 0);
}

/* An independent implementation on a real binary: coreutils' sha256sum. */
static void against_sha256sum(void)
{
	char want[65] = "", got[65], *data = NULL;
	FILE *p = popen("sha256sum /bin/true", "r"), *f = fopen("/bin/true", "rb");
	long n;

	CHECK(p && fscanf(p, "%64s", want) == 1);
	if (p)
		pclose(p);
	CHECK(f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0);
	if (!f || n <= 0)
		return;
	rewind(f);
	data = malloc((size_t)n);
	CHECK(data && fread(data, 1, (size_t)n, f) == (size_t)n);
	fclose(f);
	if (!data)
		return;
	digest_hex(data, (size_t)n, got);
	CHECK_STR(got, want);
	free(data);
}

/* Every check with the portable rounds, then with the fastest this CPU
 * has (the SHA extensions on most x86-64): both must agree with the
 * vectors and with sha256sum. */
int main(void)
{
	for (int portable = 1; portable >= 0; portable--) {
		pn__sha256_portable(portable);
		vectors();
		million();
		splits();
		against_sha256sum();
	}
	return pn_test_done("test_sha256");
}
