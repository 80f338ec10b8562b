/* A firewall on the router refusing the SYN for the server: router_reject.h. */
#include "lib/router_reject.h"

#include <arpa/inet.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>

#include "lib/packets.h"
#include "lib/sockets.h"

static bool parse_packet(const uint8_t *pkt, size_t len, int family, struct seen_packet *s)
{
	const uint8_t *l4;
	size_t l4len;
	memset(s, 0, sizeof(*s));
	if (family == AF_INET) {
		const struct iphdr *ip = (const struct iphdr *)pkt;
		if (len < sizeof(*ip) || ip->version != 4 || len < ip->ihl * 4u)
			return false;
		s->proto = ip->protocol;
		s->hop_limit = ip->ttl;
		inet_ntop(AF_INET, &ip->saddr, s->src, sizeof(s->src));
		l4 = pkt + ip->ihl * 4u;
		l4len = len - ip->ihl * 4u;
	} else {
		const struct ip6_hdr *ip6 = (const struct ip6_hdr *)pkt;
		if (len < sizeof(*ip6) || (pkt[0] >> 4) != 6)
			return false;
		s->proto = ip6->ip6_nxt;
		s->hop_limit = ip6->ip6_hlim;
		inet_ntop(AF_INET6, &ip6->ip6_src, s->src, sizeof(s->src));
		l4 = pkt + sizeof(*ip6);
		l4len = len - sizeof(*ip6);
	}
	if (s->proto == IPPROTO_TCP) {
		if (l4len < sizeof(struct tcphdr))
			return false;
		const struct tcphdr *th = (const struct tcphdr *)l4;
		s->sport = ntohs(th->source);
		s->tcp_flags = tcp_header_flags(th);
		return true;
	}
	if (s->proto == IPPROTO_ICMP || s->proto == IPPROTO_ICMPV6) {
		if (l4len < 2)
			return false;
		s->icmp_type = l4[0];
		s->icmp_code = l4[1];
		/* ICMPv6 informational messages (neighbour discovery) are
		 * 128 and above; only errors are of interest. */
		return s->proto == IPPROTO_ICMP || s->icmp_type < 128;
	}
	return false;
}

/* What capture_packet() looks for, and where it puts it. */
struct capture_wanted {
	int family, proto;
	uint16_t sport;
	struct seen_packet *s;
};

static bool capture_wanted(const uint8_t *pkt, size_t len, void *arg)
{
	const struct capture_wanted *w = arg;
	const struct seen_packet *s = w->s;
	if (!parse_packet(pkt, len, w->family, w->s))
		return false;
	return w->proto == IPPROTO_TCP ? s->proto == IPPROTO_TCP && s->sport == w->sport
				       : s->proto != IPPROTO_TCP;
}

bool capture_packet(int fd, int family, int proto, uint16_t sport, int timeout_ms,
		    struct seen_packet *s)
{
	struct capture_wanted w = {.family = family, .proto = proto, .sport = sport, .s = s};
	return packet_wait(fd, timeout_ms, capture_wanted, &w);
}

int router_refuses(struct run *r, const char *verdict)
{
	const char *server = topology_server_addr(&r->topo, r->family);
	const char *l3 = r->family == AF_INET6 ? "ip6" : "ip";
	char match[160], ruleset[512];
	snprintf(match, sizeof(match), "%s daddr %s tcp dport %d tcp flags & (syn | ack) == syn",
		 l3, server, SERVER_PORT);
	snprintf(ruleset, sizeof(ruleset),
		 "table inet sockerr {\n"
		 "  chain forward {\n"
		 "    type filter hook forward priority 0; policy accept;\n"
		 "    %s %s\n"
		 "  }\n"
		 "}\n",
		 match, verdict);
	if (netns_nft(&r->topo.router, ruleset) < 0)
		return -1;
	note(r, "router nft forward: %s %s", match, verdict);
	return 0;
}

long server_segments_in(struct run *r)
{
	return netstat_counter(&r->topo.server, "Tcp", "InSegs");
}

int connect_to_server(struct run *r, int fd, int port)
{
	struct sockaddr_storage ss;
	socklen_t len =
		sockaddr_of(r->family, topology_server_addr(&r->topo, r->family), port, &ss);
	return step(r, ON_FD(fd), "connect", connect(fd, (struct sockaddr *)&ss, len),
		    "connect(%d, %s)", fd, sockaddr_str((struct sockaddr *)&ss));
}
