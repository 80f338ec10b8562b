/*
 * reset-by-client: the server's side of a reset.  The client of an
 * established, accepted connection aborts it (SO_LINGER {1, 0}, then
 * close()), and the server's recv() and send() meet the RST: what a
 * server's log shows as "recv: Connection reset by peer".
 *
 * The client aborts with SO_LINGER {1, 0} rather than by closing with
 * unread data: it resets whatever the server has or has not sent, so the
 * three connections differ only in what the server does (a close with
 * unread data would need the server to send first, which connection 3
 * needs to be the server's own move).  It is also what clients do on
 * purpose: load balancers' and health checkers' "nolinger", a browser or
 * HTTP client cancelling a request.
 *
 * The client: __tcp_close() finds SOCK_LINGER with lingertime 0 ->
 * tcp_disconnect() -> tcp_send_active_reset() (TcpExtTCPAbortOnData in the
 * client's namespace).
 *
 * The server: tcp_reset() (tcp_input.c) picks the errno by state
 * (SYN_SENT ECONNREFUSED, CLOSE_WAIT EPIPE, otherwise ECONNRESET: here
 * ESTABLISHED) and tcp_done_with_error() (6.1 Debian and newer; open-coded
 * in tcp_reset() before) stores it in sk_err, purges the write queue (not
 * the receive queue) and tcp_done() sets TCP_CLOSE (tcp_set_state() counts
 * Tcp EstabResets) and shuts both directions; tcp_poll() then reports
 * POLLERR (sk_err), POLLHUP, POLLIN|POLLRDHUP and POLLOUT.  An accepted
 * socket takes the same path as a connecting one: nothing in it knows
 * which side the socket was.
 *   - recv(): tcp_recvmsg_locked() returns the data queued before the RST
 *     first (connection 2), then, with the queue empty, sock_error() once
 *     (ECONNRESET, which clears sk_err), then 0 (RCV_SHUTDOWN) for ever.
 *   - send(): tcp_sendmsg_locked() finds the socket not ESTABLISHED and
 *     asks sk_stream_wait_connect(), which returns sock_error() while
 *     sk_err is set (ECONNRESET, once: connection 3, the server answering
 *     a client that is gone) and -EPIPE after; sk_stream_error() passes
 *     ECONNRESET through and turns -EPIPE into EPIPE with SIGPIPE unless
 *     MSG_NOSIGNAL (given here).
 * Whichever call comes first consumes the ECONNRESET; SO_ERROR then reads 0.
 *
 * POSIX recv(): ECONNRESET "A connection was forcibly closed by a peer."
 * POSIX send(): ECONNRESET likewise; EPIPE "The socket is shut down for
 * writing, or the socket is connection-mode and is no longer connected."
 * Linux agrees, and reports the reset once, to whichever call asks first.
 *
 * Summary: the client aborts an accepted connection (SO_LINGER {1, 0}): the
 *   server's recv() and send() meet the RST
 * Kernel path: client: __tcp_close(): SOCK_LINGER with lingertime 0 ->
 *   tcp_disconnect() -> tcp_send_active_reset(); server: tcp_reset() ->
 *   tcp_done_with_error(ECONNRESET) (write queue purged, receive queue kept);
 *   tcp_recvmsg_locked(): queued data first, then sock_error() once, then 0;
 *   tcp_sendmsg_locked() -> sk_stream_wait_connect(): sock_error() once, then
 *   -EPIPE -> sk_stream_error()
 * Handling: fatal: the connection is gone (not a bug in the caller): the
 *   client aborted; handle a request already read in full if that is still
 *   useful, close this connection, log it at a low level (clients reset all
 *   the time) and keep serving the others: never leave the accept loop for it
 */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "record/harness.h"
#include "lib/sock_observe.h"
#include "lib/connection.h"
#include "lib/reset_fixture.h"
#include "lib/reset_observe.h"
#include "lib/sockets.h"

/* What the client's request is when the client aborts. */
enum request { NO_REQUEST, REQUEST_QUEUED, REQUEST_READ };

/* A new connection (the previous one closed first), the request as `req`
 * says, then the client's abort.  Returns the server's fd once its kernel
 * has taken the RST, or -1 with the run broken. */
static int client_aborts(struct run *r, int *fds, enum request req)
{
	if (fds[CFD] >= 0)
		close(fds[CFD]);
	if (fds[AFD] >= 0)
		close(fds[AFD]);
	fds[CFD] = fds[AFD] = -1;
	if (connection_to(r, fds[LFD], &fds[CFD], &fds[AFD]) != RUN_OK)
		return -1;
	if (req != NO_REQUEST && !deliver(fds[CFD], fds[AFD], REQUEST))
		return broken(r, "the request never reached the server"), -1;
	if (req == REQUEST_READ)
		recv_step(r, fds[AFD]);
	if (set_linger_abort(fds[CFD]) < 0)
		return broken(r, "SO_LINGER: %m"), -1;
	long before = netstat_counter(&r->topo.server, "Tcp", "EstabResets");
	int cfd = fds[CFD];
	fds[CFD] = -1;
	step(r, ON_FD(cfd), "client close", close(cfd), "close(%d) with SO_LINGER {1, 0}", cfd);
	if (!wait_reset_taken(fds[AFD], 2000))
		return broken(r, "the server never saw the client's RST"), -1;
	observe_counter(r, "server counter", "Tcp", "EstabResets", before);
	return fds[AFD];
}

static void send_step(struct run *r, int fd)
{
	step(r, ON_FD(fd), "send", send(fd, REPLY, strlen(REPLY), MSG_NOSIGNAL | MSG_DONTWAIT),
	     "send(%d, %zu, MSG_NOSIGNAL|MSG_DONTWAIT)", fd, strlen(REPLY));
}

static int reset_by_client_body(struct run *r, int *fds)
{
	if ((fds[LFD] = server_listener(r, SERVER_PORT, 8)) < 0)
		return RUN_BROKEN;

	note(r, "connection 1: the client aborts before sending anything; the server's recv() "
		"reports the reset once, then EOF; send() then EPIPE, and SO_ERROR is clear");
	int afd = client_aborts(r, fds, NO_REQUEST);
	if (afd < 0)
		return RUN_BROKEN;
	observe_reset_side(r, HOST_SERVER, afd);
	recv_step(r, afd);
	recv_step(r, afd);
	send_step(r, afd);
	observe_so_error(r, afd);

	note(r, "connection 2: the client's request was queued at the server before the RST: "
		"recv() returns it first, then the reset, then EOF");
	if ((afd = client_aborts(r, fds, REQUEST_QUEUED)) < 0)
		return RUN_BROKEN;
	observe_reset_side(r, HOST_SERVER, afd);
	for (int i = 0; i < 3; i++)
		recv_step(r, afd);

	note(r, "connection 3: the server read the request, and answers a client that is gone: "
		"the first send() reports the reset, the next EPIPE, and recv() then sees only "
		"EOF");
	if ((afd = client_aborts(r, fds, REQUEST_READ)) < 0)
		return RUN_BROKEN;
	send_step(r, afd);
	send_step(r, afd);
	recv_step(r, afd);
	return RUN_OK;
}

SCENARIO(reset_by_client, .errno_name = "ECONNRESET", .syscall = "recv", .order = 375)
{
	return with_fds(r, reset_by_client_body);
}
