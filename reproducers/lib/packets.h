/* Hand-made packets, for the peers the kernel would never be: a TCP client
 * with source port 0, a router sending a crafted ICMP error.  Segments go
 * out through raw sockets (the kernel adds the IP header); packets come in
 * through AF_PACKET, which sees them before netfilter's input hook. */
#ifndef SOCKERR_PACKETS_H
#define SOCKERR_PACKETS_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "netns/netns.h"

#define TCPF_FIN 0x01
#define TCPF_SYN 0x02
#define TCPF_RST 0x04
#define TCPF_PSH 0x08
#define TCPF_ACK 0x10

struct tcp_segment {
	int family;
	struct in6_addr src, dst; /* IPv4 addresses in the first 4 bytes */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
};

/* "SYN|ACK" */
const char *tcp_flags_str(uint8_t flags);

struct tcphdr;
/* The TCPF_* flags a TCP header has set. */
uint8_t tcp_header_flags(const struct tcphdr *th);

/* Parse a textual address of family into the segment's address field. */
void segment_addr(int family, const char *text, struct in6_addr *out);

/* The destination of a raw socket's sendto(): addr (of family, an IPv4
 * address in its first 4 bytes) with no port.  Returns its length. */
socklen_t raw_sockaddr(int family, const struct in6_addr *addr, struct sockaddr_storage *ss);
/* A raw IPPROTO_TCP socket inside ns. */
int raw_tcp_socket(const struct netns *ns, int family);
/* Send seg (no options, no payload, window 65535) on a raw socket,
 * checksummed over the pseudo-header. */
int raw_tcp_send(int fd, const struct tcp_segment *seg);

/* An AF_PACKET socket (SOCK_DGRAM: L3 payloads) on ifname inside ns. */
int packet_socket(const struct netns *ns, const char *ifname);
/* Whether a packet (its L3 header first) is the one waited for; it may
 * keep what it found in arg. */
typedef bool packet_match(const uint8_t *pkt, size_t len, void *arg);
/* Wait up to timeout_ms for an incoming packet on a packet socket that
 * match accepts (outgoing packets, which AF_PACKET sees too, are passed
 * over).  Returns true when one came. */
bool packet_wait(int fd, int timeout_ms, packet_match *match, void *arg);
/* Wait up to timeout_ms for an incoming TCP segment matching sport/dport
 * (0 = any) on a packet socket; fills seg.  Returns true when one came. */
bool packet_wait_tcp(int fd, int family, uint16_t sport, uint16_t dport, int timeout_ms,
		     struct tcp_segment *seg);

/* The Internet checksum over a pseudo-header and a payload. */
uint16_t inet_checksum_pseudo(int family, const struct in6_addr *src, const struct in6_addr *dst,
			      uint8_t proto, const void *data, size_t len);

#endif
