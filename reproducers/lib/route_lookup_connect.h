/*
 * connect() when the client's own routing table says the destination
 * cannot be reached: no packet leaves the client, the error comes from the
 * route lookup inside connect() (tcp_v4_connect() -> ip_route_connect() ->
 * fib_lookup(); tcp_v6_connect() -> ip6_dst_lookup_flow()).  Shared by
 * local-route-unreachable, local-route-prohibit, local-route-blackhole,
 * local-route-throw (a reject route of their type in the client's table)
 * and no-route (no route at all).
 */
#ifndef SOCKERR_ROUTE_LOOKUP_CONNECT_H
#define SOCKERR_ROUTE_LOOKUP_CONNECT_H

#include "record/harness.h"

/* One connect() from a new client socket to server's SERVER_PORT,
 * recorded as a step; the socket is closed after it.  RUN_OK, or
 * broken_netns() when the socket cannot be made. */
int route_lookup_connect(struct run *r, const char *server);

/* A host route of the given type for the server in the client's table,
 * then route_lookup_connect() to the server. */
int connect_through_local_route(struct run *r, enum netns_route_type type);

#endif
