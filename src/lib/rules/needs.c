/*
 * What the rules of one action read beyond the image's path and identity:
 * exec enforcement fills only that before it asks the rules, so a set of
 * image rules costs no /proc read and no hash.
 */
#include <string.h>
#include "procnotify/enforce.h"
#include "rules_internal.h"
#include "needs.h"

static uint32_t field_needs(const struct pn__rfield *f)
{
	static const char *const free_fields[] = { "image", "image_dev", "image_ino", "type", "pid" };

	if (f->kind == RK_SHA256)
		return PN_NEED_SHA256;
	if (f->kind == RK_ANCESTOR)
		return PN_NEED_ANCESTORS;
	if (f->kind == RK_MNT_HOST || !strcmp(f->name, "mnt_ns") || !strcmp(f->name, "pid_ns"))
		return PN_NEED_NS;
	if (!strcmp(f->name, "argv") || !strcmp(f->name, "argc") || !strcmp(f->name, "argv_truncated"))
		return PN_NEED_ARGV;
	if (!strcmp(f->name, "cwd"))
		return PN_NEED_CWD;
	if (!strcmp(f->name, "cgroup") || !strcmp(f->name, "cgroup_id"))
		return PN_NEED_CGROUP;
	for (size_t i = 0; i < sizeof(free_fields) / sizeof(free_fields[0]); i++)
		if (!strcmp(f->name, free_fields[i]))
			return 0;
	return PN_NEED_PROC; /* ids, comm, ppid, sid...: the process's /proc */
}

uint32_t pn__rules_needs(const pn_rules *r, enum pn_rule_action action)
{
	uint32_t needs = 0;

	for (unsigned i = 0; r && i < r->n; i++) {
		const struct pn__rule *rule = &r->rules[i];

		if (rule->action != action)
			continue;
		for (unsigned k = 0; k < rule->nnodes; k++)
			if (rule->nodes[k].kind == N_TEST)
				needs |= field_needs(rule->nodes[k].f);
	}
	return needs;
}
