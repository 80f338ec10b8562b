/*
 * local-route-prohibit: connect() when the client's own routing table
 * holds a prohibit route for the destination.  No packet leaves the
 * client: the error comes from the route lookup inside connect().
 *
 * IPv4: tcp_v4_connect() -> ip_route_connect() -> fib_lookup(); the
 * matching prohibit route returns fib_props[RTN_PROHIBIT].error
 * (fib_semantics.c): -EACCES.  IPv6: tcp_v6_connect() ->
 * ip6_dst_lookup_flow(); the reject route's dst carries
 * ip6_rt_type_to_error() (fib6_prop[] in net/ipv6/route.c): -EACCES.
 *
 * POSIX connect() has no word for a prohibit route (Linux: EACCES).
 *
 * Summary: connect() with the client's own prohibit route to the server
 * POSIX expects: POSIX connect() names no errno for an administratively
 *   prohibited route; EACCES is Linux's
 * Kernel path: ip_route_connect() -> fib_lookup():
 *   fib_props[RTN_PROHIBIT].error; IPv6: ip6_dst_lookup_flow() ->
 *   ip6_rt_type_to_error()
 * Handling: back off and free resources: local policy forbids the destination;
 *   report it (not the caller's bug, not the peer's), do not retry in a loop
 */
#include "record/harness.h"
#include "lib/route_lookup_connect.h"

SCENARIO(local_route_prohibit, .errno_name = "EACCES", .syscall = "connect", .order = 260)
{
	return connect_through_local_route(r, ROUTE_PROHIBIT);
}
