/*
 * timeout-syn-dropped: connect() ETIMEDOUT while every SYN is dropped.
 * ETIMEDOUT is the error of "the server host crashed": nothing comes back
 * and a timer of the client's own gives up.  The router in the middle
 * drops every packet to or from the server (nft, forward chain), as if the
 * server had vanished; no RST and no ICMP error ever reaches the client.
 *
 * In SYN_SENT the retransmission timer (tcp_retransmit_timer() ->
 * tcp_write_timeout()) counts SYN retransmissions against icsk_syn_retries
 * (TCP_SYNCNT) or the namespace's net.ipv4.tcp_syn_retries (default 6:
 * 1+2+4+8+16+32+64 = 127 s), then tcp_write_err() ->
 * tcp_done_with_error(ETIMEDOUT) and __inet_stream_connect() returns
 * sock_error().  TCP_SYNCNT 1: one retransmission after the 1 s initial
 * RTO, failure at the next timeout (2 s later): about 3 s.  Kernels newer
 * than 6.1 (6.5 on) have net.ipv4.tcp_syn_linear_timeouts (default 4): the
 * first SYN retransmissions keep a 1 s RTO instead of doubling; on 6.18
 * TCP_SYNCNT 1 then sends 3 SYNs in the same 3 s.  It is set to 0 in the
 * client namespace where it exists, so that every kernel sends 2 SYNs with
 * a doubling RTO.
 *
 * POSIX connect(): ETIMEDOUT, "Connection establishment timed out without
 * establishing a connection".  Linux agrees.
 *
 * Summary: the router drops every SYN; connect() gives up after TCP_SYNCNT 1
 *   (one retransmission, ~3 s)
 * Kernel path: tcp_retransmit_timer() -> tcp_write_timeout() (SYN_SENT:
 *   icsk_retransmits >= icsk_syn_retries / tcp_syn_retries) -> tcp_write_err()
 *   -> tcp_done_with_error(ETIMEDOUT); __inet_stream_connect() sock_error()
 * Handling: back off and free resources: close the socket (it is CLOSE),
 *   reconnect with backoff; the peer or the path is gone
 * Waits for: two SYN retransmission timeouts: 1 s + 2 s (TCP_TIMEOUT_INIT
 *   doubled; TCP_SYNCNT 1, tcp_syn_linear_timeouts 0)
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include "record/harness.h"
#include "lib/syn_timers.h"
#include "lib/packets.h"
#include "lib/sockets.h"
#include "lib/vanishing_server.h"
#include "lib/sock_observe.h"

static void close_all(int *fds, int n)
{
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

SCENARIO(timeout_syn_dropped, .errno_name = "ETIMEDOUT", .syscall = "connect",
	 .topology = {.kind = TOPO_ROUTED}, .intrinsic_wait_ms = 3000, .order = 450)
{
	if (server_vanishes(r) < 0)
		return skipped(r, "nftables is not usable in the router namespace: %s",
			       netns_error());
	int syn = syn_timers_exponential(r);
	if (syn != RUN_OK)
		return syn;
	char retries[32];
	if (netns_sysctl_get(&r->topo.client, "net.ipv4.tcp_syn_retries", retries,
			     sizeof(retries)) == 0)
		note(r,
		     "without TCP_SYNCNT the bound is net.ipv4.tcp_syn_retries = %s (6: 127 s), "
		     "per namespace",
		     retries);

	int fds[2] = {-1, -1};
	int *pfd = &fds[0], *fd = &fds[1];
	/* SYNs are counted where they are dropped, on the router's link
	 * from the client. */
	*pfd = packet_socket(&r->topo.router, "to-client");
	*fd = tcp_socket_in(&r->topo.client, r->family);
	if (*pfd < 0 || *fd < 0) {
		close_all(fds, 2);
		return broken(r, "set-up (packet socket, socket): %m");
	}
	set_int_sockopt(r, *fd, IPPROTO_TCP, TCP_SYNCNT, "TCP_SYNCNT", 1);
	long retrans = netstat_counter(&r->topo.client, "Tcp", "RetransSegs");

	struct sockaddr_storage ss;
	socklen_t len =
		sockaddr_of(r->family, topology_server_addr(&r->topo, r->family), SERVER_PORT, &ss);
	/* The SYN timers are jiffies timers: judged on their clock
	 * (lib/timer_clock.h). */
	struct timer_clock t = timer_clock_now();
	step(r, ON_FD(*fd), "connect", connect(*fd, (struct sockaddr *)&ss, len), "connect(%d, %s)",
	     *fd, sockaddr_str((struct sockaddr *)&ss));
	timer_lower_bound(r, ON_FD(*fd), "connect() elapsed: 1 s initial RTO, then 2 s (doubled)",
			  t, 3000);
	observe_state(r, "state", *fd);

	int syns = 0;
	struct tcp_segment seg;
	/* Every SYN reached the router before connect() gave up; the short
	 * wait only drains the socket. */
	while (packet_wait_tcp(*pfd, r->family, 0, SERVER_PORT, 100, &seg))
		if (seg.flags & TCPF_SYN)
			syns++;
	observe(r, AT(HOST_ROUTER), "SYNs at the router",
		"SYNs from the client seen on the router's link", "%d", syns);
	observe(r, AT(HOST_CLIENT), "RetransSegs", "client Tcp RetransSegs (delta)", "%+ld",
		netstat_counter(&r->topo.client, "Tcp", "RetransSegs") - retrans);
	close_all(fds, 2);
	return RUN_OK;
}
