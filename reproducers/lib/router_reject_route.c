/* The router's reject route and the connect() it catches
 * (router-blackhole, router-unreachable): see router_reject_route.h. */
#include "lib/router_reject_route.h"

#include <netinet/in.h>
#include <stdio.h>

#include "lib/sockets.h"

int add_router_route(struct run *r, enum netns_route_type type)
{
	const char *server = topology_server_addr(&r->topo, r->family);
	char dst[64];
	snprintf(dst, sizeof(dst), "%s/%d", server, r->family == AF_INET6 ? 128 : 32);
	if (netns_route_add(&r->topo.router, r->family, dst, type, NULL, NULL) < 0)
		return -1;
	note(r, "router route: %s %s", netns_route_type_name(type), dst);
	return 0;
}

int router_route_connect(struct run *r, int fd)
{
	struct sockaddr_storage ss;
	socklen_t len =
		sockaddr_of(r->family, topology_server_addr(&r->topo, r->family), SERVER_PORT, &ss);
	return step(r, ON_FD(fd), "connect", connect(fd, (struct sockaddr *)&ss, len),
		    "connect(%d, %s)", fd, sockaddr_str((struct sockaddr *)&ss));
}
