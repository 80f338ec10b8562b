/*
 * A firewall on the router that refuses the client's SYN on the server's
 * behalf, and the packets the client's link then sees: what the
 * refused-by-firewall and refused-by-icmp scenarios share.
 *
 * The server is listening; an nft rule in the router's forward chain
 * answers the SYN instead (`reject with tcp reset`, `reject with icmp(v6)
 * type port-unreachable`), so connect() fails with ECONNREFUSED.  The
 * client cannot tell a firewall's refusal from the server's own, except by
 * the TTL of the RST or the source of the ICMP error: hence the capture of
 * the incoming packets on the client's link.
 */
#ifndef SOCKERR_ROUTER_REJECT_H
#define SOCKERR_ROUTER_REJECT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "record/harness.h"

/* One incoming packet seen on the client's link: a TCP segment or an ICMP
 * error, with the fields that tell who sent it. */
struct seen_packet {
	int proto; /* IPPROTO_TCP, IPPROTO_ICMP or IPPROTO_ICMPV6 */
	char src[INET6_ADDRSTRLEN];
	int hop_limit;
	uint16_t sport;
	uint8_t tcp_flags;
	int icmp_type, icmp_code;
};

/* Wait up to timeout_ms for the next incoming packet on an AF_PACKET
 * socket that is a TCP segment from port sport (proto IPPROTO_TCP) or an
 * ICMP error (any other proto). */
bool capture_packet(int fd, int family, int proto, uint16_t sport, int timeout_ms,
		    struct seen_packet *s);

/* The router's forward chain refuses the client's SYNs to the server's
 * SERVER_PORT with verdict.  -1 when nft is not usable (netns_error()). */
int router_refuses(struct run *r, const char *verdict);

/* The server namespace's Tcp InSegs. */
long server_segments_in(struct run *r);

/* connect(fd) to the server's address, port; recorded as a step. */
int connect_to_server(struct run *r, int fd, int port);

#endif
