/*
 * The event table's columns, in one place: the writer's insert and the
 * query's select are generated from this list, and both address a column
 * by its PN__EC_ name. A new column is a line here, a migration that adds
 * it (schema.c), its binding (rows.c) and its reading (query.c).
 */
#ifndef PN_STORE_COLUMNS_H
#define PN_STORE_COLUMNS_H
#include <stddef.h>
#include "procnotify.h"

#define PN__EVENT_COLUMNS(X)                                                            \
	X(run) X(seq) X(type) X(time_ns) X(have) X(flags) X(process) X(pid) X(tid)      \
	X(ppid) X(parent_start) X(uid) X(gid) X(euid) X(sid) X(comm) X(image)           \
	X(filename) X(cwd) X(argv) X(argc) X(old_tid) X(tty) X(cgroup_id) X(exit_code)  \
	X(signal) X(core_dumped) X(nt_status) X(duration_ns) X(lost_count) X(lost_fork) \
	X(lost_exec) X(lost_exit) X(lost_create) X(new_id) X(new_eid) X(tracer_pid)    \
	X(image_dev) X(image_ino) X(mnt_ns) X(pid_ns) X(root) X(lost_reason)           \
	X(creator_pid) X(creator_start)

#define PN__EC_ENUM(name) PN__EC_##name,
enum pn__event_col { PN__EVENT_COLUMNS(PN__EC_ENUM) PN__EVENT_COLS };
#undef PN__EC_ENUM

/* The columns' names, in order. */
extern const char *const pn__event_col_names[PN__EVENT_COLS];

/* The event types of the columns lost_fork, lost_exec, lost_exit, lost_create. */
#define PN_STORE_LOST_COLS 4
extern const enum pn_event_type pn__store_lost_types[PN_STORE_LOST_COLS];
_Static_assert(PN__EC_lost_create - PN__EC_lost_fork + 1 == PN_STORE_LOST_COLS,
	       "one lost_* column per entry of pn__store_lost_types");

/* Every string of an event (the str and argv fields of procnotify/fields.h),
 * by offset: what a copy of an event must copy besides the struct. */
extern const size_t pn__event_str_off[];
extern const unsigned pn__event_nstr;

static inline pn_str *pn__event_str(pn_event *ev, unsigned i)
{
	return (pn_str *)((char *)ev + pn__event_str_off[i]);
}

/* An event that carries an exec's fields (arguments, cwd, tty): an exec,
 * or a Windows create, which is a fork and an exec at once. */
static inline int pn__store_is_exec(const pn_event *ev)
{
	return ev->type == PN_EVENT_EXEC || ev->type == PN_EVENT_CREATE;
}
#endif
