/*
 * A router that answers some of one connection's packets with an ICMP
 * error and drops the others silently: what timeout-after-icmp-established
 * and connect-timeout-after-icmp share.
 *
 * The router holds an unreachable route for the server's address
 * (add_router_route(ROUTE_UNREACHABLE): ip_error() answers with ICMP host
 * unreachable, ip6_pkt_discard() with ICMPv6 no route), and an nft rule in
 * its prerouting hook, which runs before the route lookup, picks which of
 * the packets from one client port ever reach that route: a packet-count
 * limit of one per hour with a burst of one (nft_limit_init(): a bucket of
 * exactly one packet's cost, full at the start) matches the first packet
 * and no other within the run.  So "the first packet only" or "every
 * packet but the first" draws an ICMP error, counted in packets, never on
 * a clock.
 */
#ifndef SOCKERR_ICMP_ONCE_H
#define SOCKERR_ICMP_ONCE_H

#include <stdbool.h>

#include "record/harness.h"

enum icmp_once {
	/* The first packet from the port reaches the unreachable route (an
	 * ICMP error); every later one is dropped in prerouting. */
	ICMP_FIRST_ONLY,
	/* The first packet is dropped in prerouting; every later one reaches
	 * the unreachable route. */
	ICMP_ALL_BUT_FIRST,
};

/* Room for one of client_own_addrs()'s addresses. */
#define OWN_ADDR_LEN 48

/* n (at most 9) addresses of their own for the client, one per socket of
 * the scenario, in addr[0..n-1]: 192.0.2.11.. /24 or 2001:db8:1::11.. /64
 * added to its eth0 (IPv6 with NODAD, then waited until usable:
 * netns_wait_ipv6_ready(), bounded), inside the prefix of the router's
 * connected route to the client.  Why: the router rate-limits its IPv4
 * errors per destination host, in the inet_peer of the client's address:
 * ip_error() (net/ipv4/route.c) and icmp_send()'s icmpv4_xrlim_allow()
 * (net/ipv4/icmp.c) -> inet_peer_xrlim_allow() (net/ipv4/inetpeer.c) spend
 * the same peer->rate_tokens, and with the router's icmp_ratelimit 0, 6.1
 * and 6.12 empty them at each error sent: one error per address, then one
 * a second (6.14 and later: five, then one a second).  Sockets bound to
 * addresses of their own have a bucket each: each gets its errors whatever
 * the others drew.  Returns RUN_OK, or the broken_netns() status. */
int client_own_addrs(struct run *r, int n, char addr[][OWN_ADDR_LEN]);

/* The router's prerouting rule for the packets from the client's address
 * and port (noted in the run).  -1 when nft is not usable
 * (netns_error()). */
int router_icmp_once(struct run *r, const char *client_addr, int client_port, enum icmp_once which);

/* The client's ICMP (ICMPv6) destination-unreachable messages received:
 * Icmp InDestUnreachs or Icmp6InDestUnreachs. */
long client_dest_unreachs(struct run *r);

/* Busy-wait (1 ms polls) until client_dest_unreachs() reaches at least
 * target; false after timeout_ms. */
bool wait_dest_unreachs(struct run *r, long target, int timeout_ms);

#endif
