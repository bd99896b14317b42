/* The event table's column names and the lost_* columns' event types. */
#include "columns.h"

#define PN__EC_NAME(name) #name,
const char *const pn__event_col_names[PN__EVENT_COLS] = { PN__EVENT_COLUMNS(PN__EC_NAME) };

const enum pn_event_type pn__store_lost_types[PN_STORE_LOST_COLS] = {
	PN_EVENT_FORK, PN_EVENT_EXEC, PN_EVENT_EXIT, PN_EVENT_CREATE,
};
