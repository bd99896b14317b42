/* The event table's column names and the lost_* columns' event types. */
#include "columns.h"

#define PN__EC_NAME(name) #name,
const char *const pn__event_col_names[PN__EVENT_COLS] = { PN__EVENT_COLUMNS(PN__EC_NAME) };

const enum pn_event_type pn__store_lost_types[PN_STORE_LOST_COLS] = {
	PN_EVENT_FORK, PN_EVENT_EXEC, PN_EVENT_EXIT, PN_EVENT_CREATE,
};

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
