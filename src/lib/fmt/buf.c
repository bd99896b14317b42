/* Growable output buffer used by every formatter. */
#include <stdarg.h>
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

void pn_buf_put_udec(pn_buf *b, uint64_t v, int width)
{
	char tmp[24];
	int i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v || (int)sizeof(tmp) - i < width);
	pn_buf_put(b, tmp + i, sizeof(tmp) - (size_t)i);
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
		if (!reserve(b, (size_t)n))
			return;
		va_start(ap, fmt);
		vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}
