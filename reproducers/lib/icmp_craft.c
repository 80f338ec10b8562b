#include "lib/icmp_craft.h"

#include <errno.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/sockets.h"

#define ICMP_HDR_LEN  8
#define TCP_QUOTE_LEN 8	 /* RFC 792: the first 64 bits of the datagram */
#define TCP_HDR_LEN   20 /* the quoted segment: a bare header, no options */

int icmp_raw_socket(const struct netns *ns, int family)
{
	return netns_socket(ns, family, SOCK_RAW | SOCK_CLOEXEC,
			    family == AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
}

/* RFC 1071 one's-complement sum, returned in network byte order. */
static uint16_t inet_checksum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;
	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)(p[0] << 8 | p[1]);
	if (len)
		sum += (uint32_t)(p[0] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

/* The IP header of the quoted segment, as its sender built it. */
static size_t quote_ip_header(const struct tcp_segment *q, uint8_t *out)
{
	if (q->family == AF_INET6) {
		struct ip6_hdr ip6;
		memset(&ip6, 0, sizeof(ip6));
		ip6.ip6_flow = htonl(6u << 28);
		ip6.ip6_plen = htons(TCP_HDR_LEN);
		ip6.ip6_nxt = IPPROTO_TCP;
		ip6.ip6_hlim = 64;
		ip6.ip6_src = q->src;
		ip6.ip6_dst = q->dst;
		memcpy(out, &ip6, sizeof(ip6));
		return sizeof(ip6);
	}
	struct iphdr ip;
	memset(&ip, 0, sizeof(ip));
	ip.version = 4;
	ip.ihl = sizeof(ip) / 4;
	ip.tot_len = htons(sizeof(ip) + TCP_HDR_LEN);
	ip.frag_off = htons(IP_DF);
	ip.ttl = 64;
	ip.protocol = IPPROTO_TCP;
	memcpy(&ip.saddr, &q->src, 4);
	memcpy(&ip.daddr, &q->dst, 4);
	ip.check = inet_checksum(&ip, sizeof(ip));
	memcpy(out, &ip, sizeof(ip));
	return sizeof(ip);
}

ssize_t icmp_error_build(const struct icmp_error *e, const struct tcp_segment *quoted, uint8_t *buf,
			 size_t len)
{
	size_t iplen = quoted->family == AF_INET6 ? sizeof(struct ip6_hdr) : sizeof(struct iphdr);
	size_t total = ICMP_HDR_LEN + iplen + TCP_QUOTE_LEN;
	if (len < total) {
		errno = EMSGSIZE;
		return -1;
	}
	memset(buf, 0, total);
	buf[0] = e->type;
	buf[1] = e->code;
	uint32_t rest = htonl(e->rest);
	memcpy(buf + 4, &rest, 4);
	uint8_t *p = buf + ICMP_HDR_LEN;
	p += quote_ip_header(quoted, p);
	uint16_t sport = htons(quoted->sport), dport = htons(quoted->dport);
	uint32_t seq = htonl(quoted->seq);
	memcpy(p, &sport, 2);
	memcpy(p + 2, &dport, 2);
	memcpy(p + 4, &seq, 4);
	/* ICMPv6: the kernel fills the checksum of raw ICMPv6 sockets. */
	if (quoted->family != AF_INET6) {
		uint16_t sum = inet_checksum(buf, total);
		memcpy(buf + 2, &sum, 2);
	}
	return (ssize_t)total;
}

int icmp_error_send(int fd, const struct icmp_error *e, const struct tcp_segment *quoted)
{
	uint8_t buf[ICMP_HDR_LEN + sizeof(struct ip6_hdr) + TCP_QUOTE_LEN];
	ssize_t n = icmp_error_build(e, quoted, buf, sizeof(buf));
	if (n < 0)
		return -1;
	struct sockaddr_storage ss;
	socklen_t slen = raw_sockaddr(quoted->family, &quoted->src, &ss);
	ssize_t sent = sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&ss, slen);
	if (sent < 0)
		return -1;
	if (sent != n) {
		errno = EMSGSIZE;
		return -1;
	}
	return 0;
}

/* ---- names ---------------------------------------------------------- */

struct icmp_kind {
	uint8_t type;
	const char *name;
	const char *const *codes;
	size_t n_codes;
	const char *counter; /* Icmp (v4) or snmp6 (v6) counter of received messages */
};

#define CODES(a) a, sizeof(a) / sizeof(a[0])

static const char *const unreach4[] = {
	"net-unreach",	    "host-unreach",   "proto-unreach",	 "port-unreach",
	"frag-needed",	    "sr-failed",      "net-unknown",	 "host-unknown",
	"host-isolated",    "net-prohibited", "host-prohibited", "net-unreach-tos",
	"host-unreach-tos", "pkt-filtered",   "prec-violation",	 "prec-cutoff",
};
static const char *const redirect4[] = {"redirect-net", "redirect-host", "redirect-tos-net",
					"redirect-tos-host"};
