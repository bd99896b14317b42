/* Growable output buffer used by every formatter. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "procnotify/format.h"

static int reserve(pn_buf *b, size_t n)
{
	size_t cap;
	char *p;

	if (b->oom)
		return 0;
	if (b->len + n + 1 <= b->cap)
		return 1;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + n + 1)
		cap *= 2;
	p = realloc(b->data, cap);
	if (!p) {
		b->oom = 1;
		return 0;
	}
	b->data = p;
	b->cap = cap;
	return 1;
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
	if (!reserve(b, n))
		return;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = 0;
}

void pn_buf_puts(pn_buf *b, const char *s)
{
	pn_buf_put(b, s, strlen(s));
}

void pn_buf_putc(pn_buf *b, char c)
{
	pn_buf_put(b, &c, 1);
}

/* Formats straight into the free space, and only when that is too small
 * grows the buffer and formats again: most calls pay for one vsnprintf. */
void pn_buf_printf(pn_buf *b, const char *fmt, ...)
{
	va_list ap;
	size_t room;
	int n;

	if (!reserve(b, 64))
		return;
	room = b->cap - b->len;
	va_start(ap, fmt);
	n = vsnprintf(b->data + b->len, room, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n >= room && reserve(b, (size_t)n)) {
		va_start(ap, fmt);
		vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	if (n < 0 || b->oom) {
		b->data[b->len] = 0; /* undo a truncated attempt */
		return;
	}
	b->len += (size_t)n;
}

/* Decimal or hexadecimal digits of v, at least width of them, without
 * printf: keys and pids are printed for every line of a tree or query. */
static void put_u64(pn_buf *b, uint64_t v, unsigned base, unsigned width)
{
	char tmp[24];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v || sizeof(tmp) - i < width);
	pn_buf_put(b, tmp + i, sizeof(tmp) - i);
}

void pn_buf_put_u64(pn_buf *b, uint64_t v)
{
	put_u64(b, v, 10, 1);
}

void pn_buf_put_hex64(pn_buf *b, uint64_t v, unsigned width)
{
	put_u64(b, v, 16, width);
}
