/*
 * unreachable-neighbour, unreachable-ttl-exceeded, unreachable-net-icmp,
 * unreachable-link-down: the ways a TCP connect() learns that a host or a
 * network cannot be reached, EHOSTUNREACH and ENETUNREACH.
 *
 * neighbour (pair): the destination is on-link but nobody owns it.  The SYN
 * waits in the neighbour's queue while ARP / neighbour solicitations go
 * unanswered; after mcast_solicit probes retrans_time_ms apart
 * neigh_timer_handler() (net/core/neighbour.c) marks the entry NUD_FAILED
 * and neigh_invalidate() hands every queued packet to ops->error_report:
 * arp_error_report() (net/ipv4/arp.c) -> dst_link_failure() ->
 * ipv4_link_failure() -> ipv4_send_dest_unreach() (net/ipv4/route.c) sends
 * ICMP_HOST_UNREACH to the SYN's source, the client itself, over loopback;
 * icmp_unreach() -> tcp_v4_err() converts it (icmp_err_convert[]:
 * EHOSTUNREACH).  IPv6: ndisc_error_report() (net/ipv6/ndisc.c) ->
 * ip6_link_failure() (net/ipv6/route.c) sends ICMPV6_ADDR_UNREACH, and
 * tcp_v6_err() -> icmpv6_err_convert() gives EHOSTUNREACH.  connect()
 * sleeps without the socket lock, so the error is hard at once.
 *
 * ttl-exceeded (routed): IP_TTL / IPV6_UNICAST_HOPS 1; the router's
 * ip_forward() / ip6_forward() answers ICMP time exceeded; tcp_v4_err()
 * maps ICMP_TIME_EXCEEDED to EHOSTUNREACH, icmpv6_err_convert() maps
 * ICMPV6_TIME_EXCEED to EHOSTUNREACH.
 *
 * net-icmp (routed): the router's link to the server's network is down, so
 * its connected route is gone (fib_disable_ip() flushes it; IPv6
 * addrconf_ifdown() removes the addresses and their prefix route).  The
 * forwarded SYN finds no route: ip_route_input_slow() -> fib_lookup()
 * fails with -ENETUNREACH and ip_error() answers ICMP_NET_UNREACH
 * (icmp_err_convert[]: ENETUNREACH); IPv6 ends in ip6_null_entry,
 * ip6_pkt_discard() answers ICMPV6_NOROUTE (icmpv6_err_convert():
 * ENETUNREACH).  An unreachable *route* on the router would send
 * ICMP_HOST_UNREACH instead (router-unreachable).
 *
 * For both routed cases veth delivers synchronously: the first ICMP error
 * can come back while tcp_v4_connect()/tcp_v6_connect() still owns the
 * socket; tcp_v4_err()/tcp_v6_err() then only store sk_err_soft (TcpExt
 * LockDroppedIcmps) and the hard error lands with the error for the SYN
 * retransmission, one initial RTO (1 s) later.
 *
 * link-down (pair): the client's own eth0 goes down.  NETDEV_DOWN removes
 * the prefix routes of its addresses (fib_disable_ip(); IPv6
 * addrconf_ifdown() drops the addresses), so connect() fails in the route
 * lookup with ENETUNREACH: ip_route_output_key_hash_rcu() (fib_lookup()
 * finds nothing) / ip6_null_entry.  Bound to the down device with
 * SO_BINDTODEVICE, IPv4 fails in the same function
 * (!(dev_out->flags & IFF_UP): -ENETUNREACH), IPv6 again with no route.
 * An established connection is told nothing: send() queues the data and
 * succeeds, the transmission fails in the route lookup (__ip_queue_xmit()
 * no_route: -EHOSTUNREACH, dropped; inet6_csk_xmit() also stores the
 * lookup's error in sk_err_soft).  With nothing in flight
 * __tcp_push_pending_frames() arms the probe0 timer (tcp_check_probe_timer())
 * and tcp_probe_timer() gives up TCP_USER_TIMEOUT after its first probe:
 * tcp_write_err() reports sk_err_soft, or ETIMEDOUT when there is none.
 * So IPv4 says ETIMEDOUT and IPv6 says ENETUNREACH for the same event.
 * ENETDOWN, which POSIX lists for connect() and send(), comes from no TCP
 * path; an AF_PACKET send on the down link shows where it does live
 * (packet_snd()).
 *
 * POSIX connect(): EHOSTUNREACH "The destination host cannot be reached",
 * ENETUNREACH "No route to the network is present", ENETDOWN "The local
 * network interface used to reach the destination is down".
 */
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netpacket/packet.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "record/harness.h"
#include "lib/lock_race.h"
#include "lib/sockets.h"

