/*
 * refused-by-firewall, refused-by-icmp: connect() ECONNREFUSED although
 * the server is listening, because a firewall on the router in the middle
 * refuses the SYN on the server's behalf.
 *
 * refused-by-firewall: nft `reject with tcp reset` in the router's forward
 * chain.  nft_reject_inet_eval() calls nf_send_reset() / nf_send_reset6()
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
 * refused-by-icmp: nft `reject with icmp type port-unreachable` /
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
 * the TTL of the RST or the source of the ICMP error.
 */
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/ip_icmp.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "record/harness.h"
#include "lib/lock_race.h"
#include "lib/packets.h"
#include "lib/sockets.h"

/* A second listener on the server that the router's rule leaves alone: a
 * segment the server really sent, to compare hop limits with. */
#define OPEN_PORT (SERVER_PORT + 1)

/* One incoming packet seen on the client's link: a TCP segment or an ICMP
 * error, with the fields that tell who sent it. */
struct seen {
	int proto; /* IPPROTO_TCP, IPPROTO_ICMP or IPPROTO_ICMPV6 */
	char src[INET6_ADDRSTRLEN];
	int hop_limit;
	uint16_t sport;
	uint8_t tcp_flags;
	int icmp_type, icmp_code;
};

static bool parse_packet(const uint8_t *pkt, size_t len, int family, struct seen *s)
{
	const uint8_t *l4;
	size_t l4len;
	memset(s, 0, sizeof(*s));
	if (family == AF_INET) {
		const struct iphdr *ip = (const struct iphdr *)pkt;
		if (len < sizeof(*ip) || ip->version != 4 || len < ip->ihl * 4u)
			return false;
		s->proto = ip->protocol;
		s->hop_limit = ip->ttl;
		inet_ntop(AF_INET, &ip->saddr, s->src, sizeof(s->src));
		l4 = pkt + ip->ihl * 4u;
		l4len = len - ip->ihl * 4u;
	} else {
		const struct ip6_hdr *ip6 = (const struct ip6_hdr *)pkt;
		if (len < sizeof(*ip6) || (pkt[0] >> 4) != 6)
			return false;
		s->proto = ip6->ip6_nxt;
		s->hop_limit = ip6->ip6_hlim;
		inet_ntop(AF_INET6, &ip6->ip6_src, s->src, sizeof(s->src));
		l4 = pkt + sizeof(*ip6);
		l4len = len - sizeof(*ip6);
	}
	if (s->proto == IPPROTO_TCP) {
		if (l4len < sizeof(struct tcphdr))
			return false;
		const struct tcphdr *th = (const struct tcphdr *)l4;
		s->sport = ntohs(th->source);
		s->tcp_flags = (uint8_t)((th->fin ? TCPF_FIN : 0) | (th->syn ? TCPF_SYN : 0) |
					 (th->rst ? TCPF_RST : 0) | (th->psh ? TCPF_PSH : 0) |
					 (th->ack ? TCPF_ACK : 0));
		return true;
	}
	if (s->proto == IPPROTO_ICMP || s->proto == IPPROTO_ICMPV6) {
		if (l4len < 2)
			return false;
		s->icmp_type = l4[0];
		s->icmp_code = l4[1];
		/* ICMPv6 informational messages (neighbour discovery) are
		 * 128 and above; only errors are of interest. */
		return s->proto == IPPROTO_ICMP || s->icmp_type < 128;
	}
	return false;
}

/* Wait up to timeout_ms for the next incoming packet on an AF_PACKET
 * socket that is a TCP segment from port sport (proto IPPROTO_TCP) or an
 * ICMP error (any other proto). */
static bool capture(int fd, int family, int proto, uint16_t sport, int timeout_ms, struct seen *s)
{
	double deadline = now_ms() + timeout_ms;
	for (;;) {
		int left = (int)(deadline - now_ms());
		if (left < 0 || !(poll_fd(fd, POLLIN, left) & POLLIN))
			return false;
		uint8_t pkt[2048];
		struct sockaddr_ll from;
		socklen_t flen = sizeof(from);
		ssize_t n = recvfrom(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&from, &flen);
		if (n < 0)
			return false;
		if (from.sll_pkttype == PACKET_OUTGOING || !parse_packet(pkt, (size_t)n, family, s))
			continue;
		if (proto == IPPROTO_TCP ? s->proto == IPPROTO_TCP && s->sport == sport
					 : s->proto != IPPROTO_TCP)
			return true;
	}
}

