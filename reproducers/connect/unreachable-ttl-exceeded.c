/*
 * unreachable-ttl-exceeded: connect() with IP_TTL / IPV6_UNICAST_HOPS 1
 * (topology: routed); the SYN's TTL runs out at the router and connect()
 * learns EHOSTUNREACH.
 *
 * The router's ip_forward() / ip6_forward() answers ICMP time exceeded;
 * tcp_v4_err() maps ICMP_TIME_EXCEEDED to EHOSTUNREACH,
 * icmpv6_err_convert() maps ICMPV6_TIME_EXCEED to EHOSTUNREACH.
 *
 * veth delivers synchronously: the first ICMP error can come back while
 * tcp_v4_connect()/tcp_v6_connect() still owns the socket;
 * tcp_v4_err()/tcp_v6_err() then only store sk_err_soft (TcpExt
 * LockDroppedIcmps) and the hard error lands with the error for the SYN
 * retransmission, one initial RTO (1 s) later.
 *
 * POSIX connect(): EHOSTUNREACH "The destination host cannot be reached".
 *
 * Summary: TTL / hop limit 1: the router answers ICMP time exceeded
 * Kernel path: router: ip_forward() / ip6_forward() send time exceeded; client:
 *   tcp_v4_err() ICMP_TIME_EXCEEDED -> EHOSTUNREACH / tcp_v6_err()
 *   icmpv6_err_convert(ICMPV6_TIME_EXCEED) -> EHOSTUNREACH; socket owned by
 *   connect(): sk_err_soft (LockDroppedIcmps), hard on the SYN retransmission
 * Handling: back off and free resources: a routing loop or a TTL too small for
 *   the path; close, try the next address, retry later; an immediate retry
 *   fails the same
 * Waits for: one SYN RTO: 1 s (TCP_TIMEOUT_INIT); the first ICMP error met
 *   connect()'s socket lock
 */
#include <netinet/in.h>
#include <unistd.h>

#include "record/harness.h"
#include "lib/sockets.h"
#include "lib/unreachable_connect.h"

SCENARIO(unreachable_ttl_exceeded, .errno_name = "EHOSTUNREACH", .syscall = "connect",
	 .topology = {.kind = TOPO_ROUTED}, .intrinsic_wait_ms = 1000, .order = 500)
{
	int fd = tcp_socket_in(&r->topo.client, r->family);
	if (fd < 0)
		return broken_netns(r);
	int one = 1;
	if (r->family == AF_INET6)
		step(r, ON_FD(fd), "setsockopt",
		     setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &one, sizeof(one)),
		     "setsockopt(%d, IPV6_UNICAST_HOPS, 1)", fd);
	else
		step(r, ON_FD(fd), "setsockopt",
		     setsockopt(fd, IPPROTO_IP, IP_TTL, &one, sizeof(one)),
		     "setsockopt(%d, IP_TTL, 1)", fd);
	unreachable_set_user_timeout(r, fd, SAFETY_TIMEOUT_MS);
	connect_expecting_icmp(r, fd, "ICMP time exceeded in", "InTimeExcds", "Icmp6InTimeExcds");
	close(fd);
	return RUN_OK;
}
