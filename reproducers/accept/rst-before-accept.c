/*
 * rst-before-accept: the client completes the handshake, then aborts
 * (SO_LINGER {1, 0} and close(): an RST) before the server calls accept().
 *
 * POSIX accept(): ECONNABORTED, "A connection has been aborted."  Linux
 * does not do that.  The RST reaches the child socket waiting in the accept
 * queue (a full socket in ESTABLISHED since tcp_check_req() created it):
 * tcp_rcv_established() -> tcp_validate_incoming() -> tcp_reset() sets
 * sk_err = ECONNRESET and tcp_done() moves it to TCP_CLOSE, but leaves it
 * queued.  inet_csk_accept() dequeues it without looking at sk_err, and
 * inet_accept() (__inet_accept() on newer kernels) accepts a TCP_CLOSE
 * child.  accept() succeeds with the peer's address; the error comes out of
 * the first call that reads sk_err: recv() -> tcp_recvmsg_locked() ->
 * sock_error() gives ECONNRESET and clears it, after which send() finds
 * SEND_SHUTDOWN and returns EPIPE (sk_stream_error()).
 *
 * Summary: the client aborts (RST) after the handshake, before the server
 *   accepts
 * POSIX expects: accept() fails with ECONNABORTED
 * Kernel path: tcp_validate_incoming() -> tcp_reset() sets sk_err and
 *   tcp_done() on the queued child; inet_csk_accept() ignores sk_err;
 *   inet_accept() accepts TCP_CLOSE; tcp_recvmsg_locked() -> sock_error() gives
 *   ECONNRESET
 * Handling: accept() gives no error: treat the ECONNRESET of the first recv()
 *   like any reset, close the socket and go on
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <unistd.h>

#include "record/harness.h"
#include "lib/connection.h"
#include "lib/sockets.h"
#include "lib/sock_observe.h"

/* Busy-wait (1 ms polls) until the server's kernel has processed the RST:
 * sock_diag no longer shows the child as ESTABLISHED once tcp_done() has
 * unhashed it. */
static bool wait_child_reset(struct run *r, int client_port)
{
	for (int i = 0; i < 2000; i++) {
		int n = tcp_diag_count(&r->topo.server, r->family, SERVER_PORT, client_port,
				       1u << TCP_ESTABLISHED);
		if (n == 0)
			return true;
		if (n < 0)
			return false;
		poll_fd(-1, 0, 1);
	}
	return false;
}

SCENARIO(rst_before_accept, .errno_name = "ECONNRESET", .syscall = "accept", .order = 10)
{
	static const struct connection_options queued = {.leave_queued = true};
	struct connection c;
	if (connection_open(r, &queued, &c) != RUN_OK)
		return RUN_BROKEN;
	int lfd = c.listener, cfd = c.client;

	int client_port = socket_local_port(cfd);

	set_linger_abort(cfd);
	step(r, ON_FD(cfd), "client close", close(cfd), "close(%d) with SO_LINGER {1, 0}", cfd);
	if (!wait_child_reset(r, client_port))
		return broken(r, "the server never processed the client's RST");
	observe(r, ON_FD(lfd), "listener", "poll(listener, POLLIN)", "%s",
		(poll_fd(lfd, POLLIN, 0) & POLLIN) ? "readable (the child is still queued)"
						   : "not readable");

	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	int afd = step(r, ON_FD(lfd), "accept", accept(lfd, (struct sockaddr *)&peer, &plen),
		       "accept(%d)", lfd);
	if (afd < 0) {
		set_connection(r, (poll_fd(lfd, POLLIN, 0) & POLLIN) ? CONNECTION_STILL_QUEUED
								     : CONNECTION_DEQUEUED_CLOSED);
		return RUN_OK;
	}
	set_connection(r, CONNECTION_HANDED_OVER);
	char peer_call[96];
	snprintf(peer_call, sizeof(peer_call), "accept(...) peer address %s",
		 sockaddr_str((struct sockaddr *)&peer));
	observe(r, ON_FD(afd), "peer", peer_call, "%s", sockaddr_host((struct sockaddr *)&peer));
	observe_state(r, "state", afd);
	char buf[512];
	step(r, ON_FD(afd), "recv", recv(afd, buf, sizeof(buf), 0), "recv(%d, %zu, 0)", afd,
	     sizeof(buf));
	step(r, ON_FD(afd), "send", send(afd, "x", 1, MSG_NOSIGNAL), "send(%d, 1, MSG_NOSIGNAL)",
	     afd);
	note(r, "accept() hands over a child the RST already closed; the error waits in "
		"sk_err for the first recv()");
	close(afd);
	close(lfd);
	return RUN_OK;
}
