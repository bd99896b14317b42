/* Helpers shared by the table and JSON formatters; not public API. */
#ifndef PN_FMT_INTERNAL_H
#define PN_FMT_INTERNAL_H
#include "procnotify/format.h"

void pn__fmt_clock(pn_buf *b, int64_t unix_ns);
/* Human duration: "850us", "12.3ms", "4.20s", "3m02s", "5h07m". */
void pn__fmt_duration(pn_buf *b, int64_t ns);
/* Arguments (each followed by a NUL) as " arg1 \"arg 2\"", table-escaped. */
void pn__table_argv(pn_buf *b, const pn_str *argv);
/* "exit 3", "killed by SIGKILL", with " (core dumped)" when it did. */
void pn__fmt_exit_status(pn_buf *b, int exit_code, int sig, int core_dumped);

/* JSON members, each written as ,"name":value; a value that is not known is null. */
void pn__json_str(pn_buf *b, const char *name, const pn_str *s, int known);
void pn__json_u64(pn_buf *b, const char *name, uint64_t v, int known);
void pn__json_u32(pn_buf *b, const char *name, uint32_t v, int known);
void pn__json_bool(pn_buf *b, const char *name, int v);
void pn__json_key(pn_buf *b, const char *name, const pn_key *k, int known);
/* RFC 3339 time as a JSON string, or null. */
void pn__json_time(pn_buf *b, const char *name, int64_t unix_ns, int known);
void pn__json_argv(pn_buf *b, const pn_str *argv, int known);
/* "signal", "signal_name" and "core_dumped" of an exit. */
void pn__json_signal(pn_buf *b, int sig, int core_dumped);
#endif
