/*
 * Self-contained HTML pages of the activity log: `procnotify tree --html`
 * (a collapsible process tree beside a zoomable timeline of lifetimes)
 * and `procnotify report --html`. One file, no network: the style and the
 * script are inline, and the page's Content-Security-Policy allows no
 * fetch at all and runs only the page's own script (by its hash), so even
 * markup that escaped the escapers could not load or run anything.
 * Internal (pn__ names, not exported by the shared library).
 *
 * Strings from processes are shown as the table shows them, with its
 * C-style escapes (a control byte, a bidi override or a look-alike space
 * is seen, not acted on), then made safe where they go:
 *   pn__esc_html()       text and attribute values: & < > " ' as entities
 *   pn__esc_html_json()  a JSON string for a data island
 *                        (<script type="application/json">): < > & as
 *                        \u003c \u003e \u0026, so nothing in it can close
 *                        the element or open a comment
 * pn__html_entities() and pn__html_json_quote() do the second step alone,
 * for text that is already escaped (an argument list as the table writes
 * it).
 */
#ifndef PROCNOTIFY_HTML_H
#define PROCNOTIFY_HTML_H
#include <stdint.h>
#include "procnotify.h"
#include "procnotify/format.h"

#ifdef __cplusplus
extern "C" {
#endif

void pn__esc_html(pn_buf *b, const char *s, size_t n);
void pn__esc_html_json(pn_buf *b, const char *s, size_t n);
/* s: text already escaped (pn__esc_text(), pn__table_argv()): valid UTF-8
 * without control bytes. The JSON form escapes a control byte anyway. */
void pn__html_entities(pn_buf *b, const char *s, size_t n);
void pn__html_json_quote(pn_buf *b, const char *s, size_t n);

/* A tree page, written as a walk visits the processes: the page's head,
 * then one node at a time into the data island, then the script. Memory
 * is a node's worth, whatever the tree's size. */
typedef struct pn_fmt_html_tree {
	pn_buf *out;
	pn_buf scratch;          /* a node's text before it is quoted */
	uint64_t nodes;
} pn_fmt_html_tree;

/* title: what the page is of (a pid or key as asked), escaped here. */
void pn__fmt_html_tree_begin(pn_fmt_html_tree *t, const char *title);
/* user: the uid's name, or NULL. */
void pn__fmt_html_tree_node(pn_fmt_html_tree *t, const pn_proc_node *p, unsigned depth,
			    int selected, const char *user);
void pn__fmt_html_tree_end(pn_fmt_html_tree *t);
void pn__fmt_html_tree_free(pn_fmt_html_tree *t);

/* The common parts of a page (html.c): the head up to <body> with the
 * policy that runs only scripts of the given hash ("sha256-..."; NULL
 * for none), and the end. */
void pn__html_head(pn_buf *b, const char *title, const char *style, const char *script_hash);
void pn__html_tail(pn_buf *b);

#ifdef __cplusplus
}
#endif
#endif
