/* What the unreachable-* scenarios share: see unreachable_connect.h. */
#include "lib/unreachable_connect.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include "lib/lock_race.h"
#include "lib/sockets.h"

long unreachable_connect_to(struct run *r, const char *label, int fd, const char *addr)
{
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(r->family, addr, SERVER_PORT, &ss);
	return step(r, ON_FD(fd), label, connect(fd, (struct sockaddr *)&ss, len),
		    "connect(%d, %s)", fd, sockaddr_str((struct sockaddr *)&ss));
}

void unreachable_set_user_timeout(struct run *r, int fd, unsigned ms)
{
	step(r, ON_FD(fd), "setsockopt",
	     setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &ms, sizeof(ms)),
	     "setsockopt(%d, TCP_USER_TIMEOUT, %u)", fd, ms);
}

long unreachable_client_counter(struct run *r, const char *v4group, const char *v4name,
				const char *v6name)
{
	if (r->family == AF_INET6)
		return netstat_counter(&r->topo.client, "snmp6", v6name);
	return netstat_counter(&r->topo.client, v4group, v4name);
}

/* connect() to the server, recording the ICMP counter named by the
 * arguments and LockDroppedIcmps around it. */
void connect_expecting_icmp(struct run *r, int fd, const char *label, const char *v4name,
			    const char *v6name)
{
	struct lock_race lr;
	lock_race_start(r, &lr);
	long icmps = unreachable_client_counter(r, "Icmp", v4name, v6name);
	unreachable_connect_to(r, "connect", fd, topology_server_addr(&r->topo, r->family));
	lock_race_end(r, &lr);
	observe(r, AT(HOST_CLIENT), label, "client ICMP errors of this type received (delta)",
		"+%ld", unreachable_client_counter(r, "Icmp", v4name, v6name) - icmps);
	lock_race_observe(r, &lr, ANSWERS("+1", "+2"));
	set_connection(r, CONNECTION_NEVER_EXISTED);
}
