/*
 * local-route-unreachable: connect() when the client's own routing table
 * holds an unreachable route for the destination.  No packet leaves the
 * client: the error comes from the route lookup inside connect().
 *
 * IPv4: tcp_v4_connect() -> ip_route_connect() -> fib_lookup(); the
 * matching unreachable route returns fib_props[RTN_UNREACHABLE].error
 * (fib_semantics.c): -EHOSTUNREACH.  IPv6: tcp_v6_connect() ->
 * ip6_dst_lookup_flow(); the reject route's dst carries
 * ip6_rt_type_to_error() (fib6_prop[] in net/ipv6/route.c): -EHOSTUNREACH.
 *
 * POSIX connect() lists EHOSTUNREACH ("The destination host cannot be
 * reached").
 *
 * Summary: connect() with the client's own unreachable route to the server
 * Kernel path: ip_route_connect() -> fib_lookup():
 *   fib_props[RTN_UNREACHABLE].error; IPv6: ip6_dst_lookup_flow() ->
 *   ip6_rt_type_to_error()
 * Handling: back off and free resources: this host's own routing refuses; no
 *   packet left, so retrying at once cannot help; try the next address or
 *   report it
 */
#include "record/harness.h"
#include "lib/route_lookup_connect.h"

SCENARIO(local_route_unreachable, .errno_name = "EHOSTUNREACH", .syscall = "connect", .order = 250)
{
	return connect_through_local_route(r, ROUTE_UNREACHABLE);
}
