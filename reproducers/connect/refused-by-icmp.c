/*
 * refused-by-icmp: connect() ECONNREFUSED although the server is
 * listening, because a firewall on the router in the middle refuses the SYN
 * on the server's behalf with an ICMP port unreachable.
 *
 * nft `reject with icmp type port-unreachable` /
 * `reject with icmpv6 type port-unreachable` on the router:
 * nf_send_unreach() -> icmp_send(ICMP_DEST_UNREACH, ICMP_PORT_UNREACH) /
 * nf_send_unreach6() -> icmpv6_send(ICMPV6_DEST_UNREACH,
 * ICMPV6_PORT_UNREACH), from the router's own address.  The client converts
 * it in tcp_v4_err() (icmp_err_convert[ICMP_PORT_UNREACH]: ECONNREFUSED,
 * fatal) / tcp_v6_err() (icmpv6_err_convert(): ICMPV6_PORT_UNREACH ->
 * ECONNREFUSED, fatal).  In SYN_SENT the error is hard (tcp_done_with_error())
 * unless connect() still owns the socket lock when it arrives: veth delivers
 * synchronously, so the first ICMP comes back while tcp_v4_connect() /
 * tcp_v6_connect() is sending the SYN, tcp_v4_err() counts it in TcpExt
 * LockDroppedIcmps and only stores it in sk_err_soft; the error for the SYN
 * retransmission, one initial RTO (1 s) later, is the hard one.  Unlike an
 * RST, an ICMP error is not queued to the socket backlog.
 *
 * POSIX connect(): ECONNREFUSED, "The target address was not listening for
 * connections or refused the connection request."  Linux agrees; the
 * client cannot tell a firewall's refusal from the server's own, except by
 * the source of the ICMP error.
 *
 * Summary: a firewall on the router answers the SYN with ICMP port unreachable
 *   (nft reject with icmp/icmpv6 port-unreachable)
 * Kernel path: router: nf_send_unreach()/nf_send_unreach6(); client:
 *   tcp_v4_err() icmp_err_convert[ICMP_PORT_UNREACH] / tcp_v6_err()
 *   icmpv6_err_convert() -> tcp_done_with_error(); socket owned by connect():
 *   sk_err_soft (LockDroppedIcmps), hard on the SYN retransmission
 * Handling: back off and free resources: close the socket; retry later with
 *   backoff or try the next address (the port or a firewall refused)
 * Waits for: one SYN RTO: 1 s (TCP_TIMEOUT_INIT); the first ICMP error met
 *   connect()'s socket lock
 */
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <unistd.h>

#include "record/harness.h"
#include "lib/lock_race.h"
#include "lib/packets.h"
#include "lib/router_reject.h"
#include "lib/connection.h"
#include "lib/sockets.h"

static const char *icmp_name(const struct seen_packet *s)
{
	if (s->proto == IPPROTO_ICMP && s->icmp_type == ICMP_DEST_UNREACH &&
	    s->icmp_code == ICMP_PORT_UNREACH)
		return "destination unreachable, port unreachable";
	if (s->proto == IPPROTO_ICMPV6 && s->icmp_type == ICMP6_DST_UNREACH &&
	    s->icmp_code == ICMP6_DST_UNREACH_NOPORT)
		return "destination unreachable, port unreachable";
	return "other";
}

SCENARIO(refused_by_icmp, .errno_name = "ECONNREFUSED", .syscall = "connect",
	 .topology = {.kind = TOPO_ROUTED}, .intrinsic_wait_ms = 1000, .order = 440)
{
	const char *server = topology_server_addr(&r->topo, r->family);
	const char *verdict = r->family == AF_INET6 ? "reject with icmpv6 type port-unreachable"
						    : "reject with icmp type port-unreachable";
	if (router_refuses(r, verdict) < 0)
		return skipped(r, "nftables reject is not usable in the router namespace: %s",
			       netns_error());
	int lfd = listen_at_server(r, server, SERVER_PORT, 8);
	int pfd = packet_socket(&r->topo.client, "eth0");
	int fd = tcp_socket_in(&r->topo.client, r->family);
	int status = RUN_OK;
	if (lfd < 0 || pfd < 0 || fd < 0) {
		status = broken(r, "set-up (listener, packet socket, socket): %m");
		goto out;
	}

	struct lock_race lr;
	lock_race_start(r, &lr);
	long in_before = server_segments_in(r);
	connect_to_server(r, fd, SERVER_PORT);
	lock_race_end(r, &lr);
	observe(r, AT(HOST_SERVER), "server segments in", "server Tcp InSegs (delta)", "%+ld",
		server_segments_in(r) - in_before);

	struct seen_packet icmp;
	int n_icmp = 0;
	if (capture_packet(pfd, r->family, 0, 0, 2000, &icmp)) {
		n_icmp = 1;
		observe(r, AT(HOST_CLIENT), "ICMP", "first ICMP error on the client's link", "%s",
			icmp_name(&icmp));
		observe(r, AT(HOST_CLIENT), "ICMP source", "its source address", "%s", icmp.src);
		struct seen_packet more;
		/* The rest arrived before connect() returned; the short wait
		 * only drains the socket. */
		while (capture_packet(pfd, r->family, 0, 0, 100, &more))
			n_icmp++;
	} else {
		observe(r, AT(HOST_CLIENT), "ICMP", "first ICMP error on the client's link",
			"none seen");
	}
	observe(r, AT(HOST_CLIENT), "ICMP errors", "ICMP errors received by the client", "%d",
		n_icmp);
	lock_race_observe(r, &lr, ANSWERS("1", "2"));
out:
	close_fds(fd, pfd, lfd);
	return status;
}
