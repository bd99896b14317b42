/*
 * Evaluation: a rule's tree of tests on one input. A test of a field the
 * event does not carry (its have bit clear, or not one of its types) is
 * false, whatever its operator; `not` makes it true. Nothing here
 * allocates but the joined command line of an argv test, once per
 * evaluation, and nothing is written but the evaluation's own context, so
 * any number of threads may evaluate one set at once.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "rules_internal.h"

/* A walk up the ancestors stops here (a loop in a damaged table). */
#define MAX_ANCESTORS 256

struct pn__ectx {
	const pn_rules_input *in;
	const pn_event *ev;
	char *joined;       /* argv's arguments joined by spaces, made on demand */
	size_t joined_len;
	int joined_done;
};

static const void *member(const pn_event *ev, size_t off)
{
	return (const char *)ev + off;
}

/* Whether the event carries f; its type is one of f's (node() checked it
 * against the test's types, which are its field's). */
static int known(const struct pn__ectx *c, const struct pn__rfield *f)
{
	const pn_event *ev = c->ev;

	if (f->kind == RK_FLAG)
		return 1;
	if (f->value == RV_EXIT_CODE && ev->signal)
		return 0;
	if (f->value == RV_CGROUP && !ev->cgroup_id)
		return 0;
	return (ev->have & f->have) == f->have;
}

static int64_t num_of(const pn_event *ev, const struct pn__rfield *f)
{
	const void *p = member(ev, f->off);

	if (f->size == 8)
		return f->is_signed ? *(const int64_t *)p : (int64_t) * (const uint64_t *)p;
	return f->is_signed ? *(const int32_t *)p : (int64_t) * (const uint32_t *)p;
}

static int cmp_num(const struct pn__rnode *n, int64_t v)
{
	/* Unsigned 64-bit fields compare as unsigned. */
	int unsig = !n->f->is_signed && n->f->size == 8;
	int c = unsig ? ((uint64_t)v > n->v.unum) - ((uint64_t)v < n->v.unum)
		      : (v > n->v.num) - (v < n->v.num);

	switch (n->op) {
	case OP_EQ: return c == 0;
	case OP_NE: return c != 0;
	case OP_LT: return c < 0;
	case OP_LE: return c <= 0;
	case OP_GT: return c > 0;
	default: return c >= 0;
	}
}

static int regex_match(const regex_t *re, const char *s, size_t len)
{
	regmatch_t m = { .rm_so = 0, .rm_eo = (regoff_t)len };

	return regexec(re, s ? s : "", 1, &m, REG_STARTEND) == 0;
}

/* A string test: = and != a glob, *= a substring, ~= an ERE. */
static int str_test(const struct pn__rnode *n, const char *s, size_t len)
{
	switch (n->op) {
	case OP_EQ: return pn__glob_match(&n->v.glob, s, len);
	case OP_NE: return !pn__glob_match(&n->v.glob, s, len);
	case OP_SUB: return n->v.sub.len == 0 || (s && memmem(s, len, n->v.sub.s, n->v.sub.len));
	default: return regex_match(n->v.re, s, len);
	}
}

static void join_argv(struct pn__ectx *c)
{
	const pn_str *a = &c->ev->argv;
	size_t len = a->len;

	c->joined_done = 1;
	/* Each argument ends with a NUL: the last one is not a separator. */
	if (len && a->ptr[len - 1] == 0)
		len--;
	c->joined = malloc(len + 1);
	if (!c->joined)
		return;
	for (size_t i = 0; i < len; i++)
		c->joined[i] = a->ptr[i] ? a->ptr[i] : ' ';
	c->joined[len] = 0;
	c->joined_len = len;
}

/* argv = and != test each argument against the glob (= true when any
 * matches, != when none does); *= and ~= the arguments joined by spaces. */
static int argv_test(struct pn__ectx *c, const struct pn__rnode *n)
{
	const pn_str *a = &c->ev->argv;

	if (n->op == OP_EQ || n->op == OP_NE) {
		int any = 0;

		for (size_t i = 0; i < a->len && !any;) {
			size_t k = i;

			while (k < a->len && a->ptr[k])
				k++;
			any = pn__glob_match(&n->v.glob, a->ptr + i, k - i);
			i = k + 1;
		}
		return n->op == OP_EQ ? any : !any;
	}
	if (!c->joined_done)
		join_argv(c);
	return c->joined && str_test(n, c->joined, c->joined_len);
}

/* parent.image: the first ancestor; ancestor.image: any of them. */
static int ancestor_test(struct pn__ectx *c, const struct pn__rnode *n)
{
	const pn_rules_input *in = c->in;
	unsigned last = n->f->depth ? n->f->depth : MAX_ANCESTORS;

	if (!in->ancestor)
		return 0;
	for (unsigned d = 1; d <= last; d++) {
		pn_str image = { NULL, 0 };
		int rc = in->ancestor(in->user, d, &image);

		if (rc < 0)
			return 0;
		if (rc == 0 && str_test(n, image.ptr, image.len))
			return 1;
	}
	return 0;
}

static int hexval(char h)
{
	return h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10
		: h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
}

/* The caller's hash (an exec about to happen), else the event's own
 * image_sha256, 64 hex digits (a deny event, live or from the log). */
