/* Some of a connection's packets answered with an ICMP error: icmp_once.h. */
#include "lib/icmp_once.h"

#include <netinet/in.h>
#include <stdio.h>

#include "lib/sockets.h"

int router_icmp_once(struct run *r, int client_port, enum icmp_once which)
{
	const char *client = topology_client_addr(&r->topo, r->family);
	const char *l3 = r->family == AF_INET6 ? "ip6" : "ip";
	/* "limit rate over" matches the packets beyond the bucket of one (all
	 * but the first); "limit rate" matches the first only. */
	const char *limit = which == ICMP_FIRST_ONLY ? "limit rate over" : "limit rate";
	char ruleset[512];
	snprintf(ruleset, sizeof(ruleset),
		 "table inet sockerr_icmp {\n"
		 "  chain prerouting {\n"
		 "    type filter hook prerouting priority 0; policy accept;\n"
		 "    %s saddr %s tcp sport %d %s 1/hour burst 1 packets counter drop\n"
		 "  }\n"
		 "}\n",
		 l3, client, client_port, limit);
	if (netns_nft(&r->topo.router, ruleset) < 0)
		return -1;
	note(r, "router nft prerouting: from client port %d, %s", client_port,
	     which == ICMP_FIRST_ONLY
		     ? "the first packet goes on to the unreachable route, later ones are dropped"
		     : "the first packet is dropped, later ones go on to the unreachable route");
	return 0;
}

long client_dest_unreachs(struct run *r)
{
	if (r->family == AF_INET6)
		return netstat_counter(&r->topo.client, "snmp6", "Icmp6InDestUnreachs");
	return netstat_counter(&r->topo.client, "Icmp", "InDestUnreachs");
}

bool wait_dest_unreachs(struct run *r, long target, int timeout_ms)
{
	for (int i = 0; i <= timeout_ms; i++) {
		if (client_dest_unreachs(r) >= target)
			return true;
		poll_fd(-1, 0, 1);
	}
	return false;
}
