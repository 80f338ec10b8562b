/*
 * reset-peer-rebooted: the server host forgets the connection without a
 * word, as a crash and reboot would, and the client's next segment draws
 * an RST that its recv() then reports.
 *
 * The server: a socket in TCP_REPAIR mode closes silently (__tcp_close()
 * -> tcp_disconnect() takes the tp->repair branch: sk_err = ECONNABORTED
 * locally, nothing sent); the client's next segment finds no socket, and
 * tcp_v4_rcv()/tcp_v6_rcv() answer it with
 * tcp_v4_send_reset()/tcp_v6_send_reset() (Tcp OutRsts).
 *
 * The client: tcp_reset() (tcp_input.c) picks the errno by state
 * (SYN_SENT ECONNREFUSED, CLOSE_WAIT EPIPE, otherwise ECONNRESET: here
 * ESTABLISHED) and tcp_done_with_error() (6.1 Debian and newer; open-coded
 * in tcp_reset() before) stores it in sk_err, purges the write queue and
 * tcp_done() shuts both directions.  tcp_recvmsg_locked() returns
 * sock_error() once (which clears sk_err), then 0; a send() then finds
 * only the shutdown: EPIPE.
 *
 * POSIX recv(): ECONNRESET "A connection was forcibly closed by a peer."
 * Linux agrees.
 *
 * Summary: the server forgets the connection silently (TCP_REPAIR close, as a
 *   reboot); the client's next segment draws an RST
 * Kernel path: server: __tcp_close() -> tcp_disconnect() in repair mode sends
 *   nothing; tcp_v4_rcv()/tcp_v6_rcv() find no socket ->
 *   tcp_v4_send_reset()/tcp_v6_send_reset(); client: tcp_reset() -> ECONNRESET
 * Handling: fatal: the connection is gone (not a bug in the caller): the peer
 *   lost its state; close, reconnect and resynchronise (what was in flight is
 *   unknown)
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

#include "record/harness.h"
#include "lib/packets.h"
#include "lib/reset_fixture.h"
#include "lib/reset_observe.h"
#include "lib/sockets.h"

static int reset_peer_rebooted_body(struct run *r, int *fds)
{
	if (server_connection(r, fds) != RUN_OK)
		return RUN_BROKEN;
	int cfd = fds[CFD], afd = fds[AFD];
	int client_port = socket_local_port(cfd);
	/* Everything the server sends from here on, as the client receives it
	 * (closed last by with_fds(): packet_release() waits for an RCU grace
	 * period, which would show as a delay between the steps). */
	int cap = fds[CAP] = packet_socket(&r->topo.client, "eth0");
	if (cap < 0)
		return broken(r, "AF_PACKET socket in the client namespace: %m");

	int one = 1;
	if (step(r, ON_FD(afd), "server TCP_REPAIR",
		 setsockopt(afd, IPPROTO_TCP, TCP_REPAIR, &one, sizeof(one)),
		 "setsockopt(%d, TCP_REPAIR, 1)", afd) < 0) {
		int err = errno;
		if (err == ENOPROTOOPT || err == EPERM)
			return skipped(r, "TCP_REPAIR unavailable: %s", strerror(err));
		return broken(r, "setsockopt(TCP_REPAIR): %s", strerror(err));
	}
	long segs = netstat_counter(&r->topo.server, "Tcp", "OutSegs");
	long rsts = netstat_counter(&r->topo.server, "Tcp", "OutRsts");
	server_close(r, fds, "in repair mode");
	/* Anything close() sent would have been counted synchronously. */
	observe_counter(r, "server sent at close", "Tcp", "OutSegs", segs);
	int left = tcp_diag_count(&r->topo.server, r->family, SERVER_PORT, client_port,
				  ~(1u << TCP_LISTEN));
	observe(r, AT(HOST_SERVER), "server sockets",
		"sock_diag: server sockets of this connection", "%d", left);
	observe_state(r, "client state", cfd);

	step(r, ON_FD(cfd), "send", send(cfd, "hello", 5, MSG_NOSIGNAL),
	     "send(%d, 5, MSG_NOSIGNAL)", cfd);
	struct tcp_segment seg;
	if (packet_wait_tcp(cap, r->family, SERVER_PORT, client_port, 2000, &seg))
		observe(r, ON_FD(cap), "client captured",
			"first segment from the server after its close", "%s",
			tcp_flags_str(seg.flags));
	else
		observe(r, ON_FD(cap), "client captured",
			"first segment from the server after its close", "none within 2 s");
	if (!wait_reset_taken(cfd, 2000))
		return broken(r, "the client never saw an RST");
	observe_counter(r, "server RSTs", "Tcp", "OutRsts", rsts);
	observe_client(r, cfd);
	recv_step(r, cfd);
	step(r, ON_FD(cfd), "send", send(cfd, "x", 1, MSG_NOSIGNAL), "send(%d, 1, MSG_NOSIGNAL)",
	     cfd);
	note(r, "the server's close sent nothing (repair mode); the RST answers the client's "
		"next segment, which found no socket");
	return RUN_OK;
}

SCENARIO(reset_peer_rebooted, .errno_name = "ECONNRESET", .syscall = "recv", .order = 380)
{
	return with_fds(r, reset_peer_rebooted_body);
}
