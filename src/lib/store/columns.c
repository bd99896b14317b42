/* The event table's column names, from columns.h's lists, and the lost_*
 * columns' event types. */
#include <string.h>
#include "columns.h"

#define HEAD_NAME(name) #name,
#define FIELD_NAME(name, kind, have, types, json, table, sql, ...) PN__IS_COLUMN(sql) ? sql : NULL,
#define LOST_NAME(name, type) "lost_" #name,

/* The fields' sql names, NULL for a field that is no column. */
static const char *const field_sql[PN__FIELDS] = { PN_FIELD_MAP(FIELD_NAME) };

const enum pn_event_type pn__store_lost_types[PN_STORE_LOST_COLS] = {
#define LOST_TYPE(name, type) PN_EVENT_##type,
	PN__EVENT_LOST(LOST_TYPE)
#undef LOST_TYPE
};

static const char *const head_names[] = { PN__EVENT_HEAD(HEAD_NAME) };
static const char *const lost_names[] = { PN__EVENT_LOST(LOST_NAME) };

const char *pn__event_col_name(int c)
{
	if (c < PN__EVENT_HEAD_COLS)
		return head_names[c];
	c -= PN__EVENT_HEAD_COLS;
	for (int f = 0; f < PN__FIELDS; f++)
		if (field_sql[f] && c-- == 0)
			return field_sql[f];
	return lost_names[c];
}

/* The kinds stored as ids in the strings table. */
#define IS_STR_str 1
#define IS_STR_argv 1
#define IS_STR_tty 1
#define IS_STR_u32 0
#define IS_STR_u64 0
#define IS_STR_i32 0
#define IS_STR_i64 0
#define IS_STR_key 0
#define IS_STR_dev 0
#define IS_STR_flag 0
#define STR_NAME(name, kind, have, types, json, table, sql, ...) IS_STR_##kind ? sql : NULL,
static const char *const str_sql[PN__FIELDS] = { PN_FIELD_MAP(STR_NAME) };

int pn__is_str_column(const char *name)
{
	for (int f = 0; f < PN__FIELDS; f++)
		if (str_sql[f] && !strcmp(str_sql[f], name))
			return 1;
	return 0;
}

void pn__event_select(pn_buf *sql, const char *alias)
{
	for (int c = 0; c < PN__EVENT_COLS; c++)
		pn_buf_printf(sql, "%s%s.%s", c ? ", " : "", alias, pn__event_col_name(c));
}

#define STR_OFF_str(name) offsetof(pn_event, name),
#define STR_OFF_argv(name) offsetof(pn_event, name),
#define STR_OFF_u32(name)
#define STR_OFF_u64(name)
#define STR_OFF_i32(name)
#define STR_OFF_i64(name)
#define STR_OFF_key(name)
#define STR_OFF_tty(name)
#define STR_OFF_dev(name)
#define STR_OFF_flag(name)
#define STR_OFF(name, kind, ...) STR_OFF_##kind(name)
const size_t pn__event_str_off[] = { PN_FIELD_MAP(STR_OFF) };
const unsigned pn__event_nstr = sizeof(pn__event_str_off) / sizeof(pn__event_str_off[0]);
