/*
 * One option table per subcommand, and one engine that reads it: the
 * command line, the --help text and the config file all come from the same
 * rows, so they cannot drift apart (the habit of bcc's libbpf-tools argp
 * tables). A row names the option, says what its argument is, explains it,
 * and points at the parser that range-checks the value and stores it.
 */
#ifndef PN_CLI_OPT_H
#define PN_CLI_OPT_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "procnotify/format.h"

struct pn_opt;

/* Where a config file's value is: its file, line and column (1-based). */
struct pn_opt_where {
	const char *file;
	unsigned line, col;
};

/* One value to parse: the parser stores it at dest, or explains in why. */
struct pn_opt_call {
	const struct pn_opt *row;
	const char *arg;        /* the value; "true" for a flag on the command line */
	void *opts;             /* the command's whole options struct */
	void *dest;             /* opts + row->off */
	int again;              /* this source set the option before */
	const struct pn_opt_where *where; /* in a config file; NULL on the command line */
	char why[160];
};

/* 0, -1 with c->why set, or one of the PN_OPT_STOP_* codes. */
typedef int (*pn_opt_parser)(struct pn_opt_call *c);

#define PN_OPT_STOP_HELP 1
#define PN_OPT_STOP_VERSION 2

/* Row flags. */
#define PN_OPT_ONCE 0x1      /* a filter the store cannot OR: giving it twice is an error */
#define PN_OPT_CLI_ONLY 0x2  /* not a config file key (--help, --config) */
#define PN_OPT_HAVE 0x4      /* also set the int at have_off: "this filter was given" */
#define PN_OPT_FILE 0x8      /* the argument is a file name (completion) */
#define PN_OPT_OPTIONAL 0x10 /* the argument may be left out (--name[=ARG]); the
			      * parser gets "" then, as from an empty config value */

struct pn_opt {
	const char *name;        /* long name and config key; NULL: a heading row */
	char key;                /* short option letter, 0 for none */
	const char *arg;         /* argument name in the help; NULL for a flag */
	const char *help;        /* further lines are indented under the first */
	pn_opt_parser parse;
	size_t off;              /* where parse stores, in the options struct */
	size_t have_off;         /* with PN_OPT_HAVE */
	int64_t min, max;        /* bounds of number parsers; max 0: the type's */
	const char *values;      /* words of an enumeration (pn_opt_enum, completion) */
	void (*words)(pn_buf *b);/* completion words when not values */
	const char *alias;       /* an older spelling, still accepted */
	const char *example;     /* a value for the example config file */
	unsigned flags;
};

struct pn_cmd {
	const char *name;        /* "procnotify", "procnotify query" */
	const char *usage;       /* the help before the table */
	const char *epilog;      /* and after it */
	const struct pn_opt *opts; /* ends with a row that has neither name nor help */
	int max_args;            /* positional arguments allowed */
};

/* Parses argv[1..] into opts. Returns 0 with *first_arg the index of the
 * first positional argument (argv is permuted as getopt does), -1 when
 * --help or --version was answered, or PN_EXIT_USAGE after one error. */
int pn_opt_parse_argv(const struct pn_cmd *cmd, int argc, char **argv, void *opts,
		      int *first_arg);

/* Reads `key = value` lines into opts. A missing file is 0 unless must_exist.
 * The values point into *text, which the caller frees. Returns 0 or
 * PN_EXIT_USAGE/PN_EXIT_FAIL after printing "FILE:LINE: why" or the error. */
int pn_opt_parse_file(const struct pn_cmd *cmd, const char *path, int must_exist,
		      void *opts, char **text);

void pn_opt_help(const struct pn_cmd *cmd, FILE *f);
/* Bash completion for the subcommands names[i], whose options are cmds[i];
 * cmds[0] is also what runs when no subcommand is named. */
void pn_opt_bash_completion(const char *const *names, const struct pn_cmd *const *cmds,
			    size_t n, FILE *f);
/* An example config file: every key, commented out, under its help. */
void pn_opt_config_example(const struct pn_cmd *cmd, const char *intro, FILE *f);

/* Prints "PREFIXwhat 'arg'" and ": why" when given, as one line, arg escaped. */
void pn_opt_error(const char *prefix, const char *what, const char *arg, const char *why);
/* Prints "procnotify: what 'arg'" and the command's --help hint; returns PN_EXIT_USAGE. */
int pn_opt_usage_error(const struct pn_cmd *cmd, const char *what, const char *arg);

/* The engine's own pieces, shared by its files. */
int pn_opt_is_end(const struct pn_opt *r);
size_t pn_opt_count(const struct pn_cmd *cmd);
/* Parses one value of row i; seen[i] says this source gave it before.
 * Returns 0 or a PN_OPT_STOP_* code, or -1 after printing
 * "PREFIXNAME 'ARG': why" as one line. */
int pn_opt_apply(const struct pn_cmd *cmd, size_t i, const char *arg, void *opts,
		 unsigned char *seen, const char *prefix, const char *name,
		 const struct pn_opt_where *where);

/* Parsers for rows. */
int pn_opt_flag(struct pn_opt_call *c);     /* int: 1, or true/false/yes/no in a file */
int pn_opt_string(struct pn_opt_call *c);   /* const char * */
int pn_opt_u32(struct pn_opt_call *c);      /* uint32_t decimal in [min, max] */
int pn_opt_bytes(struct pn_opt_call *c);    /* uint32_t, K/M/G suffixes, in [min, max] */
int pn_opt_pow2(struct pn_opt_call *c);     /* pn_opt_bytes, and a power of two */
int pn_opt_seconds(struct pn_opt_call *c);  /* double, finite, in (min, max] */
int pn_opt_enum(struct pn_opt_call *c);     /* int: index of the word in values */
int pn_opt_help_row(struct pn_opt_call *c); /* --help */
int pn_opt_version_row(struct pn_opt_call *c); /* --version */

/* The last rows of every subcommand's table, so --version and --help read
 * the same everywhere. */
#define PN_OPT_ROWS_VERSION_HELP                                              \
	{ .name = "version", .key = 'V', .help = "print the version and exit", \
	  .parse = pn_opt_version_row, .flags = PN_OPT_CLI_ONLY },             \
	{ .name = "help", .key = 'h', .help = "this help",                     \
	  .parse = pn_opt_help_row, .flags = PN_OPT_CLI_ONLY }
#endif
