/*
 * forbidden-output-drop: a connection forbidden on the client's own host by
 * a firewall rule.
 *
 * An nftables rule on the client's output hook drops TCP and UDP packets to
 * the server.  nf_hook_slow() (net/netfilter/core.c) turns NF_DROP into
 * -EPERM.  For UDP the error travels back synchronously: udp_sendmsg() ->
 * udp_send_skb() -> ip_send_skb() -> ip_local_out() (IPv6:
 * udp_v6_send_skb() -> ip6_send_skb() -> ip6_local_out()), which count it
 * in Ip OutDiscards, and sendto() fails with EPERM.  For TCP the same
 * -EPERM comes back from tcp_transmit_skb() inside tcp_connect()
 * (net/ipv4/tcp_output.c), which returns only -ECONNREFUSED and ignores
 * every other transmit error: the SYN is "sent", its retransmission timer
 * runs, and the retransmissions are dropped the same way, so connect()
 * blocks until a timeout: tcp_retransmit_timer() -> tcp_write_timeout() ->
 * tcp_write_err(), ETIMEDOUT (sk_err_soft is never set by a local drop).
 * The connect(2) man page's EPERM ("the connection request failed because
 * of a local firewall rule") therefore does not hold for TCP with a DROP
 * rule (a REJECT rule answers with an RST or ICMP error instead), and
 * send(2) does not list EPERM at all.
 *
 * Summary: a local nft output rule drops packets to the server: UDP sendto()
 *   EPERM, TCP connect() times out
 * POSIX expects: send(2) does not list EPERM; connect(2) says EPERM "because of
 *   a local firewall rule", but TCP connect() through a DROP rule times out
 *   (ETIMEDOUT)
 * Kernel path: nf_hook_slow(): NF_DROP -> -EPERM; UDP: ip_local_out() ->
 *   ip_send_skb() -> udp_send_skb() -> sendto(); TCP: tcp_connect() ignores
 *   tcp_transmit_skb()'s error, tcp_retransmit_timer() -> tcp_write_timeout()
 *   -> tcp_write_err() (ETIMEDOUT)
 * Handling: back off and free resources: a firewall decision; do not retry in a
 *   loop
 * Waits for: one SYN RTO: 1 s (TCP_TIMEOUT_INIT), where TCP_USER_TIMEOUT 500 ms
 *   is checked
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <unistd.h>

#include "record/harness.h"
#include "lib/connection.h"
#include "lib/sockets.h"

/* TCP_USER_TIMEOUT bounds the blocked connect(): checked when the first
 * SYN retransmission timer fires (initial RTO 1 s). */
#define USER_TIMEOUT_MS 500
#define SYN_COUNT	1

static long out_discards(struct run *r)
{
	if (r->family == AF_INET6)
		return netstat_counter(&r->topo.client, "snmp6", "Ip6OutDiscards");
	return netstat_counter(&r->topo.client, "Ip", "OutDiscards");
}

static int drop_rule(struct run *r, const char *server)
{
	char rules[512];
	snprintf(rules, sizeof(rules),
		 "table inet sockerr {\n"
		 "  chain output {\n"
		 "    type filter hook output priority 0;\n"
		 "    %s daddr %s meta l4proto { tcp, udp } drop\n"
		 "  }\n"
		 "}\n",
		 r->family == AF_INET6 ? "ip6" : "ip", server);
	return netns_nft(&r->topo.client, rules);
}