/* On-link in the pair's prefixes, owned by nobody. */
#define NOBODY4 "192.0.2.99"
#define NOBODY6 "2001:db8:1::99"

/* Neighbour resolution: MCAST_PROBES solicitations RETRANS_MS apart, so the
 * entry fails after about MCAST_PROBES * RETRANS_MS, well before the first
 * SYN retransmission (initial RTO 1 s). */
#define RETRANS_MS   100
#define MCAST_PROBES 3

/* TCP_USER_TIMEOUT as a safety net only (the ICMP-driven errors come long
 * before); on the link-down connection it is the bound that ends it. */
#define SAFETY_TIMEOUT_MS      3000
#define ESTABLISHED_TIMEOUT_MS 1000

/* ---- rtnetlink dumps in a namespace --------------------------------- */

/* Dump (RTM_GETNEIGH or RTM_GETROUTE) inside ns and call each() for every
 * message; each() returns nonzero to stop.  -1 on failure. */
static int rtnl_dump(const struct netns *ns, int type, int family,
		     int (*each)(const struct nlmsghdr *nh, void *arg), void *arg)
{
	int fd = netns_socket(ns, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -1;
	struct {
		struct nlmsghdr nh;
		union {
			struct ndmsg nd;
			struct rtmsg rt;
		};
	} req;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_type = type;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nh.nlmsg_seq = 1;
	if (type == RTM_GETNEIGH) {
		req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ndmsg));
		req.nd.ndm_family = family;
	} else {
		req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
		req.rt.rtm_family = family;
	}
	int rc = -1;
	if (send(fd, &req, req.nh.nlmsg_len, 0) < 0)
		goto out;
	char buf[32768] __attribute__((aligned(NLMSG_ALIGNTO)));
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0)
			goto out;
		for (struct nlmsghdr *nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)n);
		     nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_type == NLMSG_DONE) {
				rc = 0;
				goto out;
			}
			if (nh->nlmsg_type == NLMSG_ERROR)
				goto out;
			if (each(nh, arg)) {
				rc = 0;
				goto out;
			}
		}
	}
out:
	close(fd);
	return rc;
}

struct addr_query {
	int family;
	unsigned char addr[16];
	int plen;   /* routes: the prefix length wanted */
	int result; /* neighbours: NUD state, -1 none; routes: 1 found */
};

static int addr_len(int family)
{
	return family == AF_INET6 ? 16 : 4;
}

static int neigh_match(const struct nlmsghdr *nh, void *arg)
{
	struct addr_query *q = arg;
	if (nh->nlmsg_type != RTM_NEWNEIGH)
		return 0;
	const struct ndmsg *nd = NLMSG_DATA(nh);
	int len = nh->nlmsg_len - NLMSG_LENGTH(sizeof(*nd));
	for (const struct rtattr *a =
		     (const struct rtattr *)((const char *)nd + NLMSG_ALIGN(sizeof(*nd)));
	     RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == NDA_DST && RTA_PAYLOAD(a) == (unsigned)addr_len(q->family) &&
		    memcmp(RTA_DATA(a), q->addr, addr_len(q->family)) == 0) {
			q->result = nd->ndm_state;
			return 1;
		}
	return 0;
}

static int route_match(const struct nlmsghdr *nh, void *arg)
{
	struct addr_query *q = arg;
	if (nh->nlmsg_type != RTM_NEWROUTE)
		return 0;
	const struct rtmsg *rt = NLMSG_DATA(nh);
	if (rt->rtm_dst_len != q->plen || rt->rtm_table != RT_TABLE_MAIN)
		return 0;
	int len = nh->nlmsg_len - NLMSG_LENGTH(sizeof(*rt));
	for (const struct rtattr *a =
		     (const struct rtattr *)((const char *)rt + NLMSG_ALIGN(sizeof(*rt)));
	     RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == RTA_DST && RTA_PAYLOAD(a) == (unsigned)addr_len(q->family) &&
		    memcmp(RTA_DATA(a), q->addr, addr_len(q->family)) == 0) {
			q->result = 1;
			return 1;
		}
	return 0;
}

