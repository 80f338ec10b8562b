/*
 * accept-udp-socket (EOPNOTSUPP): accept() on a bound UDP socket.
 * do_accept() (net/socket.c) calls ops->accept, and inet_dgram_ops /
 * inet6_dgram_ops (net/ipv4/af_inet.c, net/ipv6/af_inet6.c) have
 * .accept = sock_no_accept(): -EOPNOTSUPP (its place in the order of
 * checks is in lib/accept_table.h).  accept(2) ERRORS: EOPNOTSUPP "The
 * referenced socket is not of type SOCK_STREAM".
 *
 * Summary: accept() on a bound UDP socket
 * Kernel path: do_accept() -> ops->accept: inet_dgram_ops / inet6_dgram_ops
 *   .accept = sock_no_accept() -> -EOPNOTSUPP
 * Handling: fatal: a bug in the caller (a datagram socket has no connections to
 *   accept)
 */
#include <netinet/in.h>
#include <unistd.h>

#include "lib/sockets.h"
#include "record/harness.h"

SCENARIO(accept_udp_socket, .errno_name = "EOPNOTSUPP", .syscall = "accept", .order = 70)
{
	const char *server = topology_server_addr(&r->topo, r->family);
	int fd = netns_socket(&r->topo.server, r->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return broken(r, "UDP socket: %m");
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(r->family, server, SERVER_PORT, &ss);
	if (step(r, ON_FD(fd), "bind", bind(fd, (struct sockaddr *)&ss, len), "bind(%d, %s) UDP",
		 fd, sockaddr_str((struct sockaddr *)&ss)) < 0)
		return broken(r, "bind UDP %s: %m", sockaddr_str((struct sockaddr *)&ss));
	step(r, ON_FD(fd), "accept", accept(fd, NULL, NULL), "accept(%d) on a bound UDP socket",
	     fd);
	close(fd);
	return RUN_OK;
}
