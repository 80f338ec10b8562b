/*
 * local-route-unreachable, local-route-prohibit, local-route-blackhole,
 * local-route-throw, no-route: connect() when the client's own routing
 * table says the destination cannot be reached.  No packet leaves the
 * client: the error comes from the route lookup inside connect().
 *
 * IPv4: tcp_v4_connect() -> ip_route_connect() -> fib_lookup(); a matching
 * route of a reject type returns fib_props[type].error (fib_semantics.c):
 * unreachable -EHOSTUNREACH, prohibit -EACCES, blackhole -EINVAL, throw
 * -EAGAIN, which fib_rules turns into "try the next rule"; when no rule
 * finds a route ip_route_output_key_hash_rcu() gives -ENETUNREACH.
 * IPv6: tcp_v6_connect() -> ip6_dst_lookup_flow(); the reject route's dst
 * carries ip6_rt_type_to_error() (fib6_prop[] in net/ipv6/route.c), and no
 * route at all ends in ip6_null_entry (-ENETUNREACH).
 *
 * POSIX connect() lists ENETUNREACH ("No route to the network is
 * present") and EHOSTUNREACH; it has no word for a prohibit route (Linux:
 * EACCES) or a blackhole route (Linux: EINVAL, an errno POSIX reserves for
 * invalid arguments).
 */
#include <netinet/in.h>
#include <stdio.h>
#include <unistd.h>

#include "record/harness.h"
#include "lib/sockets.h"

static int connect_once(struct run *r, const char *server)
{
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(r->family, server, SERVER_PORT, &ss);
	int fd = tcp_socket_in(&r->topo.client, r->family);
	if (fd < 0)
		return broken_netns(r);
	step(r, connect(fd, (struct sockaddr *)&ss, len), "connect(%d, %s)", fd,
	     sockaddr_str((struct sockaddr *)&ss));
	close(fd);
	return RUN_OK;
}

/* A host route of the given type for the server, in the client's table:
 * it wins over the connected /24 or /64 by being longer. */
static int connect_through_local_route(struct run *r, enum netns_route_type type)
{
	const char *server = topology_server_addr(&r->topo, r->family);
	char dst[64];
	snprintf(dst, sizeof(dst), "%s/%d", server, r->family == AF_INET6 ? 128 : 32);
	if (netns_route_add(&r->topo.client, r->family, dst, type, NULL, NULL) < 0)
		return broken_netns(r);
	note(r, "client route: %s %s", netns_route_type_name(type), dst);
	return connect_once(r, server);
}

static int local_unreachable(struct run *r)
{
	return connect_through_local_route(r, ROUTE_UNREACHABLE);
}

static int local_prohibit(struct run *r)
{
	return connect_through_local_route(r, ROUTE_PROHIBIT);
}

static int local_blackhole(struct run *r)
{
	return connect_through_local_route(r, ROUTE_BLACKHOLE);
}

static int local_throw(struct run *r)
{
	return connect_through_local_route(r, ROUTE_THROW);
}

static int no_route(struct run *r)
{
	note(r, "client routes: only its connected prefix; no default route");
	return connect_once(r, topology_server_addr(&r->topo, r->family));
}

#define LOCAL_ROUTE_SCENARIO(id, place, nm, err, sum, posix, path, handle, fn)                     \
	SCENARIO(id) = {                                                                           \
		.name = nm,                                                                        \
		.errno_name = err,                                                                 \
		.syscall = "connect",                                                              \
		.summary = sum,                                                                    \
		.posix_expects = posix,                                                            \
		.kernel_path = path,                                                               \
		.handling = handle,                                                                \
		.order = place,                                                                    \
		.run = fn,                                                                         \
	}

LOCAL_ROUTE_SCENARIO(local_route_unreachable, 250, "local-route-unreachable", "EHOSTUNREACH",
		     "connect() with the client's own unreachable route to the server", NULL,
		     "ip_route_connect() -> fib_lookup(): fib_props[RTN_UNREACHABLE].error; "
		     "IPv6: ip6_dst_lookup_flow() -> ip6_rt_type_to_error()",
		     "back off and free resources: this host's own routing refuses; no packet "
		     "left, so retrying at once cannot help; try the next address or report it",
		     local_unreachable);

LOCAL_ROUTE_SCENARIO(local_route_prohibit, 260, "local-route-prohibit", "EACCES",
		     "connect() with the client's own prohibit route to the server",
		     "POSIX connect() names no errno for an administratively prohibited route; "
		     "EACCES is Linux's",
		     "ip_route_connect() -> fib_lookup(): fib_props[RTN_PROHIBIT].error; "
		     "IPv6: ip6_dst_lookup_flow() -> ip6_rt_type_to_error()",
		     "back off and free resources: local policy forbids the destination; "
		     "report it (not the caller's bug, not the peer's), do not retry in a loop",
		     local_prohibit);

LOCAL_ROUTE_SCENARIO(local_route_blackhole, 270, "local-route-blackhole", "EINVAL",
		     "connect() with the client's own blackhole route to the server",
		     "POSIX connect() EINVAL means an invalid argument; Linux returns it for a "
		     "blackhole route",
		     "ip_route_connect() -> fib_lookup(): fib_props[RTN_BLACKHOLE].error; "
		     "IPv6: ip6_dst_lookup_flow() -> ip6_rt_type_to_error()",
		     "back off and free resources: despite its name this EINVAL is a route, "
		     "not a bad argument; treat it as unreachable, try the next address",
		     local_blackhole);

LOCAL_ROUTE_SCENARIO(
	local_route_throw, 280, "local-route-throw", "ENETUNREACH",
	"connect() with the client's own throw route to the server", NULL,
	"fib_props[RTN_THROW].error is -EAGAIN: fib_rules_lookup() goes on to the next "
	"rule; none finds a route -> ENETUNREACH (IPv6: fib6_rule_action() -> "
	"ip6_null_entry)",
	"back off and free resources: no route; close, try the next address, retry when the "
	"routing changes",
	local_throw);

SCENARIO(no_route) = {
	.name = "no-route",
	.errno_name = "ENETUNREACH",
	.syscall = "connect",
	.summary = "connect() to a prefix the client has no route for",
	.posix_expects = NULL,
	.kernel_path = "ip_route_output_key_hash_rcu(): fib_lookup() fails -> -ENETUNREACH; "
		       "IPv6: ip6_pol_route() -> ip6_null_entry (-ENETUNREACH)",
	.handling = "back off and free resources: this host has no route; close, try the "
		    "host's next address (another family), retry when the routing changes",
	/* The server's prefix is known only to the router. */
	.topology = TOPO_ROUTED,
	.client_without_default_route = true,
	.order = 290,
	.run = no_route,
};