SCENARIO(forbidden_output_drop, .errno_name = "EPERM", .syscall = "sendto",
	 .intrinsic_wait_ms = 1000, .order = 550)
{
	const char *server = topology_server_addr(&r->topo, r->family);
	if (drop_rule(r, server) < 0)
		return skipped(r, "nftables is not usable in the client namespace: %s",
			       netns_error());
	note(r, "client nft: output hook, %s daddr %s meta l4proto { tcp, udp } drop",
	     r->family == AF_INET6 ? "ip6" : "ip", server);

	int lfd = listen_at_server(r, server, SERVER_PORT, 8);
	int usrv = netns_socket(&r->topo.server, r->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int ucli = netns_socket(&r->topo.client, r->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int tcli = tcp_socket_in(&r->topo.client, r->family);
	struct sockaddr_storage dst;
	socklen_t dlen = sockaddr_of(r->family, server, SERVER_PORT, &dst);
	if (lfd < 0 || usrv < 0 || ucli < 0 || tcli < 0 ||
	    bind(usrv, (struct sockaddr *)&dst, dlen) < 0)
		return broken(r, "server listener and UDP socket on %s, client sockets: %m",
			      sockaddr_str((struct sockaddr *)&dst));

	/* UDP: the drop comes back as sendto()'s return value. */
	long discards = out_discards(r);
	step(r, ON_FD(ucli), "sendto", sendto(ucli, "x", 1, 0, (struct sockaddr *)&dst, dlen),
	     "sendto(%d, 1, %s)", ucli, sockaddr_str((struct sockaddr *)&dst));
	long discards_after = out_discards(r);
	observe(r, AT(HOST_CLIENT), "OutDiscards", "client IP OutDiscards (delta) across sendto()",
		"+%ld", discards_after - discards);

	/* TCP through the same rule. */
	unsigned timeout = USER_TIMEOUT_MS;
	int syncnt = SYN_COUNT;
	if (setsockopt(tcli, IPPROTO_TCP, TCP_USER_TIMEOUT, &timeout, sizeof(timeout)) < 0 ||
	    setsockopt(tcli, IPPROTO_TCP, TCP_SYNCNT, &syncnt, sizeof(syncnt)) < 0)
		return broken(r, "setsockopt(TCP_USER_TIMEOUT / TCP_SYNCNT): %m");
	note(r, "TCP socket: TCP_USER_TIMEOUT %u ms, TCP_SYNCNT %d", timeout, syncnt);
	discards = out_discards(r);
	double t = elapsed_ms(r);
	step(r, ON_FD(tcli), "connect", connect(tcli, (struct sockaddr *)&dst, dlen),
	     "connect(%d, %s) (blocking)", tcli, sockaddr_str((struct sockaddr *)&dst));
	double took = elapsed_ms(r) - t;
	discards_after = out_discards(r);
	measure(r, ON_FD(tcli), "connect time", "connect() elapsed", "%.0f ms", took);
	/* The class that matters: it waited for the retransmission timer
	 * (not before the 1 s initial RTO) instead of failing on the first
	 * SYN.  From below only: load can make it late, never early. */
	observe(r, ON_FD(tcli), "connect waited", "connect() elapsed, against the 1 s initial RTO",
		"%s",
		took < 1000 - TICK_SLACK_MS ? "less than the initial RTO"
					    : "for the SYN retransmission timer");
	observe(r, AT(HOST_CLIENT), "TCP OutDiscards",
		"client IP OutDiscards (delta) across connect()", "+%ld",
		discards_after - discards);
	int state_mask = (1 << TCP_SYN_RECV) | (1 << TCP_ESTABLISHED);
	int seen = tcp_diag_count(&r->topo.server, r->family, SERVER_PORT, 0, (unsigned)state_mask);
	observe(r, AT(HOST_SERVER), "server saw", "server sock_diag: connections on the port", "%s",
		seen < 0    ? "unknown"
		: seen == 0 ? "no connection"
			    : "a connection");
	note(r,
	     "tcp_connect() ignores the -EPERM of the first SYN (only -ECONNREFUSED is "
	     "returned); the retransmission timer then ends the attempt with ETIMEDOUT after "
	     "%.0f ms",
	     took);

	/* Control: without the rule, the same calls go through. */
	if (netns_nft(&r->topo.client, "delete table inet sockerr\n") < 0)
		return broken(r, "deleting the nft table: %s", netns_error());
	step(r, ON_FD(ucli), "sendto without rule",
	     sendto(ucli, "x", 1, 0, (struct sockaddr *)&dst, dlen),
	     "sendto(%d, 1, %s), rule deleted", ucli, sockaddr_str((struct sockaddr *)&dst));
	char buf[8];
	if (poll_fd(usrv, POLLIN, 2000) & POLLIN)
		step(r, ON_FD(usrv), "server recv", recv(usrv, buf, sizeof(buf), MSG_DONTWAIT),
		     "recv(%d) on the server", usrv);
	else
		observe(r, AT(HOST_SERVER), "server recv", "poll(server UDP socket, POLLIN, 2 s)",
			"%s", "nothing arrived");
	int cfd = step(r, AT(HOST_CLIENT), "connect without rule",
		       tcp_connect_in(&r->topo.client, r->family, server, SERVER_PORT),
		       "connect() to %s port %d, rule deleted", server, SERVER_PORT);
	if (cfd >= 0)
		close(cfd);

	close(tcli);
	close(ucli);
	close(usrv);
	close(lfd);
	return RUN_OK;
}
