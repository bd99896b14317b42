/*
 * The parser: one line, one rule (grammar in procnotify-rules(7)).
 *
 *   rule   = action [ NAME ":" ] expr          (tag: the NAME is required)
 *   expr   = conj { "or" conj }
 *   conj   = unary { "and" unary }
 *   unary  = "not" unary | "(" expr ")" | test
 *   test   = FIELD OP VALUE | FLAG
 *
 * Recursive descent into a flat array of nodes; and/or nodes hold their
 * operands as a run of the kids array, so a long chain is one node, not a
 * deep tree. Nesting is bounded, so no line can exhaust the stack.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rules_internal.h"

#define MAX_NEST 64
#define MAX_NAME 64

struct parser {
	struct pn__lexer *lx;
	struct pn__rule *r;
	unsigned depth;
	unsigned ecol, eline;   /* where the error is */
	char why[192];
	const char *msg;        /* the error, when not NULL */
};

static int error_at(struct parser *ps, unsigned line, unsigned col, const char *msg)
{
	if (!ps->msg) {
		ps->eline = line;
		ps->ecol = col;
		ps->msg = msg;
	}
	return -EINVAL;
}

static int error_tok(struct parser *ps, const char *msg)
{
	if (ps->lx->tok == TK_ERROR)
		msg = ps->lx->why;
	return error_at(ps, ps->lx->tline, ps->lx->tcol, msg);
}

static int word_is(const struct pn__lexer *lx, const char *w)
{
	return lx->tok == TK_WORD && lx->len == strlen(w) && !memcmp(lx->text, w, lx->len);
}

