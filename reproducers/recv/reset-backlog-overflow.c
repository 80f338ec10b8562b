/*
 * reset-backlog-overflow: with net.ipv4.tcp_abort_on_overflow = 1 (it
 * governs IPv6 too), the final segment of a handshake that finds the accept
 * queue full is answered with an RST, and the client's recv() reports it.
 * The client's connect() had already succeeded on the SYN-ACK.
 *
 * The server: tcp_check_req() -> syn_recv_sock() (tcp_v4_syn_recv_sock() /
 * tcp_v6_syn_recv_sock(): sk_acceptq_is_full(), TcpExtListenOverflows)
 * -> listen_overflow -> embryonic_reset -> req->rsk_ops->send_reset().
 *
 * The client: tcp_reset() (tcp_input.c) picks the errno by state
 * (SYN_SENT ECONNREFUSED, CLOSE_WAIT EPIPE, otherwise ECONNRESET: here
 * ESTABLISHED) and tcp_done_with_error() (6.1 Debian and newer; open-coded
 * in tcp_reset() before) stores it in sk_err, purges the write queue and
 * tcp_done() shuts both directions.  tcp_recvmsg_locked() returns
 * sock_error() once (which clears sk_err), then 0.
 *
 * POSIX recv(): ECONNRESET "A connection was forcibly closed by a peer."
 * Linux agrees.
 *
 * Summary: tcp_abort_on_overflow=1: a handshake completing into a full accept
 *   queue is reset after the client's connect() succeeded
 * Kernel path: tcp_check_req() ->
 *   tcp_v4_syn_recv_sock()/tcp_v6_syn_recv_sock(): sk_acceptq_is_full()
 *   (ListenOverflows) -> listen_overflow: sysctl_tcp_abort_on_overflow ->
 *   req->rsk_ops->send_reset(); client: tcp_reset() -> ECONNRESET
 * Handling: back off and free resources: the server is overloaded; close,
 *   reconnect after a delay (a successful connect() does not mean the server
 *   accepted)
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <sys/socket.h>

#include "record/harness.h"
#include "lib/reset_fixture.h"
#include "lib/reset_observe.h"
#include "lib/connection.h"
#include "lib/sockets.h"

/* Wait until the server holds a child socket for the client on port
 * client_port (the handshake completed on its side). */
static bool wait_child(struct run *r, int client_port)
{
	for (int i = 0; i < 2000; i++) {
		int n = tcp_diag_count(&r->topo.server, r->family, SERVER_PORT, client_port,
				       1u << TCP_ESTABLISHED);
		if (n != 0)
			return n > 0;
		poll_fd(-1, 0, 1);
	}
	return false;
}

static int backlog_overflow(struct run *r, int *fds)
{
	const char *server = topology_server_addr(&r->topo, r->family);
	int lfd = fds[LFD] = server_listener(r, SERVER_PORT, 1);
	if (lfd < 0)
		return RUN_BROKEN;
	/* TCP_DEFER_ACCEPT makes tcp_check_req() drop the bare ACK of each
	 * handshake and keep the request in SYN_RECV until the client's first
	 * data: the stand-in for the network delay that, in a real overflow,
	 * lets several SYNs in before their ACKs.  On veth a handshake
	 * otherwise completes inside connect(), and tcp_conn_request() drops
	 * a SYN once the queue is full, so no ACK could ever find it full. */
	int defer = 10;
	if (setsockopt(lfd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &defer, sizeof(defer)) < 0)
		return broken(r, "TCP_DEFER_ACCEPT: %m");
	long before = netstat_counter(&r->topo.server, "TcpExt", "ListenOverflows");

	/* listen(fd, 1): sk_acceptq_is_full() is ack_backlog > 1, and the SYN
	 * queue takes requests while its length is not above 1.  a and b are
	 * both admitted; a completes (1 queued); c is admitted (1 is not
	 * above 1); b completes (2 queued); c's completion overflows. */
	int a = fds[EXTRA] = connect_from_client(r, server, SERVER_PORT);
	int b = fds[EXTRA + 1] = connect_from_client(r, server, SERVER_PORT);
	if (a < 0 || b < 0)
		return broken(r, "connect to %s:%d: %m", server, SERVER_PORT);
	if (send(a, "a", 1, 0) != 1 || !wait_child(r, socket_local_port(a)))
		return broken(r, "the first client's connection never completed on the server");

	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(r->family, server, SERVER_PORT, &ss);
	int c = fds[CFD] = tcp_socket_in(&r->topo.client, r->family);
	if (c < 0)
		return broken(r, "socket: %m");
	if (step(r, ON_FD(c), "overflowing connect", connect(c, (struct sockaddr *)&ss, len),
		 "connect(%d, %s) [third client]", c, sockaddr_str((struct sockaddr *)&ss)) < 0)
		return RUN_OK;
	observe_state(r, "client state", c);

	if (send(b, "b", 1, 0) != 1 || !wait_child(r, socket_local_port(b)))
		return broken(r, "the second client's connection never completed on the server");
	observe(r, ON_FD(lfd), "accept queue", "poll(listener, POLLIN)", "%s",
		(poll_fd(lfd, POLLIN, 0) & POLLIN) ? "readable (full, never accepted)"
						   : "not readable");

	step(r, ON_FD(c), "overflowing send", send(c, "c", 1, MSG_NOSIGNAL),
	     "send(%d, 1, MSG_NOSIGNAL) [completes the handshake on the server]", c);
	if (!wait_reset_taken(c, 2000))
		note(r, "the third client saw no RST within 2 s");
	observe_counter(r, "ListenOverflows", "TcpExt", "ListenOverflows", before);
	observe_client(r, c);
	recv_step(r, c);
	return RUN_OK;
}

SCENARIO(reset_backlog_overflow, .errno_name = "ECONNRESET", .syscall = "recv", .order = 390)
{
	char old[32] = "0";
	netns_sysctl_get(&r->topo.server, "net/ipv4/tcp_abort_on_overflow", old, sizeof(old));
	if (netns_sysctl_set(&r->topo.server, "net/ipv4/tcp_abort_on_overflow", "1") < 0)
		return broken_netns(r);
	note(r, "server namespace: net.ipv4.tcp_abort_on_overflow = 1 (it governs IPv6 too), "
		"listen(fd, 1), TCP_DEFER_ACCEPT; nothing is ever accepted");
	int status = with_fds(r, backlog_overflow);
	netns_sysctl_set(&r->topo.server, "net/ipv4/tcp_abort_on_overflow", old);
	return status;
}
