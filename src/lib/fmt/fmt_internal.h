/* Helpers shared by the table and JSON formatters; not public API. */
#ifndef PN_FMT_INTERNAL_H
#define PN_FMT_INTERNAL_H
#include "procnotify/format.h"

void pn__fmt_clock(pn_buf *b, int64_t unix_ns);
/* Human duration: "850us", "12.3ms", "4.20s", "3m02s", "5h07m". */
void pn__fmt_duration(pn_buf *b, int64_t ns);
#endif