/* Room for one more item in an array of *cap items of size each. */
static int grow(void **arr, unsigned n, unsigned *cap, size_t size)
{
	void *p;

	if (n < *cap)
		return 0;
	p = realloc(*arr, (*cap ? 2 * *cap : 8) * size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = *cap ? 2 * *cap : 8;
	return 0;
}

/* A new node; its index, or -1 without memory. */
static int new_node(struct parser *ps, enum pn__nkind kind)
{
	struct pn__rule *r = ps->r;
	struct pn__rnode *n;

	if (grow((void **)&r->nodes, r->nnodes, &r->capnodes, sizeof(*n)))
		return error_tok(ps, "out of memory"), -1;
	n = &r->nodes[r->nnodes];
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->types = PN__MASK_TYPES;
	return (int)r->nnodes++;
}

static int add_kid(struct parser *ps, unsigned kid)
{
	struct pn__rule *r = ps->r;

	if (grow((void **)&r->kids, r->nkids, &r->capkids, sizeof(*r->kids)))
		return error_tok(ps, "out of memory");
	r->kids[r->nkids++] = kid;
	return 0;
}

static int parse_expr(struct parser *ps);

/* FIELD OP VALUE, or a flag alone. */
static int parse_test(struct parser *ps)
{
	struct pn__lexer *lx = ps->lx;
	const struct pn__rfield *f;
	struct pn__rnode *n;
	const char *why = NULL;
	int i;

	if (lx->tok != TK_WORD)
		return error_tok(ps, "expected a field, 'not' or '('");
	f = pn__rfield_find(lx->text, lx->len);
	if (!f) {
		snprintf(ps->why, sizeof(ps->why), "unknown field '%.*s'", (int)lx->len, lx->text);
		return error_tok(ps, ps->why);
	}
	i = new_node(ps, N_TEST);
	if (i < 0)
		return -ENOMEM;
	n = &ps->r->nodes[i];
	n->f = f;
	n->types = f->types;
	pn__lex_next(lx, 0);
	if (lx->tok != TK_OP) {
		if (f->kind != RK_FLAG) {
			snprintf(ps->why, sizeof(ps->why), "expected an operator after %s", f->name);
			return error_tok(ps, ps->why);
		}
		n->op = OP_SET;
		n->v.flag = 1;
		return i;
	}
	n->op = lx->op;
	pn__lex_next(lx, 1);
	if (lx->tok != TK_VALUE)
		return error_tok(ps, "expected a value");
	if (pn__rnode_value(n, lx->value, ps->why, sizeof(ps->why), &why)) {
		n->op = OP_SET; /* nothing to free */
		return error_tok(ps, why);
	}
	if (n->f->kind == RK_TYPE)
		n->types = n->op == OP_EQ ? PN_MASK(n->v.num) : PN__MASK_TYPES & ~PN_MASK(n->v.num);
	pn__lex_next(lx, 0);
	return i;
}

static int parse_unary(struct parser *ps)
{
	struct pn__lexer *lx = ps->lx;
	int i, kid;

	if (++ps->depth > MAX_NEST)
		return error_tok(ps, "nested too deeply");
	if (word_is(lx, "not")) {
		pn__lex_next(lx, 0);
		kid = parse_unary(ps);
		if (kid < 0)
			return kid;
		i = new_node(ps, N_NOT);
		if (i < 0 || add_kid(ps, (unsigned)kid))
			return -ENOMEM;
		ps->r->nodes[i].kid0 = ps->r->nkids - 1;
		ps->r->nodes[i].nkids = 1;
	} else if (lx->tok == TK_LPAREN) {
		pn__lex_next(lx, 0);
		i = parse_expr(ps);
		if (i < 0)
			return i;
		if (lx->tok != TK_RPAREN)
			return error_tok(ps, "expected ')'");
		pn__lex_next(lx, 0);
	} else {
		i = parse_test(ps);
	}
	ps->depth--;
	return i;
}

/* conj or expr: operands joined by one keyword, as one node. Operands
 * are collected first: their own kids go into the kids array meanwhile,
 * and theirs must be one run. */
static int parse_list(struct parser *ps, const char *kw, enum pn__nkind kind,
		      int (*operand)(struct parser *))
{
	struct pn__lexer *lx = ps->lx;
	unsigned *ops = NULL, n = 0, cap = 0;
	int i = operand(ps);

	if (i < 0 || !word_is(lx, kw))
		return i;
	while (i >= 0) {
		if (grow((void **)&ops, n, &cap, sizeof(*ops))) {
			i = error_tok(ps, "out of memory");
			break;
		}
		ops[n++] = (unsigned)i;
		if (!word_is(lx, kw))
			break;
		pn__lex_next(lx, 0);
		i = operand(ps);
	}
	if (i >= 0)
		i = new_node(ps, kind);
	if (i >= 0) {
		ps->r->nodes[i].kid0 = ps->r->nkids;
		ps->r->nodes[i].nkids = n;
		for (unsigned j = 0; j < n && i >= 0; j++)
			if (add_kid(ps, ops[j]))
				i = -ENOMEM;
	}
	free(ops);
	return i;
}

static int parse_conj(struct parser *ps)
{
	return parse_list(ps, "and", N_AND, parse_unary);
}

static int parse_expr(struct parser *ps)
{
	return parse_list(ps, "or", N_OR, parse_conj);
}

/* The event types a node can be true for: a test only where its field
 * is known, and/or as their sets combine. Kids come before their node. */
static void node_types(struct pn__rule *r)
{
	for (unsigned i = 0; i < r->nnodes; i++) {
		struct pn__rnode *n = &r->nodes[i];

		if (n->kind == N_NOT) {
			n->types = PN__MASK_TYPES;
		} else if (n->kind != N_TEST) {
			n->types = n->kind == N_AND ? PN__MASK_TYPES : 0;
			for (unsigned k = 0; k < n->nkids; k++)
				n->types = n->kind == N_AND ? n->types & r->nodes[r->kids[n->kid0 + k]].types
							    : n->types | r->nodes[r->kids[n->kid0 + k]].types;
		}
	}
	r->types = r->nodes[r->root].types;
}

static const struct {
	const char *word;
	enum pn_rule_action action;
} actions[] = { { "keep", PN_RULE_KEEP }, { "drop", PN_RULE_DROP }, { "tag", PN_RULE_TAG },
		{ "deny", PN_RULE_DENY } };

static int parse_action(struct parser *ps)
{
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (word_is(ps->lx, actions[i].word)) {
			ps->r->action = actions[i].action;
			pn__lex_next(ps->lx, 0);
			return 0;
		}
	return error_tok(ps, "expected keep, drop, tag or deny");
}

/* [NAME ":"]: a word followed by ':'. */
static int parse_name(struct parser *ps)
{
	struct pn__lexer *lx = ps->lx, save = *lx;

	if (lx->tok == TK_WORD) {
		pn__lex_next(lx, 0);
		if (lx->tok == TK_COLON) {
			if (save.len > MAX_NAME || save.text[0] == '-' || save.text[0] == '.')
				return error_at(ps, save.tline, save.tcol,
						"a name is 1 to 64 of A-Z a-z 0-9 _ . - "
						"and starts with a letter, digit or _");
			ps->r->name = strndup(save.text, save.len);
			if (!ps->r->name)
				return error_tok(ps, "out of memory");
			pn__lex_next(lx, 0);
			return 0;
		}
		*lx = save; /* not a name: the expression starts there */
	}
	if (ps->r->action == PN_RULE_TAG)
		return error_tok(ps, "tag needs a name: tag NAME: EXPRESSION");
	return 0;
}

static int parse_rule(struct parser *ps)
{
	int root;

	if (parse_action(ps) || parse_name(ps))
		return -EINVAL;
	if (ps->lx->tok == TK_END)
		return error_tok(ps, "expected an expression");
	root = parse_expr(ps);
	if (root < 0)
		return root;
	if (ps->lx->tok == TK_RPAREN)
		return error_tok(ps, "unbalanced ')'");
	if (ps->lx->tok != TK_END)
		return error_tok(ps, "expected 'and', 'or' or the end of the rule");
	ps->r->root = (unsigned)root;
	node_types(ps->r);
	return 0;
}

int pn__rule_parse(struct pn__rule *r, struct pn__lexer *lx, const char *origin, char *err,
		   size_t errlen)
{
	struct parser ps = { .lx = lx, .r = r };
	int rc;

	memset(r, 0, sizeof(*r));
	pn__lex_next(lx, 0);
	if (lx->tok == TK_END)
		rc = 0; /* blank or a comment */
	else
		rc = parse_rule(&ps);
	free(lx->value);
	lx->value = NULL;
	if (rc) {
		if (!ps.msg)
			error_tok(&ps, "out of memory");
		snprintf(err, errlen, "%s:%u:%u: %s", origin, ps.eline, ps.ecol, ps.msg);
		pn__rule_free(r);
		return -EINVAL;
	}
	return 0;
}

void pn__rule_free(struct pn__rule *r)
{
	for (unsigned i = 0; i < r->nnodes; i++)
		pn__rnode_free(&r->nodes[i]);
	free(r->nodes);
	free(r->kids);
	free(r->name);
	memset(r, 0, sizeof(*r));
}
