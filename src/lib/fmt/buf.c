/* Growable output buffer used by every formatter. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fmt_internal.h"

const char pn__digit_pairs[200] = "00010203040506070809101112131415161718192021222324"
				  "25262728293031323334353637383940414243444546474849"
				  "50515253545556575859606162636465666768697071727374"
				  "75767778798081828384858687888990919293949596979899";

/* Only called when n more bytes and a NUL do not fit (pn__buf_room(),
 * pn_buf_printf()). */
char *pn__buf_grow(pn_buf *b, size_t n)
{
	size_t cap;
	char *p;

	if (b->oom)
		return NULL;
	/* Past half the address space no doubling reaches it (the capacity
	 * would wrap to 0 and the loop below never end): out of memory. */
	if (n >= SIZE_MAX / 2 - b->len) {
		b->oom = 1;
		return NULL;
	}
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + n + 1)
		cap *= 2;
	p = realloc(b->data, cap);
	if (!p) {
		b->oom = 1;
		return NULL;
	}
	b->data = p;
	b->cap = cap;
	return p + b->len;
}

void pn_buf_free(pn_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

void pn_buf_reset(pn_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = 0;
}

void pn_buf_put(pn_buf *b, const void *p, size_t n)
{
	char *o = pn__buf_room(b, n);

	if (!o)
		return;
	memcpy(o, p, n);
	pn__buf_commit(b, o + n);
}

void pn_buf_puts(pn_buf *b, const char *s)
{
	pn_buf_put(b, s, strlen(s));
}

void pn_buf_putc(pn_buf *b, char c)
{
	char *o = pn__buf_room(b, 1);

	if (!o)
		return;
	*o = c;
	pn__buf_commit(b, o + 1);
}

/* The bit length gives the count to within one. */
int pn__udec_len(uint64_t v)
{
	static const uint64_t pow10[20] = {
		1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL, 10000000ULL,
		100000000ULL, 1000000000ULL, 10000000000ULL, 100000000000ULL, 1000000000000ULL,
		10000000000000ULL, 100000000000000ULL, 1000000000000000ULL,
		10000000000000000ULL, 100000000000000000ULL, 1000000000000000000ULL,
		10000000000000000000ULL,
	};
	/* 1233 / 4096 is log10(2) to four places: n is the count or one less.
	 * Setting the lowest bit makes 0 count as 1 and changes no other count. */
	int n = ((64 - __builtin_clzll(v | 1)) * 1233) >> 12;

	return n + ((v | 1) >= pow10[n]);
}

/* Written from the last digit back, into room whose size is counted first. */
char *pn__put_udec(char *p, uint64_t v, int width)
{
	int n = pn__udec_len(v);
	char *end = p + (n > width ? n : width), *q = end;

	for (; v >= 100; v /= 100)
		memcpy(q -= 2, pn__digit_pairs + 2 * (v % 100), 2);
	if (v >= 10)
		memcpy(q -= 2, pn__digit_pairs + 2 * v, 2);
	else
		*--q = (char)('0' + v);
	while (q > p)
		*--q = '0';
	return end;
}

char *pn__put_sdec(char *p, int64_t v)
{
	if (v < 0)
		*p++ = '-';
	return pn__put_udec(p, v < 0 ? -(uint64_t)v : (uint64_t)v, 1);
}

void pn_buf_put_udec(pn_buf *b, uint64_t v, int width)
{
	char *o = pn__buf_room(b, (size_t)(width > 20 ? width : 20));

	if (o)
		pn__buf_commit(b, pn__put_udec(o, v, width));
}

void pn_buf_put_u64(pn_buf *b, uint64_t v)
{
	pn_buf_put_udec(b, v, 1);
}

/* One formatting pass when the text fits in what is already allocated. */
void pn_buf_printf(pn_buf *b, const char *fmt, ...)
{
	size_t room = b->cap > b->len ? b->cap - b->len : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? b->data + b->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= room) {
		if (!pn__buf_grow(b, (size_t)n))
			return;
		va_start(ap, fmt);
		vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}