static int sha256_test(const struct pn__ectx *c, const struct pn__rnode *n)
{
	const pn_event *ev = c->ev;
	uint8_t sha[32];

	if (c->in->image_sha256)
		return (n->op == OP_EQ) == !memcmp(c->in->image_sha256, n->v.sha, 32);
	if (!(PN_MASK(ev->type) & PN_MASK(PN_EVENT_DENY)) || !(ev->have & PN_HAVE_SHA256) ||
	    ev->image_sha256.len != 64)
		return 0;
	for (int i = 0; i < 32; i++) {
		int hi = hexval(ev->image_sha256.ptr[2 * i]), lo = hexval(ev->image_sha256.ptr[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return 0;
		sha[i] = (uint8_t)(hi << 4 | lo);
	}
	return (n->op == OP_EQ) == !memcmp(sha, n->v.sha, 32);
}

static int test(struct pn__ectx *c, const struct pn__rnode *n)
{
	const struct pn__rfield *f = n->f;
	const pn_event *ev = c->ev;
	const pn_str *s;

	if (f->kind == RK_TYPE)
		return (n->op == OP_EQ) == ((int64_t)ev->type == n->v.num);
	if (!known(c, f))
		return 0;
	switch (f->kind) {
	case RK_NUM: return cmp_num(n, num_of(ev, f));
	case RK_STR:
		s = member(ev, f->off);
		return str_test(n, s->ptr, s->len);
	case RK_TTY: {
		const char *t = member(ev, f->off);

		return str_test(n, t, strnlen(t, f->size));
	}
	case RK_ARGV: return argv_test(c, n);
	case RK_FLAG: return !!(ev->flags & f->have) == (n->op == OP_NE ? !n->v.flag : n->v.flag);
	case RK_DEV: {
		const pn_dev *d = member(ev, f->off);
		int same = d->major == n->v.dev.major && d->minor == n->v.dev.minor;

		return n->op == OP_EQ ? same : !same;
	}
	case RK_SHA256:
		return sha256_test(c, n);
	case RK_ANCESTOR: return ancestor_test(c, n);
	case RK_MNT_HOST: return (!(ev->flags & PN_EV_OTHER_MNT_NS)) == n->v.flag;
	default: return 0;
	}
}

static int node(struct pn__ectx *c, const struct pn__rule *r, unsigned i)
{
	const struct pn__rnode *n = &r->nodes[i];

	if (!(PN_MASK(c->ev->type) & n->types))
		return 0;
	switch (n->kind) {
	case N_TEST: return test(c, n);
	case N_NOT: return !node(c, r, r->kids[n->kid0]);
	case N_AND:
		for (unsigned k = 0; k < n->nkids; k++)
			if (!node(c, r, r->kids[n->kid0 + k]))
				return 0;
		return 1;
	default:
		for (unsigned k = 0; k < n->nkids; k++)
			if (node(c, r, r->kids[n->kid0 + k]))
				return 1;
		return 0;
	}
}

static int rule_match(const struct pn__rule *r, struct pn__ectx *c)
{
	return (PN_MASK(c->ev->type) & r->types) && node(c, r, r->root);
}

/* ---- a set's verdict ---- */

static int any_match(const pn_rules *r, enum pn_rule_action a, struct pn__ectx *c)
{
	for (unsigned i = 0; i < r->n; i++)
		if (r->rules[i].action == a && rule_match(&r->rules[i], c))
			return 1;
	return 0;
}

static void add_tag(pn_rules_verdict *v, const char *name)
{
	for (unsigned i = 0; i < v->ntags; i++)
		if (!strcmp(v->tags[i], name))
			return;
	if (v->ntags < PN_RULES_MAX_TAGS)
		v->tags[v->ntags++] = name;
	else
		v->tags_dropped++;
}

static void decide_output(const pn_rules *r, struct pn__ectx *c, pn_rules_verdict *v)
{
	/* Deny rules only (an enforcing monitor): nothing to decide here. */
	if (r->count[PN_RULE_DENY] == r->n)
		return;
	v->keep = !any_match(r, PN_RULE_DROP, c) &&
		  (!r->count[PN_RULE_KEEP] || any_match(r, PN_RULE_KEEP, c));
	/* Some events are delivered whatever keep says (pn_set_rules): their
	 * tags are wanted then too. */
	if ((!v->keep && !(PN_MASK(c->ev->type) & PN__RULES_UNDROPPABLE)) ||
	    !r->count[PN_RULE_TAG])
		return;
	for (unsigned i = 0; i < r->n; i++)
		if (r->rules[i].action == PN_RULE_TAG && rule_match(&r->rules[i], c))
			add_tag(v, r->rules[i].name);
}

static void decide_deny(const pn_rules *r, struct pn__ectx *c, pn_rules_verdict *v)
{
	for (unsigned i = 0; i < r->n && !v->deny; i++)
		if (r->rules[i].action == PN_RULE_DENY && rule_match(&r->rules[i], c))
			v->deny = r->rules[i].name;
}

int pn_rules_eval(const pn_rules *r, const pn_rules_input *in, unsigned what, pn_rules_verdict *v)
{
	struct pn__ectx c = { .in = in, .ev = in ? in->ev : NULL };

	if (!v || !c.ev)
		return -EINVAL;
	/* Not the whole struct: tags[] past ntags is never read. */
	v->keep = 1;
	v->ntags = v->tags_dropped = 0;
	v->deny = NULL;
	/* A gap is always reported, and no rule can name it. */
	if (!r || c.ev->type == PN_EVENT_LOST)
		return 0;
	if (what & PN_RULES_OUTPUT)
		decide_output(r, &c, v);
	if (what & PN_RULES_DENY)
		decide_deny(r, &c, v);
	free(c.joined);
	return 0;
}

size_t pn_rules_tags_join(const pn_rules_verdict *v, char *buf, size_t size)
{
	size_t used = 0;

	for (unsigned i = 0; i < v->ntags; i++) {
		size_t n = strlen(v->tags[i]) + 1;

		if (used + n > size)
			continue;
		memcpy(buf + used, v->tags[i], n);
		used += n;
	}
	return used;
}
