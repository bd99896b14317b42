/*
 * Rules: one language, one engine, three uses. The live monitor keeps,
 * drops and tags events with them (pn_set_rules), `query --where` selects
 * stored events with the same expressions, and exec enforcement asks the
 * same compiled set whether a `deny` rule refuses an exec about to happen.
 * The grammar is in procnotify-rules(7); in short, one rule a line:
 *
 *     keep uid=0 or parent.image=/usr/sbin/sshd
 *     drop comm=cron
 *     tag curl-from-web: image=/usr/bin/curl and ancestor.image=/usr/sbin/nginx
 *     deny image_sha256=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
 *
 * Building: pn_rules_new(), then pn_rules_add() / pn_rules_add_file() for
 * each source (a file, a --rule line, a config value), in order. An error
 * leaves the set as it was before that call and writes one line
 * "ORIGIN:LINE:COL: message" into err. Once built, a set is immutable:
 * never add to a set that anyone evaluates.
 *
 * Threads: an immutable set may be evaluated by any number of threads at
 * once (pn_rules_eval() writes only to its arguments). References are
 * counted atomically: pn_rules_ref() and pn_rules_free() may be called from
 * any thread. To swap sets under concurrent readers, build the new set
 * completely, then publish the pointer (pn_set_rules() does this for a
 * handle: deliveries see the old set or the new one, never a mix).
 *
 * Every function returns 0 or a negative errno, as the rest of the library.
 */
#ifndef PROCNOTIFY_RULES_H
#define PROCNOTIFY_RULES_H

#include <stddef.h>
#include <stdint.h>
#include "procnotify.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pn_rules pn_rules;

enum pn_rule_action {
	PN_RULE_KEEP = 1, /* only events some keep rule matches are delivered */
	PN_RULE_DROP = 2, /* events it matches are never delivered or stored */
	PN_RULE_TAG = 3,  /* events it matches carry its name in pn_event.rules */
	PN_RULE_DENY = 4, /* an exec it matches is refused (enforcement only) */
};

/* Where a source's text comes from, for messages: "FILE:LINE:COL". line
 * and col are those of the text's first byte (1-based; 0 is taken as 1). */
typedef struct pn_rules_origin {
	const char *name; /* a file name, "--rule", ... */
	unsigned line, col;
} pn_rules_origin;

/* An empty set (it keeps every event). */
PN_EXPORT int pn_rules_new(pn_rules **out);

/* Adds the rules in text (len bytes; one rule a line, '#' starts a
 * comment, blank lines are ignored). -EINVAL on a syntax or value error,
 * with "ORIGIN:LINE:COL: message" in err; the set is then unchanged. */
PN_EXPORT int pn_rules_add(pn_rules *r, const char *text, size_t len, const pn_rules_origin *at,
			   char *err, size_t errlen);

/* The same for the contents of a file (origin: its path). A file that
 * cannot be read gives -errno and "PATH: reason". */
PN_EXPORT int pn_rules_add_file(pn_rules *r, const char *path, char *err, size_t errlen);

/* A set of one rule, `keep EXPR`: an expression alone, as `query --where`
 * takes it. Errors as pn_rules_add(). */
PN_EXPORT int pn_rules_compile_expr(pn_rules **out, const char *expr, const pn_rules_origin *at,
				    char *err, size_t errlen);

/* The number of rules of an action in the set; action 0: all of them. */
PN_EXPORT unsigned pn_rules_count(const pn_rules *r, enum pn_rule_action action);

/* Takes a reference (r may be NULL); returns r. */
PN_EXPORT pn_rules *pn_rules_ref(pn_rules *r);

/* Drops a reference; the last one frees the set. NULL is accepted. */
PN_EXPORT void pn_rules_free(pn_rules *r);

