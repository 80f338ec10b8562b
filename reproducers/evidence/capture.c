/*
 * The packets of a run, captured with libpcap inside its own namespaces.
 *
 * One capture per host (client, router, server) on the "any" device, opened
 * from inside the host's namespace: a packet socket belongs for its life to
 * the namespace it was created in, so the run's process can leave again and
 * the captures keep seeing that host's links.  DLT_LINUX_SLL2 keeps, for
 * each packet, the ifindex it was seen on and its direction.
 *
 * Only the packets a host sends are kept (PACKET_OUTGOING, as the kernel
 * hands a clone of every transmitted skb to packet taps in
 * dev_queue_xmit_nit()): on a veth link the same packet is then seen a
 * second time, entering the next host, and on lo a second time entering
 * the same host.  Keeping the sender's copy shows every link crossing once,
 * and a packet a hook drops on arrival (a blackhole route, a firewall)
 * still appears, sent.
 *
 * Immediate mode makes libpcap use TPACKET_V2 rather than V3, whose
 * blocks are handed to user space only when full or when their timer
 * expires: every frame is readable as soon as tpacket_rcv() has copied it.
 * The timestamps are CLOCK_REALTIME (tpacket_rcv(): the skb's software
 * stamp, or ktime_get_real_ts64()); a sample of both clocks taken together
 * maps them to the run's CLOCK_MONOTONIC t0.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/ip_icmp.h>
#include <pcap/pcap.h>
#include <pcap/sll.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "evidence/evidence.h"
#include "record/harness.h"
#include "lib/packets.h"

/* Enough for the headers of every packet (SLL2 20 + IPv6 40 + ICMPv6 8 +
 * the quoted IPv6 40 + TCP 60); the payload is not the point. */
#define SNAPLEN 256
/* Per host: a few thousand frames of a 256-byte snapshot between two
 * drains, where the busiest run (icmp-matrix) sends under a thousand
 * packets in all. */
#define RING_BYTES (2 * 1024 * 1024)
/* Packets kept at the end when there are more than EVIDENCE_MAX_PACKETS: they show
 * how the run ended. */
#define TAIL_PACKETS 64
/* After the scenario: how long to wait for a packet still in flight (a
 * peer's answer queued to a softirq on another CPU) before calling the
 * capture complete, and at most how many such waits. */
#define SETTLE_MS     5
#define SETTLE_ROUNDS 10

#define MAX_HANDLES 3
#define MAX_IFACES  4

struct iface {
	int ifindex;
	char name[16];
	int8_t to; /* the host at the other end of the link */
};

struct handle {
	pcap_t *p;
	int8_t host;
	char ns_name[NETNS_NAME_MAX];
	bool nano; /* timestamps in ns (else us) */
	int n_ifaces;
	struct iface ifaces[MAX_IFACES];
};

struct raw_packet {
	int64_t ns; /* CLOCK_REALTIME */
	uint32_t seq;
	uint8_t handle;
	uint32_t caplen, len;
	unsigned char data[SNAPLEN];
};

static struct capture {
	pid_t owner; /* the run's process: the only one that drains */
	const char *pcap_dir;
	int n_handles;
	struct handle handles[MAX_HANDLES];
	int64_t mono_minus_real_ns;
	struct raw_packet *pkts;
	size_t n_pkts, cap_pkts;
	bool out_of_memory;
} cap;

