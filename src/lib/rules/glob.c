/*
 * Globs over paths and names: '*' matches any bytes but '/', '**' any
 * bytes at all, '?' one byte but '/', [...] one byte of a class ([!...] or
 * [^...] one not in it, ranges a-z), '\' takes the next byte as it is.
 *
 * Matching simulates the pattern as an automaton over the set of pattern
 * positions still alive (the classic NFA walk), so no pattern or string can
 * make it backtrack exponentially: O(pattern x string) at worst. The common
 * shapes (an exact name, a directory and two stars) are plain compares.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "rules_internal.h"

/* One element of a pattern. */
enum { G_BYTE, G_ANY, G_STAR, G_STAR2, G_CLASS };

struct gel {
	unsigned char kind, byte;
	const char *cls;   /* G_CLASS: just after '[' */
};

/* Reads the element at pat[*i]; -1 for a malformed pattern. */
static int element(const char *pat, size_t len, size_t *i, struct gel *e)
{
	char c = pat[*i];

	e->cls = NULL;
	if (c == '*') {
		int two = *i + 1 < len && pat[*i + 1] == '*';

		e->kind = two ? G_STAR2 : G_STAR;
		*i += two ? 2 : 1;
	} else if (c == '?') {
		e->kind = G_ANY;
		(*i)++;
	} else if (c == '[') {
		size_t j = *i + 1;

		if (j < len && (pat[j] == '!' || pat[j] == '^'))
			j++;
		if (j < len && pat[j] == ']')
			j++; /* a leading ']' is a member */
		while (j < len && pat[j] != ']')
			j++;
		if (j >= len)
			return -1;
		e->kind = G_CLASS;
		e->cls = pat + *i + 1;
		*i = j + 1;
	} else if (c == '\\') {
		if (*i + 1 >= len)
			return -1;
		e->kind = G_BYTE;
		e->byte = (unsigned char)pat[*i + 1];
		*i += 2;
	} else {
		e->kind = G_BYTE;
		e->byte = (unsigned char)c;
		(*i)++;
	}
	return 0;
}

static int class_has(const char *cls, unsigned char b)
{
	int neg = *cls == '!' || *cls == '^', in = 0;
	const char *p = cls + neg;

	do {
		unsigned char lo = (unsigned char)*p, hi = lo;

		if (p[1] == '-' && p[2] != ']') {
			hi = (unsigned char)p[2];
			p += 2;
		}
		if (b >= lo && b <= hi)
			in = 1;
		p++;
	} while (*p != ']');
	return in != neg;
}

static int has_meta(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strchr("*?[\\", s[i]))
			return 1;
	return 0;
}

int pn__glob_compile(struct pn__glob *g, const char *pat, const char **why)
{
	size_t len = strlen(pat);
	struct gel e;

	memset(g, 0, sizeof(*g));
	for (size_t i = 0; i < len;) {
		if (element(pat, len, &i, &e)) {
			*why = "bad glob: an unterminated [ or a trailing \\";
			return -EINVAL;
		}
	}
	g->pat = strdup(pat);
	if (!g->pat) {
		*why = "out of memory";
		return -ENOMEM;
	}
	g->len = len;
	g->literal = !has_meta(pat, len);
	if (len >= 2 && !strcmp(pat + len - 2, "**") && !has_meta(pat, len - 2))
		g->prefix = len - 2 + 1; /* +1: 0 means "not this shape" */
	return 0;
}

void pn__glob_free(struct pn__glob *g)
{
	free(g->pat);
	g->pat = NULL;
}

/*
 * The general case. Positions are byte offsets of elements in the
 * pattern; alive[] marks those a prefix of s can have reached. A star
 * stays alive on a byte it takes and lets the next element start without
 * taking any (its closure).
 */
static int match_nfa(const struct pn__glob *g, const char *s, size_t n)
{
	size_t len = g->len;
	unsigned char small[2 * 256];
	unsigned char *cur = len < 256 ? small : calloc(2 * (len + 1), 1), *next;
	int ok;

	if (!cur)
		return 0;
	memset(cur, 0, 2 * (len + 1));
	next = cur + len + 1;
	cur[0] = 1;
	for (size_t k = 0;; k++) {
		/* Closure: stars may match nothing. Elements only move forward. */
		for (size_t i = 0; i < len;) {
			size_t at = i;
			struct gel e;

			element(g->pat, len, &i, &e);
			if (cur[at] && (e.kind == G_STAR || e.kind == G_STAR2))
				cur[i] = 1;
		}
		if (k == n)
			break;
		memset(next, 0, len + 1);
		for (size_t i = 0; i < len;) {
			size_t at = i;
			struct gel e;
			unsigned char b = (unsigned char)s[k];

			element(g->pat, len, &i, &e);
			if (!cur[at])
				continue;
			if ((e.kind == G_STAR && b != '/') || e.kind == G_STAR2)
				next[at] = 1;
			else if ((e.kind == G_BYTE && e.byte == b) || (e.kind == G_ANY && b != '/') ||
				 (e.kind == G_CLASS && class_has(e.cls, b)))
				next[i] = 1;
		}
		memcpy(cur, next, len + 1);
	}
	ok = cur[len];
	if (cur != small)
		free(cur);
	return ok;
}

int pn__glob_match(const struct pn__glob *g, const char *s, size_t n)
{
	if (g->literal)
		return n == g->len && !memcmp(s, g->pat, n);
	if (g->prefix)
		return n >= g->prefix - 1 && !memcmp(s, g->pat, g->prefix - 1);
	return match_nfa(g, s, n);
}
