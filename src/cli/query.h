/* `procnotify query`'s pieces: its options, and how it prints an event. */
#ifndef PN_CLI_QUERY_H
#define PN_CLI_QUERY_H
#include "cli.h"
#include "names.h"
#include "where.h"
#include "window.h"

/* Filter values a command line may give (each --pid, --name... one). */
#define QUERY_MAX_TERMS 256

struct query_opts {
	const char *db;
	const char *host;        /* --host: one host's events */
	pn_store_term terms[QUERY_MAX_TERMS];
	pn_store_where w;
	struct cli_window win;   /* --since, --until, --utc, --local */
	enum pn_out_format format;
	int no_header;
	int count;               /* --count: the number of events only */
	int numeric;             /* --numeric: no user and group names */
	struct cli_where where;  /* --where: a rule expression */
	int follow;              /* --follow: then the new events as they come */
};

struct query_run {
	struct query_opts *q;
	pn_store *store;
	struct sink sink;
	struct names names;
	uint64_t matched;        /* events printed or counted: the exit status */
	int64_t last_id;         /* --follow: the newest row read */
};

/* One event in the format asked for, into run->sink's buffer. */
void query_print(struct query_run *run, const pn_event *ev);

/* --follow: after the rows up to run->last_id, each new matching one as
 * the log gets it, through fn (user: run), until SIGINT or SIGTERM (0)
 * or a failure (-errno). */
int query_follow(pn_store *s, struct query_run *run, pn_store_event_fn fn);
#endif
