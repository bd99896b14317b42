/*
 * POSIX extended regular expressions for `~=`, compiled by the C library
 * behind a guard. glibc's regcomp() copies a repeated group once per
 * repetition it may match, so nested or stacked repetitions ("(a+)+++",
 * "((a{200}){200}){200}") make its memory grow as their product: one typo
 * in a rule would take the monitor's memory (the fuzzer found it). The
 * guard estimates that product as it reads the pattern and refuses a
 * pattern whose copies would exceed a bound no sane rule gets near, and a
 * repetition of a repetition, which POSIX leaves undefined.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rules_internal.h"

#define ERE_MAX_LEN 1024
#define ERE_MAX_COPIES 4096
#define ERE_MAX_DEPTH 32

/* The nodes of one group level: all of it, and its last atom. */
struct level {
	unsigned long sum, last;
};

/* The end of a bracket expression that starts at p ('['), or NULL. */
static const char *bracket_end(const char *p)
{
	p++;
	if (*p == '^')
		p++;
	if (*p == ']')
		p++;
	for (; *p && *p != ']'; p++)
		if (p[0] == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
			const char *e = strchr(p + 2, p[1]);

			if (!e || e[1] != ']')
				return NULL;
			p = e + 1;
		}
	return *p ? p : NULL;
}

/* How many copies a repetition at *p makes of its atom; advances *p. */
static unsigned long repeat_factor(const char **p)
{
	unsigned long lo = 0, hi = 0;
	char *end;

	if (**p != '{') {
		(*p)++;
		return 2; /* x+ is x x*; x* and x? a copy and a branch */
	}
	lo = strtoul(*p + 1, &end, 10);
	hi = lo;
	if (*end == ',')
		hi = end[1] == '}' ? lo + 1 : strtoul(end + 1, &end, 10);
	end = strchr(end, '}');
	*p = end ? end + 1 : *p + strlen(*p);
	hi = hi > lo ? hi : lo;
	/* Clamped: the product stays in range and still trips the bound. */
	return (hi < ERE_MAX_COPIES ? hi : ERE_MAX_COPIES) + 1;
}

static int is_repeat(const char *p)
{
	return *p == '*' || *p == '+' || *p == '?' || (*p == '{' && p[1] >= '0' && p[1] <= '9');
}

/* 0 when regcomp may have the pattern; else why not. */
static const char *guard(const char *p)
{
	struct level lv[ERE_MAX_DEPTH + 1] = { { 0, 0 } };
	int depth = 0, after_repeat = 0;

	if (strlen(p) > ERE_MAX_LEN)
		return "longer than 1024 bytes";
	while (*p) {
		unsigned long atom = 1;

		if (is_repeat(p)) {
			unsigned long f;

			if (after_repeat)
				return "a repetition of a repetition (POSIX leaves it undefined)";
			f = repeat_factor(&p);
			lv[depth].sum += lv[depth].last * (f - 1);
			lv[depth].last *= f;
			after_repeat = 1;
			if (lv[depth].sum > ERE_MAX_COPIES)
				goto big;
			continue;
		}
		after_repeat = 0;
		if (*p == '(') {
			if (++depth > ERE_MAX_DEPTH)
				return "groups nested more than 32 deep";
			lv[depth] = (struct level){ 0, 0 };
			p++;
			continue;
		}
		if (*p == ')' && depth > 0) {
			atom = lv[depth--].sum + 1;
		} else if (*p == '[') {
			const char *e = bracket_end(p);

			if (!e)
				return NULL; /* regcomp says what is wrong */
			p = e;
		} else if (*p == '\\' && p[1]) {
			p++;
		} else if (*p == '|') {
			atom = 0;
		}
		p++;
		lv[depth].sum += atom;
		lv[depth].last = atom;
		if (lv[depth].sum > ERE_MAX_COPIES)
			goto big;
	}
	return NULL;
big:
	return "its repetitions would make too large an automaton";
}

int pn__ere_compile(regex_t **out, const char *pat, char *whybuf, size_t whylen)
{
	const char *refused = guard(pat);
	char ebuf[96];
	int rc;

	*out = NULL;
	if (refused) {
		snprintf(whybuf, whylen, "bad regular expression (POSIX ERE): %s", refused);
		return -EINVAL;
	}
	*out = malloc(sizeof(**out));
	if (!*out) {
		snprintf(whybuf, whylen, "out of memory");
		return -ENOMEM;
	}
	rc = regcomp(*out, pat, REG_EXTENDED | REG_NOSUB);
	if (!rc)
		return 0;
	regerror(rc, *out, ebuf, sizeof(ebuf));
	free(*out);
	*out = NULL;
	snprintf(whybuf, whylen, "bad regular expression (POSIX ERE): %s", ebuf);
	return -EINVAL;
}
