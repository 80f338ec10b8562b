/*
 * accept-peer-port-zero: the one TCP path on which Linux accept() fails
 * with ECONNABORTED.
 *
 * After dequeuing a connection, accept() asks the new socket for its
 * peer's address when the caller gave an address buffer:
 * do_accept() (net/socket.c, 6.1 and later) calls
 * ops->getname(newsock, addr, 2) and turns a failure into -ECONNABORTED,
 * after the connection has been dequeued: the new socket is released
 * (fput()), which closes the connection (tcp_close() sends a FIN).
 * inet_getname() / inet6_getname() fail for a peer only when
 * inet->inet_dport == 0, so the peer here is a hand-made TCP client whose
 * source port is 0: a SYN from a raw socket, the SYN-ACK read on an
 * AF_PACKET socket, the final ACK from the raw socket.  An nft rule in the
 * client namespace drops segments to port 0 on input, so the client's own
 * kernel does not answer the SYN-ACK with an RST.
 *
 * With a NULL address accept() never calls getname(): it succeeds, and
 * getpeername() on the new, ESTABLISHED socket then fails with ENOTCONN.
 *
 * POSIX: ECONNABORTED "A connection has been aborted."  Here nothing was
 * aborted by the network: the connection was alive until accept() itself
 * closed it.  getpeername() ENOTCONN "The socket is not connected", said of
 * a connected socket.
 *
 * Summary: a peer with source port 0: accept4() with an address buffer fails
 * POSIX expects: ECONNABORTED means the connection was aborted; here it was
 *   alive, and getpeername() on the connected socket should not say ENOTCONN
 * Kernel path: do_accept() (net/socket.c): ops->getname(newsock, addr, 2) < 0
 *   -> -ECONNABORTED; inet_getname()/inet6_getname(): inet_dport == 0 ->
 *   -ENOTCONN
 * Handling: retry at once: this connection is gone (closed by accept() itself),
 *   the next one is unaffected
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <unistd.h>

#include "record/harness.h"
#include "lib/packets.h"
#include "lib/connection.h"
#include "lib/sockets.h"
#include "lib/sock_observe.h"

#define CLIENT_ISN  1000u
#define SECOND_PORT (SERVER_PORT + 1)

/* Complete a handshake from source port 0 to port; returns 0 when the
 * server's listener holds the connection in its accept queue. */
static int handshake_from_port_zero(struct run *r, int raw, int pkt, int lfd, int port)
{
	struct tcp_segment syn = {.family = r->family,
				  .sport = 0,
				  .dport = (uint16_t)port,
				  .seq = CLIENT_ISN,
				  .flags = TCPF_SYN};
	segment_addr(r->family, topology_client_addr(&r->topo, r->family), &syn.src);
	segment_addr(r->family, topology_server_addr(&r->topo, r->family), &syn.dst);
	if (raw_tcp_send(raw, &syn) < 0)
		return broken(r, "sending the SYN from the raw socket: %m");
	struct tcp_segment synack;
	if (!packet_wait_tcp(pkt, r->family, (uint16_t)port, 0, 2000, &synack) ||
	    synack.flags != (TCPF_SYN | TCPF_ACK))
		return broken(r, "no SYN-ACK to source port 0 from port %d", port);
	struct tcp_segment ack = syn;
	ack.seq = CLIENT_ISN + 1;
	ack.ack = synack.seq + 1;
	ack.flags = TCPF_ACK;
	if (raw_tcp_send(raw, &ack) < 0)
		return broken(r, "sending the ACK from the raw socket: %m");
	if (!(poll_fd(lfd, POLLIN, 2000) & POLLIN))
		return broken(r, "the port-0 connection never reached the accept queue");
	observe(r, ON_FD(raw), "handshake", "raw SYN / SYN-ACK / ACK from source port 0",
		"queued on port %d", port);
	return RUN_OK;
}

SCENARIO(accept_peer_port_zero, .errno_name = "ECONNABORTED", .syscall = "accept4", .order = 20)
{
	const char *server = topology_server_addr(&r->topo, r->family);
	if (netns_nft(&r->topo.client, "table inet sockerr {\n"
				       "  chain input {\n"
				       "    type filter hook input priority 0;\n"
				       "    tcp dport 0 drop\n"
				       "  }\n"
				       "}\n") < 0)
		return skipped(r, "nftables is not usable in the client namespace: %s",
			       netns_error());
	int lfd = listen_at_server(r, server, SERVER_PORT, 8);
	int lfd2 = listen_at_server(r, server, SECOND_PORT, 8);
	int raw = raw_tcp_socket(&r->topo.client, r->family);
	int pkt = packet_socket(&r->topo.client, "eth0");
	if (lfd < 0 || lfd2 < 0 || raw < 0 || pkt < 0)
		return broken(r, "setting up listeners, raw and packet sockets: %m");

	/* 1: accept4() with an address buffer. */
	int rc = handshake_from_port_zero(r, raw, pkt, lfd, SERVER_PORT);
	if (rc != RUN_OK)
		return rc;
	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	int afd = step(r, ON_FD(lfd), "accept4",
		       accept4(lfd, (struct sockaddr *)&peer, &plen, SOCK_CLOEXEC),
		       "accept4(%d, &addr, &len, SOCK_CLOEXEC)", lfd);
	if (afd >= 0)
		close(afd);
	observe(r, ON_FD(lfd), "queue after", "poll(listener, POLLIN)", "%s",
		(poll_fd(lfd, POLLIN, 0) & POLLIN) ? "still queued" : "empty (dequeued)");
	bool still_queued = poll_fd(lfd, POLLIN, 0) & POLLIN;
	struct tcp_segment fin;
	bool closed = packet_wait_tcp(pkt, r->family, SERVER_PORT, 0, 1000, &fin) &&
		      (fin.flags & (TCPF_FIN | TCPF_RST));
	observe(r, ON_FD(pkt), "peer sees", "AF_PACKET: next segment from the server", "%s",
		closed ? tcp_flags_str(fin.flags) : "nothing");
	set_connection(r, still_queued ? CONNECTION_STILL_QUEUED
			  : closed     ? CONNECTION_DEQUEUED_CLOSED
				       : CONNECTION_HANDED_OVER);

	/* 2: a second connection, accept4() without an address. */
	rc = handshake_from_port_zero(r, raw, pkt, lfd2, SECOND_PORT);
	if (rc != RUN_OK)
		return rc;
	afd = step(r, ON_FD(lfd2), "accept4", accept4(lfd2, NULL, NULL, SOCK_CLOEXEC),
		   "accept4(%d, NULL, NULL, SOCK_CLOEXEC)", lfd2);
	if (afd >= 0) {
		observe_state(r, "state", afd);
		plen = sizeof(peer);
		step(r, ON_FD(afd), "getpeername",
		     getpeername(afd, (struct sockaddr *)&peer, &plen), "getpeername(%d)", afd);
		close(afd);
	}
	note(r,
	     "the address buffer is what fails accept(): getname() refuses a peer whose port "
	     "is 0, and do_accept() reports that as ECONNABORTED after dequeuing the connection");
	close(pkt);
	close(raw);
	close(lfd2);
	close(lfd);
	return RUN_OK;
}
