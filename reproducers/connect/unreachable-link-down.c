/*
 * unreachable-link-down: the client's own eth0 goes down (topology: pair);
 * connect() has no route, and an established connection learns nothing
 * until its timeout.
 *
 * NETDEV_DOWN removes the prefix routes of its addresses
 * (fib_disable_ip(); IPv6 addrconf_ifdown() drops the addresses), so
 * connect() fails in the route lookup with ENETUNREACH:
 * ip_route_output_key_hash_rcu() (fib_lookup() finds nothing) /
 * ip6_null_entry.  Bound to the down device with SO_BINDTODEVICE, IPv4
 * fails in the same function (!(dev_out->flags & IFF_UP): -ENETUNREACH),
 * IPv6 again with no route.  An established connection is told nothing:
 * send() queues the data and succeeds, the transmission fails in the route
 * lookup (__ip_queue_xmit() no_route: -EHOSTUNREACH, dropped;
 * inet6_csk_xmit() also stores the lookup's error in sk_err_soft).  With
 * nothing in flight __tcp_push_pending_frames() arms the probe0 timer
 * (tcp_check_probe_timer()) and tcp_probe_timer() gives up
 * TCP_USER_TIMEOUT after its first probe: tcp_write_err() reports
 * sk_err_soft, or ETIMEDOUT when there is none.  So IPv4 says ETIMEDOUT
 * and IPv6 says ENETUNREACH for the same event.  ENETDOWN, which POSIX
 * lists for connect() and send(), comes from no TCP path; an AF_PACKET
 * send on the down link shows where it does live (packet_snd()).
 *
 * POSIX connect(): ENETUNREACH "No route to the network is present",
 * ENETDOWN "The local network interface used to reach the destination is
 * down".
 *
 * Summary: the client's own link is down: connect() has no route; an
 *   established connection learns nothing until its timeout
 * POSIX expects: connect()/send(): ENETDOWN, "the local network interface used
 *   to reach the destination is down"
 * Kernel path: NETDEV_DOWN: fib_disable_ip() / addrconf_ifdown() drop the
 *   prefix routes; connect(): ip_route_output_key_hash_rcu() -ENETUNREACH (also
 *   for an oif that is not IFF_UP) / ip6_null_entry; established:
 *   __ip_queue_xmit() no_route / inet6_csk_xmit() (sk_err_soft) fail each
 *   transmission, tcp_probe_timer() -> tcp_write_err(): sk_err_soft ?:
 *   ETIMEDOUT
 * Handling: back off and free resources: no route until the link returns;
 *   close, retry with backoff; established connections need TCP_USER_TIMEOUT or
 *   keepalive to notice
 * Waits for: probe0 timer: first probe after 200 ms (TCP_RTO_MIN), then
 *   TCP_USER_TIMEOUT 1000 ms
 */
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "record/harness.h"
#include "lib/rtnl_lookup.h"
#include "lib/sockets.h"
#include "lib/unreachable_connect.h"

/* TCP_USER_TIMEOUT on the established connection: the bound that ends it. */
#define ESTABLISHED_TIMEOUT_MS 1000

/* The timer /proc/net/tcp{,6} shows for the socket on local port lport
 * inside ns (the "tr" column, get_tcp4_sock() / get_tcp6_sock()). */
static const char *tcp_timer_of(const struct netns *ns, int family, int lport)
{
	if (netns_enter(ns) < 0)
		return "unreadable";
	/* thread-self: /proc/net follows the namespace of the reading thread. */
	FILE *f = fopen(family == AF_INET6 ? "/proc/thread-self/net/tcp6"
					   : "/proc/thread-self/net/tcp",
			"re");
	netns_leave();
	if (!f)
		return "unreadable";
	char line[512];
	int timer = -1;
	while (timer < 0 && fgets(line, sizeof(line), f)) {
		char local[64];
		unsigned port, tr;
		if (sscanf(line, " %*d: %63[0-9A-Fa-f]:%x %*s %*x %*s %x", local, &port, &tr) ==
			    3 &&
		    (int)port == lport)
			timer = tr;
	}
	fclose(f);
	switch (timer) {
	case 0: return "none";
	case 1: return "retransmission";
	case 2: return "keepalive";
	case 4: return "zero-window probe (probe0)";
	default: return "unreadable";
	}
}

