/*
 * `procnotify report`: a summary of the activity log over a time window,
 * as aureport gives one of the audit log. The store counts (src/lib/store/
 * report.c) and hands the sections to a visitor, row by row; the
 * formatters (src/lib/fmt/report.c) write them as a table or one JSON
 * object. Internal (pn__ names, not exported by the shared library) until
 * its sections have settled.
 *
 * Sections, in this order:
 *   summary     events per type, processes started, the log's extent
 *   images      executions per image, most first
 *   parents     processes with the most children started in the window
 *   users       executions per real user id
 *   failures    per image: exits with a non-zero status, by a signal,
 *               with a core dump, out of all of its exits
 *   new_images  images whose first execution in the whole log falls in
 *               the window, in the order they first ran
 *   hours       events per hour that saw any (hours of UTC, which are
 *               those of any zone a whole number of hours off it)
 * The ranked sections (images to new_images) give their first `top` rows
 * and the number of entries they have in all.
 */
#ifndef PROCNOTIFY_REPORT_H
#define PROCNOTIFY_REPORT_H
#include <stdint.h>
#include "procnotify.h"
#include "procnotify/format.h"
#include "procnotify/store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PN_REPORT_SECTION_MAP(X) \
	X(SUMMARY, summary, "Summary") \
	X(IMAGES, images, "Top images (executions)") \
	X(PARENTS, parents, "Top parents (children started)") \
	X(USERS, users, "Executions per user") \
	X(FAILURES, failures, "Failures (exits with a non-zero status or by a signal)") \
	X(NEW_IMAGES, new_images, "Images run for the first time in the log") \
	X(HOURS, hours, "Activity per hour")

enum pn_report_section {
#define PN__REPORT_ENUM(N, n, title) PN_REPORT_##N,
	PN_REPORT_SECTION_MAP(PN__REPORT_ENUM)
#undef PN__REPORT_ENUM
	PN_REPORT_SECTIONS
};

const char *pn__report_section_name(enum pn_report_section s);  /* "new_images" */
const char *pn__report_section_title(enum pn_report_section s); /* its heading */

/* What a report covers. */
typedef struct pn_report_window {
	int64_t since_ns, until_ns; /* as asked; 0: open */
	int64_t first_ns, last_ns;  /* the log's first and last event; 0 when empty */
} pn_report_window;

/* One row of a section; which members mean something depends on it. */
typedef struct pn_report_row {
	uint32_t have;           /* PN_HAVE_IMAGE, _COMM, _ARGV, _UID: known strings and uid */
	pn_str image, comm, argv;/* images, failures, new_images; parents: the parent's */
	pn_key key;              /* parents: the parent process */
	uint32_t pid, uid;       /* parents, users */
	int64_t time_ns;         /* new_images: its first execution; hours: the hour */
	uint64_t count;          /* executions; parents: children; failures: exits;
				  * hours and summary: events */
	uint64_t nonzero, signaled, core_dumped; /* failures; hours: failed exits in nonzero */
	uint64_t by_type[PN_EVENT_TYPE_MAX];     /* summary, hours: events per type */
	uint64_t processes;      /* summary: processes started in the window */
	const char *user_name;   /* users: the uid's name, when a caller adds it */
} pn_report_row;

/* A visitor of a report: begin(), the section's rows, end() with the
 * number of entries it has in all (ranked sections show `top` of them).
 * Each returns 0 to go on or a negative errno to stop. */
typedef struct pn_report_visitor {
	int (*begin)(enum pn_report_section s, const pn_report_window *w, void *user);
	int (*row)(enum pn_report_section s, const pn_report_row *r, void *user);
	int (*end)(enum pn_report_section s, uint64_t total, void *user);
} pn_report_visitor;

/* What a report counts: the events whose time is in [since_ns, until_ns]
 * (0: open) and, when keep is not NULL, that keep returns 1 for (every
 * event of the window is then rebuilt, as pn_store_query() does; lost
 * records among them too). New images are those no exec of the whole log
 * ran before the window, whatever keep says. */
typedef struct pn_report_scope {
	int64_t since_ns, until_ns;
	int (*keep)(const pn_event *ev, void *user);
	void *keep_user;
} pn_report_scope;

/* The report of a scope, read in one snapshot of the log; top rows per
 * ranked section, 0 for all. Returns 0, what a visitor returned to stop,
 * or -errno. */
int pn__store_report(pn_store *s, const pn_report_scope *sc, uint32_t top,
		     const pn_report_visitor *v, void *user);

/* A report being written, section by section, as the store hands it over:
 * text tables, or one JSON object and a newline. */
typedef struct pn_fmt_report {
	pn_buf *out;
	int json;
	int html;                /* one self-contained HTML page (html_report.c) */
	const char *zone;        /* text: the zone times are shown in; NULL: UTC */
	int64_t (*offset)(int64_t unix_ns, void *user); /* its offset then, east positive */
	void *user;
	uint64_t rows;           /* rows written in the open section */
	pn_buf held;             /* HTML: the hours, drawn once their largest is known */
	pn_buf scratch;          /* HTML: a cell's text before its entities */
} pn_fmt_report;

void pn__fmt_report_begin(pn_fmt_report *f, enum pn_report_section s, const pn_report_window *w);
void pn__fmt_report_row(pn_fmt_report *f, enum pn_report_section s, const pn_report_row *r);
void pn__fmt_report_end(pn_fmt_report *f, enum pn_report_section s, uint64_t total);
void pn__fmt_report_free(pn_fmt_report *f);

/* Pieces the text and HTML reports share: a time in the report's zone
 * ("2026-12-02 04:25:49", or its first len bytes), the zone's name. */
void pn__fmt_report_when(const pn_fmt_report *f, pn_buf *b, int64_t unix_ns, int len);
/* "A to B (zone)", the_log, " holds events from C to D.": the window and
 * the log's extent. */
void pn__fmt_report_window(const pn_fmt_report *f, const pn_report_window *w, const char *the_log);
const char *pn__fmt_report_zone(const pn_fmt_report *f);
/* The HTML page's sections (html_report.c). */
void pn__html_report_begin(pn_fmt_report *f, enum pn_report_section s, const pn_report_window *w);
void pn__html_report_row(pn_fmt_report *f, enum pn_report_section s, const pn_report_row *r);
void pn__html_report_end(pn_fmt_report *f, enum pn_report_section s, uint64_t total);

#ifdef __cplusplus
}
#endif
#endif
