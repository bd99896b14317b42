/* Helpers shared by the table and JSON formatters; not public API. */
#ifndef PN_FMT_INTERNAL_H
#define PN_FMT_INTERNAL_H
#include <string.h>
#include "procnotify/format.h"

/*
 * The formatters' fast path. A storm formats thousands of events a second,
 * each of some twenty pieces: a piece whose size has a known bound reserves
 * that room with one comparison (pn__buf_room), is written with plain
 * stores through a cursor, and is committed once (pn__buf_commit), instead
 * of a checked, NUL-terminated append per fragment.
 */
/* Grows b, which has no room for them, so that n more bytes and a NUL
 * fit; where they go, or NULL without memory. */
char *pn__buf_grow(pn_buf *b, size_t n);

static inline char *pn__buf_room(pn_buf *b, size_t n)
{
	return b->len + n < b->cap ? b->data + b->len : pn__buf_grow(b, n);
}

/* Ends the buffer at end (inside the room reserved) and NUL-terminates it. */
static inline void pn__buf_commit(pn_buf *b, char *end)
{
	*end = 0;
	b->len = (size_t)(end - b->data);
}

/* Copies a string literal to the cursor p; returns the cursor past it. */
#define PN__PUT_LIT(p, lit) ((char *)memcpy((p), (lit), sizeof(lit) - 1) + sizeof(lit) - 1)
/* Decimal digit pairs "00" to "99": two digits per division by 100. */
extern const char pn__digit_pairs[200];

/* v (< 100) as two digits; returns the cursor past them. */
static inline char *pn__put_2digits(char *p, unsigned v)
{
	memcpy(p, pn__digit_pairs + 2 * v, 2);
	return p + 2;
}

/* The number of decimal digits of v. */
int pn__udec_len(uint64_t v);
/* v in decimal, zero-padded to width digits: at most max(20, width) bytes. */
char *pn__put_udec(char *p, uint64_t v, int width);
/* v in decimal, a minus sign first when negative: at most 20 bytes. */
char *pn__put_sdec(char *p, int64_t v);
/* A device number as "MAJ:MIN", as ls -l writes it: at most PN__DEV_MAX bytes. */
#define PN__DEV_MAX 21
char *pn__put_dev(char *p, const pn_dev *d);
/* A process key, as pn_fmt_key() writes it: at most PN__KEY_MAX bytes. */
#define PN__KEY_MAX 50
char *pn__put_key(char *p, const pn_key *k);
/* RFC 3339 time: at most PN__TIME_MAX bytes (years past 9999 need printf). */
#define PN__TIME_MAX 30
char *pn__put_time(char *p, int64_t unix_ns);
/* s as a JSON string, quotes included: at most PN__JSON_STR_MAX(n) bytes. */
#define PN__JSON_STR_MAX(n) (6 * (size_t)(n) + 2)
char *pn__put_json_str(char *p, const char *s, size_t n);

/* The table's C-style escapes (pn_esc_table()) but for '|', which is only
 * the table's separator: for outputs that delimit cells their own way. */
void pn__esc_text(pn_buf *b, const char *s, size_t n);
/* An RFC 5424 SD-PARAM value, without its quotes: the text escapes above
 * (no raw control byte), then '"', '\\' and ']' preceded by a backslash. */
void pn__esc_sd_param(pn_buf *b, const char *s, size_t n);

void pn__fmt_clock(pn_buf *b, int64_t unix_ns);
/* 1 when a count per type shows type t's count (PN_EVENT_TYPE_MAP). */
int pn__type_count_shown(size_t t, uint64_t count);
/* Human duration: "850us", "12.3ms", "4.20s", "3m02s", "5h07m" (as printf's
 * "%.1f" and "%.2f" round them); one not past 0 is "0us". */
void pn__fmt_duration(pn_buf *b, int64_t ns);
/* Arguments (each followed by a NUL) as " arg1 \"arg 2\"", table-escaped. */
void pn__table_argv(pn_buf *b, const pn_str *argv);
/* A tree node's end: its exit status, or "no exit recorded", and
 * "; observed at start" when a snapshot found it. */
void pn__fmt_tree_status(pn_buf *b, const pn_proc_node *p);
/* "exit 3", "exit 3221225477 (0xc0000005)", "killed by SIGKILL", with
 * " (core dumped)" when it did. */
void pn__fmt_exit_status(pn_buf *b, int exit_code, int sig, int core_dumped);

/*
 * An exit code as every output writes it (README, "Exit codes"): the 32
 * bits unsigned. Windows' codes are DWORDs, and its statuses (NTSTATUS)
 * are above 2^31: 0xC0000005 is 3221225477, the number its hex names, not
 * -1073741819. Linux's 0 to 255 read the same either way.
 */
static inline uint32_t pn__exit_code(int code)
{
	return (uint32_t)code;
}

/* A JSON member's name as written before its value, ,"name": with its
 * length, both known at compile time: PN__MEMBER("pid"). */
struct pn__member {
	const char *text;
	size_t len;
};
#define PN__MEMBER(name) ((struct pn__member){ ",\"" name "\":", sizeof(",\"" name "\":") - 1 })

/* JSON members, each written as ,"name":value; a value that is not known is null. */
void pn__json_str(pn_buf *b, struct pn__member m, const pn_str *s, int known);
void pn__json_u64(pn_buf *b, struct pn__member m, uint64_t v, int known);
void pn__json_bool(pn_buf *b, struct pn__member m, int v);
void pn__json_key(pn_buf *b, struct pn__member m, const pn_key *k, int known);
/* RFC 3339 time as a JSON string, or null. */
void pn__json_time(pn_buf *b, struct pn__member m, int64_t unix_ns, int known);
void pn__json_argv(pn_buf *b, const pn_str *argv, int known);
/* Counts by type as pn_fmt_type_counts() shows them, as an object. */
void pn__json_type_counts(pn_buf *b, const uint64_t *count, size_t n);
/* "signal", "signal_name" and "core_dumped" of an exit. */
void pn__json_signal(pn_buf *b, int sig, int core_dumped);
#endif
