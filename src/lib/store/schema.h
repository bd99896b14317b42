/*
 * The activity log's schema: its migrations, the checks that tell a log
 * this build may read or write from any other file, and the settings of
 * the writer's connection. Built on db.h only.
 */
#ifndef PN_STORE_SCHEMA_H
#define PN_STORE_SCHEMA_H
#include "db.h"
#include "procnotify/store.h"

/* The schema steps: [i] brings a file from version i to i + 1. */
extern const char *const pn__store_migrations[PN_STORE_SCHEMA_VERSION];

/* Reads the header and refuses what this build must not touch; *version
 * is the schema the file has. Nothing is written. */
int pn__schema_check(struct pn__db *d, enum pn_store_mode mode, int64_t *version);
/* The writer's settings, once the file is known to be a log (or blank):
 * before anything is written, since some hold only for a new file. */
int pn__schema_configure(struct pn__db *d, int64_t version);
/* The missing migrations, after pn__schema_configure(). */
int pn__schema_upgrade(struct pn__db *d, int64_t version);
#endif
