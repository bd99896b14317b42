/*
 * Opening and closing the activity log: the file, created safely, then
 * the connection (db.c), the schema (schema.c) and, for the monitor, the
 * writer (write.c). The top of the store's layers: nothing calls back.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include "schema.h"
#include "store_internal.h"

/* Creates the file with mode 0600 before SQLite sees it: SQLite would use
 * 0644, and the log holds every command line of the machine. SQLite gives
 * its -wal and -shm files the mode of the database file.
 *
 * The descriptor stays open to hold the writer's lock: a second monitor on
 * the same log stored every event twice and took the first one's batches
 * for a crash. flock() locks are apart from SQLite's fcntl() locks, so
 * readers, which never take it, read on; the lock goes with the process. */
static int create_locked(pn_store *s, const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0) {
		snprintf(s->db.errmsg, sizeof(s->db.errmsg), "cannot open %s: %s", path,
			 strerror(errno));
		return -errno;
	}
	s->lock_fd = fd;
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	if (errno != EWOULDBLOCK)
		return pn__db_refuse(&s->db, -errno, "cannot lock the log");
	return pn__db_refuse(&s->db, -EBUSY, "another procnotify is writing this log; "
					     "one monitor may write a log at a time");
}

/* The connection and the schema check; nothing is written before it. */
static int open_checked(pn_store *s, const char *path, int flags, int64_t *version)
{
	int rc = pn__db_open(&s->db, path, flags);

	if (!rc)
		rc = pn__store_name_glob_add(&s->db);
	if (!rc && s->mode == PN_STORE_READ)
		rc = pn__db_exec(&s->db, "PRAGMA query_only = ON");
	if (!rc)
		rc = pn__schema_check(&s->db, s->mode, version);
	return rc;
}

/* A closed log on a read-only mount: SQLite cannot create the -shm file
 * a WAL reader needs. With no -wal beside it the file holds every commit
 * and no writer is at work (a writer keeps its -wal), so it may be read
 * as immutable: without the -shm and without locks. */
static int can_read_immutable(const char *path)
{
	char wal[PATH_MAX];

	if (snprintf(wal, sizeof(wal), "%s-wal", path) >= (int)sizeof(wal))
		return 0;
	return access(path, R_OK) == 0 && access(wal, F_OK) != 0 && errno == ENOENT;
}

/* path as an SQLite URI asking for an immutable file. */
static int immutable_uri(const char *path, char *uri, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	o += (size_t)snprintf(uri, n, "file:");
	for (const unsigned char *p = (const unsigned char *)path; *p && o + 4 < n; p++) {
		if (isalnum(*p) || strchr("/._-~", *p)) {
			uri[o++] = (char)*p;
		} else {
			uri[o++] = '%';
			uri[o++] = hex[*p >> 4];
			uri[o++] = hex[*p & 15];
		}
	}
	return snprintf(uri + o, n - o, "?immutable=1") >= (int)(n - o) ? -ENAMETOOLONG : 0;
}

static int open_read(pn_store *s, const char *path, int flags)
{
	char uri[3 * PATH_MAX + 32];
	int64_t version;
	int rc = open_checked(s, path, flags | SQLITE_OPEN_READONLY, &version);

	/* SQLite says it cannot open (or lock) the file it can read. */
	if ((rc != -ENOENT && rc != -EACCES) || !can_read_immutable(path) ||
	    immutable_uri(path, uri, sizeof(uri)))
		return rc;
	pn__db_close(&s->db);
	return open_checked(s, uri, flags | SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, &version);
}

static int open_db(pn_store *s, const char *path, int later)
{
	/* NOMUTEX: a pn_store is used by one thread at a time (the monitor's
	 * event loop, or one query), so SQLite's per-call locking of the
	 * connection is pure cost: a tenth of the instructions of an insert. */
	int flags = SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_EXRESCODE | SQLITE_OPEN_NOMUTEX;
	int64_t version;
	int rc;

	if (s->mode == PN_STORE_READ)
		return open_read(s, path, flags);
	rc = create_locked(s, path);
	if (!rc)
		rc = open_checked(s, path, flags | SQLITE_OPEN_READWRITE, &version);
	if (!rc)
		rc = pn__schema_configure(&s->db, version);
	/* A new file's tables take milliseconds; an old log's migration is
	 * left to the writer thread when the caller would rather not wait. */
	if (!rc && later && version > 0 && version < PN_STORE_SCHEMA_VERSION)
		s->upgrading = (int)version;
	else if (!rc)
		rc = pn__schema_upgrade(&s->db, version);
	return rc ? rc : pn__ckpt_open(&s->ckpt, &s->db, path, flags | SQLITE_OPEN_READWRITE);
}

int pn_store_open(pn_store **out, const char *path, enum pn_store_mode mode,
		  const pn_store_options *opt, char *err, size_t errlen)
{
	int later = mode == PN_STORE_WRITE_UPGRADE_LATER;
	pn_store *s;
	int rc;

	*out = NULL;
	if ((unsigned)mode > PN_STORE_WRITE_UPGRADE_LATER)
		return -EINVAL; /* any other value would be taken for a writer */
	if (later)
		mode = PN_STORE_WRITE;
	if (mode == PN_STORE_WRITE && opt && opt->queue_bytes &&
	    opt->queue_bytes < pn__queue_min_bytes()) {
		if (err && errlen)
			snprintf(err, errlen, "a queue of %zu bytes: the log needs %zu at least",
				 opt->queue_bytes, pn__queue_min_bytes());
		return -EINVAL;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->mode = mode;
	s->lock_fd = -1;
	if (opt)
		s->opt = *opt;
	rc = open_db(s, path, later);
	if (!rc && mode == PN_STORE_WRITE && !s->upgrading)
		rc = pn__store_writer_open(s);
	if (!rc && mode == PN_STORE_WRITE)
		rc = pn__store_thread_init(s);
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
	if (s->mode == PN_STORE_WRITE) {
		pn__store_thread_stop(s);
		pn__store_writer_close(s);
		pn__ckpt_close(&s->ckpt);
	}
	rc = pn_store_failed(s);
	pn__store_ancestry_close(s);
	/* After SQLite: closing any descriptor of the file would drop the
	 * fcntl() locks SQLite holds on it. */
	pn__db_close(&s->db);
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	free(s);
	return rc;
}

int pn_store_upgrading(const pn_store *s)
{
	return __atomic_load_n(&s->upgrading, __ATOMIC_ACQUIRE);
}

int pn_store_failed(const pn_store *s)
{
	return __atomic_load_n(&s->failed, __ATOMIC_ACQUIRE);
}

const char *pn_store_errmsg(const pn_store *s)
{
	return s->db.errmsg;
}
