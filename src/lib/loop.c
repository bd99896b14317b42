/*
 * The handle's event loop: one epoll fd (pn_fd()) over the backend's fd,
 * a source's and a flush timer, which pn_poll() waits on before it
 * delivers (pn_flush()). A reader that finds nothing parks: the timer
 * stops until the producer wakes it.
 */
#include <errno.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include "handle.h"
#include "loop.h"

/*
 * Every flush is a wake-up, and on a virtual machine a wake-up costs real
 * CPU while events flow (an idle reader parks, see try_park()): a shorter
 * interval buys latency with CPU. 50 ms keeps an event's delivery well
 * within the 100 ms latency target; the measurements behind this choice
 * are in bench/RESULTS.md ("Library tuning figures").
 */
#define PN_FLUSH_MS_DEFAULT 50

int pn__add_fd(int epfd, int fd)
{
	struct epoll_event e = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &e) ? -errno : 0;
}

static struct timespec ms_to_ts(uint32_t ms)
{
	return (struct timespec){ .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };
}

/* The ring wakes the reader only when it fills up; the timer bounds how
 * long an event can wait for delivery in a quiet period. It first fires
 * after first_ms, then every flush_ms; 0 stops it. timerfd_settime()
 * fails only for a bad fd, a bad address or a time out of range, and
 * ours are none of those: there is nothing to report. */
static void set_timer(pn_handle *h, uint32_t first_ms)
{
	struct itimerspec its = { 0 };

	if (first_ms) {
		its.it_interval = ms_to_ts(h->flush_ms);
		its.it_value = ms_to_ts(first_ms);
	}
	(void)timerfd_settime(h->timerfd, 0, &its, NULL);
}

int pn__loop_open(pn_handle *h, uint32_t flush_ms)
{
	h->flush_ms = flush_ms ? flush_ms : PN_FLUSH_MS_DEFAULT;
	h->epfd = epoll_create1(EPOLL_CLOEXEC);
	h->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (h->epfd < 0 || h->timerfd < 0)
		return -errno;
	set_timer(h, h->flush_ms);
	if (pn__add_fd(h->epfd, h->timerfd))
		return -errno;
	return pn__add_fd(h->epfd, h->ops->fd(h->state));
}

void pn__loop_close(pn_handle *h)
{
	if (h->timerfd >= 0)
		close(h->timerfd);
	if (h->epfd >= 0)
		close(h->epfd);
}

int pn_fd(pn_handle *h)
{
	return h ? h->epfd : -EINVAL;
}

/*
 * A flush tick that found nothing: an idle machine. Stop the timer and have
 * the producer wake us on its next record, so being idle costs no wake-ups.
 * A record made while we asked may have gone in without a wake-up: drain
 * once more after asking, and stay awake if that found anything.
 */
static int try_park(pn_handle *h)
{
	int n;

	h->ops->park(h->state, 1);
	n = pn_flush(h);
	if (n != 0) {
		h->ops->park(h->state, 0);
		return n;
	}
	set_timer(h, 0);
	h->parked = 1;
	return 0;
}

/*
 * The producer woke a parked reader with the first record of a burst, often
 * a fork: back to batching on the timer. Its first tick comes early, so the
 * exec and exit that usually follow within a few milliseconds are not held
 * for a whole interval; one wake-up more per burst.
 */
static void unpark(pn_handle *h)
{
	h->ops->park(h->state, 0);
	h->parked = 0;
	set_timer(h, h->flush_ms / 5 ? h->flush_ms / 5 : 1);
}

int pn_poll(pn_handle *h, int timeout_ms)
{
	struct epoll_event evs[4];
	uint64_t ticks;
	int n, tick = 0;

	if (!h)
		return -EINVAL;
	if (h->dispatching)
		return -EBUSY;
	n = epoll_wait(h->epfd, evs, 4, timeout_ms);
	if (n < 0)
		return -errno;
	for (int i = 0; i < n; i++) {
		if (evs[i].data.fd != h->timerfd)
			continue;
		if (read(h->timerfd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
			return -errno;
		tick = 1;
	}
	if (h->parked && n > 0)
		unpark(h);
	n = pn_flush(h);
	return n == 0 && tick ? try_park(h) : n;
}
