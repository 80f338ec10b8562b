/*
 * unreachable-net-icmp: the router has no route to the server's network
 * (topology: routed) and answers the client's SYN with ICMP net
 * unreachable; connect() learns ENETUNREACH.
 *
 * The router's link to the server's network is down, so its connected
 * route is gone (fib_disable_ip() flushes it; IPv6 addrconf_ifdown()
 * removes the addresses and their prefix route).  The forwarded SYN finds
 * no route: ip_route_input_slow() -> fib_lookup() fails with -ENETUNREACH
 * and ip_error() answers ICMP_NET_UNREACH (icmp_err_convert[]:
 * ENETUNREACH); IPv6 ends in ip6_null_entry, ip6_pkt_discard() answers
 * ICMPV6_NOROUTE (icmpv6_err_convert(): ENETUNREACH).  An unreachable
 * *route* on the router would send ICMP_HOST_UNREACH instead
 * (router-unreachable).
 *
 * veth delivers synchronously: the first ICMP error can come back while
 * tcp_v4_connect()/tcp_v6_connect() still owns the socket;
 * tcp_v4_err()/tcp_v6_err() then only store sk_err_soft (TcpExt
 * LockDroppedIcmps) and the hard error lands with the error for the SYN
 * retransmission, one initial RTO (1 s) later.
 *
 * POSIX connect(): ENETUNREACH "No route to the network is present".
 *
 * Summary: the router has no route to the server's network (its link there is
 *   down) and answers ICMP net unreachable
 * Kernel path: router: ip_route_input_slow() fib_lookup() -ENETUNREACH ->
 *   ip_error() ICMP_NET_UNREACH / ip6_null_entry ip6_pkt_discard()
 *   ICMPV6_NOROUTE; client: tcp_v4_err() icmp_err_convert[ICMP_NET_UNREACH] /
 *   tcp_v6_err() icmpv6_err_convert() -> ENETUNREACH
 * Handling: back off and free resources: a router has no route; close, try the
 *   next address (another family), retry later with backoff
 * Waits for: one SYN RTO: 1 s (TCP_TIMEOUT_INIT); the first ICMP error met
 *   connect()'s socket lock
 */
#include <netinet/in.h>
#include <unistd.h>

#include "record/harness.h"
#include "lib/rtnl_lookup.h"
#include "lib/sockets.h"
#include "lib/unreachable_connect.h"

SCENARIO(unreachable_net_icmp, .errno_name = "ENETUNREACH", .syscall = "connect",
	 .topology = {.kind = TOPO_ROUTED}, .intrinsic_wait_ms = 1000, .order = 510)
{
	int fam = r->family;
	const char *prefix = fam == AF_INET6 ? "2001:db8:2::" : "198.51.100.0";
	int plen = fam == AF_INET6 ? 64 : 24;
	if (netns_link_set_up(&r->topo.router, "to-server", false) < 0)
		return broken_netns(r);
	note(r, "router: link to-server set down; its connected route %s/%d goes with it", prefix,
	     plen);
	observe(r, AT(HOST_ROUTER), "router route",
		"router's route to the server's network (rtnetlink)", "%s",
		route_presence(&r->topo.router, fam, prefix, plen));
	long noroutes_router = fam == AF_INET6
				       ? netstat_counter(&r->topo.router, "snmp6", "Ip6InNoRoutes")
				       : netstat_counter(&r->topo.router, "IpExt", "InNoRoutes");
	int fd = tcp_socket_in(&r->topo.client, fam);
	if (fd < 0)
		return broken_netns(r);
	unreachable_set_user_timeout(r, fd, SAFETY_TIMEOUT_MS);
	connect_expecting_icmp(r, fd, "ICMP unreachable in", "InDestUnreachs",
			       "Icmp6InDestUnreachs");
	long noroutes_after = fam == AF_INET6
				      ? netstat_counter(&r->topo.router, "snmp6", "Ip6InNoRoutes")
				      : netstat_counter(&r->topo.router, "IpExt", "InNoRoutes");
	measure(r, AT(HOST_ROUTER), "router InNoRoutes", "router packets without a route (delta)",
		"+%ld", noroutes_after - noroutes_router);
	close(fd);
	return RUN_OK;
}