/*
 * What one evaluation looks at. ev is the event, or for an exec about to
 * happen (enforcement) an event the caller fills: type PN_EVENT_EXEC, the
 * exec'ing process's pid, ppid, ids, comm and parent_key, image the file's
 * path (PN_HAVE_IMAGE), image_dev and image_ino (PN_HAVE_IMAGE_ID), argv
 * when known, and the matching have bits. A field whose have bit is clear,
 * or that the event's type does not carry (procnotify/fields.h), is
 * unknown: every test of an unknown field is false (and `not` of it true).
 *
 * image_sha256 is the SHA-256 of the image's content when the caller
 * computed it (32 bytes), else NULL: image_sha256 tests then read the
 * event's own image_sha256 (a deny event's, 64 hex digits), and are false
 * when it has none.
 *
 * ancestor, when not NULL, names the image of the process's ancestors:
 * depth 1 is the parent, 2 the grandparent, ... It is called with depth
 * 1, 2, 3, ... in order for one walk (a walk may stop early, and a later
 * one starts again at 1), returns 0 with *image set, 1 when that ancestor
 * is known but its image is not, or -ENOENT past the last known ancestor.
 * NULL: no ancestor is known (parent.image and ancestor.image are false).
 */
typedef struct pn_rules_input {
	const pn_event *ev;
	const uint8_t *image_sha256;
	int (*ancestor)(void *user, unsigned depth, pn_str *image);
	void *user;
} pn_rules_input;

/* What to decide (pn_rules_eval's what): */
#define PN_RULES_OUTPUT 0x1 /* keep or drop, and the tags */
#define PN_RULES_DENY 0x2   /* the first deny rule that matches */

/* Tag names one verdict holds at most; more matching tags are counted
 * in tags_dropped. */
#define PN_RULES_MAX_TAGS 32

typedef struct pn_rules_verdict {
	int keep;          /* OUTPUT: 1 to deliver and store the event: no drop
			    * rule matched, and some keep rule did (or none exist) */
	unsigned ntags;    /* OUTPUT, when keep (or for a deny or snapshot event,
			    * which pn_set_rules delivers whatever keep says): the tag rules that matched, by */
	const char *tags[PN_RULES_MAX_TAGS]; /* name in tags[0..ntags), first match
			    * first, each once */
	unsigned tags_dropped;
	const char *deny;  /* DENY: the name of the first deny rule that matched
			    * (its NAME, or "ORIGIN:LINE" when it has none), or NULL */
} pn_rules_verdict;

/* Evaluates the set (NULL: an empty set) on one input. The names in the
 * verdict live as long as the set. Lost events are never dropped or
 * tagged: a gap is always reported. Returns 0 or -EINVAL. */
PN_EXPORT int pn_rules_eval(const pn_rules *r, const pn_rules_input *in, unsigned what,
			    pn_rules_verdict *v);

/* Writes the verdict's tags as pn_event.rules wants them: each name
 * followed by one NUL, into buf (size bytes). Returns the length written;
 * names that do not fit are left out. */
PN_EXPORT size_t pn_rules_tags_join(const pn_rules_verdict *v, char *buf, size_t size);

/*
 * Live rules of a handle: from the next delivery on, events a keep/drop
 * rule rejects are not delivered to any callback (they take no sequence
 * number: pn_event.seq stays gapless, and pn_stats.dropped counts them),
 * and kept events carry the names of their tag rules in pn_event.rules.
 * Lost, deny and snapshot events are never dropped (a gap and an
 * enforcement action are always reported, and a snapshot is the log's
 * record of what ran); a deny event's tags follow its deny rule's name.
 * parent.image and ancestor.image read the handle's process table. Deny
 * rules are not applied here. The handle takes a reference of r and drops
 * the one of the set it replaces; NULL removes the rules. May be called
 * from inside a callback (it applies from the next event on).
 */
PN_EXPORT int pn_set_rules(pn_handle *h, pn_rules *r);

#ifdef __cplusplus
}
#endif
#endif
