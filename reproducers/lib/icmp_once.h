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

/* The router's prerouting rule for the packets from the client's port
 * (noted in the run).  -1 when nft is not usable (netns_error()). */
int router_icmp_once(struct run *r, int client_port, enum icmp_once which);

/* The client's ICMP (ICMPv6) destination-unreachable messages received:
 * Icmp InDestUnreachs or Icmp6InDestUnreachs. */
long client_dest_unreachs(struct run *r);

/* Busy-wait (1 ms polls) until client_dest_unreachs() reaches at least
 * target; false after timeout_ms. */
bool wait_dest_unreachs(struct run *r, long target, int timeout_ms);

#endif
