/*
 * The socket kinds outputs ask pn_sandbox() to leave them after the drop
 * (a reconnection): each kind is one rule however often it is asked for,
 * and the filter holds four at most; a fifth is refused, not dropped in
 * silence.
 */
#include <errno.h>
#include <sys/socket.h>
#include "internal.h"
#include "check.h"

int main(void)
{
	CHECK(pn__sandbox_allow_socket(AF_UNIX, SOCK_DGRAM) == 0);
	CHECK(pn__sandbox_allow_socket(AF_UNIX, SOCK_DGRAM) == 0); /* one rule for both */
	CHECK(pn__sandbox_allow_socket(AF_INET, SOCK_STREAM) == 0);
	CHECK(pn__sandbox_allow_socket(AF_INET6, SOCK_STREAM) == 0);
	CHECK(pn__sandbox_allow_socket(AF_INET, SOCK_DGRAM) == 0);
	CHECK(pn__sandbox_allow_socket(AF_INET6, SOCK_DGRAM) == -ENOSPC);
	CHECK(pn__sandbox_allow_socket(AF_INET, SOCK_STREAM) == 0); /* a kind it holds */
	CHECK(pn__sandbox_allow_socket(AF_UNIX, SOCK_STREAM) == -ENOSPC);
	return pn_test_done("test_sandbox_sockets");
}