static const char *nud_name(int state)
{
	switch (state) {
	case -1: return "no entry";
	case NUD_INCOMPLETE: return "INCOMPLETE";
	case NUD_REACHABLE: return "REACHABLE";
	case NUD_STALE: return "STALE";
	case NUD_DELAY: return "DELAY";
	case NUD_PROBE: return "PROBE";
	case NUD_FAILED: return "FAILED";
	case NUD_NOARP: return "NOARP";
	case NUD_PERMANENT: return "PERMANENT";
	default: return "other";
	}
}

/* The neighbour entry for addr in ns, read over rtnetlink (what
 * `ip neigh` shows). */
static const char *neigh_state_of(const struct netns *ns, int family, const char *addr)
{
	struct addr_query q = {.family = family, .result = -1};
	if (inet_pton(family, addr, q.addr) != 1 ||
	    rtnl_dump(ns, RTM_GETNEIGH, family, neigh_match, &q) < 0)
		return "unreadable";
	return nud_name(q.result);
}

/* Is the connected route prefix/plen in ns's main table? */
static const char *route_presence(const struct netns *ns, int family, const char *prefix, int plen)
{
	struct addr_query q = {.family = family, .plen = plen, .result = 0};
	if (inet_pton(family, prefix, q.addr) != 1 ||
	    rtnl_dump(ns, RTM_GETROUTE, family, route_match, &q) < 0)
		return "unreadable";
	return q.result ? "present" : "absent";
}

/* The timer /proc/net/tcp{,6} shows for the socket on local port lport
 * inside ns (the "tr" column, get_tcp4_sock() / get_tcp6_sock()). */
static const char *tcp_timer_of(const struct netns *ns, int family, int lport)
{
	if (netns_enter(ns) < 0)
		return "unreadable";
	/* thread-self: /proc/net follows the namespace of the reading thread. */
	FILE *f = fopen(family == AF_INET6 ? "/proc/thread-self/net/tcp6"
					   : "/proc/thread-self/net/tcp",
			"re");
	netns_leave();
	if (!f)
		return "unreadable";
	char line[512];
	int timer = -1;
	while (timer < 0 && fgets(line, sizeof(line), f)) {
		char local[64];
		unsigned port, tr;
		if (sscanf(line, " %*d: %63[0-9A-Fa-f]:%x %*s %*x %*s %x", local, &port, &tr) ==
			    3 &&
		    (int)port == lport)
			timer = tr;
	}
	fclose(f);
	switch (timer) {
	case 0: return "none";
	case 1: return "retransmission";
	case 2: return "keepalive";
	case 4: return "zero-window probe (probe0)";
	default: return "unreadable";
	}
}

/* ---- common pieces --------------------------------------------------- */

static long connect_to(struct run *r, const char *label, int fd, const char *addr)
{
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(r->family, addr, SERVER_PORT, &ss);
	return step_as(r, label, connect(fd, (struct sockaddr *)&ss, len), "connect(%d, %s)", fd,
		       sockaddr_str((struct sockaddr *)&ss));
}

static void set_user_timeout(struct run *r, int fd, unsigned ms)
{
	step(r, setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &ms, sizeof(ms)),
	     "setsockopt(%d, TCP_USER_TIMEOUT, %u)", fd, ms);
}

static long client_counter(struct run *r, const char *v4group, const char *v4name,
			   const char *v6name)
{
	if (r->family == AF_INET6)
		return netstat_counter(&r->topo.client, "snmp6", v6name);
	return netstat_counter(&r->topo.client, v4group, v4name);
}

/* ---- unreachable-neighbour ------------------------------------------ */

static int neigh_sysctl(struct run *r, const char *knob, int value)
{
	char key[96], val[16];
	snprintf(key, sizeof(key), "net/%s/neigh/eth0/%s", r->family == AF_INET6 ? "ipv6" : "ipv4",
		 knob);
	snprintf(val, sizeof(val), "%d", value);
	return netns_sysctl_set(&r->topo.client, key, val);
}

