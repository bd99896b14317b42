/*
 * What query --name and --argv look up (schema 13), the writer's side:
 * proc_str, each process and the names (a comm, an image's file name,
 * as strings of their own) and arguments its events had, once each; name,
 * the strings that are names. A storm's process is named twice, by its
 * fork (the parent's name) and by its exec, where comm and file name are
 * one string. The strings' trigram index (str_fts) is intern.c's, since it
 * follows each new string. A batch collects its pairs in memory and writes
 * them at commit, once its processes have their final row ids.
 */
#ifndef PN_STORE_LOOKUP_H
#define PN_STORE_LOOKUP_H
#include "db.h"

/* The strings of an event that a lookup finds: its comm, its image's file
 * name (both names) and its arguments. */
enum pn__lookup_kind { PN__LK_COMM, PN__LK_BASE, PN__LK_ARGV, PN__LK_KINDS };

struct pn__lookup_pair {
	uint32_t proc;              /* index of the batch's process record */
	uint32_t kind;
	int64_t str;
};

struct pn__lookup {
	struct pn__lookup_pair *pair; /* this batch's, distinct */
	uint32_t npairs;
	uint32_t *set;              /* open addressing over pair: index + 1, 0 free */
	int64_t *named;             /* name rows this writer knows are there */
	sqlite3_stmt *ins[2];       /* proc_str: one row, PN_STORE_ROWS rows */
	sqlite3_stmt *ins_name;
};

int pn__lookup_open(struct pn__lookup *l, struct pn__db *d);
void pn__lookup_close(struct pn__lookup *l);
/* String str (a str id, 0: none) was the string kind of an event of the
 * batch's process record proc. */
void pn__lookup_note(struct pn__lookup *l, uint32_t proc, enum pn__lookup_kind kind, int64_t str);
/* The row id of the batch's process record proc. */
typedef int64_t (*pn__lookup_row_fn)(uint32_t proc, void *user);
/* Writes the batch's pairs under their processes' row ids; then forgets
 * them. */
int pn__lookup_commit(struct pn__lookup *l, struct pn__db *d, pn__lookup_row_fn row, void *user);
/* Forgets the batch's pairs (a rollback) and what the writer knew of the
 * name table (a rollback or retention may have removed rows). */
void pn__lookup_forget(struct pn__lookup *l);
/* Retention: proc_str rows of processes that are gone, at most rows of
 * them looked at from *cursor (str, process) on; 0 or -errno. *changed
 * is the rows removed. */
int pn__lookup_sweep(struct pn__db *d, int64_t cursor[2], int rows, int *changed);
#endif
