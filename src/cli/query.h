/* `procnotify query`'s pieces: its options, and how it prints an event. */
#ifndef PN_CLI_QUERY_H
#define PN_CLI_QUERY_H
#include "cli.h"
#include "names.h"

/* Filter values a command line may give (each --pid, --name... one). */
#define QUERY_MAX_TERMS 256

struct query_opts {
	const char *db;
	pn_store_term terms[QUERY_MAX_TERMS];
	pn_store_where w;
	const char *since, *until; /* parsed once the zone is known */
	enum pn_out_format format;
	int no_header;
	int count;               /* --count: the number of events only */
	int utc, local;          /* --utc, --local (the default) */
	int numeric;             /* --numeric: no user and group names */
};

struct query_run {
	const struct query_opts *q;
	struct sink sink;
	struct names names;
	uint64_t matched;        /* events printed or counted: the exit status */
	int64_t zone_from, zone_to, zone_offset; /* the cached offset and when it holds */
};

/* One event in the format asked for, into run->sink's buffer. */
void query_print(struct query_run *run, const pn_event *ev);
#endif