static int unreachable_neighbour(struct run *r)
{
	const char *nobody = r->family == AF_INET6 ? NOBODY6 : NOBODY4;
	if (neigh_sysctl(r, "retrans_time_ms", RETRANS_MS) < 0 ||
	    neigh_sysctl(r, "mcast_solicit", MCAST_PROBES) < 0 ||
	    neigh_sysctl(r, "app_solicit", 0) < 0)
		return broken_netns(r);
	note(r,
	     "client eth0: retrans_time_ms %d, mcast_solicit %d (ucast_solicit only counts when a "
	     "known neighbour is re-probed); %s is on-link and nobody answers for it",
	     RETRANS_MS, MCAST_PROBES, nobody);

	int fd = tcp_socket_in(&r->topo.client, r->family);
	if (fd < 0)
		return broken_netns(r);
	set_user_timeout(r, fd, SAFETY_TIMEOUT_MS);
	long unreach_out = client_counter(r, "Icmp", "OutDestUnreachs", "Icmp6OutDestUnreachs");
	long unreach_in = client_counter(r, "Icmp", "InDestUnreachs", "Icmp6InDestUnreachs");
	long retrans = netstat_counter(&r->topo.client, "Tcp", "RetransSegs");
	double t = elapsed_ms(r);
	connect_to(r, "connect", fd, nobody);
	double took = elapsed_ms(r) - t;
	measure(r, "elapsed", "connect() duration (ms)", "%.0f", took);
	/* Not a clock against 1 s: the probes are a chain of timers that
	 * bounds the time from below, and whether a SYN was retransmitted
	 * is the kernel's own count (the namespace's: the socket's is zeroed
	 * by the tcp_disconnect() of a failed connect()). */
	long resent = netstat_counter(&r->topo.client, "Tcp", "RetransSegs") - retrans;
	const char *when;
	if (took < MCAST_PROBES * (RETRANS_MS - TICK_SLACK_MS))
		when = "before the neighbour probes ran out";
	else if (resent == 0)
		when = "after the neighbour probes, before the first SYN retransmission";
	else
		when = "after the first SYN retransmission";
	observe(r, "when",
		"connect() returned relative to the probes (time, from below) and the SYN "
		"retransmissions (Tcp RetransSegs)",
		"%s", when);
	observe(r, "neighbour", "client neighbour entry for the destination (rtnetlink)", "%s",
		neigh_state_of(&r->topo.client, r->family, nobody));
	observe(r, "ICMP unreachable sent", "client ICMP destination-unreachable sent (delta)",
		"+%ld",
		client_counter(r, "Icmp", "OutDestUnreachs", "Icmp6OutDestUnreachs") - unreach_out);
	observe(r, "ICMP unreachable in", "client ICMP destination-unreachable received (delta)",
		"+%ld",
		client_counter(r, "Icmp", "InDestUnreachs", "Icmp6InDestUnreachs") - unreach_in);
	note(r,
	     "connect() returned after %.0f ms (%d probes x %d ms); the client sent the ICMP "
	     "error to itself",
	     took, MCAST_PROBES, RETRANS_MS);
	close(fd);
	set_connection(r, CONNECTION_NEVER_EXISTED);
	return RUN_OK;
}

/* ---- the routed cases: an ICMP error from the router ------------------ */

/* connect() to the server, recording the ICMP counter named by the
 * arguments and LockDroppedIcmps around it. */
static void connect_expecting_icmp(struct run *r, int fd, const char *label, const char *v4name,
				   const char *v6name)
{
	struct lock_race lr;
	lock_race_start(r, &lr);
	long icmps = client_counter(r, "Icmp", v4name, v6name);
	connect_to(r, "connect", fd, topology_server_addr(&r->topo, r->family));
	lock_race_end(r, &lr);
	observe(r, label, "client ICMP errors of this type received (delta)", "+%ld",
		client_counter(r, "Icmp", v4name, v6name) - icmps);
	lock_race_observe(r, &lr, ANSWERS("+1", "+2"));
	set_connection(r, CONNECTION_NEVER_EXISTED);
}

