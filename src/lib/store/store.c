/*
 * Opening and closing the activity log: the file, created safely, then
 * the connection (db.c), the schema (schema.c) and, for the monitor, the
 * writer (write.c). The top of the store's layers: nothing calls back.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "schema.h"
#include "store_internal.h"

/* Creates the file with mode 0600 before SQLite sees it: SQLite would use
 * 0644, and the log holds every command line of the machine. SQLite gives
 * its -wal and -shm files the mode of the database file. */
static int create_private(pn_store *s, const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0) {
		snprintf(s->db.errmsg, sizeof(s->db.errmsg), "cannot open %s: %s", path,
			 strerror(errno));
		return -errno;
	}
	close(fd);
	return 0;
}

static int open_db(pn_store *s, const char *path)
{
	/* NOMUTEX: a pn_store is used by one thread at a time (the monitor's
	 * event loop, or one query), so SQLite's per-call locking of the
	 * connection is pure cost: a tenth of the instructions of an insert. */
	int flags = SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_EXRESCODE | SQLITE_OPEN_NOMUTEX;
	int64_t version;
	int rc;

	if (s->mode == PN_STORE_WRITE) {
		rc = create_private(s, path);
		if (rc)
			return rc;
		flags |= SQLITE_OPEN_READWRITE;
	} else {
		flags |= SQLITE_OPEN_READONLY;
	}
	rc = pn__db_open(&s->db, path, flags);
	if (!rc && s->mode == PN_STORE_READ)
		rc = pn__db_exec(&s->db, "PRAGMA query_only = ON");
	if (!rc)
		rc = pn__schema_check(&s->db, s->mode, &version);
	if (rc || s->mode == PN_STORE_READ)
		return rc;
	return pn__schema_upgrade(&s->db, version);
}

int pn_store_open(pn_store **out, const char *path, enum pn_store_mode mode,
		  const pn_store_options *opt, char *err, size_t errlen)
{
	pn_store *s;
	int rc;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->mode = mode;
	if (opt)
		s->opt = *opt;
	rc = open_db(s, path);
	if (!rc && mode == PN_STORE_WRITE)
		rc = pn__store_writer_open(s);
	if (rc) {
		if (err && errlen)
			snprintf(err, errlen, "%s", s->db.errmsg);
		pn_store_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

int pn_store_close(pn_store *s)
{
	int rc;

	if (!s)
		return 0;
	if (s->mode == PN_STORE_WRITE)
		pn__store_writer_close(s);
	rc = s->failed;
	pn__db_close(&s->db);
	free(s);
	return rc;
}

int pn_store_failed(const pn_store *s)
{
	return s->failed;
}

const char *pn_store_errmsg(const pn_store *s)
{
	return s->db.errmsg;
}
