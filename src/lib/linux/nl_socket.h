/*
 * The netlink backend's socket (nl_socket.c): the proc connector's, which
 * reports every process's fork, exec, exit and changes.
 */
#ifndef PN_NL_SOCKET_H
#define PN_NL_SOCKET_H
#include <stddef.h>
#include <stdint.h>

/* A non-blocking socket subscribed to the proc connector, its receive
 * buffer rcvbuf bytes (0: 16 MiB); the fd, or -errno with err saying why. */
int pn__nl_socket_open(uint32_t rcvbuf, char *err, size_t errlen);
#endif
