/*
 * The proc connector's socket (CN_IDX_PROC): opened, its receive buffer
 * sized, subscribed to every process's events. Reading it and making
 * records of what it says is netlink_backend.c's.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include "internal.h"
#include "nl_socket.h"

#define DEFAULT_RCVBUF (16u << 20)

static int set_rcvbuf(int fd, uint32_t bytes)
{
	int v = (int)(bytes ? bytes : DEFAULT_RCVBUF);

	/* FORCE goes past net.core.rmem_max; it needs CAP_NET_ADMIN, which we have. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v)) == 0)
		return 0;
	return setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)) ? -errno : 0;
}

static int send_listen(int fd)
{
	union {
		struct nlmsghdr nl;
		char bytes[NLMSG_SPACE(sizeof(struct cn_msg) + sizeof(enum proc_cn_mcast_op))];
	} m;
	struct cn_msg *cn = NLMSG_DATA(&m.nl);
	enum proc_cn_mcast_op op = PROC_CN_MCAST_LISTEN;

	memset(&m, 0, sizeof(m));
	m.nl.nlmsg_len = NLMSG_LENGTH(sizeof(*cn) + sizeof(op));
	m.nl.nlmsg_type = NLMSG_DONE;
	m.nl.nlmsg_pid = (uint32_t)getpid();
	cn->id.idx = CN_IDX_PROC;
	cn->id.val = CN_VAL_PROC;
	cn->len = sizeof(op);
	memcpy(cn->data, &op, sizeof(op));
	return send(fd, &m, m.nl.nlmsg_len, 0) < 0 ? -errno : 0;
}

int pn__nl_socket_open(uint32_t rcvbuf, char *err, size_t errlen)
{
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK, .nl_groups = CN_IDX_PROC };
	int fd = socket(PF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_CONNECTOR);
	int rc;

	if (fd < 0) {
		rc = -errno;
		pn__errmsg(err, errlen, "cannot open a netlink connector socket (%s): the kernel "
			   "needs CONFIG_CONNECTOR and CONFIG_PROC_EVENTS", strerror(-rc));
		return rc;
	}
	if ((rc = set_rcvbuf(fd, rcvbuf))) {
		pn__errmsg(err, errlen, "cannot size the netlink receive buffer: %s", strerror(-rc));
	} else if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) || (rc = send_listen(fd))) {
		rc = rc ? rc : -errno;
		pn__errmsg(err, errlen, "cannot subscribe to process events (proc connector): %s",
			   strerror(-rc));
	}
	if (rc)
		close(fd);
	return rc ? rc : fd;
}
