/*
 * router-blackhole, router-unreachable: the router in the middle holds a
 * route of a reject type for the server's address; the client's SYN is
 * forwarded into it.
 *
 * blackhole: ip_route_input_slow() gives the packet a dst that discards it
 * silently (RTN_BLACKHOLE: dst_discard).  Nothing comes back; the client
 * retransmits its SYN until a timeout bounds it: here TCP_USER_TIMEOUT on
 * the socket, checked when the retransmission timer fires
 * (tcp_retransmit_timer() -> tcp_write_timeout() -> retransmits_timed_out()),
 * then tcp_write_err() sets ETIMEDOUT.  POSIX connect(): ETIMEDOUT,
 * "Connection establishment timed out without establishing a connection."
 *
 * unreachable: the router answers with an ICMP error (ip_error() sends
 * ICMP_DEST_UNREACH/ICMP_HOST_UNREACH; IPv6 ip6_pkt_discard() sends
 * ICMPV6_DEST_UNREACH/ICMPV6_NOROUTE).  The client converts it in
 * tcp_v4_err() (icmp_err_convert[]: EHOSTUNREACH) or tcp_v6_err()
 * (icmpv6_err_convert(): NOROUTE -> ENETUNREACH).  In SYN_SENT the error
 * is hard, unless connect() still owns the socket lock when it arrives:
 * veth delivers synchronously, so the first ICMP error comes back while
 * tcp_v4_connect() is still sending the SYN, is stored in sk_err_soft and
 * counted in TcpExt LockDroppedIcmps; the hard error lands with the error
 * for the first SYN retransmission, one initial RTO (1 s) later.
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <unistd.h>

#include "record/harness.h"
#include "lib/lock_race.h"
#include "lib/sockets.h"

/* The bound on the blackhole's wait: small, so the first retransmission
 * timer (after the 1 s initial RTO) is the one that expires it. */
#define USER_TIMEOUT_MS 500

static int add_router_route(struct run *r, enum netns_route_type type)
{
	const char *server = topology_server_addr(&r->topo, r->family);
	char dst[64];
	snprintf(dst, sizeof(dst), "%s/%d", server, r->family == AF_INET6 ? 128 : 32);
	if (netns_route_add(&r->topo.router, r->family, dst, type, NULL, NULL) < 0)
		return -1;
	note(r, "router route: %s %s", netns_route_type_name(type), dst);
	return 0;
}

static int connect_to_server(struct run *r, int fd)
{
	struct sockaddr_storage ss;
	socklen_t len =
		sockaddr_of(r->family, topology_server_addr(&r->topo, r->family), SERVER_PORT, &ss);
	return step(r, connect(fd, (struct sockaddr *)&ss, len), "connect(%d, %s)", fd,
		    sockaddr_str((struct sockaddr *)&ss));
}

static int router_blackhole(struct run *r)
{
	if (add_router_route(r, ROUTE_BLACKHOLE) < 0)
		return broken_netns(r);
	int fd = tcp_socket_in(&r->topo.client, r->family);
	if (fd < 0)
		return broken_netns(r);
	unsigned timeout = USER_TIMEOUT_MS;
	step(r, setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &timeout, sizeof(timeout)),
	     "setsockopt(%d, TCP_USER_TIMEOUT, %u)", fd, timeout);
	double t = elapsed_ms(r);
	connect_to_server(r, fd);
	note(r,
	     "bound: TCP_USER_TIMEOUT %u ms, checked when the SYN retransmission timer fires "
	     "(initial RTO 1 s); connect() returned after %.0f ms",
	     timeout, elapsed_ms(r) - t);
	close(fd);
	return RUN_OK;
}

static long icmp_unreach_received(struct run *r)
{
	if (r->family == AF_INET6)
		return netstat_counter(&r->topo.client, "snmp6", "Icmp6InDestUnreachs");
	return netstat_counter(&r->topo.client, "Icmp", "InDestUnreachs");
}

static int router_unreachable(struct run *r)
{
	if (add_router_route(r, ROUTE_UNREACHABLE) < 0)
		return broken_netns(r);
	int fd = tcp_socket_in(&r->topo.client, r->family);
	if (fd < 0)
		return broken_netns(r);
	struct lock_race lr;
	lock_race_start(r, &lr);
	long icmps = icmp_unreach_received(r);
	connect_to_server(r, fd);
	lock_race_end(r, &lr);
	observe(r, "ICMP unreachable in", "client ICMP destination-unreachable received (delta)",
		"+%ld", icmp_unreach_received(r) - icmps);
	lock_race_observe(r, &lr, ANSWERS("+1", "+2"));
	close(fd);
	return RUN_OK;
}

SCENARIO(router_blackhole) = {
	.name = "router-blackhole",
	.errno_name = "ETIMEDOUT",
	.syscall = "connect",
	.summary = "the router silently drops the SYN (blackhole route); connect() times out",
	.posix_expects = NULL,
	.kernel_path = "router: RTN_BLACKHOLE dst_discard(); client: tcp_retransmit_timer() -> "
		       "tcp_write_timeout() -> retransmits_timed_out(TCP_USER_TIMEOUT) -> "
		       "tcp_write_err() (ETIMEDOUT)",
	.handling = "back off and free resources: nothing answered; close, try the next "
		    "address, retry later with backoff (a silent drop looks exactly like this)",
	.topology = TOPO_ROUTED,
	.intrinsic_wait_ms = 1000,
	.intrinsic_wait =
		"one SYN RTO: 1 s (TCP_TIMEOUT_INIT), where TCP_USER_TIMEOUT 500 ms is checked",
	.order = 230,
	.run = router_blackhole,
};

SCENARIO(router_unreachable) = {
	.name = "router-unreachable",
	.errno_name = "EHOSTUNREACH",
	.syscall = "connect",
	.summary = "the router answers the SYN with ICMP unreachable (unreachable route)",
	.posix_expects = NULL,
	.kernel_path = "router: ip_error() / ip6_pkt_discard() send the ICMP error; client: "
		       "tcp_v4_err() icmp_err_convert[] / tcp_v6_err() icmpv6_err_convert(); "
		       "socket owned by connect(): sk_err_soft (LockDroppedIcmps), hard on the "
		       "SYN retransmission",
	.handling = "back off and free resources: a router has no way there; close, try the "
		    "host's next address, retry later with backoff",
	.topology = TOPO_ROUTED,
	.intrinsic_wait_ms = 1000,
	.intrinsic_wait = "one SYN RTO: 1 s (TCP_TIMEOUT_INIT); the first ICMP error met "
			  "connect()'s socket lock",
	.order = 240,
	.run = router_unreachable,
};
