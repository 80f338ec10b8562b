/*
 * A reject route on the router in the middle (TOPO_ROUTED), and the
 * client's connect() to the server that it catches: the router holds a
 * route of a reject type for the server's address and the client's SYN is
 * forwarded into it.  Shared by router-blackhole and router-unreachable.
 */
#ifndef SOCKERR_ROUTER_REJECT_ROUTE_H
#define SOCKERR_ROUTER_REJECT_ROUTE_H

#include "record/harness.h"

/* A host route of the given type for the server's address in the router's
 * table, noted in the run.  -1 when the route cannot be added. */
int add_router_route(struct run *r, enum netns_route_type type);

/* connect(fd) to the server's SERVER_PORT, recorded as a step; its result. */
int router_route_connect(struct run *r, int fd);

#endif