/* The router's forward chain refuses the client's SYNs to the server's
 * SERVER_PORT with verdict. */
static int router_refuses(struct run *r, const char *verdict)
{
	const char *server = topology_server_addr(&r->topo, r->family);
	const char *l3 = r->family == AF_INET6 ? "ip6" : "ip";
	char match[160], ruleset[512];
	snprintf(match, sizeof(match), "%s daddr %s tcp dport %d tcp flags & (syn | ack) == syn",
		 l3, server, SERVER_PORT);
	snprintf(ruleset, sizeof(ruleset),
		 "table inet sockerr {\n"
		 "  chain forward {\n"
		 "    type filter hook forward priority 0; policy accept;\n"
		 "    %s %s\n"
		 "  }\n"
		 "}\n",
		 match, verdict);
	if (netns_nft(&r->topo.router, ruleset) < 0)
		return -1;
	note(r, "router nft forward: %s %s", match, verdict);
	return 0;
}

static long server_segments_in(struct run *r)
{
	return netstat_counter(&r->topo.server, "Tcp", "InSegs");
}

static int connect_to(struct run *r, int fd, int port)
{
	struct sockaddr_storage ss;
	socklen_t len =
		sockaddr_of(r->family, topology_server_addr(&r->topo, r->family), port, &ss);
	return step(r, connect(fd, (struct sockaddr *)&ss, len), "connect(%d, %s)", fd,
		    sockaddr_str((struct sockaddr *)&ss));
}

static int refused_by_firewall(struct run *r)
{
	const char *server = topology_server_addr(&r->topo, r->family);
	if (router_refuses(r, "reject with tcp reset") < 0)
		return skipped(r, "nftables reject is not usable in the router namespace: %s",
			       netns_error());
	int lfd = tcp_listen_in(&r->topo.server, r->family, server, SERVER_PORT, 8);
	int lfd2 = tcp_listen_in(&r->topo.server, r->family, server, OPEN_PORT, 8);
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
	connect_to(r, fd, SERVER_PORT);
	note(r, "connect() returned after %.1f ms", elapsed_ms(r) - t);
	observe(r, "server segments in", "server Tcp InSegs (delta)", "%+ld",
		server_segments_in(r) - in_before);
	observe(r, "listener", "poll(server listener, POLLIN)", "%s",
		(poll_fd(lfd, POLLIN, 0) & POLLIN) ? "readable" : "nothing queued");

	struct seen rst;
	if (capture(pfd, r->family, IPPROTO_TCP, SERVER_PORT, 2000, &rst)) {
		observe(r, "reply", "first segment from the server's port on the client's link",
			"%s", tcp_flags_str(rst.tcp_flags));
		observe(r, "reply source", "its source address", "%s", rst.src);
		observe(r, "reply hop limit", "its TTL / hop limit", "%d", rst.hop_limit);
	} else {
		observe(r, "reply", "first segment from the server's port on the client's link",
			"none seen");
	}

	/* The same path to a port the rule leaves alone: the server answers
	 * itself, one forwarding hop away. */
	connect_to(r, fd2, OPEN_PORT);
	struct seen synack;
	if (capture(pfd, r->family, IPPROTO_TCP, OPEN_PORT, 2000, &synack))
		observe(r, "server reply hop limit",
			"TTL / hop limit of the server's own reply from an unfiltered port",
			"%d (%s)", synack.hop_limit, tcp_flags_str(synack.tcp_flags));
	else
		observe(r, "server reply hop limit",
			"TTL / hop limit of the server's own reply from an unfiltered port",
			"none seen");
	note(r, "the RST carries the server's address but the router's hop limit: "
		"nf_send_reset() forged it; the server's own segments lose one hop at the router");
out:
	if (fd2 >= 0)
		close(fd2);
	if (fd >= 0)
		close(fd);
	if (pfd >= 0)
		close(pfd);
	if (lfd2 >= 0)
		close(lfd2);
	if (lfd >= 0)
		close(lfd);
	return status;
}

