/*
 * The lexical layer of reading procnotify's JSON back (json_in.c): values,
 * strings decoded into a scratch buffer (\udcHH gives back the byte HH that
 * was not UTF-8), arrays and objects skipped. Internal to the store.
 */
#ifndef PN_STORE_JSON_LEX_H
#define PN_STORE_JSON_LEX_H
#include <stdint.h>
#include "procnotify.h"

/* A line being read: its cursor, the scratch's, and what json_in.c keeps
 * of the event as it goes. */
struct pn__json_in {
	const char *p, *end;
	char *out;              /* the scratch: decoded strings go here */
	pn_event *ev;
	unsigned cursor;        /* the member after the last one found */
	int have_time;
	const char *why;
};

enum pn__json_tok { JT_NULL, JT_TRUE, JT_FALSE, JT_NUM, JT_STR, JT_ARRAY, JT_OBJECT };

struct pn__json_val {
	enum pn__json_tok t;
	int neg;
	uint64_t u;
	pn_str s;
};

/* Records why the line is refused (the first reason); -EINVAL. */
int pn__json_fail(struct pn__json_in *in, const char *why);
void pn__json_skip_ws(struct pn__json_in *in);
/* 1 and past c when the next non-blank byte is c, else 0. */
int pn__json_eat(struct pn__json_in *in, char c);
/* A string whose opening quote was read, decoded into the scratch. */
int pn__json_string(struct pn__json_in *in, pn_str *s);
/* A scalar; an array or an object only says so, its bracket read. */
int pn__json_value(struct pn__json_in *in, struct pn__json_val *v);
/* The rest of an array or object (its bracket read), thrown away. */
int pn__json_skip_items(struct pn__json_in *in, char close, int depth);
#endif
