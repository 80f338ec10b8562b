/*
 * accept-not-listening (EINVAL): accept() on a bound TCP socket that never
 * called listen().  do_accept() (net/socket.c) -> inet_accept() ->
 * inet_csk_accept() (net/ipv4/inet_connection_sock.c) finds sk_state !=
 * TCP_LISTEN: -EINVAL, before any wait (the order of checks is in
 * lib/accept_table.h).  accept(2) ERRORS: EINVAL "Socket is not listening
 * for connections".
 *
 * Summary: accept() on a bound TCP socket that never called listen()
 * Kernel path: inet_accept() -> inet_csk_accept(): sk_state != TCP_LISTEN ->
 *   -EINVAL
 * Handling: fatal: a bug in the caller (listen() was never called)
 */
#include <unistd.h>

#include "lib/accept_helpers.h"
#include "lib/sockets.h"

SCENARIO(accept_not_listening, .errno_name = "EINVAL", .syscall = "accept", .order = 80)
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
