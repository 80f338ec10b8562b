/*
 * reset-linger-zero: the server's abortive close (SO_LINGER {1, 0}) sends
 * an RST, and the client's recv() meets it.
 *
 * The server: __tcp_close() -> tcp_disconnect() -> tcp_send_active_reset()
 * (TcpExtTCPAbortOnData, a misleading name for "aborted by linger 0").
 *
 * The client: tcp_reset() (tcp_input.c) picks the errno by state
 * (SYN_SENT ECONNREFUSED, CLOSE_WAIT EPIPE, otherwise ECONNRESET: here
 * ESTABLISHED) and tcp_done_with_error() (6.1 Debian and newer; open-coded
 * in tcp_reset() before) stores it in sk_err, purges the write queue and
 * tcp_done() shuts both directions.  tcp_recvmsg_locked() returns queued
 * data first (none here), then sock_error() once (which clears sk_err),
 * then 0; a send() then finds only the shutdown: EPIPE.
 *
 * POSIX recv(): ECONNRESET "A connection was forcibly closed by a peer."
 * Linux agrees.
 *
 * Summary: the server's abortive close (SO_LINGER {1, 0}) sends an RST
 * Kernel path: server: __tcp_close(): SOCK_LINGER with lingertime 0 ->
 *   tcp_disconnect() -> tcp_send_active_reset(); client: tcp_reset() ->
 *   ECONNRESET
 * Handling: fatal: the connection is gone (not a bug in the caller); close the
 *   socket, reconnect if the work must go on
 */
#include <sys/socket.h>

#include "record/harness.h"
#include "lib/reset_fixture.h"
#include "lib/reset_observe.h"
#include "lib/sockets.h"

static int reset_linger_zero_body(struct run *r, int *fds)
{
	if (server_connection(r, fds) != RUN_OK)
		return RUN_BROKEN;
	int cfd = fds[CFD];
	if (set_linger_abort(fds[AFD]) < 0)
		return broken(r, "SO_LINGER: %m");
	long before = netstat_counter(&r->topo.server, "TcpExt", "TCPAbortOnData");
	server_close(r, fds, "with SO_LINGER {1, 0}");
	observe_counter(r, "server counter", "TcpExt", "TCPAbortOnData", before);
	if (!await_server_rst(r, cfd))
		return RUN_BROKEN;
	observe_client(r, cfd);
	recv_step(r, cfd);
	recv_step(r, cfd);
	step(r, ON_FD(cfd), "send", send(cfd, "x", 1, MSG_NOSIGNAL), "send(%d, 1, MSG_NOSIGNAL)",
	     cfd);
	note(r, "the first recv() reports the reset and clears it; then recv() sees EOF and "
		"send() EPIPE");
	return RUN_OK;
}

SCENARIO(reset_linger_zero, .errno_name = "ECONNRESET", .syscall = "recv", .order = 370)
{
	return with_fds(r, reset_linger_zero_body);
}
