/* Some of a connection's packets answered with an ICMP error: icmp_once.h. */
#include "lib/icmp_once.h"

#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>

#include "lib/sockets.h"

int client_own_addrs(struct run *r, int n, char addr[][OWN_ADDR_LEN])
{
	bool v6 = r->family == AF_INET6;
	for (int i = 0; i < n; i++) {
		char cidr[OWN_ADDR_LEN + 8];
		snprintf(addr[i], OWN_ADDR_LEN, v6 ? "2001:db8:1::%d" : "192.0.2.%d", 11 + i);
		snprintf(cidr, sizeof(cidr), "%s/%d", addr[i], v6 ? 64 : 24);
		if (netns_addr_add(&r->topo.client, "eth0", cidr) < 0)
			return broken_netns(r);
	}
	if (v6 && netns_wait_ipv6_ready(&r->topo.client, 2000) < 0)
		return broken_netns(r);
	note(r,
	     "client eth0: %d more addresses, %s to %s, one per socket: a router ICMP "
	     "rate-limit bucket each (inet_peer of the destination host)",
	     n, addr[0], addr[n - 1]);
	return RUN_OK;
}

int router_icmp_once(struct run *r, const char *client, int client_port, enum icmp_once which)
{
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
	note(r, "router nft prerouting: from client %s port %d, %s", client, client_port,
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
