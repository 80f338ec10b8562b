/*
 * reset-after-eof: the server sends data and FIN, then an RST, before the
 * client reads; the client's recv() never reports the reset.
 *
 * The FIN moved the client to CLOSE_WAIT, where tcp_reset() (tcp_input.c;
 * by state: SYN_SENT ECONNREFUSED, CLOSE_WAIT EPIPE, otherwise ECONNRESET)
 * records EPIPE, not ECONNRESET; tcp_done_with_error() (6.1 Debian and
 * newer; open-coded in tcp_reset() before) stores it in sk_err and purges
 * only the write queue, so the data stays readable; after it
 * tcp_recvmsg_locked() tests SOCK_DONE (set by tcp_fin()) before sk_err,
 * so recv() returns 0 for ever and never reports the reset.  The error is
 * only in SO_ERROR.
 *
 * POSIX recv(): ECONNRESET "A connection was forcibly closed by a peer."
 * Linux does not report it after EOF.
 *
 * Summary: the server sends data and FIN, then an RST, before the client reads
 * POSIX expects: recv() fails with ECONNRESET: "a connection was forcibly
 *   closed by a peer"
 * Kernel path: tcp_reset() in CLOSE_WAIT sets sk_err = EPIPE;
 *   tcp_done_with_error() purges only the write queue; tcp_recvmsg_locked()
 *   returns the data, then tests SOCK_DONE (tcp_fin()) before sk_err: 0 for
 *   ever
 * Handling: fatal: the connection is gone (not a bug in the caller); treat EOF
 *   as the end, check SO_ERROR to tell an abort from an orderly close
 */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "record/harness.h"
#include "lib/reset_fixture.h"
#include "lib/reset_observe.h"
#include "lib/sockets.h"

static int reset_after_eof_body(struct run *r, int *fds)
{
	if (server_connection(r, fds) != RUN_OK)
		return RUN_BROKEN;
	int cfd = fds[CFD], afd = fds[AFD];
	if (!deliver(cfd, afd, REQUEST))
		return broken(r, "the request never reached the server");
	if (send(afd, REPLY, strlen(REPLY), MSG_NOSIGNAL) != (ssize_t)strlen(REPLY))
		return broken(r, "send the reply: %m");
	step(r, ON_FD(afd), "server shutdown", shutdown(afd, SHUT_WR),
	     "shutdown(%d, SHUT_WR) after %zu "
	     "bytes",
	     afd, strlen(REPLY));
	if (!(poll_fd(cfd, POLLRDHUP, 2000) & POLLRDHUP))
		return broken(r, "the server's FIN never reached the client");
	observe(r, ON_FD(cfd), "client state", "getsockopt(TCP_INFO).tcpi_state [after the FIN]",
		"%s", tcp_state_name(tcp_state(cfd)));
	char how[64];
	snprintf(how, sizeof(how), "with %zu bytes unread", strlen(REQUEST));
	server_close(r, fds, how);
	if (!await_server_rst(r, cfd))
		return RUN_BROKEN;
	observe_client(r, cfd);
	for (int i = 0; i < 3; i++)
		recv_step(r, cfd);
	observe_so_error(r, cfd);
	note(r, "the client never read before the RST: the reply is still delivered, then EOF; "
		"the reset is only in SO_ERROR, and as EPIPE (tcp_reset() in CLOSE_WAIT)");
	return RUN_OK;
}

SCENARIO(reset_after_eof, .errno_name = "ECONNRESET", .syscall = "recv", .order = 400)
{
	return with_fds(r, reset_after_eof_body);
}
