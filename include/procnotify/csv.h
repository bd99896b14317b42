/*
 * CSV (RFC 4180) of events, for spreadsheets and data tools: a header row
 * naming the columns, then one row per event. Internal (pn__ names, not
 * exported by the shared library) until its columns have settled.
 *
 * The columns are seq, time (RFC 3339 UTC), type, then every field of
 * procnotify/fields.h that has a JSON member or a log column, under that
 * name, in the table's order. A cell the event does not carry is empty;
 * a string known to be empty is "". Numbers are plain decimal, flags
 * true or false, argv its arguments joined by spaces (each quoted as in
 * the table when it holds a space or a quote).
 *
 * Untrusted bytes get the table's C-style escapes (pn_esc_table(): \n,
 * \t, \xHH for a control byte or invalid UTF-8, \uXXXX for an invisible
 * code point, \\ for a backslash), so a cell never holds a raw CR, LF or
 * control byte. A cell holding a comma or a quote, and every empty
 * string, is quoted, quotes doubled. A string cell that starts with =, +,
 * -, @ (or a tab or CR, which the escapes already turn into text) would
 * run as a formula in a spreadsheet: it is quoted and prefixed with a
 * single quote, as OWASP's CSV injection guidance says, so it reads as
 * text. Rows end with LF alone (RFC 4180 says CRLF; every CSV reader
 * takes LF, and line-based tools want it).
 */
#ifndef PROCNOTIFY_CSV_H
#define PROCNOTIFY_CSV_H
#include "procnotify.h"
#include "format.h"

#ifdef __cplusplus
extern "C" {
#endif

void pn__fmt_csv_header(pn_buf *b);
void pn__fmt_csv(pn_buf *b, const pn_event *ev);

#ifdef __cplusplus
}
#endif
#endif