SCENARIO(unreachable_link_down, .errno_name = "ENETUNREACH", .syscall = "connect",
	 .intrinsic_wait_ms = 1200, .order = 520)
{
	int fam = r->family;
	const char *server = topology_server_addr(&r->topo, fam);
	const char *prefix = fam == AF_INET6 ? "2001:db8:1::" : "192.0.2.0";
	int plen = fam == AF_INET6 ? 64 : 24;
	int lfd = -1, cfd = -1, afd = -1, fd = -1, bfd = -1, pfd = -1;
	int rc = RUN_OK;

	int ifindex = netns_ifindex(&r->topo.client, "eth0");
	if (ifindex < 0)
		return broken_netns(r);
	lfd = tcp_listen_in(&r->topo.server, fam, server, SERVER_PORT, 4);
	if (lfd < 0)
		return broken(r, "listen in the server: %m");
	cfd = tcp_connect_in(&r->topo.client, fam, server, SERVER_PORT);
	if (cfd < 0) {
		rc = broken(r, "connect to the server before the link goes down: %m");
		goto out;
	}
	afd = accept(lfd, NULL, NULL);
	if (afd < 0) {
		rc = broken(r, "accept: %m");
		goto out;
	}
	unreachable_set_user_timeout(r, cfd, ESTABLISHED_TIMEOUT_MS);
	observe(r, AT(HOST_CLIENT), "prefix route",
		"client route to its own prefix before (rtnetlink)", "%s",
		route_presence(&r->topo.client, fam, prefix, plen));

	if (netns_link_set_up(&r->topo.client, "eth0", false) < 0) {
		rc = broken_netns(r);
		goto out;
	}
	note(r, "client eth0 set down with one connection established");
	observe(r, AT(HOST_CLIENT), "prefix route",
		"client route to its own prefix after (rtnetlink)", "%s",
		route_presence(&r->topo.client, fam, prefix, plen));

	/* A new connection: the route lookup has nothing left. */
	fd = tcp_socket_in(&r->topo.client, fam);
	bfd = tcp_socket_in(&r->topo.client, fam);
	if (fd < 0 || bfd < 0) {
		rc = broken_netns(r);
		goto out;
	}
	unreachable_connect_to(r, "connect", fd, server);
	step(r, ON_FD(bfd), "setsockopt",
	     setsockopt(bfd, SOL_SOCKET, SO_BINDTODEVICE, "eth0", sizeof("eth0")),
	     "setsockopt(%d, SO_BINDTODEVICE, eth0)", bfd);
	unreachable_connect_to(r, "connect bound", bfd, server);

	/* The established connection is told nothing; it finds out from its
	 * own timeout. */
	observe(r, ON_FD(cfd), "established state", "TCP_INFO state after the link went down", "%s",
		tcp_state_name(tcp_state(cfd)));
	long aborts = netstat_counter(&r->topo.client, "TcpExt", "TCPAbortOnTimeout");
	double t = elapsed_ms(r);
	step(r, ON_FD(cfd), "send established", send(cfd, "x", 1, MSG_NOSIGNAL),
	     "send(%d, 1, MSG_NOSIGNAL)", cfd);
	observe(r, AT(HOST_CLIENT), "timer",
		"the established socket's timer after send() (/proc/net/tcp)", "%s",
		tcp_timer_of(&r->topo.client, fam, socket_local_port(cfd)));
	int ev = poll_fd(cfd, POLLIN, ESTABLISHED_TIMEOUT_MS * 5);
	double took = elapsed_ms(r) - t;
	const char *seen = ev & POLLERR ? "POLLERR" : ev ? "readable" : "nothing within the bound";
	observe(r, ON_FD(cfd), "poll established", "poll(POLLIN) on the established socket", "%s",
		seen);
	measure(r, ON_FD(cfd), "elapsed", "send() to the socket's error (ms)", "%.0f", took);
	/* From below only: load can make the timer late, never early. */
	observe(r, ON_FD(cfd), "when", "the error relative to TCP_USER_TIMEOUT (from below)", "%s",
		took < ESTABLISHED_TIMEOUT_MS - 2 * TICK_SLACK_MS ? "before TCP_USER_TIMEOUT"
								  : "after TCP_USER_TIMEOUT");
	char byte;
	step(r, ON_FD(cfd), "recv established", recv(cfd, &byte, 1, MSG_DONTWAIT),
	     "recv(%d, 1, MSG_DONTWAIT)", cfd);
	step(r, ON_FD(cfd), "send after", send(cfd, "x", 1, MSG_NOSIGNAL),
	     "send(%d, 1, MSG_NOSIGNAL)", cfd);
	observe(r, AT(HOST_CLIENT), "TCPAbortOnTimeout", "client TcpExt TCPAbortOnTimeout (delta)",
		"+%ld", netstat_counter(&r->topo.client, "TcpExt", "TCPAbortOnTimeout") - aborts);
	note(r,
	     "established socket: TCP_USER_TIMEOUT %d ms; its error came %.0f ms after the send()",
	     ESTABLISHED_TIMEOUT_MS, took);

	/* Where ENETDOWN does come from: a packet socket on the down link. */
	pfd = netns_socket(&r->topo.client, AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (pfd < 0) {
		rc = broken_netns(r);
		goto out;
	}
	struct sockaddr_ll ll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(fam == AF_INET6 ? ETH_P_IPV6 : ETH_P_IP),
		.sll_ifindex = ifindex,
		.sll_halen = 6,
		.sll_addr = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
	};
	step(r, ON_FD(pfd), "AF_PACKET sendto",
	     sendto(pfd, "x", 1, 0, (struct sockaddr *)&ll, sizeof(ll)),
	     "sendto(%d, 1, 0, AF_PACKET eth0)", pfd);
out:;
	int fds[] = {lfd, cfd, afd, fd, bfd, pfd};
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return rc;
}
