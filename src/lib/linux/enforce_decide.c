/*
 * The enforcer's decisions: the deny rules (or the caller's callback) on
 * what an exec's context holds, and the hasher. A rule that needs the hash
 * of a file the cache does not hold would keep the decider reading it (a
 * compiler of 100 MB takes most of a second), and every other exec on the
 * host would wait behind it: such a question is deferred to the hasher
 * thread, which reads the file, decides and answers it, while the decider
 * goes on with the others. The watchdog keeps the deadline of deferred
 * questions as of the others.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/fanotify.h>
#include "rules/needs.h"
#include "enforce_int.h"

/* The deny rules' verdict: the set in force when the decision began, even
 * if a reload swaps it meanwhile. */
static int decide_rules(struct pn__enforcer *e, struct pn__decision *d)
{
	struct pn__exec_info *x = &d->work;
	pn_rules_input in = { &x->ev, NULL, pn__exec_info_ancestor, x };
	pn_rules_verdict v;
	pn_rules *set;
	uint32_t needs;
	int rc;

	pthread_mutex_lock(&e->lock);
	set = pn_rules_ref(e->rules);
	needs = e->rules_needs;
	pthread_mutex_unlock(&e->lock);
	/* Ancestors are walked as deep as a rule looks, by the engine. */
	pn__exec_info_need(x, needs & ~(uint32_t)PN_NEED_ANCESTORS);
	if (x->hash_missing) {
		pn_rules_free(set);
		return PN__VERDICT_DEFER;
	}
	in.image_sha256 = x->ctx.sha256;
	x->ev.type = PN_EVENT_EXEC; /* what the rules test: the exec about to be */
	rc = pn_rules_eval(set, &in, PN_RULES_DENY, &v);
	x->ev.type = PN_EVENT_DENY;
	if (!rc && v.deny)
		snprintf(d->rule, sizeof(d->rule), "%s", v.deny);
	pn_rules_free(set);
	return rc ? -1 : v.deny != NULL;
}

static int decide_callback(struct pn__enforcer *e, struct pn__decision *d)
{
	const char *rule = NULL;
	int deny;

	pn__exec_info_need(&d->work, e->opt.needs);
	if (d->work.hash_missing)
		return PN__VERDICT_DEFER;
	deny = e->opt.decide(&d->work.ctx, e->opt.user, &rule) == 1;
	if (deny)
		snprintf(d->rule, sizeof(d->rule), "%s", rule ? rule : "");
	return deny;
}

/* PN_TEST_DENY_STALL_MS, in the test build of the monitor only: every
 * denial is held that long before its answer, so a test reaches the
 * deadline with an exec of its own. A released monitor ignores it. The
 * function starts on the same line in both builds: gcovr merges their
 * coverage by function and line. */
static void test_stall(void)
{
#ifdef PN_TEST_HOOKS
	const char *v = getenv("PN_TEST_DENY_STALL_MS");
	unsigned long ms = v ? strtoul(v, NULL, 10) : 0;

	if (ms)
		nanosleep(&(struct timespec){ (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L },
			  NULL);
#endif
}

int pn__enforce_decide(struct pn__enforcer *e, struct pn__decision *d, const struct pn__question *q,
		       int may_defer)
{
	int deny;

	d->rule[0] = 0;
	if (pn__exec_info_fill(&d->work, q->fd, q->pid, &e->cache))
		return -1;
	d->work.cache_only = may_defer;
	deny = e->opt.decide ? decide_callback(e, d) : decide_rules(e, d);
	if (deny == 1)
		pn__exec_info_complete(&d->work);
	if (deny == 1)
		test_stall();
	return deny;
}

void pn__enforce_queue_denial(struct pn__enforcer *e, const struct pn__decision *d)
{
	struct pn__denial *den = malloc(sizeof(*den));
	uint64_t one = 1;

	if (!den)
		return;
	den->next = NULL;
	den->info = d->work;
	pn__exec_info_rebase(&den->info, &d->work);
	memcpy(den->rule, d->rule, sizeof(den->rule));
	pthread_mutex_lock(&e->lock);
	*e->denials_tail = den;
	e->denials_tail = &den->next;
	pthread_mutex_unlock(&e->lock);
	if (write(e->ready_fd, &one, sizeof(one)) < 0) {
		/* the counter is far from full: the handle reads it every poll */
	}
}

/* Decides the ring's head, unless the watchdog allowed it meanwhile (the
 * file is hashed all the same: the next exec of it finds the cache full). */
static void hash_head(struct pn__enforcer *e)
{
	struct pn__question q = e->deferred[e->dhead];
	int verdict, ours = 0;

	pthread_mutex_unlock(&e->lock);
	verdict = pn__enforce_decide(e, &e->hash_d, &q, 0);
	pthread_mutex_lock(&e->lock);
	if (!e->deferred[e->dhead].answered) {
		ours = 1;
		pn__enforce_answer(e, &e->deferred[e->dhead], verdict == 1 ? FAN_DENY : FAN_ALLOW);
		e->st.denied += verdict == 1;
		e->st.allowed += verdict == 0;
		e->st.error_allowed += verdict < 0;
		pn__latency_add(&e->lat, pn__clock_ns(CLOCK_MONOTONIC) - q.t_ns);
	}
	e->dhead = (e->dhead + 1) % PN__DEFER_LEN;
	e->dcount--;
	pthread_mutex_unlock(&e->lock);
	close(q.fd);
	if (ours && verdict == 1)
		pn__enforce_queue_denial(e, &e->hash_d);
	pthread_mutex_lock(&e->lock);
}

void *pn__enforce_hasher_main(void *arg)
{
	struct pn__enforcer *e = arg;

	pthread_mutex_lock(&e->lock);
	for (;;) {
		while (!e->dcount && !e->stopping)
			pthread_cond_wait(&e->to_hash, &e->lock);
		if (e->stopping)
			break;
		hash_head(e);
	}
	for (; e->dcount; e->dhead = (e->dhead + 1) % PN__DEFER_LEN, e->dcount--) {
		if (!e->deferred[e->dhead].answered) /* stopping: allowed, unread */
			pn__enforce_answer(e, &e->deferred[e->dhead], FAN_ALLOW);
		close(e->deferred[e->dhead].fd);
	}
	pthread_mutex_unlock(&e->lock);
	return NULL;
}
