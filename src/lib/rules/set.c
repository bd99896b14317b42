/*
 * A rule set: built from sources in order, then shared read-only by
 * reference count. A source is compiled completely before any of its rules
 * joins the set, so a bad file leaves the set as it was.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rules_internal.h"

/* A rules file is a few hundred lines; anything huge is a mistake. */
#define RULES_MAX_BYTES (4 << 20)

int pn_rules_new(pn_rules **out)
{
	pn_rules *r;

	if (!out)
		return -EINVAL;
	*out = r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->refs = 1;
	return 0;
}

pn_rules *pn_rules_ref(pn_rules *r)
{
	if (r)
		__atomic_add_fetch(&r->refs, 1, __ATOMIC_RELAXED);
	return r;
}

static void drop_rules(struct pn__rule *rules, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		pn__rule_free(&rules[i]);
}

void pn_rules_free(pn_rules *r)
{
	if (!r || __atomic_sub_fetch(&r->refs, 1, __ATOMIC_ACQ_REL))
		return;
	drop_rules(r->rules, r->n);
	free(r->rules);
	free(r);
}

unsigned pn_rules_count(const pn_rules *r, enum pn_rule_action action)
{
	if (!r)
		return 0;
	if ((unsigned)action > PN_RULE_DENY)
		return 0;
	return action ? r->count[action] : r->n;
}

/* An unnamed deny rule is named by where it is, for the deny event. */
static int default_name(struct pn__rule *rule, const char *origin, unsigned line)
{
	size_t n = strlen(origin) + 16;

	if (rule->name || rule->action != PN_RULE_DENY)
		return 0;
	rule->name = malloc(n);
	if (!rule->name)
		return -ENOMEM;
	snprintf(rule->name, n, "%s:%u", origin, line);
	return 0;
}

static int push(pn_rules *r, struct pn__rule *rule)
{
	if (r->n == r->cap) {
		unsigned cap = r->cap ? 2 * r->cap : 8;
		struct pn__rule *p = realloc(r->rules, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		r->rules = p;
		r->cap = cap;
	}
	r->rules[r->n++] = *rule;
	r->count[rule->action]++;
	return 0;
}

/* Compiles every line of text; on success appends them all to r. */
static int add_lines(pn_rules *r, const char *text, size_t len, const pn_rules_origin *at,
		     char *err, size_t errlen)
{
	const char *origin = at && at->name ? at->name : "rules";
	struct pn__lexer lx = { .line = at && at->line ? at->line : 1,
				.col = at && at->col ? at->col : 1 };
	unsigned first = r->n, line = lx.line;
	const char *p = text, *end = text + len;
	int rc = 0;

	while (!rc && p <= end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct pn__rule rule;

		lx.p = p;
		lx.end = nl ? nl : end;
		lx.line = line;
		rc = pn__rule_parse(&rule, &lx, origin, err, errlen);
		if (!rc && rule.nnodes) {
			rc = default_name(&rule, origin, line);
			if (rc || (rc = push(r, &rule)))
				pn__rule_free(&rule);
		}
		if (!nl)
			break;
		p = nl + 1;
		line++;
		lx.col = 1;
	}
	if (rc) {
		for (unsigned i = first; i < r->n; i++) {
			r->count[r->rules[i].action]--;
			pn__rule_free(&r->rules[i]);
		}
		r->n = first;
		if (rc == -ENOMEM)
			snprintf(err, errlen, "%s: out of memory", origin);
	}
	return rc;
}

int pn_rules_add(pn_rules *r, const char *text, size_t len, const pn_rules_origin *at, char *err,
		 size_t errlen)
{
	char dummy[8];

	if (!r || (!text && len))
		return -EINVAL;
	if (!err || !errlen) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	err[0] = 0;
	return add_lines(r, text ? text : "", len, at, err, errlen);
}

/* The whole file, with its length; -errno. */
static int slurp(const char *path, char **text, size_t *len)
{
	FILE *f = fopen(path, "re");
	int err;

	if (!f)
		return -errno;
	*text = malloc(RULES_MAX_BYTES + 1);
	*len = *text ? fread(*text, 1, RULES_MAX_BYTES + 1, f) : 0;
	err = !*text ? -ENOMEM : ferror(f) ? -EIO : *len > RULES_MAX_BYTES ? -EFBIG : 0;
	fclose(f);
	return err;
}

int pn_rules_add_file(pn_rules *r, const char *path, char *err, size_t errlen)
{
	pn_rules_origin at = { path, 1, 1 };
	char *text = NULL;
	size_t len = 0;
	int rc;

	if (!r || !path)
		return -EINVAL;
	rc = slurp(path, &text, &len);
	if (rc) {
		if (err && errlen)
			snprintf(err, errlen, "%s: %s", path, strerror(-rc));
	} else {
		rc = pn_rules_add(r, text, len, &at, err, errlen);
	}
	free(text);
	return rc;
}

int pn_rules_compile_expr(pn_rules **out, const char *expr, const pn_rules_origin *at, char *err,
			  size_t errlen)
{
	static const char keep[] = "keep ";
	pn_rules_origin shifted = { at && at->name ? at->name : "expression",
				    at && at->line ? at->line : 1, at && at->col ? at->col : 1 };
	size_t n;
	char *line;
	int rc;

	if (!out || !expr)
		return -EINVAL;
	*out = NULL;
	/* One line: a newline would start a second rule. */
	if (strchr(expr, '\n')) {
		snprintf(err, errlen, "%s:%u:%u: an expression is one line", shifted.name,
			 shifted.line, shifted.col + (unsigned)(strchr(expr, '\n') - expr));
		return -EINVAL;
	}
	n = strlen(expr);
	line = malloc(sizeof(keep) + n);
	if (!line)
		return -ENOMEM;
	memcpy(line, keep, sizeof(keep) - 1);
	memcpy(line + sizeof(keep) - 1, expr, n + 1);
	/* Columns count from the expression, not the "keep " put before it. */
	shifted.col -= (unsigned)(sizeof(keep) - 1);
	rc = pn_rules_new(out);
	if (!rc)
		rc = pn_rules_add(*out, line, sizeof(keep) - 1 + n, &shifted, err, errlen);
	free(line);
	if (rc) {
		pn_rules_free(*out);
		*out = NULL;
	}
	return rc;
}