static void cap_note(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void cap_note(struct run *r, const char *fmt, ...)
{
	char *note = r->evidence->capture_note;
	size_t used = strlen(note);
	if (used >= sizeof(r->evidence->capture_note) - 3)
		return;
	if (used) { /* keep the first failure, add the next ones after it */
		strcpy(note + used, "; ");
		used += 2;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(note + used, sizeof(r->evidence->capture_note) - used, fmt, ap);
	va_end(ap);
}

/* snprintf for labels and details, where cutting a long line short is
 * what is wanted. */
static void put(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void put(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* CLOCK_MONOTONIC - CLOCK_REALTIME, from the closest of a few samples of
 * realtime taken around one of monotonic. */
static int64_t clock_offset(void)
{
	int64_t best_gap = INT64_MAX, offset = 0;
	for (int i = 0; i < 5; i++) {
		int64_t a = clock_ns(CLOCK_REALTIME);
		int64_t m = clock_ns(CLOCK_MONOTONIC);
		int64_t b = clock_ns(CLOCK_REALTIME);
		if (b - a < best_gap) {
			best_gap = b - a;
			offset = m - (a + (b - a) / 2);
		}
	}
	return offset;
}

/* The host at the other end of each of h's interfaces, looked up in the
 * namespace the calling thread is in (the host's). */
static void map_interfaces(struct handle *h, bool routed)
{
	struct {
		const char *name;
		int8_t to;
	} links[MAX_IFACES];
	int n = 0;
	links[n].name = "lo";
	links[n++].to = h->host;
	switch (h->host) {
	case HOST_CLIENT:
		links[n].name = "eth0";
		links[n++].to = routed ? HOST_ROUTER : HOST_SERVER;
		break;
	case HOST_ROUTER:
		links[n].name = "to-client";
		links[n++].to = HOST_CLIENT;
		links[n].name = "to-server";
		links[n++].to = HOST_SERVER;
		break;
	case HOST_SERVER:
		links[n].name = "eth0";
		links[n++].to = routed ? HOST_ROUTER : HOST_CLIENT;
		break;
	}
	for (int i = 0; i < n; i++) {
		unsigned idx = if_nametoindex(links[i].name);
		if (idx == 0)
			continue;
		struct iface *f = &h->ifaces[h->n_ifaces++];
		f->ifindex = (int)idx;
		snprintf(f->name, sizeof(f->name), "%s", links[i].name);
		f->to = links[i].to;
	}
}

/* Opening (and closing) a capture waits for an RCU grace period or two:
 * packet_set_ring() and packet_release() call synchronize_net().  One
 * thread per host lets those waits overlap instead of adding up. */
struct opener {
	const struct netns *ns;
	bool routed;
	struct handle h;
	char err[PCAP_ERRBUF_SIZE + 64];
	pthread_t thread;
	bool threaded;
};

/* In the host's namespace: the capture on "any". */
static void open_here(struct opener *o)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = pcap_create("any", errbuf);
	if (!p) {
		snprintf(o->err, sizeof(o->err), "%s", errbuf);
		return;
	}
	pcap_set_snaplen(p, SNAPLEN);
	pcap_set_immediate_mode(p, 1);
	pcap_set_buffer_size(p, RING_BYTES);
	pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO); /* kept if refused */
	int rc = pcap_activate(p);
	const char *what = "pcap_activate";
	if (rc >= 0) {
		what = "DLT_LINUX_SLL2";
		rc = pcap_set_datalink(p, DLT_LINUX_SLL2);
	}
	if (rc >= 0) {
		what = "nonblocking";
		rc = pcap_setnonblock(p, 1, errbuf);
	}
	if (rc < 0) {
		snprintf(o->err, sizeof(o->err), "%s: %s", what,
			 rc == PCAP_ERROR && errbuf[0] ? errbuf
			 : rc == PCAP_ERROR	       ? pcap_geterr(p)
						       : pcap_statustostr(rc));
		pcap_close(p);
		return;
	}
	o->h.p = p;
	o->h.nano = pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO;
	map_interfaces(&o->h, o->routed);
}

static void *open_thread(void *arg)
{
	struct opener *o = arg;
	/* This thread only: it ends here. */
	if (setns(o->ns->fd, CLONE_NEWNET) < 0)
		snprintf(o->err, sizeof(o->err), "setns: %s", strerror(errno));
	else
		open_here(o);
	return NULL;
}

/* Run fn(arg) on a thread of its own; false when none can be made (the
 * caller then does the work itself). */
static bool start_thread(pthread_t *t, void *(*fn)(void *), void *arg)
{
	return pthread_create(t, NULL, fn, arg) == 0;
}

void capture_start(struct run *r, const struct evidence_options *o)
{
	memset(&cap, 0, sizeof(cap));
	if (r->sc->topology.kind == TOPO_NONE) {
		snprintf(r->evidence->capture_note, sizeof(r->evidence->capture_note),
			 "no network: nothing crossed a link");
		return;
	}
	cap.owner = getpid();
	cap.pcap_dir = o->pcap_dir;
	bool routed = r->topo.router.name[0] != '\0';
	static struct opener op[MAX_HANDLES];
	int n = 0;
	memset(op, 0, sizeof(op));
	op[n].ns = &r->topo.client;
	op[n++].h.host = HOST_CLIENT;
	if (routed) {
		op[n].ns = &r->topo.router;
		op[n++].h.host = HOST_ROUTER;
	}
	op[n].ns = &r->topo.server;
	op[n++].h.host = HOST_SERVER;
	for (int i = 0; i < n; i++) {
		op[i].routed = routed;
		op[i].threaded = start_thread(&op[i].thread, open_thread, &op[i]);
		if (op[i].threaded)
			continue;
		if (netns_enter(op[i].ns) < 0) {
			snprintf(op[i].err, sizeof(op[i].err), "%s", netns_error());
			continue;
		}
		open_here(&op[i]);
		netns_leave();
	}
	for (int i = 0; i < n; i++) {
		if (op[i].threaded)
			pthread_join(op[i].thread, NULL);
		if (!op[i].h.p) {
			cap_note(r, "pcap on any in %s: %s", op[i].ns->name, op[i].err);
			continue;
		}
		pcap_t *p = op[i].h.p;
		/* Incoming copies are never kept: the kernel leaves them out
		 * of the ring (half the ring, half the copies).  When the
		 * filter cannot be set, on_packet() drops them instead. */
		struct bpf_program prog;
		if (pcap_compile(p, &prog, "outbound", 1, PCAP_NETMASK_UNKNOWN) == 0) {
			pcap_setfilter(p, &prog);
			pcap_freecode(&prog);
		}
		/* The ring's pages are shared with the scenario's forked
		 * children; the descriptor need not be. */
		int fd = pcap_get_selectable_fd(p);
		if (fd >= 0)
			fcntl(fd, F_SETFD, FD_CLOEXEC);
		struct handle *h = &cap.handles[cap.n_handles++];
		*h = op[i].h;
		snprintf(h->ns_name, sizeof(h->ns_name), "%s", op[i].ns->name);
	}
	cap.mono_minus_real_ns = clock_offset();
}

static void *close_thread(void *arg)
{
	pcap_close(arg);
	return NULL;
}

static void close_all(void)
{
	pthread_t t[MAX_HANDLES];
	bool threaded[MAX_HANDLES];
	for (int i = 0; i < cap.n_handles; i++) {
		threaded[i] = start_thread(&t[i], close_thread, cap.handles[i].p);
		if (!threaded[i])
			pcap_close(cap.handles[i].p);
	}
	for (int i = 0; i < cap.n_handles; i++)
		if (threaded[i])
			pthread_join(t[i], NULL);
	cap.n_handles = 0;
}

/* ---- draining -------------------------------------------------------- */

static void on_packet(u_char *user, const struct pcap_pkthdr *hdr, const u_char *bytes)
{
	const struct handle *h = (const struct handle *)user;
	if (hdr->caplen < SLL2_HDR_LEN)
		return;
	const struct sll2_header *sll = (const struct sll2_header *)bytes;
	if (sll->sll2_pkttype != PACKET_OUTGOING)
		return;
	if (cap.n_pkts == cap.cap_pkts) {
		size_t want = cap.cap_pkts ? cap.cap_pkts * 2 : 256;
		struct raw_packet *more = realloc(cap.pkts, want * sizeof(*more));
		if (!more) {
			cap.out_of_memory = true;
			return;
		}
		cap.pkts = more;
		cap.cap_pkts = want;
	}
	struct raw_packet *rp = &cap.pkts[cap.n_pkts];
	rp->ns = (int64_t)hdr->ts.tv_sec * 1000000000 +
		 (int64_t)hdr->ts.tv_usec * (h->nano ? 1 : 1000);
	rp->seq = (uint32_t)cap.n_pkts;
	rp->handle = (uint8_t)(h - cap.handles);
	rp->caplen = hdr->caplen < SNAPLEN ? hdr->caplen : SNAPLEN;
	rp->len = hdr->len;
	memcpy(rp->data, bytes, rp->caplen);
	cap.n_pkts++;
}

/* Everything the ring holds now.  Returns the number of packets read. */
static int drain(struct run *r, struct handle *h)
{
	int total = 0;
	for (;;) {
		int n = pcap_dispatch(h->p, -1, on_packet, (u_char *)h);
		if (n < 0) {
			cap_note(r, "pcap_dispatch in %s: %s", h->ns_name, pcap_geterr(h->p));
			return total;
		}
		if (n == 0)
			return total;
		total += n;
	}
}

/* Drain every capture, then wait (bounded) for packets still in flight:
 * while any ring becomes readable within SETTLE_MS, drain again. */
static void drain_all(struct run *r)
{
	struct pollfd pfd[MAX_HANDLES];
	for (int i = 0; i < cap.n_handles; i++) {
		drain(r, &cap.handles[i]);
		pfd[i].fd = pcap_get_selectable_fd(cap.handles[i].p);
		pfd[i].events = POLLIN;
	}
	for (int round = 0; round < SETTLE_ROUNDS; round++) {
		int ready = poll(pfd, (nfds_t)cap.n_handles, SETTLE_MS);
		if (ready < 0 && errno == EINTR)
			continue;
		if (ready <= 0)
			return;
		for (int i = 0; i < cap.n_handles; i++)
			if (pfd[i].revents)
				drain(r, &cap.handles[i]);
	}
}

static int by_time(const void *a, const void *b)
{
	const struct raw_packet *x = a, *y = b;
	if (x->ns != y->ns)
		return x->ns < y->ns ? -1 : 1;
	if (x->handle != y->handle)
		return x->handle < y->handle ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* ---- decoding -------------------------------------------------------- */

/* A bounded reader over the captured bytes. */
struct cursor {
	const unsigned char *p;
	size_t len;
};

static bool has(const struct cursor *c, size_t off, size_t n)
{
	return off <= c->len && n <= c->len - off;
}

static unsigned u8at(const struct cursor *c, size_t off)
{
	return has(c, off, 1) ? c->p[off] : 0;
}

static unsigned u16at(const struct cursor *c, size_t off)
{
	return has(c, off, 2) ? (unsigned)(c->p[off] << 8 | c->p[off + 1]) : 0;
}

static uint32_t u32at(const struct cursor *c, size_t off)
{
	return has(c, off, 4) ? (uint32_t)c->p[off] << 24 | (uint32_t)c->p[off + 1] << 16 |
					(uint32_t)c->p[off + 2] << 8 | c->p[off + 3]
			      : 0;
}

static void addr_str(int family, const unsigned char *a, char *buf, size_t len)
{
	if (!inet_ntop(family, a, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}

/* An IP header (v4 or v6) at off: its addresses, the transport protocol
 * and where the transport header starts.  Returns false when truncated. */
struct ip_view {
	int family;
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	unsigned proto;
	size_t l4;	     /* offset of the transport header */
	uint32_t l4_len;     /* transport header + payload, from the IP header */
	bool later_fragment; /* no transport header in this fragment */
};

static bool ipv6_ext(unsigned nh)
{
	return nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING || nh == IPPROTO_DSTOPTS ||
	       nh == IPPROTO_FRAGMENT;
}

static bool parse_ip(const struct cursor *c, size_t off, struct ip_view *v, uint32_t wire_left)
{
	memset(v, 0, sizeof(*v));
	unsigned version = u8at(c, off) >> 4;
	if (version == 4) {
		size_t ihl = (u8at(c, off) & 0xf) * 4u;
		if (ihl < 20 || !has(c, off, ihl))
			return false;
		v->family = AF_INET;
		addr_str(AF_INET, c->p + off + 12, v->src, sizeof(v->src));
		addr_str(AF_INET, c->p + off + 16, v->dst, sizeof(v->dst));
		v->proto = u8at(c, off + 9);
		v->later_fragment = (u16at(c, off + 6) & 0x1fff) != 0;
		v->l4 = off + ihl;
		unsigned tot = u16at(c, off + 2);
		/* GSO packets larger than 64 KiB (BIG TCP) carry 0 */
		uint32_t total = tot ? tot : wire_left;
		v->l4_len = total > ihl ? total - (uint32_t)ihl : 0;
		return true;
	}
	if (version == 6) {
		if (!has(c, off, 40))
			return false;
		v->family = AF_INET6;
		addr_str(AF_INET6, c->p + off + 8, v->src, sizeof(v->src));
		addr_str(AF_INET6, c->p + off + 24, v->dst, sizeof(v->dst));
		unsigned plen = u16at(c, off + 4);
		uint32_t left = plen ? plen : (wire_left > 40 ? wire_left - 40 : 0);
		unsigned nh = u8at(c, off + 6);
		size_t at = off + 40;
		while (ipv6_ext(nh) && has(c, at, 8)) {
			size_t ext = nh == IPPROTO_FRAGMENT ? 8 : (u8at(c, at + 1) + 1u) * 8;
			if (nh == IPPROTO_FRAGMENT && (u16at(c, at + 2) & 0xfff8))
				v->later_fragment = true;
			nh = u8at(c, at);
			at += ext;
			left = left > ext ? left - (uint32_t)ext : 0;
		}
		v->proto = nh;
		v->l4 = at;
		v->l4_len = left;
		return true;
	}
	return false;
}

static const char *icmp_name(unsigned type, unsigned code)
{
	static const char *const unreach[] = {
		"net unreach",		"host unreach",	    "proto unreach",
		"port unreach",		"frag needed",	    "source route failed",
		"net unknown",		"host unknown",	    "host isolated",
		"net prohibited",	"host prohibited",  "net unreach for tos",
		"host unreach for tos", "admin prohibited", "precedence violation",
		"precedence cutoff"};
	switch (type) {
	case ICMP_ECHOREPLY: return "echo reply";
	case ICMP_DEST_UNREACH:
		return code < sizeof(unreach) / sizeof(unreach[0]) ? unreach[code] : "unreach";
	case ICMP_SOURCE_QUENCH: return "source quench";
	case ICMP_REDIRECT: return "redirect";
	case ICMP_ECHO: return "echo request";
	case ICMP_TIME_EXCEEDED: return code == 0 ? "ttl exceeded" : "reassembly timeout";
	case ICMP_PARAMETERPROB: return "param problem";
	}
	return "";
}

static const char *icmp6_name(unsigned type, unsigned code)
{
	static const char *const unreach[] = {
		"no route",	"admin prohibited", "beyond scope", "addr unreach",
		"port unreach", "failed policy",    "reject route", "source routing header"};
	switch (type) {
	case ICMP6_DST_UNREACH:
		return code < sizeof(unreach) / sizeof(unreach[0]) ? unreach[code] : "unreach";
	case ICMP6_PACKET_TOO_BIG: return "packet too big";
	case ICMP6_TIME_EXCEEDED: return code == 0 ? "hop limit exceeded" : "reassembly timeout";
	case ICMP6_PARAM_PROB: return "param problem";
	case ICMP6_ECHO_REQUEST: return "echo request";
	case ICMP6_ECHO_REPLY: return "echo reply";
	case ND_ROUTER_SOLICIT: return "RS";
	case ND_ROUTER_ADVERT: return "RA";
	case ND_NEIGHBOR_SOLICIT: return "NS";
	case ND_NEIGHBOR_ADVERT: return "NA";
	case ND_REDIRECT: return "redirect";
	case 143: return "MLDv2 report";
	}
	return "";
}

static bool icmp_is_error(int family, unsigned type)
{
	if (family == AF_INET)
		return type == ICMP_DEST_UNREACH || type == ICMP_SOURCE_QUENCH ||
		       type == ICMP_REDIRECT || type == ICMP_TIME_EXCEEDED ||
		       type == ICMP_PARAMETERPROB;
	return type < 128;
}

/* tcpdump's flag letters, in its order. */
static void tcpdump_flags(unsigned flags, char *buf, size_t len)
{
	static const struct {
		unsigned bit;
		char c;
	} letters[] = {{0x01, 'F'}, {0x02, 'S'}, {0x04, 'R'}, {0x08, 'P'},
		       {0x10, '.'}, {0x20, 'U'}, {0x40, 'E'}, {0x80, 'W'}};
	size_t n = 0;
	for (size_t i = 0; i < sizeof(letters) / sizeof(letters[0]) && n + 1 < len; i++)
		if (flags & letters[i].bit)
			buf[n++] = letters[i].c;
	buf[n] = '\0';
	if (!n)
		snprintf(buf, len, "none");
}

static void decode_tcp(const struct cursor *c, const struct ip_view *v, struct packet_event *e)
{
	size_t t = v->l4;
	if (!has(c, t, 20)) {
		put(e->label, sizeof(e->label), "TCP (truncated)");
		put(e->detail, sizeof(e->detail), "%s > %s: tcp, truncated", v->src, v->dst);
		return;
	}
	e->sport = (uint16_t)u16at(c, t);
	e->dport = (uint16_t)u16at(c, t + 2);
	uint32_t seq = u32at(c, t + 4), ack = u32at(c, t + 8);
	uint32_t hlen = (u8at(c, t + 12) >> 4) * 4u;
	unsigned flags = u8at(c, t + 13);
	unsigned win = u16at(c, t + 14);
	e->tcp_flags = (uint8_t)flags;
	e->payload = v->l4_len > hlen ? v->l4_len - hlen : 0;
	if (e->payload)
		put(e->label, sizeof(e->label), "%s %" PRIu32 "B", tcp_flags_str(e->tcp_flags),
		    e->payload);
	else
		put(e->label, sizeof(e->label), "%s", tcp_flags_str(e->tcp_flags));
	char letters[12], seqs[32], acks[24] = "";
	tcpdump_flags(flags, letters, sizeof(letters));
	if (e->payload)
		snprintf(seqs, sizeof(seqs), "%" PRIu32 ":%" PRIu32, seq, seq + e->payload);
	else
		snprintf(seqs, sizeof(seqs), "%" PRIu32, seq);
	if (flags & TCPF_ACK)
		snprintf(acks, sizeof(acks), ", ack %" PRIu32, ack);
	put(e->detail, sizeof(e->detail),
	    "%s.%u > %s.%u: Flags [%s], seq %s%s, win %u, length %" PRIu32, v->src, e->sport,
	    v->dst, e->dport, letters, seqs, acks, win, e->payload);
}

/* An ICMP or ICMPv6 message at v->l4. */
static void decode_icmp(const struct cursor *c, const struct ip_view *v, struct packet_event *e,
			uint32_t wire_left)
{
	size_t t = v->l4;
	bool six = v->family == AF_INET6;
	const char *kind = six ? "ICMPv6" : "ICMP";
	if (!has(c, t, 4)) {
		put(e->label, sizeof(e->label), "%s (truncated)", kind);
		put(e->detail, sizeof(e->detail), "%s > %s: %s, truncated", v->src, v->dst,
		    six ? "ICMP6" : "ICMP");
		return;
	}
	unsigned type = u8at(c, t), code = u8at(c, t + 1);
	e->icmp_type = (uint8_t)type;
	e->icmp_code = (uint8_t)code;
	const char *name = six ? icmp6_name(type, code) : icmp_name(type, code);
	char what[96] = "";
	if (icmp_is_error(v->family, type)) {
		put(e->label, sizeof(e->label), "%s %u/%u%s%s", kind, type, code,
		    name[0] ? " " : "", name);
		/* The quoted header: whose segment the error is about. */
		struct ip_view q;
		if (parse_ip(c, t + 8, &q, wire_left > 8 ? wire_left - 8 : 0) && has(c, q.l4, 4)) {
			e->sport = (uint16_t)u16at(c, q.l4);
			e->dport = (uint16_t)u16at(c, q.l4 + 2);
			const char *qp = q.proto == IPPROTO_TCP	  ? "tcp"
					 : q.proto == IPPROTO_UDP ? "udp"
								  : "proto";
			put(what, sizeof(what), ", quoting %s.%u > %s.%u %s", q.src, e->sport,
			    q.dst, e->dport, qp);
		}
	} else if (six && (type == ND_NEIGHBOR_SOLICIT || type == ND_NEIGHBOR_ADVERT) &&
		   has(c, t + 8, 16)) {
		char target[INET6_ADDRSTRLEN];
		addr_str(AF_INET6, c->p + t + 8, target, sizeof(target));
		put(e->label, sizeof(e->label), "ICMPv6 %s %s", name, target);
		put(what, sizeof(what), " %s %s",
		    type == ND_NEIGHBOR_SOLICIT ? "who has" : "tgt is", target);
	} else if (name[0]) {
		put(e->label, sizeof(e->label), "%s %s", kind, name);
	} else {
		put(e->label, sizeof(e->label), "%s %u/%u", kind, type, code);
	}
	put(e->detail, sizeof(e->detail), "%s > %s: %s %u/%u%s%s%s, length %" PRIu32, v->src,
	    v->dst, six ? "ICMP6" : "ICMP", type, code, name[0] ? " " : "", name, what, v->l4_len);
}

static void decode_arp(const struct cursor *c, size_t off, struct packet_event *e)
{
	/* Ethernet/IPv4 ARP: hrd pro hln pln op sha spa tha tpa */
	unsigned op = u16at(c, off + 6);
	if (u16at(c, off + 2) != 0x0800 || u8at(c, off + 4) != 6 || u8at(c, off + 5) != 4 ||
	    !has(c, off, 28)) {
		put(e->label, sizeof(e->label), "ARP");
		put(e->detail, sizeof(e->detail), "ARP, op %u", op);
		return;
	}
	char spa[INET_ADDRSTRLEN], tpa[INET_ADDRSTRLEN];
	addr_str(AF_INET, c->p + off + 14, spa, sizeof(spa));
	addr_str(AF_INET, c->p + off + 24, tpa, sizeof(tpa));
	const unsigned char *sha = c->p + off + 8;
	if (op == 1) {
		put(e->label, sizeof(e->label), "ARP who-has %s", tpa);
		put(e->detail, sizeof(e->detail), "ARP, Request who-has %s tell %s, length 28", tpa,
		    spa);
	} else if (op == 2) {
		put(e->label, sizeof(e->label), "ARP reply");
		put(e->detail, sizeof(e->detail),
		    "ARP, Reply %s is-at %02x:%02x:%02x:%02x:%02x:%02x, length 28", spa, sha[0],
		    sha[1], sha[2], sha[3], sha[4], sha[5]);
	} else {
		put(e->label, sizeof(e->label), "ARP op %u", op);
		put(e->detail, sizeof(e->detail), "ARP, op %u %s > %s", op, spa, tpa);
	}
}

static void decode(const struct raw_packet *rp, struct packet_event *e)
{
	const struct cursor c = {rp->data, rp->caplen};
	unsigned proto = u16at(&c, 0);
	uint32_t wire_left = rp->len > SLL2_HDR_LEN ? rp->len - SLL2_HDR_LEN : 0;
	if (proto == 0x0806) {
		decode_arp(&c, SLL2_HDR_LEN, e);
		return;
	}
	struct ip_view v;
	if ((proto != 0x0800 && proto != 0x86dd) || !parse_ip(&c, SLL2_HDR_LEN, &v, wire_left)) {
		put(e->label, sizeof(e->label), "ethertype 0x%04x", proto);
		put(e->detail, sizeof(e->detail), "ethertype 0x%04x, length %" PRIu32, proto,
		    wire_left);
		return;
	}
	e->family = (uint8_t)v.family;
	e->proto = (uint8_t)v.proto;
	if (v.later_fragment) {
		put(e->label, sizeof(e->label), "IP fragment");
		put(e->detail, sizeof(e->detail), "%s > %s: fragment of proto %u", v.src, v.dst,
		    v.proto);
		return;
	}
	switch (v.proto) {
	case IPPROTO_TCP: decode_tcp(&c, &v, e); return;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6: decode_icmp(&c, &v, e, wire_left); return;
	case IPPROTO_UDP: {
		uint32_t len = v.l4_len > 8 ? v.l4_len - 8 : 0;
		e->sport = (uint16_t)u16at(&c, v.l4);
		e->dport = (uint16_t)u16at(&c, v.l4 + 2);
		put(e->label, sizeof(e->label), "UDP %" PRIu32 "B", len);
		put(e->detail, sizeof(e->detail), "%s.%u > %s.%u: UDP, length %" PRIu32, v.src,
		    e->sport, v.dst, e->dport, len);
		return;
	}
	}
	put(e->label, sizeof(e->label), "IP proto %u", v.proto);
	put(e->detail, sizeof(e->detail), "%s > %s: ip-proto-%u, length %" PRIu32, v.src, v.dst,
	    v.proto, v.l4_len);
}

/* Who sent it (the capturing host), over which link, to whom. */
static void attribute(const struct raw_packet *rp, struct packet_event *e)
{
	const struct handle *h = &cap.handles[rp->handle];
	const struct sll2_header *sll = (const struct sll2_header *)rp->data;
	int ifindex = (int)ntohl(sll->sll2_if_index);
	e->from = h->host;
	e->to = HOST_NONE;
	snprintf(e->ifname, sizeof(e->ifname), "if%d", ifindex);
	for (int i = 0; i < h->n_ifaces; i++)
		if (h->ifaces[i].ifindex == ifindex) {
			e->to = h->ifaces[i].to;
			snprintf(e->ifname, sizeof(e->ifname), "%s", h->ifaces[i].name);
		}
}

/* ---- the end of the run ----------------------------------------------- */

static void write_pcap(struct run *r)
{
	char path[sizeof(r->evidence->pcap_path)];
	int n = snprintf(path, sizeof(path), "%s/%s-%s.pcap", cap.pcap_dir, r->sc->name,
			 family_name(r->family));
	if (n < 0 || (size_t)n >= sizeof(path)) {
		cap_note(r, "pcap file name too long in %s", cap.pcap_dir);
		return;
	}
	pcap_t *dead = pcap_open_dead_with_tstamp_precision(DLT_LINUX_SLL2, SNAPLEN,
							    PCAP_TSTAMP_PRECISION_NANO);
	if (!dead) {
		cap_note(r, "pcap_open_dead: out of memory");
		return;
	}
	pcap_dumper_t *d = pcap_dump_open(dead, path);
	if (!d) {
		cap_note(r, "%s", pcap_geterr(dead));
		pcap_close(dead);
		return;
	}
	for (size_t i = 0; i < cap.n_pkts; i++) {
		const struct raw_packet *rp = &cap.pkts[i];
		struct pcap_pkthdr hdr = {0};
		hdr.ts.tv_sec = (time_t)(rp->ns / 1000000000);
		hdr.ts.tv_usec = (suseconds_t)(rp->ns % 1000000000); /* ns: see the handle */
		hdr.caplen = rp->caplen;
		hdr.len = rp->len;
		pcap_dump((u_char *)d, &hdr, rp->data);
	}
	bool ok = pcap_dump_flush(d) == 0;
	pcap_dump_close(d);
	pcap_close(dead);
	if (!ok) {
		cap_note(r, "writing %s: %s", path, strerror(errno));
		return;
	}
	snprintf(r->evidence->pcap_path, sizeof(r->evidence->pcap_path), "%s", path);
}

void capture_finish(struct run *r)
{
	/* A scenario's forked child inherits the handles (and reaches here
	 * only if it returned into the runner's code): it must not drain. */
	if (!cap.owner || getpid() != cap.owner || cap.n_handles == 0)
		return;
	struct evidence *ev = r->evidence;
	drain_all(r);
	int kernel_drops = 0;
	for (int i = 0; i < cap.n_handles; i++) {
		struct pcap_stat st;
		if (pcap_stats(cap.handles[i].p, &st) == 0)
			kernel_drops += (int)st.ps_drop;
	}
	if (cap.out_of_memory)
		cap_note(r, "out of memory: packets left out");
	if (kernel_drops)
		cap_note(r, "the capture lost %d packets (ring full)", kernel_drops);
	if (cap.n_pkts > 1)
		qsort(cap.pkts, cap.n_pkts, sizeof(*cap.pkts), by_time);
	if (cap.pcap_dir)
		write_pcap(r);

	size_t n = cap.n_pkts, head = n, tail_from = n;
	if (n > EVIDENCE_MAX_PACKETS) {
		head = EVIDENCE_MAX_PACKETS - TAIL_PACKETS;
		tail_from = n - TAIL_PACKETS;
	}
	ev->n_packets = 0;
	for (size_t i = 0; i < n; i++) {
		if (i >= head && i < tail_from)
			continue;
		const struct raw_packet *rp = &cap.pkts[i];
		struct packet_event *e = evidence_add_packet(ev);
		e->ms = (double)(rp->ns + cap.mono_minus_real_ns) / 1e6 - r->t0;
		attribute(rp, e);
		decode(rp, e);
	}
	ev->packets_dropped = (int)(tail_from - head) + kernel_drops;
	ev->captured = true;

	close_all();
	free(cap.pkts);
	cap.pkts = NULL;
	cap.n_pkts = cap.cap_pkts = 0;
}
