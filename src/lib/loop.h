/*
 * The handle's event loop (loop.c): the epoll fd pn_fd() gives, the flush
 * timer, and parking an idle reader. pn_poll() is its public side.
 */
#ifndef PN_LOOP_H
#define PN_LOOP_H
#include <stdint.h>
#include "procnotify.h"

/* The epoll fd over the backend's fd and a flush timer, which fires every
 * flush_ms (0: the default); 0 or -errno. */
int pn__loop_open(pn_handle *h, uint32_t flush_ms);
/* Closes what pn__loop_open() made, as far as it got. */
void pn__loop_close(pn_handle *h);
/* Adds fd to the epoll set epfd, for reading; 0 or -errno. */
int pn__add_fd(int epfd, int fd);
#endif
