/*
 * Process trees, as `procnotify tree` prints them: an indented line per
 * process, or nested JSON objects, written as a walk visits each process,
 * so a tree of any size streams out. The pieces (escaping, argv, exit
 * status, keys, JSON members) are the ones the event table and JSON Lines
 * use.
 */
#include <inttypes.h>
#include "fmt_internal.h"

/* Indentation stops at this depth (two spaces a level); a deeper line says
 * its depth as a number instead, so a chain of any length prints lines of
 * a bounded width (40,000 levels once meant 1.6 GB of spaces). */
#define TREE_MAX_INDENT 32

void pn__fmt_tree_status(pn_buf *b, const pn_proc_node *p)
{
	if (p->end_ns)
		pn__fmt_exit_status(b, p->exit_code, p->signal, p->core_dumped);
	else
		pn_buf_puts(b, "no exit recorded");
	if (p->observed_at_start)
		pn_buf_puts(b, "; observed at start");
}

static void tree_line(pn_buf *b, const pn_proc_node *p, unsigned depth, int selected)
{
	for (unsigned i = 0; i < depth && i < TREE_MAX_INDENT; i++)
		pn_buf_puts(b, "  ");
	if (depth > TREE_MAX_INDENT) {
		pn_buf_puts(b, "[depth ");
		pn_buf_put_u64(b, depth);
		pn_buf_puts(b, "] ");
	}
	pn_buf_put_u64(b, p->pid);
	pn_buf_putc(b, ' ');
	if (p->have & PN_HAVE_IMAGE) {
		pn_esc_table(b, p->image.ptr, p->image.len, PN_ESC_QUOTE);
	} else if (p->have & PN_HAVE_COMM) {
		pn_buf_putc(b, '[');
		pn_esc_table(b, p->comm.ptr, p->comm.len, 0);
		pn_buf_putc(b, ']');
	} else {
		pn_buf_putc(b, '?');
	}
	if (p->have & PN_HAVE_ARGV) {
		pn_buf_puts(b, " :");
		pn__table_argv(b, &p->argv);
	}
	pn_buf_puts(b, " [");
	pn__fmt_tree_status(b, p);
	pn_buf_puts(b, "] ");
	pn_fmt_key(b, &p->key);
	if (selected)
		pn_buf_puts(b, " <= selected");
	pn_buf_putc(b, '\n');
}

static void tree_json_open(pn_buf *b, const pn_proc_node *p, int selected)
{
	uint32_t h = p->have;

	pn_buf_printf(b, "{\"pid\":%" PRIu32, p->pid);
	pn__json_u64(b, PN__MEMBER("ppid"), p->ppid, h & PN_HAVE_PARENT);
	pn__json_u64(b, PN__MEMBER("uid"), p->uid, h & PN_HAVE_UID);
	pn__json_str(b, PN__MEMBER("comm"), &p->comm, h & PN_HAVE_COMM);
	pn__json_str(b, PN__MEMBER("image"), &p->image, h & PN_HAVE_IMAGE);
	pn__json_key(b, PN__MEMBER("key"), &p->key, 1);
	pn__json_key(b, PN__MEMBER("parent_key"), &p->parent_key, h & PN_HAVE_PARENT);
	pn__json_argv(b, &p->argv, h & PN_HAVE_ARGV);
	pn__json_str(b, PN__MEMBER("cwd"), &p->cwd, h & PN_HAVE_CWD);
	pn__json_time(b, PN__MEMBER("start"), p->start_ns, 1);
	pn__json_time(b, PN__MEMBER("end"), p->end_ns, p->end_ns != 0);
	pn__json_u64(b, PN__MEMBER("exit_code"), pn__exit_code(p->exit_code),
		     p->end_ns && !p->signal);
	pn__json_signal(b, p->signal, p->core_dumped);
	pn__json_bool(b, PN__MEMBER("observed_at_start"), p->observed_at_start);
	pn__json_bool(b, PN__MEMBER("selected"), selected);
	pn_buf_puts(b, ",\"children\":[");
}

void pn_fmt_tree_enter(pn_fmt_tree *t, const pn_proc_node *p, unsigned depth, int selected)
{
	if (!t->json) {
		tree_line(t->out, p, depth, selected);
		return;
	}
	if (t->sibling)
		pn_buf_putc(t->out, ',');
	tree_json_open(t->out, p, selected);
	t->sibling = 0;
}

void pn_fmt_tree_leave(pn_fmt_tree *t, unsigned depth)
{
	if (!t->json)
		return;
	pn_buf_puts(t->out, depth ? "]}" : "]}\n");
	t->sibling = 1;
}
