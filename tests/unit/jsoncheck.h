/*
 * A strict JSON checker for the formatters' tests (RFC 8259): one value,
 * strings with valid escapes and no raw control byte, and in each object
 * no name twice (a nested writer that opened an object twice would make
 * one). Valid UTF-8 is the escaper's tests' business.
 */
#ifndef PN_TEST_JSONCHECK_H
#define PN_TEST_JSONCHECK_H
#include <stdlib.h>
#include <string.h>

struct jc {
	const char *p, *end;
	int depth;
};

static int jc_value(struct jc *j);

static void jc_ws(struct jc *j)
{
	while (j->p < j->end && strchr(" \t\r\n", *j->p))
		j->p++;
}

/* A string at p (its quote); its raw text (between the quotes) in *s, *n. */
static int jc_string(struct jc *j, const char **s, size_t *n)
{
	if (j->p >= j->end || *j->p != '"')
		return 0;
	*s = ++j->p;
	while (j->p < j->end && *j->p != '"') {
		unsigned char c = (unsigned char)*j->p++;

		if (c < 0x20)
			return 0;
		if (c != '\\')
			continue;
		if (j->p >= j->end)
			return 0;
		c = (unsigned char)*j->p++;
		if (c == 'u') {
			for (int i = 0; i < 4; i++, j->p++)
				if (j->p >= j->end || !strchr("0123456789abcdefABCDEF", *j->p))
					return 0;
		} else if (!strchr("\"\\/bfnrt", c)) {
			return 0;
		}
	}
	if (j->p >= j->end)
		return 0;
	*n = (size_t)(j->p - *s);
	j->p++;
	return 1;
}

static int jc_number(struct jc *j)
{
	const char *start = j->p;

	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p >= j->end || *j->p < '0' || *j->p > '9')
		return 0;
	if (*j->p == '0' && j->p + 1 < j->end && j->p[1] >= '0' && j->p[1] <= '9')
		return 0; /* no leading zero */
	while (j->p < j->end && ((*j->p >= '0' && *j->p <= '9') || strchr(".eE+-", *j->p)))
		j->p++;
	return j->p > start;
}

/* Members so far of one object, to find a name given twice. */
struct jc_names {
	const char *s[128];
	size_t n[128];
	unsigned count;
};

static int jc_object(struct jc *j)
{
	struct jc_names *names = calloc(1, sizeof(*names));
	int ok = names != NULL;

	j->p++;
	jc_ws(j);
	if (ok && j->p < j->end && *j->p == '}') {
		j->p++;
		free(names);
		return 1;
	}
	while (ok) {
		const char *s;
		size_t n;

		jc_ws(j);
		ok = jc_string(j, &s, &n) && names->count < 128;
		for (unsigned i = 0; ok && i < names->count; i++)
			ok = names->n[i] != n || memcmp(names->s[i], s, n);
		if (!ok)
			break;
		names->s[names->count] = s;
		names->n[names->count++] = n;
		jc_ws(j);
		ok = j->p < j->end && *j->p++ == ':' && jc_value(j);
		jc_ws(j);
		if (ok && j->p < j->end && *j->p == '}') {
			j->p++;
			break;
		}
		ok = ok && j->p < j->end && *j->p++ == ',';
	}
	free(names);
	return ok;
}

static int jc_array(struct jc *j)
{
	j->p++;
	jc_ws(j);
	if (j->p < j->end && *j->p == ']') {
		j->p++;
		return 1;
	}
	for (;;) {
		if (!jc_value(j))
			return 0;
		jc_ws(j);
		if (j->p < j->end && *j->p == ']') {
			j->p++;
			return 1;
		}
		if (j->p >= j->end || *j->p++ != ',')
			return 0;
	}
}

static int jc_value(struct jc *j)
{
	const char *s;
	size_t n;
	int ok;

	jc_ws(j);
	if (j->p >= j->end || ++j->depth > 64)
		return 0;
	if (*j->p == '{')
		ok = jc_object(j);
	else if (*j->p == '[')
		ok = jc_array(j);
	else if (*j->p == '"')
		ok = jc_string(j, &s, &n);
	else if (!strncmp(j->p, "true", 4) || !strncmp(j->p, "null", 4))
		ok = (j->p += 4, 1);
	else if (!strncmp(j->p, "false", 5))
		ok = (j->p += 5, 1);
	else
		ok = jc_number(j);
	j->depth--;
	return ok;
}

/* 1 when text (n bytes) is one JSON value and a newline. */
static int json_line_ok(const char *text, size_t n)
{
	struct jc j = { text, text + n, 0 };

	if (!n || text[n - 1] != '\n' || !jc_value(&j))
		return 0;
	return j.p == text + n - 1;
}
#endif
