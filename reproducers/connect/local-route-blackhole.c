/*
 * local-route-blackhole: connect() when the client's own routing table
 * holds a blackhole route for the destination.  No packet leaves the
 * client: the error comes from the route lookup inside connect().
 *
 * IPv4: tcp_v4_connect() -> ip_route_connect() -> fib_lookup(); the
 * matching blackhole route returns fib_props[RTN_BLACKHOLE].error
 * (fib_semantics.c): -EINVAL.  IPv6: tcp_v6_connect() ->
 * ip6_dst_lookup_flow(); the reject route's dst carries
 * ip6_rt_type_to_error() (fib6_prop[] in net/ipv6/route.c): -EINVAL.
 *
 * POSIX connect() has no word for a blackhole route (Linux: EINVAL, an
 * errno POSIX reserves for invalid arguments).
 *
 * Summary: connect() with the client's own blackhole route to the server
 * POSIX expects: POSIX connect() EINVAL means an invalid argument; Linux
 *   returns it for a blackhole route
 * Kernel path: ip_route_connect() -> fib_lookup():
 *   fib_props[RTN_BLACKHOLE].error; IPv6: ip6_dst_lookup_flow() ->
 *   ip6_rt_type_to_error()
 * Handling: back off and free resources: despite its name this EINVAL is a
 *   route, not a bad argument; treat it as unreachable, try the next address
 */
#include "record/harness.h"
#include "lib/route_lookup_connect.h"

SCENARIO(local_route_blackhole, .errno_name = "EINVAL", .syscall = "connect", .order = 270)
{
	return connect_through_local_route(r, ROUTE_BLACKHOLE);
}
