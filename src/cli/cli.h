/* The procnotify command: shared declarations of its pieces. */
#ifndef PN_CLI_H
#define PN_CLI_H
#include <stdio.h>
#include "procnotify.h"
#include "procnotify/format.h"
#include "procnotify/store.h"
#include "opt.h"
#include "rules_opt.h"

/* In the order of --format's words (pn_opt_enum). */
enum pn_out_format { PN_OUT_TABLE, PN_OUT_JSON, PN_OUT_CSV, PN_OUT_ECS };

struct monitor_opts {
	enum pn_out_format format;
	uint32_t types;          /* PN_MASK bits */
	pn_options lib;
	double duration_s;       /* 0: until a signal */
	int no_header;
	int no_sandbox;          /* keep every privilege (debugging) */
	const char *output;      /* NULL: stdout */
	const char *db;          /* the activity log to append to, or NULL */
	pn_store_options db_opt;
	const char *syslog;      /* --syslog: the target, or NULL */
	const char *journal;     /* --journal: journald's socket ("" its default), or NULL */
	int syslog_facility, syslog_severity; /* --syslog-priority */
	uint32_t output_queue;   /* --output-queue: bytes per output; 0 the default */
	uint32_t deny_deadline_ms; /* --deny-deadline: allow what is not decided by then */
	const char *config;      /* --config: the file to read instead of PN_CLI_CONFIG */
	int check_config;        /* --check-config: stop once the options are read */
	char *config_text;       /* the config file read; the options point into it */
	struct pn_cli_rules rule_srcs; /* --rule, --rules, in order */
	pn_rules *rules;         /* compiled from them; NULL when none */
};

/* The config file read when --config names none; a missing one is no error. */
#ifndef PN_SYSCONFDIR
#define PN_SYSCONFDIR "/etc"
#endif
#define PN_CLI_CONFIG PN_SYSCONFDIR "/procnotify/procnotify.conf"

/* Exit codes. */
#define PN_EXIT_OK 0
#define PN_EXIT_FAIL 1
#define PN_EXIT_USAGE 2

/* The subcommands' option tables (for help, completion and their tests). */
extern const struct pn_cmd pn_cli_monitor_cmd, pn_cli_query_cmd, pn_cli_tree_cmd,
	pn_cli_report_cmd, pn_cli_import_cmd;

/* Reads the monitor's options into a fresh *o: the config file, then the
 * command line over it. Returns 0, -1 to exit 0 (--help, --version), or an
 * exit code > 0 after printing one line. Call it again with the same argv
 * to reread the config (SIGHUP); free each result with
 * pn_cli_monitor_opts_free(). */
int pn_cli_parse_monitor(int argc, char **argv, struct monitor_opts *o);
void pn_cli_monitor_opts_free(struct monitor_opts *o);

/* A sink that renders events and writes them out in batches. */
struct sink {
	int fd;
	enum pn_out_format format;
	pn_buf buf;
	int failed;              /* the output went away (EPIPE) or broke */
	pn_fmt_ecs_extra ecs;    /* what ECS documents carry beside the event */
};
void sink_init(struct sink *s, int fd, enum pn_out_format format);
void sink_event(const pn_event *ev, void *user); /* a pn_callback */
int sink_flush(struct sink *s);
/* Flushes once a batch is large; 0, or -errno once the output failed. */
int sink_flush_big(struct sink *s);
void sink_free(struct sink *s);

int pn_cli_monitor(int argc, char **argv);
int pn_cli_query(int argc, char **argv);
int pn_cli_tree(int argc, char **argv);
int pn_cli_report(int argc, char **argv);
int pn_cli_import(int argc, char **argv);

/* --html FILE: opens the page to write (- is standard output), or prints
 * why not and returns -1. Closing it removes the file when rc (the
 * command's result so far) is a failure, or when closing fails; returns
 * the result. */
int pn_cli_open_page(const char *path);
int pn_cli_close_page(const char *path, int fd, int rc);

/* Opens an activity log for reading; prints why not and returns NULL. */
pn_store *pn_cli_open_log(const struct pn_cmd *cmd, const char *path);

/* Row parsers the subcommands share. */
int pn_cli_opt_json(struct pn_opt_call *c);   /* enum pn_out_format */
/* --format: one of the row's values, each named as enum pn_out_format's
 * (table json csv ecs), so that a command offers only some. */
int pn_cli_opt_format(struct pn_opt_call *c);
/* "fork,exec,exit" to PN_MASK bits, lost always included; repeated, the lists add up. */
int pn_cli_opt_types(struct pn_opt_call *c);
void pn_cli_type_words(pn_buf *b);            /* the type names, for completion */
/* This machine's id (/etc/machine-id, machine-id(5)), read once, for ECS's
 * host.id; NULL when there is none. */
const char *pn_cli_machine_id(void);
/* A host name (const char *): 1 to PN_HOST_MAX printable ASCII bytes, no space. */
int pn_cli_opt_hostname(struct pn_opt_call *c);
#endif
