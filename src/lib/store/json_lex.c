/* The lexical layer of reading procnotify's JSON back: json_lex.h. */
#include <errno.h>
#include <string.h>
#include "json_lex.h"

int pn__json_fail(struct pn__json_in *in, const char *why)
{
	if (!in->why)
		in->why = why;
	return -EINVAL;
}

void pn__json_skip_ws(struct pn__json_in *in)
{
	while (in->p < in->end && (*in->p == ' ' || *in->p == '\t' || *in->p == '\r' ||
				   *in->p == '\n'))
		in->p++;
}

int pn__json_eat(struct pn__json_in *in, char c)
{
	pn__json_skip_ws(in);
	if (in->p < in->end && *in->p == c) {
		in->p++;
		return 1;
	}
	return 0;
}

static int hex4(struct pn__json_in *in, unsigned *u)
{
	*u = 0;
	if (in->end - in->p < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		char c = *in->p++;
		unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0')
			   : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
			   : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16;

		if (d > 15)
			return -1;
		*u = *u << 4 | d;
	}
	return 0;
}

static char *put_utf8(char *o, unsigned u)
{
	if (u < 0x80) {
		*o++ = (char)u;
	} else if (u < 0x800) {
		*o++ = (char)(0xc0 | u >> 6);
		*o++ = (char)(0x80 | (u & 0x3f));
	} else if (u < 0x10000) {
		*o++ = (char)(0xe0 | u >> 12);
		*o++ = (char)(0x80 | ((u >> 6) & 0x3f));
		*o++ = (char)(0x80 | (u & 0x3f));
	} else {
		*o++ = (char)(0xf0 | u >> 18);
		*o++ = (char)(0x80 | ((u >> 12) & 0x3f));
		*o++ = (char)(0x80 | ((u >> 6) & 0x3f));
		*o++ = (char)(0x80 | (u & 0x3f));
	}
	return o;
}

/* \uXXXX (the "\u" read): a code point, a surrogate pair, or \udcHH, the
 * byte HH that was not UTF-8 (surrogateescape). */
static int unicode_escape(struct pn__json_in *in)
{
	unsigned u, lo;

	if (hex4(in, &u))
		return pn__json_fail(in, "a bad \\u escape");
	if (u >= 0xdc80 && u <= 0xdcff) {
		*in->out++ = (char)(u & 0xff);
		return 0;
	}
	if (u >= 0xd800 && u <= 0xdbff && in->end - in->p >= 6 && in->p[0] == '\\' &&
	    in->p[1] == 'u') {
		in->p += 2;
		if (hex4(in, &lo) || lo < 0xdc00 || lo > 0xdfff)
			return pn__json_fail(in, "a bad surrogate pair");
		u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
	} else if (u >= 0xd800 && u <= 0xdfff) {
		return pn__json_fail(in, "a lone surrogate");
	}
	in->out = put_utf8(in->out, u);
	return 0;
}

static int escape(struct pn__json_in *in)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *e;

	if (in->p >= in->end)
		return pn__json_fail(in, "a string cut short");
	if (*in->p == 'u') {
		in->p++;
		return unicode_escape(in);
	}
	e = memchr(from, *in->p, sizeof(from) - 1);
	if (!e)
		return pn__json_fail(in, "a bad escape");
	in->p++;
	*in->out++ = to[e - from];
	return 0;
}

/* A string (its opening quote read), decoded into the scratch. */
int pn__json_string(struct pn__json_in *in, pn_str *s)
{
	s->ptr = in->out;
	while (in->p < in->end && *in->p != '"') {
		unsigned char c = (unsigned char)*in->p;
		const char *plain = in->p;

		if (c == '\\') {
			in->p++;
			if (escape(in))
				return -EINVAL;
			continue;
		}
		if (c < 0x20)
			return pn__json_fail(in, "a control byte in a string");
		while (in->p < in->end && *in->p != '"' && *in->p != '\\' &&
		       (unsigned char)*in->p >= 0x20)
			in->p++;
		memcpy(in->out, plain, (size_t)(in->p - plain));
		in->out += in->p - plain;
	}
	if (in->p >= in->end)
		return pn__json_fail(in, "a string cut short");
	in->p++;
	s->len = (size_t)(in->out - s->ptr);
	return 0;
}

static int number(struct pn__json_in *in, struct pn__json_val *v)
{
	const char *start;

	v->neg = *in->p == '-';
	in->p += v->neg;
	start = in->p;
	v->u = 0;
	while (in->p < in->end && *in->p >= '0' && *in->p <= '9') {
		unsigned d = (unsigned)(*in->p++ - '0');

		if (v->u > (UINT64_MAX - d) / 10)
			return pn__json_fail(in, "a number out of range");
		v->u = v->u * 10 + d;
	}
	if (in->p == start || (in->p < in->end && strchr(".eE", *in->p)))
		return pn__json_fail(in, "not an integer");
	return 0;
}

static int literal(struct pn__json_in *in, const char *word, enum pn__json_tok t,
		   struct pn__json_val *v)
{
	size_t n = strlen(word);

	if ((size_t)(in->end - in->p) < n || memcmp(in->p, word, n))
		return pn__json_fail(in, "not JSON");
	in->p += n;
	v->t = t;
	return 0;
}

/* A scalar; an array or an object only says so, with its bracket read. */
int pn__json_value(struct pn__json_in *in, struct pn__json_val *v)
{
	pn__json_skip_ws(in);
	if (in->p >= in->end)
		return pn__json_fail(in, "a value is missing");
	switch (*in->p) {
	case '"': in->p++; v->t = JT_STR; return pn__json_string(in, &v->s);
	case '[': in->p++; v->t = JT_ARRAY; return 0;
	case '{': in->p++; v->t = JT_OBJECT; return 0;
	case 'n': return literal(in, "null", JT_NULL, v);
	case 't': return literal(in, "true", JT_TRUE, v);
	case 'f': return literal(in, "false", JT_FALSE, v);
	default: v->t = JT_NUM; return number(in, v);
	}
}

static int skip_value(struct pn__json_in *in, int depth);

/* The rest of an array or object (its bracket read), thrown away. */
int pn__json_skip_items(struct pn__json_in *in, char close, int depth)
{
	pn_str key;

	if (pn__json_eat(in, close))
		return 0;
	do {
		if (close == '}' && (!pn__json_eat(in, '"') || pn__json_string(in, &key) ||
				     !pn__json_eat(in, ':')))
			return pn__json_fail(in, "a bad object");
		if (skip_value(in, depth + 1))
			return -EINVAL;
	} while (pn__json_eat(in, ','));
	return pn__json_eat(in, close) ? 0 : pn__json_fail(in, "an array or object not closed");
}

static int skip_value(struct pn__json_in *in, int depth)
{
	struct pn__json_val v;
	char *mark = in->out;   /* what it decodes is not kept */
	int rc = depth > 16 ? pn__json_fail(in, "nested too deep") : pn__json_value(in, &v);

	if (!rc && (v.t == JT_ARRAY || v.t == JT_OBJECT))
		rc = pn__json_skip_items(in, v.t == JT_ARRAY ? ']' : '}', depth);
	in->out = mark;
	return rc;
}
