/*
 * reset-unread-data: the server closes while the client's request sits
 * unread in its receive queue, and the client's recv() meets the RST.
 *
 * The server: tcp_close() -> __tcp_close() finds data_was_unread and, as
 * RFC 2525 section 2.17 asks, answers with tcp_send_active_reset() instead
 * of a FIN (TcpExtTCPAbortOnClose).
 *
 * The client: tcp_reset() (tcp_input.c) picks the errno by state
 * (SYN_SENT ECONNREFUSED, CLOSE_WAIT EPIPE, otherwise ECONNRESET: here
 * ESTABLISHED) and tcp_done_with_error() (6.1 Debian and newer; open-coded
 * in tcp_reset() before) stores it in sk_err, purges the write queue and
 * tcp_done() shuts both directions.  tcp_recvmsg_locked() returns queued
 * data first, then sock_error() once (which clears sk_err), then 0:
 * reading SO_ERROR first consumes the error just the same (the second
 * connection shows it).
 *
 * POSIX recv(): ECONNRESET "A connection was forcibly closed by a peer."
 * Linux agrees.
 *
 * Summary: the server closes with the client's request unread: an RST, not a
 *   FIN
 * Kernel path: server: __tcp_close(): data_was_unread ->
 *   tcp_send_active_reset() (RFC 2525 2.17); client: tcp_reset() ->
 *   tcp_done_with_error(ECONNRESET); tcp_recvmsg_locked(): queued data first,
 *   then sock_error() once, then 0
 * Handling: fatal: the connection is gone (not a bug in the caller); read what
 *   is still queued, close, retry on a new connection only if idempotent
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "record/harness.h"
#include "lib/connection.h"
#include "lib/reset_fixture.h"
#include "lib/reset_observe.h"
#include "lib/sockets.h"

/* The server replies, leaves the request unread and closes.  Returns the
 * client fd once its kernel has taken the RST, or -1 (broken). */
static int close_with_unread(struct run *r, int *fds, bool reply)
{
	if (fds[CFD] >= 0)
		close(fds[CFD]);
	fds[CFD] = -1;
	if (connection_to(r, fds[LFD], &fds[CFD], &fds[AFD]) != RUN_OK)
		return -1;
	if (!deliver(fds[CFD], fds[AFD], REQUEST) || (reply && !deliver(fds[AFD], fds[CFD], REPLY)))
		return broken(r, "the request or the reply never arrived"), -1;
	long before = netstat_counter(&r->topo.server, "TcpExt", "TCPAbortOnClose");
	char how[64];
	snprintf(how, sizeof(how), "with %zu bytes unread", strlen(REQUEST));
	server_close(r, fds, how);
	observe_counter(r, "server counter", "TcpExt", "TCPAbortOnClose", before);
	if (!await_server_rst(r, fds[CFD]))
		return -1;
	return fds[CFD];
}

static int reset_unread_data_body(struct run *r, int *fds)
{
	if ((fds[LFD] = server_listener(r, SERVER_PORT, 8)) < 0)
		return RUN_BROKEN;

	note(r, "connection 1: the server replied before closing; the client reads the reply, "
		"then the reset, then EOF");
	int cfd = close_with_unread(r, fds, true);
	if (cfd < 0)
		return RUN_BROKEN;
	observe_client(r, cfd);
	for (int i = 0; i < 3; i++)
		recv_step(r, cfd);

	note(r, "connection 2: nothing to read; SO_ERROR is read first and consumes the error, "
		"so recv() then sees only the shutdown: 0");
	if ((cfd = close_with_unread(r, fds, false)) < 0)
		return RUN_BROKEN;
	observe_so_error(r, cfd);
	recv_step(r, cfd);
	return RUN_OK;
}

SCENARIO(reset_unread_data, .errno_name = "ECONNRESET", .syscall = "recv", .order = 360)
{
	return with_fds(r, reset_unread_data_body);
}
