/*
 * unreachable-neighbour: connect() to an on-link address nobody owns; the
 * neighbour resolution fails and connect() learns EHOSTUNREACH (topology:
 * pair).
 *
 * The SYN waits in the neighbour's queue while ARP / neighbour
 * solicitations go unanswered; after mcast_solicit probes retrans_time_ms
 * apart neigh_timer_handler() (net/core/neighbour.c) marks the entry
 * NUD_FAILED and neigh_invalidate() hands every queued packet to
 * ops->error_report: arp_error_report() (net/ipv4/arp.c) ->
 * dst_link_failure() -> ipv4_link_failure() -> ipv4_send_dest_unreach()
 * (net/ipv4/route.c) sends ICMP_HOST_UNREACH to the SYN's source, the
 * client itself, over loopback; icmp_unreach() -> tcp_v4_err() converts it
 * (icmp_err_convert[]: EHOSTUNREACH).  IPv6: ndisc_error_report()
 * (net/ipv6/ndisc.c) -> ip6_link_failure() (net/ipv6/route.c) sends
 * ICMPV6_ADDR_UNREACH, and tcp_v6_err() -> icmpv6_err_convert() gives
 * EHOSTUNREACH.  connect() sleeps without the socket lock, so the error is
 * hard at once.
 *
 * POSIX connect(): EHOSTUNREACH "The destination host cannot be reached".
 *
 * Summary: connect() to an on-link address nobody owns: neighbour resolution
 *   fails
 * Kernel path: neigh_timer_handler() NUD_FAILED -> neigh_invalidate() ->
 *   arp_error_report() / ndisc_error_report() -> dst_link_failure() ->
 *   ipv4_link_failure() (ICMP_HOST_UNREACH) / ip6_link_failure()
 *   (ICMPV6_ADDR_UNREACH) to the client itself -> tcp_v4_err() / tcp_v6_err()
 * Handling: back off and free resources: close the socket, try the host's next
 *   address, retry later with backoff (the host may be down or the address
 *   wrong)
 * Waits for: neighbour resolution: mcast_solicit 3 x retrans_time_ms 100
 */
#include <arpa/inet.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "record/harness.h"
#include "lib/rtnl_lookup.h"
#include "lib/sockets.h"
#include "lib/unreachable_connect.h"

/* On-link in the pair's prefixes, owned by nobody. */
#define NOBODY4 "192.0.2.99"
#define NOBODY6 "2001:db8:1::99"

/* Neighbour resolution: MCAST_PROBES solicitations RETRANS_MS apart, so the
 * entry fails after about MCAST_PROBES * RETRANS_MS, well before the first
 * SYN retransmission (initial RTO 1 s). */
#define RETRANS_MS   100
#define MCAST_PROBES 3

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

static int neigh_sysctl(struct run *r, const char *knob, int value)
{
	char key[96], val[16];
	snprintf(key, sizeof(key), "net/%s/neigh/eth0/%s", r->family == AF_INET6 ? "ipv6" : "ipv4",
		 knob);
	snprintf(val, sizeof(val), "%d", value);
	return netns_sysctl_set(&r->topo.client, key, val);
}

SCENARIO(unreachable_neighbour, .errno_name = "EHOSTUNREACH", .syscall = "connect",
	 .intrinsic_wait_ms = 300, .order = 490)
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
	unreachable_set_user_timeout(r, fd, SAFETY_TIMEOUT_MS);
	long unreach_out =
		unreachable_client_counter(r, "Icmp", "OutDestUnreachs", "Icmp6OutDestUnreachs");
	long unreach_in =
		unreachable_client_counter(r, "Icmp", "InDestUnreachs", "Icmp6InDestUnreachs");
	long retrans = netstat_counter(&r->topo.client, "Tcp", "RetransSegs");
	double t = elapsed_ms(r);
	unreachable_connect_to(r, "connect", fd, nobody);
	double took = elapsed_ms(r) - t;
	measure(r, ON_FD(fd), "elapsed", "connect() duration (ms)", "%.0f", took);
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
	observe(r, ON_FD(fd), "when",
		"connect() returned relative to the probes (time, from below) and the SYN "
		"retransmissions (Tcp RetransSegs)",
		"%s", when);
	observe(r, AT(HOST_CLIENT), "neighbour",
		"client neighbour entry for the destination (rtnetlink)", "%s",
		neigh_state_of(&r->topo.client, r->family, nobody));
	observe(r, AT(HOST_CLIENT), "ICMP unreachable sent",
		"client ICMP destination-unreachable sent (delta)", "+%ld",
		unreachable_client_counter(r, "Icmp", "OutDestUnreachs", "Icmp6OutDestUnreachs") -
			unreach_out);
	observe(r, AT(HOST_CLIENT), "ICMP unreachable in",
		"client ICMP destination-unreachable received (delta)", "+%ld",
		unreachable_client_counter(r, "Icmp", "InDestUnreachs", "Icmp6InDestUnreachs") -
			unreach_in);
	note(r,
	     "connect() returned after %.0f ms (%d probes x %d ms); the client sent the ICMP "
	     "error to itself",
	     took, MCAST_PROBES, RETRANS_MS);
	close(fd);
	set_connection(r, CONNECTION_NEVER_EXISTED);
	return RUN_OK;
}
