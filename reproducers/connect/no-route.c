/*
 * no-route: connect() to a prefix the client has no route for (its only
 * routes are its connected prefix; the server's prefix is known only to
 * the router).  No packet leaves the client: the error comes from the
 * route lookup inside connect().
 *
 * IPv4: tcp_v4_connect() -> ip_route_connect() -> fib_lookup(); when no
 * rule finds a route ip_route_output_key_hash_rcu() gives -ENETUNREACH.
 * IPv6: tcp_v6_connect() -> ip6_dst_lookup_flow(); no route at all ends in
 * ip6_null_entry (-ENETUNREACH).
 *
 * POSIX connect() lists ENETUNREACH ("No route to the network is
 * present").
 *
 * Summary: connect() to a prefix the client has no route for
 * Kernel path: ip_route_output_key_hash_rcu(): fib_lookup() fails ->
 *   -ENETUNREACH; IPv6: ip6_pol_route() -> ip6_null_entry (-ENETUNREACH)
 * Handling: back off and free resources: this host has no route; close, try the
 *   host's next address (another family), retry when the routing changes
 */
#include "record/harness.h"
#include "lib/route_lookup_connect.h"

/* The server's prefix is known only to the router. */
SCENARIO(no_route, .errno_name = "ENETUNREACH", .syscall = "connect",
	 .topology = {.kind = TOPO_ROUTED, .client_routes = CLIENT_CONNECTED_ONLY}, .order = 290)
{
	note(r, "client routes: only its connected prefix; no default route");
	return route_lookup_connect(r, topology_server_addr(&r->topo, r->family));
}
