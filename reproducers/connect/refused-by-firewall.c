/*
 * refused-by-firewall: connect() ECONNREFUSED although the server is
 * listening, because a firewall on the router in the middle refuses the SYN
 * on the server's behalf with an RST.
 *
 * nft `reject with tcp reset` in the router's forward chain.
 * nft_reject_inet_eval() calls nf_send_reset() / nf_send_reset6()
 * (net/ipv4/netfilter/nf_reject_ipv4.c, net/ipv6/netfilter/
 * nf_reject_ipv6.c), which forge the RST: nf_reject_iphdr_put() /
 * nf_reject_ip6hdr_put() swap the SYN's addresses, so the RST carries the
 * server's address as its source, and its TTL / hop limit is the router's
 * own (ip4_dst_hoplimit() / ip6_dst_hoplimit(): 64), where a segment from
 * the server arrives with 63 after the router's forwarding.  The client in
 * SYN_SENT takes it in tcp_rcv_synsent_state_process() -> tcp_reset(),
 * which picks ECONNREFUSED for SYN_SENT.  The RST meets connect()'s socket
 * lock too (veth delivers synchronously), but a segment goes to the socket
 * backlog and is processed at release_sock(), not dropped: connect() fails
 * at once.  Nothing reaches the server.
 *
 * POSIX connect(): ECONNREFUSED, "The target address was not listening for
 * connections or refused the connection request."  Linux agrees; the
 * client cannot tell a firewall's refusal from the server's own, except by
 * the TTL of the RST.
 *
 * Summary: a firewall on the router answers the SYN with a forged RST (nft
 *   reject with tcp reset); the server is listening
 * Kernel path: router: nft_reject_inet_eval() ->
 *   nf_send_reset()/nf_send_reset6() forge the RST with the server's address;
 *   client: tcp_rcv_synsent_state_process() -> tcp_reset() (SYN_SENT:
 *   ECONNREFUSED)
 * Handling: back off and free resources: close the socket; retry later with
 *   backoff or try the next address (the port or a firewall refused)
 */
#include <netinet/in.h>
#include <poll.h>
#include <unistd.h>

#include "record/harness.h"
#include "lib/packets.h"
#include "lib/router_reject.h"
#include "lib/connection.h"
#include "lib/sockets.h"

/* A second listener on the server that the router's rule leaves alone: a
 * segment the server really sent, to compare hop limits with. */
#define OPEN_PORT (SERVER_PORT + 1)

SCENARIO(refused_by_firewall, .errno_name = "ECONNREFUSED", .syscall = "connect",
	 .topology = {.kind = TOPO_ROUTED}, .order = 430)
{
	const char *server = topology_server_addr(&r->topo, r->family);
	if (router_refuses(r, "reject with tcp reset") < 0)
		return skipped(r, "nftables reject is not usable in the router namespace: %s",
			       netns_error());
	int lfd = listen_at_server(r, server, SERVER_PORT, 8);
	int lfd2 = listen_at_server(r, server, OPEN_PORT, 8);
	int pfd = packet_socket(&r->topo.client, "eth0");
	int fd = tcp_socket_in(&r->topo.client, r->family);
	int fd2 = tcp_socket_in(&r->topo.client, r->family);
	int status = RUN_OK;
	if (lfd < 0 || lfd2 < 0 || pfd < 0 || fd < 0 || fd2 < 0) {
		status = broken(r, "set-up (listeners, packet socket, sockets): %m");
		goto out;
	}

	long in_before = server_segments_in(r);
	double t = elapsed_ms(r);
	connect_to_server(r, fd, SERVER_PORT);
	note(r, "connect() returned after %.1f ms", elapsed_ms(r) - t);
	observe(r, AT(HOST_SERVER), "server segments in", "server Tcp InSegs (delta)", "%+ld",
		server_segments_in(r) - in_before);
	observe(r, AT(HOST_SERVER), "listener", "poll(server listener, POLLIN)", "%s",
		(poll_fd(lfd, POLLIN, 0) & POLLIN) ? "readable" : "nothing queued");

	struct seen_packet rst;
	if (capture_packet(pfd, r->family, IPPROTO_TCP, SERVER_PORT, 2000, &rst)) {
		observe(r, AT(HOST_CLIENT), "reply",
			"first segment from the server's port on the client's link", "%s",
			tcp_flags_str(rst.tcp_flags));
		observe(r, AT(HOST_CLIENT), "reply source", "its source address", "%s", rst.src);
		observe(r, AT(HOST_CLIENT), "reply hop limit", "its TTL / hop limit", "%d",
			rst.hop_limit);
	} else {
		observe(r, AT(HOST_CLIENT), "reply",
			"first segment from the server's port on the client's link", "none seen");
	}

	/* The same path to a port the rule leaves alone: the server answers
	 * itself, one forwarding hop away. */
	connect_to_server(r, fd2, OPEN_PORT);
	struct seen_packet synack;
	if (capture_packet(pfd, r->family, IPPROTO_TCP, OPEN_PORT, 2000, &synack))
		observe(r, AT(HOST_CLIENT), "server reply hop limit",
			"TTL / hop limit of the server's own reply from an unfiltered port",
			"%d (%s)", synack.hop_limit, tcp_flags_str(synack.tcp_flags));
	else
		observe(r, AT(HOST_CLIENT), "server reply hop limit",
			"TTL / hop limit of the server's own reply from an unfiltered port",
			"none seen");
	note(r, "the RST carries the server's address but the router's hop limit: "
		"nf_send_reset() forged it; the server's own segments lose one hop at the router");
out:
	close_fds(fd2, fd, pfd, lfd2, lfd);
	return status;
}
