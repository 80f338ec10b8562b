/*
 * router-unreachable: the router in the middle holds an unreachable route
 * for the server's address; the client's SYN is forwarded into it.
 *
 * The router answers with an ICMP error (ip_error() sends
 * ICMP_DEST_UNREACH/ICMP_HOST_UNREACH; IPv6 ip6_pkt_discard() sends
 * ICMPV6_DEST_UNREACH/ICMPV6_NOROUTE).  The client converts it in
 * tcp_v4_err() (icmp_err_convert[]: EHOSTUNREACH) or tcp_v6_err()
 * (icmpv6_err_convert(): NOROUTE -> ENETUNREACH).  In SYN_SENT the error
 * is hard, unless connect() still owns the socket lock when it arrives:
 * veth delivers synchronously, so the first ICMP error comes back while
 * tcp_v4_connect() is still sending the SYN, is stored in sk_err_soft and
 * counted in TcpExt LockDroppedIcmps; the hard error lands with the error
 * for the first SYN retransmission, one initial RTO (1 s) later.
 *
 * POSIX connect(): EHOSTUNREACH, "The destination host cannot be
 * reached", and ENETUNREACH, "No route to the network is present".
 *
 * Summary: the router answers the SYN with ICMP unreachable (unreachable route)
 * Kernel path: router: ip_error() / ip6_pkt_discard() send the ICMP error;
 *   client: tcp_v4_err() icmp_err_convert[] / tcp_v6_err()
 *   icmpv6_err_convert(); socket owned by connect(): sk_err_soft
 *   (LockDroppedIcmps), hard on the SYN retransmission
 * Handling: back off and free resources: a router has no way there; close, try
 *   the host's next address, retry later with backoff
 * Waits for: one SYN RTO: 1 s (TCP_TIMEOUT_INIT); the first ICMP error met
 *   connect()'s socket lock
 */
#include <netinet/in.h>
#include <unistd.h>

#include "record/harness.h"
#include "lib/lock_race.h"
#include "lib/router_reject_route.h"
#include "lib/sockets.h"

static long icmp_unreach_received(struct run *r)
{
	if (r->family == AF_INET6)
		return netstat_counter(&r->topo.client, "snmp6", "Icmp6InDestUnreachs");
	return netstat_counter(&r->topo.client, "Icmp", "InDestUnreachs");
}

SCENARIO(router_unreachable, .errno_name = "EHOSTUNREACH", .syscall = "connect",
	 .topology = {.kind = TOPO_ROUTED}, .intrinsic_wait_ms = 1000, .order = 240)
{
	if (add_router_route(r, ROUTE_UNREACHABLE) < 0)
		return broken_netns(r);
	int fd = tcp_socket_in(&r->topo.client, r->family);
	if (fd < 0)
		return broken_netns(r);
	struct lock_race lr;
	lock_race_start(r, &lr);
	long icmps = icmp_unreach_received(r);
	router_route_connect(r, fd);
	lock_race_end(r, &lr);
	observe(r, AT(HOST_CLIENT), "ICMP unreachable in",
		"client ICMP destination-unreachable received (delta)", "+%ld",
		icmp_unreach_received(r) - icmps);
	lock_race_observe(r, &lr, ANSWERS("+1", "+2"));
	close(fd);
	return RUN_OK;
}
