/*
 * The rule lexer: one line at a time. Words, parentheses, ':' and the
 * operators; after an operator, a value: a quoted string ("..." with \\,
 * \", \n, \t and \xHH escapes, or '...' taken as it is) or a bare run of
 * bytes up to a blank or an unbalanced ')', so `(image=/x)` and
 * `argv~=(a|b)` both read as meant. '#' starts a comment where a token
 * would start; inside a value it is a byte like any other.
 */
#include <stdlib.h>
#include <string.h>
#include "rules_internal.h"

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static int is_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '-';
}

static void advance(struct pn__lexer *lx, size_t n)
{
	lx->p += n;
	lx->col += (unsigned)n;
}

static void fail(struct pn__lexer *lx, const char *why)
{
	lx->tok = TK_ERROR;
	lx->why = why;
}

/* The operator at p, its length in *n; 0 when none. */
static int read_op(const char *p, const char *end, enum pn__op *op, size_t *n)
{
	static const struct {
		const char *s;
		enum pn__op op;
	} ops[] = { { "!=", OP_NE }, { "~=", OP_RE }, { "*=", OP_SUB }, { "<=", OP_LE },
		    { ">=", OP_GE }, { "=", OP_EQ }, { "<", OP_LT }, { ">", OP_GT } };

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t len = strlen(ops[i].s);

		if ((size_t)(end - p) >= len && !memcmp(p, ops[i].s, len)) {
			*op = ops[i].op;
			*n = len;
			return 1;
		}
	}
	return 0;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
		: c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* One escape after a backslash in "...": the byte, or -1. */
static int unescape(struct pn__lexer *lx)
{
	char c = lx->p < lx->end ? *lx->p : 0;
	int hi, lo;

	advance(lx, 1);
	switch (c) {
	case '\\': case '"': return c;
	case 'n': return '\n';
	case 't': return '\t';
	case 'x':
		hi = lx->p < lx->end ? hexval(lx->p[0]) : -1;
		lo = lx->end - lx->p > 1 ? hexval(lx->p[1]) : -1;
		if (hi < 0 || lo < 0 || (hi | lo) == 0)
			return -1;
		advance(lx, 2);
		return hi << 4 | lo;
	default:
		/* Kept as written: a regular expression's \. reads as meant. */
		lx->p--;
		lx->col--;
		return '\\';
	}
}

/* A quoted value into lx->value (room for the whole rest of the line). */
static void read_quoted(struct pn__lexer *lx)
{
	char q = *lx->p, *out = lx->value;

	advance(lx, 1);
	while (lx->p < lx->end && *lx->p != q) {
		int c = (unsigned char)*lx->p;

		if (c == 0)
			return fail(lx, "a NUL byte in a string");
		if (q == '"' && c == '\\') {
			unsigned at = lx->col;

			advance(lx, 1);
			c = unescape(lx);
			if (c < 0) {
				lx->tcol = at; /* point at the escape */
				return fail(lx, "bad escape: \\xHH takes two hex digits, not 00");
			}
		} else {
			advance(lx, 1);
		}
		*out++ = (char)c;
	}
	if (lx->p >= lx->end)
		return fail(lx, "unterminated string");
	advance(lx, 1);
	*out = 0;
}

static void read_bare(struct pn__lexer *lx)
{
	const char *s = lx->p;
	int depth = 0;

	while (lx->p < lx->end && !is_blank(*lx->p) && *lx->p) {
		if (*lx->p == '(')
			depth++;
		else if (*lx->p == ')' && depth-- == 0)
			break;
		advance(lx, 1);
	}
	if (lx->p < lx->end && !*lx->p)
		return fail(lx, "a NUL byte in a value");
	memcpy(lx->value, s, (size_t)(lx->p - s));
	lx->value[lx->p - s] = 0;
}

static void read_value(struct pn__lexer *lx)
{
	free(lx->value);
	lx->value = malloc((size_t)(lx->end - lx->p) + 1);
	if (!lx->value)
		return fail(lx, "out of memory");
	lx->tok = TK_VALUE;
	if (lx->p >= lx->end || *lx->p == ')')
		return fail(lx, "expected a value");
	if (*lx->p == '"' || *lx->p == '\'')
		read_quoted(lx);
	else
		read_bare(lx);
}

static void read_token(struct pn__lexer *lx)
{
	char c = *lx->p;
	size_t n = 0;

	if (c == '#') {
		lx->tok = TK_END;
		lx->p = lx->end;
	} else if (c == '(' || c == ')' || c == ':') {
		lx->tok = c == '(' ? TK_LPAREN : c == ')' ? TK_RPAREN : TK_COLON;
		advance(lx, 1);
	} else if (read_op(lx->p, lx->end, &lx->op, &n)) {
		lx->tok = TK_OP;
		advance(lx, n);
	} else if (is_word(c)) {
		lx->tok = TK_WORD;
		lx->text = lx->p;
		while (lx->p + n < lx->end && is_word(lx->p[n]))
			n++;
		lx->len = n;
		advance(lx, n);
	} else {
		fail(lx, "unexpected character");
	}
}

void pn__lex_next(struct pn__lexer *lx, int value_mode)
{
	while (lx->p < lx->end && is_blank(*lx->p))
		advance(lx, 1);
	lx->tline = lx->line;
	lx->tcol = lx->col;
	if (value_mode)
		read_value(lx);
	else if (lx->p >= lx->end)
		lx->tok = TK_END;
	else
		read_token(lx);
}