static const char *icmp_name(const struct seen *s)
{
	if (s->proto == IPPROTO_ICMP && s->icmp_type == ICMP_DEST_UNREACH &&
	    s->icmp_code == ICMP_PORT_UNREACH)
		return "destination unreachable, port unreachable";
	if (s->proto == IPPROTO_ICMPV6 && s->icmp_type == ICMP6_DST_UNREACH &&
	    s->icmp_code == ICMP6_DST_UNREACH_NOPORT)
		return "destination unreachable, port unreachable";
	return "other";
}

static int refused_by_icmp(struct run *r)
{
	const char *server = topology_server_addr(&r->topo, r->family);
	const char *verdict = r->family == AF_INET6 ? "reject with icmpv6 type port-unreachable"
						    : "reject with icmp type port-unreachable";
	if (router_refuses(r, verdict) < 0)
		return skipped(r, "nftables reject is not usable in the router namespace: %s",
			       netns_error());
	int lfd = tcp_listen_in(&r->topo.server, r->family, server, SERVER_PORT, 8);
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
	connect_to(r, fd, SERVER_PORT);
	lock_race_end(r, &lr);
	observe(r, "server segments in", "server Tcp InSegs (delta)", "%+ld",
		server_segments_in(r) - in_before);

	struct seen icmp;
	int n_icmp = 0;
	if (capture(pfd, r->family, 0, 0, 2000, &icmp)) {
		n_icmp = 1;
		observe(r, "ICMP", "first ICMP error on the client's link", "%s", icmp_name(&icmp));
		observe(r, "ICMP source", "its source address", "%s", icmp.src);
		struct seen more;
		/* The rest arrived before connect() returned; the short wait
		 * only drains the socket. */
		while (capture(pfd, r->family, 0, 0, 100, &more))
			n_icmp++;
	} else {
		observe(r, "ICMP", "first ICMP error on the client's link", "none seen");
	}
	observe(r, "ICMP errors", "ICMP errors received by the client", "%d", n_icmp);
	lock_race_observe(r, &lr, ANSWERS("1", "2"));
out:
	if (fd >= 0)
		close(fd);
	if (pfd >= 0)
		close(pfd);
	if (lfd >= 0)
		close(lfd);
	return status;
}

SCENARIO(refused_by_firewall) = {
	.name = "refused-by-firewall",
	.errno_name = "ECONNREFUSED",
	.syscall = "connect",
	.summary = "a firewall on the router answers the SYN with a forged RST "
		   "(nft reject with tcp reset); the server is listening",
	.posix_expects = NULL,
	.kernel_path = "router: nft_reject_inet_eval() -> nf_send_reset()/nf_send_reset6() forge "
		       "the RST with the server's address; client: tcp_rcv_synsent_state_process() "
		       "-> tcp_reset() (SYN_SENT: ECONNREFUSED)",
	.handling = "back off and free resources: close the socket; retry later with backoff or "
		    "try the next address (the port or a firewall refused)",
	.topology = TOPO_ROUTED,
	.order = 430,
	.run = refused_by_firewall,
};

SCENARIO(refused_by_icmp) = {
	.name = "refused-by-icmp",
	.errno_name = "ECONNREFUSED",
	.syscall = "connect",
	.summary = "a firewall on the router answers the SYN with ICMP port unreachable "
		   "(nft reject with icmp/icmpv6 port-unreachable)",
	.posix_expects = NULL,
	.kernel_path = "router: nf_send_unreach()/nf_send_unreach6(); client: tcp_v4_err() "
		       "icmp_err_convert[ICMP_PORT_UNREACH] / tcp_v6_err() icmpv6_err_convert() "
		       "-> tcp_done_with_error(); socket owned by connect(): sk_err_soft "
		       "(LockDroppedIcmps), hard on the SYN retransmission",
	.handling = "back off and free resources: close the socket; retry later with backoff or "
		    "try the next address (the port or a firewall refused)",
	.topology = TOPO_ROUTED,
	.intrinsic_wait_ms = 1000,
	.intrinsic_wait = "one SYN RTO: 1 s (TCP_TIMEOUT_INIT); the first ICMP error met "
			  "connect()'s socket lock",
	.order = 440,
	.run = refused_by_icmp,
};
