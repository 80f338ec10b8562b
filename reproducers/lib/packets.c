#include "lib/packets.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "record/harness.h"
#include "lib/sockets.h"

const char *tcp_flags_str(uint8_t flags)
{
	static char buf[40];
	static const struct {
		uint8_t bit;
		const char *name;
	} names[] = {{TCPF_SYN, "SYN"},
		     {TCPF_FIN, "FIN"},
		     {TCPF_RST, "RST"},
		     {TCPF_PSH, "PSH"},
		     {TCPF_ACK, "ACK"}};
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (flags & names[i].bit) {
			if (buf[0])
				strcat(buf, "|");
			strcat(buf, names[i].name);
		}
	return buf[0] ? buf : "none";
}

void segment_addr(int family, const char *text, struct in6_addr *out)
{
	memset(out, 0, sizeof(*out));
	inet_pton(family, text, out);
}

static uint32_t sum16(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *p = data;
	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)(p[0] << 8 | p[1]);
	if (len)
		sum += (uint32_t)(p[0] << 8);
	return sum;
}

uint16_t inet_checksum_pseudo(int family, const struct in6_addr *src, const struct in6_addr *dst,
			      uint8_t proto, const void *data, size_t len)
{
	size_t alen = family == AF_INET6 ? 16 : 4;
	uint32_t sum = sum16(src, alen, 0);
	sum = sum16(dst, alen, sum);
	sum += proto;
	sum += (uint32_t)len;
	sum = sum16(data, len, sum);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

int raw_tcp_socket(const struct netns *ns, int family)
{
	return netns_socket(ns, family, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_TCP);
}

socklen_t raw_sockaddr(int family, const struct in6_addr *addr, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_addr = *addr;
		return sizeof(*s6);
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	s4->sin_family = AF_INET;
	memcpy(&s4->sin_addr, addr, 4);
	return sizeof(*s4);
}

int raw_tcp_send(int fd, const struct tcp_segment *seg)
{
	struct tcphdr th;
	memset(&th, 0, sizeof(th));
	th.source = htons(seg->sport);
	th.dest = htons(seg->dport);
	th.seq = htonl(seg->seq);
	th.ack_seq = htonl(seg->ack);
	th.doff = sizeof(th) / 4;
	th.fin = !!(seg->flags & TCPF_FIN);
	th.syn = !!(seg->flags & TCPF_SYN);
	th.rst = !!(seg->flags & TCPF_RST);
	th.psh = !!(seg->flags & TCPF_PSH);
	th.ack = !!(seg->flags & TCPF_ACK);
	th.window = htons(65535);
	th.check = inet_checksum_pseudo(seg->family, &seg->src, &seg->dst, IPPROTO_TCP, &th,
					sizeof(th));

	struct sockaddr_storage ss;
	socklen_t len = raw_sockaddr(seg->family, &seg->dst, &ss);
	ssize_t n = sendto(fd, &th, sizeof(th), 0, (struct sockaddr *)&ss, len);
	return n == (ssize_t)sizeof(th) ? 0 : -1;
}

int packet_socket(const struct netns *ns, const char *ifname)
{
	int ifindex = netns_ifindex(ns, ifname);
	if (ifindex < 0)
		return -1;
	/* Protocol 0 at socket(), ETH_P_ALL at bind(): a socket created with a
	 * protocol is already hooked to every device, so binding it would first
	 * unhook it and wait for synchronize_net() (packet_do_bind()), 10-30 ms
	 * a socket; and it would see other devices' packets until then. */
	int fd = netns_socket(ns, AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = ifindex,
	};
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Locate the TCP header in an IPv4 or IPv6 packet (no extension headers:
 * our own peers send none). */
static const struct tcphdr *tcp_in_packet(const uint8_t *pkt, size_t len, int family,
					  struct tcp_segment *seg)
{
	seg->family = family;
	memset(&seg->src, 0, sizeof(seg->src));
	memset(&seg->dst, 0, sizeof(seg->dst));
	if (family == AF_INET) {
		const struct iphdr *ip = (const struct iphdr *)pkt;
		if (len < sizeof(*ip) || ip->version != 4 || ip->protocol != IPPROTO_TCP)
			return NULL;
		size_t hl = ip->ihl * 4u;
		if (len < hl + sizeof(struct tcphdr))
			return NULL;
		memcpy(&seg->src, &ip->saddr, 4);
		memcpy(&seg->dst, &ip->daddr, 4);
		return (const struct tcphdr *)(pkt + hl);
	}
	const struct ip6_hdr *ip6 = (const struct ip6_hdr *)pkt;
	if (len < sizeof(*ip6) + sizeof(struct tcphdr) || (pkt[0] >> 4) != 6 ||
	    ip6->ip6_nxt != IPPROTO_TCP)
		return NULL;
	seg->src = ip6->ip6_src;
	seg->dst = ip6->ip6_dst;
	return (const struct tcphdr *)(pkt + sizeof(*ip6));
}

uint8_t tcp_header_flags(const struct tcphdr *th)
{
	return (uint8_t)((th->fin ? TCPF_FIN : 0) | (th->syn ? TCPF_SYN : 0) |
			 (th->rst ? TCPF_RST : 0) | (th->psh ? TCPF_PSH : 0) |
			 (th->ack ? TCPF_ACK : 0));
}

bool packet_wait(int fd, int timeout_ms, packet_match *match, void *arg)
{
	double deadline = now_ms() + timeout_ms;
	for (;;) {
		int left = (int)(deadline - now_ms());
		if (left < 0 || !(poll_fd(fd, POLLIN, left) & POLLIN))
			return false;
		uint8_t pkt[2048];
		struct sockaddr_ll from;
		socklen_t flen = sizeof(from);
		ssize_t n = recvfrom(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&from, &flen);
		if (n < 0)
			return false;
		if (from.sll_pkttype != PACKET_OUTGOING && match(pkt, (size_t)n, arg))
			return true;
	}
}

/* What packet_wait_tcp() looks for, and where it puts it. */
struct tcp_wanted {
	int family;
	uint16_t sport, dport; /* 0 = any */
	struct tcp_segment *seg;
};

static bool tcp_segment_wanted(const uint8_t *pkt, size_t len, void *arg)
{
	const struct tcp_wanted *w = arg;
	struct tcp_segment *seg = w->seg;
	const struct tcphdr *th = tcp_in_packet(pkt, len, w->family, seg);
	if (!th)
		return false;
	seg->sport = ntohs(th->source);
	seg->dport = ntohs(th->dest);
	if ((w->sport && seg->sport != w->sport) || (w->dport && seg->dport != w->dport))
		return false;
	seg->seq = ntohl(th->seq);
	seg->ack = ntohl(th->ack_seq);
	seg->flags = tcp_header_flags(th);
	return true;
}

bool packet_wait_tcp(int fd, int family, uint16_t sport, uint16_t dport, int timeout_ms,
		     struct tcp_segment *seg)
{
	struct tcp_wanted w = {.family = family, .sport = sport, .dport = dport, .seg = seg};
	return packet_wait(fd, timeout_ms, tcp_segment_wanted, &w);
}
