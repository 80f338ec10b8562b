/*
 * Reading a namespace's neighbour and route tables over rtnetlink (what
 * `ip neigh` and `ip route` show), for the scenarios that record the state
 * the kernel left behind: unreachable-neighbour (its neighbour entry),
 * unreachable-net-icmp and unreachable-link-down (a connected route gone
 * with its link).
 */
#ifndef SOCKERR_RTNL_LOOKUP_H
#define SOCKERR_RTNL_LOOKUP_H

#include <linux/netlink.h>
#include <sys/socket.h>

#include "netns/netns.h"

/* Dump (RTM_GETNEIGH or RTM_GETROUTE) inside ns and call each() for every
 * message; each() returns nonzero to stop.  -1 on failure. */
int rtnl_dump(const struct netns *ns, int type, int family,
	      int (*each)(const struct nlmsghdr *nh, void *arg), void *arg);

/* What a dump's each() looks for, and what it found. */
struct addr_query {
	int family;
	unsigned char addr[16];
	int plen;   /* routes: the prefix length wanted */
	int result; /* neighbours: NUD state, -1 none; routes: 1 found */
};

static inline int addr_len(int family)
{
	return family == AF_INET6 ? 16 : 4;
}

/* Is the connected route prefix/plen in ns's main table?  "present",
 * "absent" or "unreadable". */
const char *route_presence(const struct netns *ns, int family, const char *prefix, int plen);

#endif
