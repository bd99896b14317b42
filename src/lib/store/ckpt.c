/* The checkpointer thread and the writer's side of it (see ckpt.h). */
#include <stdio.h>
#include "ckpt.h"

/* A pass copies what the writer committed and is not in the file yet. A
 * reader in the way or the writer's own copy only leave frames for the
 * next pass; a failing disk fails the writer's commits too. */
static void pass(sqlite3 *conn, const char *name)
{
	sqlite3_wal_checkpoint_v2(conn, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
}

static void *run(void *arg)
{
	struct pn__ckpt *c = arg;

	pthread_mutex_lock(&c->mu);
	for (;;) {
		while (!c->asked && !c->stop)
			pthread_cond_wait(&c->wake, &c->mu);
		if (c->stop)
			break;
		c->asked = 0;
		c->running = 1;
		pthread_mutex_unlock(&c->mu);
		pass(c->db.conn, NULL);
		pthread_mutex_lock(&c->mu);
		c->running = 0;
		c->passes++;
		pthread_cond_broadcast(&c->wake); /* a writer may wait for the pass */
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

/* SQLite's WAL hook: after each commit of the writer, frames being the
 * WAL's length. Whether the writer copies the rest itself is decided
 * under mu, so a pass never starts beside it. */
static int on_commit(void *arg, sqlite3 *conn, const char *name, int frames)
{
	struct pn__ckpt *c = arg;
	int self;

	if (!c->started) {
		if (frames >= PN__CKPT_RESTART_FRAMES)
			pass(conn, name);
		return SQLITE_OK;
	}
	if (frames < PN__CKPT_FRAMES)
		return SQLITE_OK;
	pthread_mutex_lock(&c->mu);
	while (frames >= PN__CKPT_WAIT_FRAMES && (c->running || c->asked))
		pthread_cond_wait(&c->wake, &c->mu);
	self = frames >= PN__CKPT_RESTART_FRAMES && !c->running && !c->asked;
	if (!self) {
		c->asked = 1;
		pthread_cond_broadcast(&c->wake);
	}
	pthread_mutex_unlock(&c->mu);
	if (self)
		pass(conn, name);
	return SQLITE_OK;
}

int pn__ckpt_open(struct pn__ckpt *c, struct pn__db *d, const char *path, int flags)
{
	/* Reading the schema opens the -wal and -shm files now, while the
	 * monitor may still open the log (it may drop its rights later). */
	int rc = pn__db_open(&c->db, path, flags);

	if (!rc)
		rc = pn__db_exec(&c->db, "SELECT count(*) FROM sqlite_schema");
	if (rc) {
		snprintf(d->errmsg, sizeof(d->errmsg), "%s", c->db.errmsg);
		return rc;
	}
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->wake, NULL);
	c->ready = 1;
	sqlite3_wal_hook(d->conn, on_commit, c);
	return 0;
}

void pn__ckpt_start(struct pn__ckpt *c)
{
	if (c->ready && !c->started && pthread_create(&c->thread, NULL, run, c) == 0)
		c->started = 1;
}

void pn__ckpt_close(struct pn__ckpt *c)
{
	if (c->started) {
		pthread_mutex_lock(&c->mu);
		c->stop = 1;
		pthread_cond_broadcast(&c->wake);
		pthread_mutex_unlock(&c->mu);
		pthread_join(c->thread, NULL);
		c->started = 0;
	}
	if (c->ready) {
		pthread_mutex_destroy(&c->mu);
		pthread_cond_destroy(&c->wake);
		c->ready = 0;
	}
	pn__db_close(&c->db);
}
