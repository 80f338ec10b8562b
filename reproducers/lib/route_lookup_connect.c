/* connect() failing in the client's own route lookup (local-route-*,
 * no-route): see route_lookup_connect.h. */
#include "lib/route_lookup_connect.h"

#include <netinet/in.h>
#include <stdio.h>
#include <unistd.h>

#include "lib/sockets.h"

int route_lookup_connect(struct run *r, const char *server)
{
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(r->family, server, SERVER_PORT, &ss);
	int fd = tcp_socket_in(&r->topo.client, r->family);
	if (fd < 0)
		return broken_netns(r);
	step(r, ON_FD(fd), "connect", connect(fd, (struct sockaddr *)&ss, len), "connect(%d, %s)",
	     fd, sockaddr_str((struct sockaddr *)&ss));
	close(fd);
	return RUN_OK;
}

/* A host route of the given type for the server, in the client's table:
 * it wins over the connected /24 or /64 by being longer. */
int connect_through_local_route(struct run *r, enum netns_route_type type)
{
	const char *server = topology_server_addr(&r->topo, r->family);
	char dst[64];
	snprintf(dst, sizeof(dst), "%s/%d", server, r->family == AF_INET6 ? 128 : 32);
	if (netns_route_add(&r->topo.client, r->family, dst, type, NULL, NULL) < 0)
		return broken_netns(r);
	note(r, "client route: %s %s", netns_route_type_name(type), dst);
	return route_lookup_connect(r, server);
}