static int unreachable_ttl_exceeded(struct run *r)
{
	int fd = tcp_socket_in(&r->topo.client, r->family);
	if (fd < 0)
		return broken_netns(r);
	int one = 1;
	if (r->family == AF_INET6)
		step(r, setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &one, sizeof(one)),
		     "setsockopt(%d, IPV6_UNICAST_HOPS, 1)", fd);
	else
		step(r, setsockopt(fd, IPPROTO_IP, IP_TTL, &one, sizeof(one)),
		     "setsockopt(%d, IP_TTL, 1)", fd);
	set_user_timeout(r, fd, SAFETY_TIMEOUT_MS);
	connect_expecting_icmp(r, fd, "ICMP time exceeded in", "InTimeExcds", "Icmp6InTimeExcds");
	close(fd);
	return RUN_OK;
}

static int unreachable_net_icmp(struct run *r)
{
	int fam = r->family;
	const char *prefix = fam == AF_INET6 ? "2001:db8:2::" : "198.51.100.0";
	int plen = fam == AF_INET6 ? 64 : 24;
	if (netns_link_set_up(&r->topo.router, "to-server", false) < 0)
		return broken_netns(r);
	note(r, "router: link to-server set down; its connected route %s/%d goes with it", prefix,
	     plen);
	observe(r, "router route", "router's route to the server's network (rtnetlink)", "%s",
		route_presence(&r->topo.router, fam, prefix, plen));
	long noroutes_router = fam == AF_INET6
				       ? netstat_counter(&r->topo.router, "snmp6", "Ip6InNoRoutes")
				       : netstat_counter(&r->topo.router, "IpExt", "InNoRoutes");
	int fd = tcp_socket_in(&r->topo.client, fam);
	if (fd < 0)
		return broken_netns(r);
	set_user_timeout(r, fd, SAFETY_TIMEOUT_MS);
	connect_expecting_icmp(r, fd, "ICMP unreachable in", "InDestUnreachs",
			       "Icmp6InDestUnreachs");
	long noroutes_after = fam == AF_INET6
				      ? netstat_counter(&r->topo.router, "snmp6", "Ip6InNoRoutes")
				      : netstat_counter(&r->topo.router, "IpExt", "InNoRoutes");
	measure(r, "router InNoRoutes", "router packets without a route (delta)", "+%ld",
		noroutes_after - noroutes_router);
	close(fd);
	return RUN_OK;
}

/* ---- unreachable-link-down ------------------------------------------ */

