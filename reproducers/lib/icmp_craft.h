/*
 * icmp_craft: hand-made ICMP and ICMPv6 error messages quoting a TCP
 * segment, for the errors no router of ours would send on its own
 * (parameter problem, source route failed, host isolated ...) or that must
 * quote a segment of an established connection with its exact sequence
 * number.
 *
 * The message is sent from a raw IPPROTO_ICMP / IPPROTO_ICMPV6 socket: the
 * kernel builds the outer IP header (source = the address of the outgoing
 * interface).  The ICMPv4 checksum is computed here; for ICMPv6 the kernel
 * computes it (rawv6_init_sk() sets rp->checksum = 1, offset 2 for
 * IPPROTO_ICMPV6, and rawv6_push_pending_frames() overwrites the field), so
 * the field is sent as 0.  The quote is an IP header with correct lengths
 * (and, for IPv4, checksum) followed by the first 8 bytes of the TCP header
 * (ports and sequence number), which is all icmp_socket_deliver() and
 * icmpv6_notify() require before calling tcp_v4_err() / tcp_v6_err().
 */
#ifndef SOCKERR_ICMP_CRAFT_H
#define SOCKERR_ICMP_CRAFT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "netns/netns.h"
#include "lib/packets.h"

/* ICMPv4 types and codes (RFC 792, RFC 1812) */
#define ICMP4_DEST_UNREACH  3
#define ICMP4_SOURCE_QUENCH 4
#define ICMP4_REDIRECT	    5
#define ICMP4_TIME_EXCEEDED 11
#define ICMP4_PARAM_PROBLEM 12
#define ICMP4_NET_UNREACH   0
#define ICMP4_HOST_UNREACH  1
#define ICMP4_PROT_UNREACH  2
#define ICMP4_PORT_UNREACH  3
#define ICMP4_FRAG_NEEDED   4
#define ICMP4_SR_FAILED	    5
#define ICMP4_NET_UNKNOWN   6
#define ICMP4_HOST_UNKNOWN  7
#define ICMP4_HOST_ISOLATED 8
#define ICMP4_PKT_FILTERED  13
/* ICMPv6 types and codes (RFC 4443) */
#define ICMP6_DEST_UNREACH_T 1
#define ICMP6_PACKET_TOO_BIG 2
#define ICMP6_TIME_EXCEEDED  3
#define ICMP6_PARAM_PROBLEM  4
#define ICMP6_NO_ROUTE	     0
#define ICMP6_ADM_PROHIBITED 1
#define ICMP6_BEYOND_SCOPE   2
#define ICMP6_ADDR_UNREACH   3
#define ICMP6_PORT_UNREACH   4

struct icmp_error {
	uint8_t type, code;
	/* Bytes 4..7 of the ICMP header, in host order (sent big-endian):
	 * see the ICMP_REST_* helpers. */
	uint32_t rest;
};

/* ICMPv4 frag-needed: the next-hop MTU sits in bytes 6-7. */
#define ICMP_REST_MTU4(mtu) ((uint32_t)(uint16_t)(mtu))
/* ICMPv4 parameter problem: the pointer is byte 4. */
#define ICMP_REST_POINTER4(ptr) ((uint32_t)(uint8_t)(ptr) << 24)
/* ICMPv6 packet too big (MTU) and parameter problem (pointer): all 32 bits. */
#define ICMP_REST_VALUE6(v) ((uint32_t)(v))

/* A raw IPPROTO_ICMP (AF_INET) or IPPROTO_ICMPV6 (AF_INET6) socket inside
 * ns.  -1 with errno. */
int icmp_raw_socket(const struct netns *ns, int family);

/* Build the ICMP message (header + quote of the IP header and the first 8
 * TCP bytes of quoted, as the host quoted->src sent it to quoted->dst) into
 * buf.  The family is quoted->family.  Returns the length, or -1 (errno
 * EMSGSIZE) when buf is too small. */
ssize_t icmp_error_build(const struct icmp_error *e, const struct tcp_segment *quoted, uint8_t *buf,
			 size_t len);

/* Build and send it on a socket from icmp_raw_socket() to quoted->src, the
 * host whose segment is being refused.  0, or -1 with errno. */
int icmp_error_send(int fd, const struct icmp_error *e, const struct tcp_segment *quoted);

/* Names for output: "dest-unreach", "host-unreach" (NULL when the code has
 * no name), "dest-unreach/host-unreach", and a short label (the code's name
 * for destination unreachable, the type's name for code 0 of the others,
 * else "type/code"). */
const char *icmp_type_name(int family, uint8_t type);
const char *icmp_code_name(int family, uint8_t type, uint8_t code);
const char *icmp_error_name(int family, const struct icmp_error *e);
const char *icmp_short_name(int family, const struct icmp_error *e);

/* How many ICMP messages of type ns has received (Icmp InDestUnreachs ...,
 * Icmp6InDestUnreachs ...): counted by icmp_rcv() / icmpv6_rcv() after the
 * checksum check, before the error reaches the transport protocol.  -1 when
 * unreadable. */
long icmp_in_counter(const struct netns *ns, int family, uint8_t type);

#endif