static const char *const timex4[] = {"ttl-exceeded", "reassembly-exceeded"};
static const char *const param4[] = {"pointer", "option-missing", "bad-length"};

static const struct icmp_kind kinds4[] = {
	{ICMP4_DEST_UNREACH, "dest-unreach", CODES(unreach4), "InDestUnreachs"},
	{ICMP4_SOURCE_QUENCH, "source-quench", NULL, 0, "InSrcQuenchs"},
	{ICMP4_REDIRECT, "redirect", CODES(redirect4), "InRedirects"},
	{ICMP4_TIME_EXCEEDED, "time-exceeded", CODES(timex4), "InTimeExcds"},
	{ICMP4_PARAM_PROBLEM, "param-problem", CODES(param4), "InParmProbs"},
};

static const char *const unreach6[] = {"no-route",     "admin-prohibited", "beyond-scope",
				       "addr-unreach", "port-unreach",	   "policy-fail",
				       "reject-route"};
static const char *const timex6[] = {"hop-limit-exceeded", "reassembly-exceeded"};
static const char *const param6[] = {"header-field", "unknown-nexthdr", "unknown-option"};

static const struct icmp_kind kinds6[] = {
	{ICMP6_DEST_UNREACH_T, "dest-unreach", CODES(unreach6), "Icmp6InDestUnreachs"},
	{ICMP6_PACKET_TOO_BIG, "packet-too-big", NULL, 0, "Icmp6InPktTooBigs"},
	{ICMP6_TIME_EXCEEDED, "time-exceeded", CODES(timex6), "Icmp6InTimeExcds"},
	{ICMP6_PARAM_PROBLEM, "param-problem", CODES(param6), "Icmp6InParmProblems"},
};

static const struct icmp_kind *kind_of(int family, uint8_t type)
{
	const struct icmp_kind *k = family == AF_INET6 ? kinds6 : kinds4;
	size_t n = family == AF_INET6 ? sizeof(kinds6) / sizeof(kinds6[0])
				      : sizeof(kinds4) / sizeof(kinds4[0]);
	for (size_t i = 0; i < n; i++)
		if (k[i].type == type)
			return &k[i];
	return NULL;
}

/* A few rotating buffers, so that two names can sit in one printf. */
static char *name_buf(void)
{
	static char bufs[4][64];
	static unsigned next;
	return bufs[next++ % 4];
}

const char *icmp_type_name(int family, uint8_t type)
{
	const struct icmp_kind *k = kind_of(family, type);
	if (k)
		return k->name;
	char *b = name_buf();
	snprintf(b, 64, "type-%u", type);
	return b;
}

const char *icmp_code_name(int family, uint8_t type, uint8_t code)
{
	const struct icmp_kind *k = kind_of(family, type);
	if (!k || code >= k->n_codes)
		return NULL;
	return k->codes[code];
}

const char *icmp_error_name(int family, const struct icmp_error *e)
{
	const char *code = icmp_code_name(family, e->type, e->code);
	char *b = name_buf();
	if (code)
		snprintf(b, 64, "%s/%s", icmp_type_name(family, e->type), code);
	else
		snprintf(b, 64, "%s/code-%u", icmp_type_name(family, e->type), e->code);
	return b;
}

const char *icmp_short_name(int family, const struct icmp_error *e)
{
	bool unreach = e->type == (family == AF_INET6 ? ICMP6_DEST_UNREACH_T : ICMP4_DEST_UNREACH);
	const char *code = icmp_code_name(family, e->type, e->code);
	if (unreach && code)
		return code;
	if (e->code == 0)
		return icmp_type_name(family, e->type);
	return icmp_error_name(family, e);
}

long icmp_in_counter(const struct netns *ns, int family, uint8_t type)
{
	const struct icmp_kind *k = kind_of(family, type);
	if (k)
		return netstat_counter(ns, family == AF_INET6 ? "snmp6" : "Icmp", k->counter);
	/* Per-type counters are listed only once they are non-zero. */
	long total = family == AF_INET6 ? netstat_counter(ns, "snmp6", "Icmp6InMsgs")
					: netstat_counter(ns, "Icmp", "InMsgs");
	if (total < 0)
		return -1;
	char name[32];
	long v;
	if (family == AF_INET6) {
		snprintf(name, sizeof(name), "Icmp6InType%u", type);
		v = netstat_counter(ns, "snmp6", name);
	} else {
		snprintf(name, sizeof(name), "InType%u", type);
		v = netstat_counter(ns, "IcmpMsg", name);
	}
	return v < 0 ? 0 : v;
}