static int unreachable_link_down(struct run *r)
{
	int fam = r->family;
	const char *server = topology_server_addr(&r->topo, fam);
	const char *prefix = fam == AF_INET6 ? "2001:db8:1::" : "192.0.2.0";
	int plen = fam == AF_INET6 ? 64 : 24;
	int lfd = -1, cfd = -1, afd = -1, fd = -1, bfd = -1, pfd = -1;
	int rc = RUN_OK;

	int ifindex = netns_ifindex(&r->topo.client, "eth0");
	if (ifindex < 0)
		return broken_netns(r);
	lfd = tcp_listen_in(&r->topo.server, fam, server, SERVER_PORT, 4);
	if (lfd < 0)
		return broken(r, "listen in the server: %m");
	cfd = tcp_connect_in(&r->topo.client, fam, server, SERVER_PORT);
	if (cfd < 0) {
		rc = broken(r, "connect to the server before the link goes down: %m");
		goto out;
	}
	afd = accept(lfd, NULL, NULL);
	if (afd < 0) {
		rc = broken(r, "accept: %m");
		goto out;
	}
	set_user_timeout(r, cfd, ESTABLISHED_TIMEOUT_MS);
	observe(r, "prefix route", "client route to its own prefix before (rtnetlink)", "%s",
		route_presence(&r->topo.client, fam, prefix, plen));

	if (netns_link_set_up(&r->topo.client, "eth0", false) < 0) {
		rc = broken_netns(r);
		goto out;
	}
	note(r, "client eth0 set down with one connection established");
	observe(r, "prefix route", "client route to its own prefix after (rtnetlink)", "%s",
		route_presence(&r->topo.client, fam, prefix, plen));

	/* A new connection: the route lookup has nothing left. */
	fd = tcp_socket_in(&r->topo.client, fam);
	bfd = tcp_socket_in(&r->topo.client, fam);
	if (fd < 0 || bfd < 0) {
		rc = broken_netns(r);
		goto out;
	}
	connect_to(r, "connect", fd, server);
	step(r, setsockopt(bfd, SOL_SOCKET, SO_BINDTODEVICE, "eth0", sizeof("eth0")),
	     "setsockopt(%d, SO_BINDTODEVICE, eth0)", bfd);
	connect_to(r, "connect bound", bfd, server);

	/* The established connection is told nothing; it finds out from its
	 * own timeout. */
	observe(r, "established state", "TCP_INFO state after the link went down", "%s",
		tcp_state_name(tcp_state(cfd)));
	long aborts = netstat_counter(&r->topo.client, "TcpExt", "TCPAbortOnTimeout");
	double t = elapsed_ms(r);
	step_as(r, "send established", send(cfd, "x", 1, MSG_NOSIGNAL), "send(%d, 1, MSG_NOSIGNAL)",
		cfd);
	observe(r, "timer", "the established socket's timer after send() (/proc/net/tcp)", "%s",
		tcp_timer_of(&r->topo.client, fam, socket_local_port(cfd)));
	int ev = poll_fd(cfd, POLLIN, ESTABLISHED_TIMEOUT_MS * 5);
	double took = elapsed_ms(r) - t;
	const char *seen = ev & POLLERR ? "POLLERR" : ev ? "readable" : "nothing within the bound";
	observe(r, "poll established", "poll(POLLIN) on the established socket", "%s", seen);
	measure(r, "elapsed", "send() to the socket's error (ms)", "%.0f", took);
	/* From below only: load can make the timer late, never early. */
	observe(r, "when", "the error relative to TCP_USER_TIMEOUT (from below)", "%s",
		took < ESTABLISHED_TIMEOUT_MS - 2 * TICK_SLACK_MS ? "before TCP_USER_TIMEOUT"
								  : "after TCP_USER_TIMEOUT");
	char byte;
	step_as(r, "recv established", recv(cfd, &byte, 1, MSG_DONTWAIT),
		"recv(%d, 1, MSG_DONTWAIT)", cfd);
	step_as(r, "send after", send(cfd, "x", 1, MSG_NOSIGNAL), "send(%d, 1, MSG_NOSIGNAL)", cfd);
	observe(r, "TCPAbortOnTimeout", "client TcpExt TCPAbortOnTimeout (delta)", "+%ld",
		netstat_counter(&r->topo.client, "TcpExt", "TCPAbortOnTimeout") - aborts);
	note(r,
	     "established socket: TCP_USER_TIMEOUT %d ms; its error came %.0f ms after the send()",
	     ESTABLISHED_TIMEOUT_MS, took);

	/* Where ENETDOWN does come from: a packet socket on the down link. */
	pfd = netns_socket(&r->topo.client, AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (pfd < 0) {
		rc = broken_netns(r);
		goto out;
	}
	struct sockaddr_ll ll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(fam == AF_INET6 ? ETH_P_IPV6 : ETH_P_IP),
		.sll_ifindex = ifindex,
		.sll_halen = 6,
		.sll_addr = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
	};
	step_as(r, "AF_PACKET sendto", sendto(pfd, "x", 1, 0, (struct sockaddr *)&ll, sizeof(ll)),
		"sendto(%d, 1, 0, AF_PACKET eth0)", pfd);
out:;
	int fds[] = {lfd, cfd, afd, fd, bfd, pfd};
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return rc;
}

/* ---- the catalogue --------------------------------------------------- */

SCENARIO(unreachable_neighbour) = {
	.name = "unreachable-neighbour",
	.errno_name = "EHOSTUNREACH",
	.syscall = "connect",
	.summary = "connect() to an on-link address nobody owns: neighbour resolution fails",
	.posix_expects = NULL,
	.kernel_path = "neigh_timer_handler() NUD_FAILED -> neigh_invalidate() -> "
		       "arp_error_report() / ndisc_error_report() -> dst_link_failure() -> "
		       "ipv4_link_failure() (ICMP_HOST_UNREACH) / ip6_link_failure() "
		       "(ICMPV6_ADDR_UNREACH) to the client itself -> tcp_v4_err() / tcp_v6_err()",
	.handling = "back off and free resources: close the socket, try the host's next address, "
		    "retry later with backoff (the host may be down or the address wrong)",
	.intrinsic_wait_ms = 300,
	.intrinsic_wait = "neighbour resolution: mcast_solicit 3 x retrans_time_ms 100",
	.order = 490,
	.run = unreachable_neighbour,
};

