/* Shared by the libFuzzer targets (tests/fuzz/README.md): checks that turn a
 * broken output invariant into a crash the fuzzer reports and keeps. */
#ifndef PN_FUZZ_H
#define PN_FUZZ_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_ASSERT(cond)                                                          \
	do {                                                                       \
		if (!(cond)) {                                                     \
			fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, \
				__LINE__, #cond);                                  \
			abort();                                                   \
		}                                                                  \
	} while (0)

/* Is s[0..n) valid UTF-8 (RFC 3629: no overlong form, surrogate or value
 * past U+10FFFF)? Written apart from the escaper it checks. */
static inline int fuzz_valid_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i], len, cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
		if (!len || i + len > n)
			return 0;
		cp = c & (0x7f >> len);
		for (unsigned k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		    (len == 4 && cp < 0x10000) || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += len;
	}
	return 1;
}

/* A copy of the input as a NUL-terminated string (the input may hold NULs:
 * the string ends at the first). Free it. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = 0;
	return s;
}

/* One output line: ends in its only newline, and is valid UTF-8 (the JSON
 * and table writers' promise, whatever the input). */
static inline void fuzz_check_line(const char *data, size_t len)
{
	const unsigned char *p = (const unsigned char *)data;

	FUZZ_ASSERT(len > 0 && p[len - 1] == '\n');
	FUZZ_ASSERT(!memchr(p, '\n', len - 1));
	FUZZ_ASSERT(fuzz_valid_utf8(p, len));
}
#endif
