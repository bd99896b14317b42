/*
 * The exec enforcer's insides, shared by enforce.c (its threads, start,
 * stop and the API) and enforce_decide.c (the decisions and the hasher).
 */
#ifndef PN_ENFORCE_INT_H
#define PN_ENFORCE_INT_H
#include <pthread.h>
#include <sys/fanotify.h>
#include <sys/types.h>
#include "internal.h"
#include "procnotify/rules.h"
#include "exec_ctx.h"
#include "fan_marks.h"
#include "fan_mntns.h"
#include "latency.h"

#define PN__READ_LEN 4096   /* one read of the group: a batch */
#define PN__BATCH_LEN (PN__READ_LEN / FAN_EVENT_METADATA_LEN) /* questions in a batch at most */
#define PN__DEFER_LEN 64    /* questions waiting for a file to be hashed */

struct pn__question {
	int fd;          /* the file about to run; the kernel's name for the question */
	uint32_t pid;
	uint64_t t_ns;   /* when it was read (CLOCK_MONOTONIC) */
	int answered;
	int deferred;    /* handed to the hasher: the batch no longer answers it */
};

/* One thread's decision: the context it read and the rule that denied. */
struct pn__decision {
	struct pn__exec_info work;
	char rule[256];
};

/* A denial's event, owning its strings, on its way to the handle's thread. */
struct pn__denial {
	struct pn__denial *next;
	struct pn__exec_info info;
	char rule[256];
};

struct pn__enforcer {
	int fan_fd, stop_fd, ready_fd;
	struct pn__fan_marks marks;
	struct pn__fan_mntns mntns;  /* the file systems of other mount namespaces */
	pthread_t decider, watchdog, hasher;
	int threads;                 /* how many were started */
	pthread_mutex_t lock;        /* everything below but the decisions */
	pthread_cond_t wake;         /* the watchdog's: a batch began while it slept, or stop */
	pthread_cond_t to_hash;      /* the hasher's: a question was deferred, or stop */
	struct pn__question q[PN__BATCH_LEN]; /* the batch under way */
	size_t nq, cur;              /* its size, and the question being decided */
	struct pn__question deferred[PN__DEFER_LEN]; /* a ring; the head is being hashed */
	size_t dhead, dcount;
	int stopping, parked;
	uint64_t last_busy_ns;       /* when the last batch ended */
	uint64_t deadline_ns;
	pn_enforce_options opt;      /* opt.decide NULL: the deny rules below decide */
	pn_rules *rules;             /* a reference; swapped under the lock */
	uint32_t rules_needs;
	struct pn__hashcache cache;
	struct pn__decision main_d, hash_d; /* the decider's, the hasher's */
	struct pn__denial *denials, **denials_tail;
	pn_enforce_stats st;
	struct pn__latency lat;
	pid_t self;
	uint64_t mntns_failed;       /* namespaces whose table could not be read */
};

/* Under the lock: answers q once (a second answer would fail). */
void pn__enforce_answer(struct pn__enforcer *e, struct pn__question *q, uint32_t verdict);

#define PN__VERDICT_DEFER 2
/* The verdict on q: 1 deny, 0 allow, -1 error (allowed), or, when
 * may_defer and a rule needs the hash of a file not in the cache,
 * PN__VERDICT_DEFER: the hasher decides it. */
int pn__enforce_decide(struct pn__enforcer *e, struct pn__decision *d, const struct pn__question *q,
		       int may_defer);
/* After a denial that was ours to answer: its event for the handle. */
void pn__enforce_queue_denial(struct pn__enforcer *e, const struct pn__decision *d);
/* The hasher thread (enforce_decide.c). */
void *pn__enforce_hasher_main(void *arg);
/* Frees what an enforcer holds besides its threads and descriptors, which
 * the caller has joined and closed. */
void pn__enforcer_free(struct pn__enforcer *e);
#endif