SCENARIO(unreachable_ttl_exceeded) = {
	.name = "unreachable-ttl-exceeded",
	.errno_name = "EHOSTUNREACH",
	.syscall = "connect",
	.summary = "TTL / hop limit 1: the router answers ICMP time exceeded",
	.posix_expects = NULL,
	.kernel_path = "router: ip_forward() / ip6_forward() send time exceeded; client: "
		       "tcp_v4_err() ICMP_TIME_EXCEEDED -> EHOSTUNREACH / tcp_v6_err() "
		       "icmpv6_err_convert(ICMPV6_TIME_EXCEED) -> EHOSTUNREACH; socket owned by "
		       "connect(): sk_err_soft (LockDroppedIcmps), hard on the SYN retransmission",
	.topology = TOPO_ROUTED,
	.handling = "back off and free resources: a routing loop or a TTL too small for the path; "
		    "close, try the next address, retry later; an immediate retry fails the same",
	.intrinsic_wait_ms = 1000,
	.intrinsic_wait = "one SYN RTO: 1 s (TCP_TIMEOUT_INIT); the first ICMP error met "
			  "connect()'s socket lock",
	.order = 500,
	.run = unreachable_ttl_exceeded,
};

SCENARIO(unreachable_net_icmp) = {
	.name = "unreachable-net-icmp",
	.errno_name = "ENETUNREACH",
	.syscall = "connect",
	.summary = "the router has no route to the server's network (its link there is down) "
		   "and answers ICMP net unreachable",
	.posix_expects = NULL,
	.kernel_path = "router: ip_route_input_slow() fib_lookup() -ENETUNREACH -> ip_error() "
		       "ICMP_NET_UNREACH / ip6_null_entry ip6_pkt_discard() ICMPV6_NOROUTE; "
		       "client: tcp_v4_err() icmp_err_convert[ICMP_NET_UNREACH] / tcp_v6_err() "
		       "icmpv6_err_convert() -> ENETUNREACH",
	.topology = TOPO_ROUTED,
	.handling = "back off and free resources: a router has no route; close, try the next "
		    "address (another family), retry later with backoff",
	.intrinsic_wait_ms = 1000,
	.intrinsic_wait = "one SYN RTO: 1 s (TCP_TIMEOUT_INIT); the first ICMP error met "
			  "connect()'s socket lock",
	.order = 510,
	.run = unreachable_net_icmp,
};

SCENARIO(unreachable_link_down) = {
	.name = "unreachable-link-down",
	.errno_name = "ENETUNREACH",
	.syscall = "connect",
	.summary = "the client's own link is down: connect() has no route; an established "
		   "connection learns nothing until its timeout",
	.posix_expects = "connect()/send(): ENETDOWN, \"the local network interface used to reach "
			 "the destination is down\"",
	.kernel_path = "NETDEV_DOWN: fib_disable_ip() / addrconf_ifdown() drop the prefix routes; "
		       "connect(): ip_route_output_key_hash_rcu() -ENETUNREACH (also for an oif "
		       "that is not IFF_UP) / ip6_null_entry; established: __ip_queue_xmit() "
		       "no_route / inet6_csk_xmit() (sk_err_soft) fail each transmission, "
		       "tcp_probe_timer() -> tcp_write_err(): sk_err_soft ?: ETIMEDOUT",
	.handling = "back off and free resources: no route until the link returns; close, retry "
		    "with backoff; established connections need TCP_USER_TIMEOUT or keepalive to "
		    "notice",
	.intrinsic_wait_ms = 1200,
	.intrinsic_wait = "probe0 timer: first probe after 200 ms (TCP_RTO_MIN), then "
			  "TCP_USER_TIMEOUT 1000 ms",
	.order = 520,
	.run = unreachable_link_down,
};
