/*
 * local-route-throw: connect() when the client's own routing table holds
 * a throw route for the destination.  No packet leaves the client: the
 * error comes from the route lookup inside connect().
 *
 * IPv4: tcp_v4_connect() -> ip_route_connect() -> fib_lookup(); the
 * matching throw route returns fib_props[RTN_THROW].error
 * (fib_semantics.c), -EAGAIN, which fib_rules turns into "try the next
 * rule"; when no rule finds a route ip_route_output_key_hash_rcu() gives
 * -ENETUNREACH.  IPv6: tcp_v6_connect() -> ip6_dst_lookup_flow();
 * fib6_rule_action() goes on the same way, and no route at all ends in
 * ip6_null_entry (-ENETUNREACH).
 *
 * POSIX connect() lists ENETUNREACH ("No route to the network is
 * present").
 *
 * Summary: connect() with the client's own throw route to the server
 * Kernel path: fib_props[RTN_THROW].error is -EAGAIN: fib_rules_lookup() goes
 *   on to the next rule; none finds a route -> ENETUNREACH (IPv6:
 *   fib6_rule_action() -> ip6_null_entry)
 * Handling: back off and free resources: no route; close, try the next address,
 *   retry when the routing changes
 */
#include "record/harness.h"
#include "lib/route_lookup_connect.h"

SCENARIO(local_route_throw, .errno_name = "ENETUNREACH", .syscall = "connect", .order = 280)
{
	return connect_through_local_route(r, ROUTE_THROW);
}
