/*
 * accept-not-listening (EINVAL): accept() on a bound TCP socket that never
 * called listen().  do_accept() (net/socket.c) -> inet_accept() ->
 * inet_csk_accept() (net/ipv4/inet_connection_sock.c) finds sk_state !=
 * TCP_LISTEN: -EINVAL, before any wait (the order of checks is in
 * lib/accept_table.h).  accept(2) ERRORS: EINVAL "Socket is not listening
 * for connections".
 */
#include <unistd.h>

#include "lib/accept_helpers.h"
#include "lib/sockets.h"

static int accept_not_listening(struct run *r);

SCENARIO(accept_not_listening) = {
	.name = "accept-not-listening",
	.errno_name = "EINVAL",
	.syscall = "accept",
	.summary = "accept() on a bound TCP socket that never called listen()",
	.posix_expects = NULL,
	.kernel_path = "inet_accept() -> inet_csk_accept(): sk_state != TCP_LISTEN -> -EINVAL",
	.handling = "fatal: a bug in the caller (listen() was never called)",
	.order = 80,
	.run = accept_not_listening,
};

static int accept_not_listening(struct run *r)
{
	int fd = acctab_bound(r, SOCK_STREAM, SERVER_PORT, false);
	if (fd < 0)
		return broken(r, "bind TCP: %m");
	/* Blocking socket: the state check comes before any wait. */
	step(r, ON_FD(fd), "accept", accept(fd, NULL, NULL),
	     "accept(%d) on a bound TCP socket, no listen()", fd);
	close(fd);
	return RUN_OK;
}
