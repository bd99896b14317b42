/*
 * The rule engine's pieces: the lexer (lex.c), the parser that compiles a
 * line into a tree of tests (parse.c), the fields a test may name and how
 * their values are read (fields.c), globs (glob.c), evaluation (eval.c)
 * and the set that holds compiled rules (set.c).
 */
#ifndef PN_RULES_INTERNAL_H
#define PN_RULES_INTERNAL_H
#include <regex.h>
#include <stddef.h>
#include <stdint.h>
#include "procnotify/rules.h"

/* Events the live rules never drop, though they tag them: an enforcement
 * action goes to every output and the log, and a snapshot is the log's
 * record of what ran when the monitor started (tree and ancestors need it). */
#define PN__RULES_UNDROPPABLE (PN_MASK(PN_EVENT_DENY) | PN_MASK(PN_EVENT_SNAPSHOT))

/* ---- lexer ---- */

enum pn__tok {
	TK_END,    /* end of the line (or a '#' comment) */
	TK_WORD,   /* a field, keyword, action or name: [A-Za-z0-9_.-]+ */
	TK_LPAREN, TK_RPAREN, TK_COLON,
	TK_OP,     /* = != ~= *= < <= > >= */
	TK_VALUE,  /* what follows an operator: a bare run or a quoted string */
	TK_ERROR,
};

enum pn__op { OP_EQ, OP_NE, OP_SUB, OP_RE, OP_LT, OP_LE, OP_GT, OP_GE, OP_SET };

struct pn__lexer {
	const char *p, *end;  /* the rest of the line */
	unsigned line, col;   /* of p */
	/* The current token: */
	enum pn__tok tok;
	enum pn__op op;
	unsigned tline, tcol;
	const char *text;     /* TK_WORD: into the line */
	size_t len;
	char *value;          /* TK_VALUE: unescaped, NUL-terminated, malloc'd */
	const char *why;      /* TK_ERROR */
};

/* Reads the next token; after an operator, value mode reads a value. */
void pn__lex_next(struct pn__lexer *lx, int value_mode);

/* ---- globs ---- */

/* '*' any bytes but '/', '**' any bytes, '?' one byte but '/', [a-z] [!x]
 * a class, '\' quotes the next byte. */
struct pn__glob {
	char *pat;
	size_t len;
	int literal;       /* no metacharacter: an exact compare */
	size_t prefix;     /* "lit" then two stars: a prefix compare; 0: not this shape */
};
/* 0, or -EINVAL with *why set (an unterminated class, a trailing '\'). */
int pn__glob_compile(struct pn__glob *g, const char *pat, const char **why);
int pn__glob_match(const struct pn__glob *g, const char *s, size_t n);
void pn__glob_free(struct pn__glob *g);

/* ---- regular expressions ---- */

/* A POSIX ERE for ~=, refused when its repetitions would blow up the C
 * library's automaton (ere.c): 0, or -errno with the reason in whybuf. */
int pn__ere_compile(regex_t **out, const char *pat, char *whybuf, size_t whylen);

/* ---- fields ---- */

enum pn__rkind {
	RK_NUM,      /* an integer member (u32, u64, i32, i64) */
	RK_STR,      /* a pn_str */
	RK_TTY,      /* a NUL-terminated char array */
	RK_ARGV,     /* NUL-separated arguments */
	RK_FLAG,     /* a bit of pn_event.flags */
	RK_DEV,      /* a pn_dev */
	RK_TYPE,     /* the event type */
	RK_SHA256,   /* the image's content hash, from the caller */
	RK_ANCESTOR, /* the image of the parent (depth 1) or of any ancestor */
	RK_MNT_HOST, /* mnt_ns=host: the mount namespace is the host's */
};

/* How a value is read for a field besides its kind's way. */
enum pn__rvalue { RV_PLAIN, RV_SIGNAL, RV_USER, RV_CGROUP, RV_MNT_NS, RV_EXIT_CODE };

struct pn__rfield {
	const char *name;
	enum pn__rkind kind;
	enum pn__rvalue value;
	size_t off;           /* in pn_event */
	unsigned size;        /* RK_NUM: bytes; RK_TTY: the array's */
	int is_signed;
	uint32_t have;        /* PN_HAVE_ bits, or for RK_FLAG the PN_EV_ bit */
	uint32_t types;       /* the event types that carry it */
	unsigned depth;       /* RK_ANCESTOR: 1 the parent, 0 any ancestor */
};

const struct pn__rfield *pn__rfield_find(const char *name, size_t len);

/* ---- compiled rules ---- */

enum pn__nkind { N_AND, N_OR, N_NOT, N_TEST };

struct pn__rnode {
	enum pn__nkind kind;
	enum pn__op op;
	const struct pn__rfield *f;
	unsigned kid0, nkids;  /* N_AND, N_OR, N_NOT: kids[kid0 .. kid0 + nkids) */
	uint32_t types;        /* event types it can be true for */
	union {
		int64_t num;
		uint64_t unum;
		struct pn__glob glob;   /* OP_EQ, OP_NE on strings */
		struct {
			char *s;
			size_t len;
		} sub;                  /* OP_SUB */
		regex_t *re;            /* OP_RE */
		uint8_t sha[32];
		pn_dev dev;
		int flag;               /* RK_FLAG, RK_MNT_HOST: the value wanted */
	} v;
};

struct pn__rule {
	enum pn_rule_action action;
	char *name;            /* tag/deny name; "ORIGIN:LINE" when none was given */
	uint32_t types;        /* the event types it can match */
	struct pn__rnode *nodes;
	unsigned nnodes, capnodes, root;
	unsigned *kids;
	unsigned nkids, capkids;
};

/* Fills a test node from a field, operator and value: 0, or -EINVAL with
 * *why (static, or in whybuf). */
int pn__rnode_value(struct pn__rnode *n, const char *value, char *whybuf, size_t whylen,
		    const char **why);
void pn__rnode_free(struct pn__rnode *n);

/* Compiles one line into r: 0 with r->nodes empty for a blank or comment
 * line, 0 with a rule, or -EINVAL with "ORIGIN:LINE:COL: message" in err. */
int pn__rule_parse(struct pn__rule *r, struct pn__lexer *lx, const char *origin, char *err,
		   size_t errlen);
void pn__rule_free(struct pn__rule *r);

/* A set: rules in the order they were added. */
struct pn_rules {
	unsigned refs;         /* atomic */
	struct pn__rule *rules;
	unsigned n, cap;
	unsigned count[PN_RULE_DENY + 1]; /* by action */
};
#endif
