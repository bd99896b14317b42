/*
 * The event table's columns, generated: nothing here lists a field by hand.
 *
 *   PN__EVENT_HEAD(X)  what every row has that is not a field of an event
 *                      (the run, the order, the type, the process row);
 *   PN_FIELD_MAP       every row of procnotify/fields.h with an sql name is
 *                      a column, in the table's order; its kind says how it
 *                      is bound (rows.c) and read back (query.c), its have
 *                      bit and types when it is known (NULL otherwise);
 *   PN__EVENT_LOST(X)  a lost record's count per event type.
 *
 * Adding a column to the event table is therefore:
 *   1. the field's row in include/procnotify/fields.h, with its sql name;
 *   2. a migration in schema.c that adds the column (ALTER TABLE event ADD
 *      COLUMN <sql> INTEGER; a str/argv/tty field's column holds the id of
 *      its bytes in the strings table, intern.h), renumbered on rebase so
 *      the versions stay one chain; the view event_view, which shows the
 *      strings, is remade from the table after every migration;
 *   3. nothing else in the store: the insert, its binding, the select and
 *      its reading follow from the row. A field whose known-ness its have
 *      bit and types cannot say (lost_count) is named in pn__store_known().
 * A column that is not a field of pn_event (a store-only column) goes in
 * PN__EVENT_HEAD with its binding in rows.c and its reading in query.c.
 */
#ifndef PN_STORE_COLUMNS_H
#define PN_STORE_COLUMNS_H
#include <stddef.h>
#include "procnotify.h"
#include "procnotify/format.h"

/* host: host.id of the event's host (hosts.c), 0 when unknown. */
#define PN__EVENT_HEAD(X) X(run) X(seq) X(type) X(time_ns) X(have) X(flags) X(process) X(host)

#define PN__EC_ENUM(name) PN__EC_##name,
enum pn__event_head_col { PN__EVENT_HEAD(PN__EC_ENUM) PN__EVENT_HEAD_COLS };
#undef PN__EC_ENUM

/* A field that is a column: its sql name is not "". */
#define PN__IS_COLUMN(sql) (sizeof(sql) > 1)
#define PN__COUNT_COLUMN(name, kind, have, types, json, table, sql, ...) +PN__IS_COLUMN(sql)
/* The field columns, after the head ones. */
#define PN__EVENT_FIELD_COLS (0 PN_FIELD_MAP(PN__COUNT_COLUMN))

/* The event types of the columns lost_fork, lost_exec, lost_exit,
 * lost_create, which follow the field columns. */
#define PN__EVENT_LOST(X) X(fork, FORK) X(exec, EXEC) X(exit, EXIT) X(create, CREATE)
#define PN__COUNT_LOST(name, type) +1
#define PN_STORE_LOST_COLS (0 PN__EVENT_LOST(PN__COUNT_LOST))

#define PN__EVENT_COLS (PN__EVENT_HEAD_COLS + PN__EVENT_FIELD_COLS + PN_STORE_LOST_COLS)

/* Column c's name, c in [0, PN__EVENT_COLS). */
const char *pn__event_col_name(int c);
/* A column of the kinds str, argv or tty: it holds an id in the strings
 * table (intern.h), in the event table and in the process table alike. */
int pn__is_str_column(const char *name);
/* The bytes of the string whose id column col holds, in SQL. */
#define PN__STR_OF(col) "(SELECT value FROM str WHERE id = " col ")"
/* The event columns of table alias, as a select list: the strings as
 * their ids (strcache.h reads their bytes). */
void pn__event_select(pn_buf *sql, const char *alias);
/* The lost_* columns' event types, in order. */
extern const enum pn_event_type pn__store_lost_types[PN_STORE_LOST_COLS];

/* Every field of procnotify/fields.h, by name: PN__F_pid, ... */
#define PN__F_ENUM(name, ...) PN__F_##name,
enum pn__field { PN_FIELD_MAP(PN__F_ENUM) PN__FIELDS };
#undef PN__F_ENUM

/* Whether field f of ev is known: its have bit (ALWAYS is 0) and its
 * types, and for two fields what their JSON asks besides. Called with a
 * constant f, so it folds to the test of that one field. */
static inline int pn__store_known(const pn_event *ev, enum pn__field f, uint32_t have,
				  uint32_t types)
{
	if ((ev->have & have) != have || !(PN_MASK(ev->type) & types))
		return 0;
	if (f == PN__F_lost_count)
		return ev->lost_count_known;
	if (f == PN__F_duration_ns)
		return ev->duration_ns >= 0;
	return 1;
}
#define PN__STORE_KNOWN(ev, name, bit, types) \
	pn__store_known(ev, PN__F_##name, PN_HAVE_##bit, types)

/* Every string of an event (the str and argv fields of procnotify/fields.h),
 * by offset: what a copy of an event must copy besides the struct. */
extern const size_t pn__event_str_off[];
extern const unsigned pn__event_nstr;

static inline pn_str *pn__event_str(pn_event *ev, unsigned i)
{
	return (pn_str *)((char *)ev + pn__event_str_off[i]);
}

/* An event that carries an exec's fields (arguments, cwd, tty): an exec,
 * a Windows create, which is a fork and an exec at once, or a denial of
 * either (what would have run). */
static inline int pn__store_is_exec(const pn_event *ev)
{
	return ev->type == PN_EVENT_EXEC || ev->type == PN_EVENT_CREATE ||
	       ev->type == PN_EVENT_DENY;
}
#endif
