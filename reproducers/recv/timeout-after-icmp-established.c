/*
 * timeout-after-icmp-established: the router in the middle loses its route
 * to the server while three connections through it are established; each
 * client sends a request and waits for the reply.  The router answers
 * with ICMP destination unreachable; what the client's recv() finally
 * reports, and what a getsockopt(SO_ERROR) in between changes.
 *
 * The router holds an unreachable route for the server: ip_error() sends
 * ICMP host unreachable (EHOSTUNREACH), ip6_pkt_discard() ICMPv6 no route
 * (icmpv6_err_convert(): ENETUNREACH).  On an established socket
 * tcp_v4_err()/tcp_v6_err() make such an error soft: without
 * IP_RECVERR/IPV6_RECVERR it only goes into sk_err_soft ("Only an error on
 * timeout"); no POLLERR, recv() and send() go on as before, and the data is
 * retransmitted.  (Host and net unreachable, ICMPv6 no route, also revert
 * the RTO backoff, tcp_ld_RTO_revert(), RFC 6069: the retransmissions
 * that draw them are not backed off.)  TCP_USER_TIMEOUT (500 ms, from the
 * first retransmission timeout, lib/user_timeout_clock.h) ends it:
 * tcp_write_timeout() -> tcp_write_err() ->
 * tcp_done_with_error(sk, READ_ONCE(sk->sk_err_soft) ? : ETIMEDOUT)
 * (net/ipv4/tcp_timer.c, 6.1).  So the errno of the timeout is the last
 * ICMP error still pending, ETIMEDOUT only when there is none.
 * sk_getsockopt(SO_ERROR) (net/core/sock.c) returns sock_error(), else
 * xchg(&sk->sk_err_soft, 0): reading it takes the soft error away.  An
 * ACK of new data would too (tcp_ack(): "Something worked..."); none comes.
 *
 * The three connections:
 *  - answered: every transmission and retransmission goes on to the
 *              unreachable route, and draws an ICMP error as far as the
 *              router sends them: ICMPv6 for each (the router's ratelimit
 *              is 0), IPv4 two at once, then one as the rate limit below
 *              refills;
 *  - kept:     only the first transmission does (an nft rule in the
 *              router's prerouting drops the later ones: lib/icmp_once.h),
 *              and nobody reads SO_ERROR: the soft error waits for the
 *              timeout;
 *  - read:     as kept, and the client reads SO_ERROR once the error is in:
 *              EHOSTUNREACH while ESTABLISHED, and the timeout then says
 *              ETIMEDOUT.
 * Every result is decided by packets, not by a clock: the ICMP errors
 * arrive (veth delivers synchronously) hundreds of ms before a timer that
 * load can only delay.
 *
 * The router's IPv4 errors are rate-limited per destination host, in the
 * inet_peer of the client's address: ip_error() (net/ipv4/route.c) spends
 * its peer->rate_tokens (ip_rt_error_burst 5 * HZ, ip_rt_error_cost HZ;
 * the global net.ipv4.route.error_burst/error_cost, left alone), and the
 * icmp_send() that follows spends the same tokens in the same jiffy:
 * icmpv4_xrlim_allow() (net/ipv4/icmp.c) -> inet_peer_xrlim_allow()
 * (net/ipv4/inetpeer.c) with the router namespace's icmp_ratelimit.  With
 * the topology's icmp_ratelimit 0, 6.1 (and 6.12) clamp the tokens to 0 at
 * each error sent: one error per client address, then none for a second;
 * later kernels (6.18 here: "inetpeer: avoid false sharing in
 * inet_peer_xrlim_allow()") leave them alone when no jiffy passed: five.
 * Hence, alike on every kernel:
 *  - each connection comes from an address of its own (client_own_addrs(),
 *    lib/icmp_once.h), a bucket each: kept's and read's errors take
 *    nothing from answered's;
 *  - the router's net.ipv4.icmp_ratelimit (IPv4 runs, its namespace only)
 *    is the kernel's default, 1000 ms: each error sent costs HZ in
 *    ip_error() and HZ in inet_peer_xrlim_allow(), so a fresh bucket
 *    (5 * HZ) sends exactly two at once, the third when a second has
 *    refilled it: counted in tokens, the second error never late.
 *
 * The TCP errors article: "If an intermediate router determines that the
 * server host is no longer reachable, it will generally respond with
 * Destination Unreachable; the error returned to the client process is
 * EHOSTUNREACH or ENETUNREACH", and "No route to host (soft error) ... The
 * client will retry multiple times at a scheduled time, an error is
 * returned after a certain number of times".  Linux agrees (IPv4 host
 * unreachable gives EHOSTUNREACH, ICMPv6 no route ENETUNREACH), with a
 * condition: the error is reported by the retransmission timeout, and only
 * if no getsockopt(SO_ERROR) took it away in between; then it says
 * ETIMEDOUT.  POSIX recv() lists ETIMEDOUT for "a transmission timeout on
 * active connection" and neither EHOSTUNREACH nor ENETUNREACH.
 *
 * Summary: the router answers an established connection's retransmissions with
 *   ICMP unreachable; TCP_USER_TIMEOUT ends it with the soft error, ETIMEDOUT
 *   once SO_ERROR has read it
 * POSIX expects: POSIX recv() lists ETIMEDOUT for a transmission timeout and no
 *   EHOSTUNREACH/ENETUNREACH; the article: the router's Destination
 *   Unreachable gives EHOSTUNREACH or ENETUNREACH after the retries (Linux: yes,
 *   unless SO_ERROR read it before the timeout: then ETIMEDOUT)
 * Kernel path: router: ip_error() / ip6_pkt_discard(); client: tcp_v4_err() /
 *   tcp_v6_err() ESTABLISHED -> sk_err_soft (tcp_ld_RTO_revert());
 *   tcp_write_timeout() -> tcp_write_err() ->
 *   tcp_done_with_error(sk_err_soft ?: ETIMEDOUT); sk_getsockopt(SO_ERROR)
 *   clears sk_err_soft; tcp_recvmsg_locked() sock_error()
 * Handling: back off and free resources: the connection is closed; the errno
 *   says why (EHOSTUNREACH/ENETUNREACH: a router gave up on the path;
 *   ETIMEDOUT: no answer, or the soft error was read earlier); reconnect with
 *   backoff
 * Waits for: tail loss probe and first RTO (200 ms each, TCP_RTO_MIN), then
 *   TCP_USER_TIMEOUT 500 ms
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "record/harness.h"
#include "lib/connection.h"
#include "lib/icmp_once.h"
#include "lib/router_reject_route.h"
#include "lib/sock_observe.h"
#include "lib/sockets.h"
#include "lib/user_timeout_clock.h"
#include "lib/vanishing_server.h"

/* Bound of a wait for an ICMP error that veth brings back in well under
 * 1 ms: generous, for emulated kernels. */
#define ICMP_WAIT_MS 2000
#define REQUEST	     100

enum { ANSWERED, KEPT, READ, N_CONN };
static const char *const conn_name[N_CONN] = {"answered", "kept", "read"};

static void send_request(struct run *r, int fd, const char *name)
{
	char buf[REQUEST];
	memset(buf, 'q', sizeof(buf));
	char label[40];
	snprintf(label, sizeof(label), "%s: send", name);
	step(r, ON_FD(fd), label, send(fd, buf, sizeof(buf), MSG_NOSIGNAL),
	     "%s: send(%d, %d, MSG_NOSIGNAL)", name, fd, REQUEST);
}

/* SO_ERROR polled (1 ms) until it says something: the read that takes the
 * soft error.  Reads of 0 before it change nothing. */
static int so_error_when_set(int fd, int timeout_ms)
{
	int err = 0;
	for (int i = 0; i <= timeout_ms && err == 0; i++) {
		err = so_error(fd);
		if (err == 0)
			poll_fd(-1, 0, 1);
	}
	return err;
}

/* The ICMP errors the client received for one connection's request, the
 * step "NAME: ICMP in". */
static void observe_icmps(struct run *r, const char *name, long before)
{
	char label[40];
	snprintf(label, sizeof(label), "%s: ICMP in", name);
	observe(r, AT(HOST_CLIENT), label,
		"client ICMP destination-unreachable received for it (delta)", "%+ld",
		client_dest_unreachs(r) - before);
}

SCENARIO(timeout_after_icmp_established, .errno_name = "EHOSTUNREACH", .syscall = "recv",
	 .topology = {.kind = TOPO_ROUTED}, .intrinsic_wait_ms = 900, .order = 465)
{
	struct connection c[N_CONN] = {CONNECTION_NONE, CONNECTION_NONE, CONNECTION_NONE};
	/* Each connection from an address of its own: a router ICMP
	 * rate-limit bucket each (client_own_addrs()). */
	char addr[N_CONN][OWN_ADDR_LEN];
	int status = client_own_addrs(r, N_CONN, addr);
	if (status != RUN_OK)
		return status;
	char was[32];
	if (r->family == AF_INET) {
		if (netns_sysctl_get(&r->topo.router, "net.ipv4.icmp_ratelimit", was, sizeof(was)) <
			    0 ||
		    netns_sysctl_set(&r->topo.router, "net.ipv4.icmp_ratelimit", "1000") < 0)
			return broken_netns(r);
		note(r,
		     "router namespace: net.ipv4.icmp_ratelimit %s -> 1000 (the kernel's "
		     "default): two ICMP errors at once per client address on every kernel",
		     was);
	}
	struct connection_options o[N_CONN];
	for (int i = 0; i < N_CONN; i++)
		o[i] = (struct connection_options){.client_addr = addr[i]};
	status = connection_open(r, &o[0], &c[0]);
	for (int i = 1; i < N_CONN && status == RUN_OK; i++)
		status = connection_add(r, c[0].listener, &o[i], &c[i]);
	if (status != RUN_OK)
		goto out;
	int a = c[ANSWERED].client, k = c[KEPT].client, rd = c[READ].client;
	for (int i = 0; i < N_CONN; i++) {
		set_int_sockopt(r, c[i].client, IPPROTO_TCP, TCP_USER_TIMEOUT, "TCP_USER_TIMEOUT",
				USER_TIMEOUT_MS);
	}
	note_retries2(r);
	if (router_icmp_once(r, addr[KEPT], socket_local_port(k), ICMP_FIRST_ONLY) < 0 ||
	    router_icmp_once(r, addr[READ], socket_local_port(rd), ICMP_FIRST_ONLY) < 0) {
		status = skipped(r, "nftables is not usable in the router namespace: %s",
				 netns_error());
		goto out;
	}
	/* The router loses its way to the server. */
	if (add_router_route(r, ROUTE_UNREACHABLE) < 0) {
		status = broken_netns(r);
		goto out;
	}

	/* kept: the request draws one ICMP error, then silence.  The soft
	 * error shows nowhere: no POLLERR, recv() says only "no data yet". */
	long before = client_dest_unreachs(r);
	send_request(r, k, conn_name[KEPT]);
	if (!wait_dest_unreachs(r, before + 1, ICMP_WAIT_MS))
		note(r, "kept: no ICMP error in %d ms", ICMP_WAIT_MS);
	observe_icmps(r, conn_name[KEPT], before);
	int ev = poll_fd(k, POLLIN, 0);
	observe(r, ON_FD(k), "kept: poll", "kept: poll(POLLIN, 0) revents", "%s",
		ev & POLLERR ? "POLLERR"
		: ev	     ? "readable"
			     : "none");
	char buf[512];
	step(r, ON_FD(k), "kept: recv", recv(k, buf, sizeof(buf), MSG_DONTWAIT),
	     "kept: recv(%d, %zu, MSG_DONTWAIT)", k, sizeof(buf));
	observe_state(r, "kept: state", k);

	/* read: the same, and the client looks at SO_ERROR. */
	before = client_dest_unreachs(r);
	send_request(r, rd, conn_name[READ]);
	int err = so_error_when_set(rd, ICMP_WAIT_MS);
	observe(r, ON_FD(rd), "read: SO_ERROR", "read: getsockopt(SO_ERROR) once it is set", "%s",
		err ? errno_name(err) : "0 (nothing in time)");
	observe_state(r, "read: state", rd);
	wait_dest_unreachs(r, before + 1, ICMP_WAIT_MS);
	observe_icmps(r, conn_name[READ], before);

	/* answered: every transmission reaches the unreachable route, to
	 * the end. */
	before = client_dest_unreachs(r);
	send_request(r, a, conn_name[ANSWERED]);

	/* The three timeouts. */
	for (int i = 0; i < N_CONN; i++) {
		int fd = c[i].client;
		char label[40];
		if (!wait_pending_error(fd, SAFETY_TIMEOUT_S * 1000))
			note(r, "%s: no error in %d s", conn_name[i], SAFETY_TIMEOUT_S);
		snprintf(label, sizeof(label), "%s: recv", conn_name[i]);
		step(r, ON_FD(fd), label, recv(fd, buf, sizeof(buf), MSG_DONTWAIT),
		     "%s: recv(%d, %zu, MSG_DONTWAIT)", conn_name[i], fd, sizeof(buf));
	}
	/* "answered" drew at least two errors, whatever the timers did: its
	 * first transmission and the first RTO retransmission (the timeout
	 * cannot come before it: retransmits_timed_out() is false while
	 * icsk_retransmits is 0), both within its own address's burst of two
	 * (IPv4; ICMPv6 unlimited).  A tail loss probe and later
	 * retransmissions add more as the timers and the rate limit allow:
	 * measured. */
	long icmps = client_dest_unreachs(r) - before;
	measure(r, AT(HOST_CLIENT), "answered: ICMP in",
		"client ICMP destination-unreachable received for it (delta)", "%+ld", icmps);
	observe(r, AT(HOST_CLIENT), "answered: ICMP errors", "answered: ICMP errors received", "%s",
		icmps >= 2 ? "at least 2" : "fewer than 2");
	observe_state(r, "answered: state", a);
	note(r, "the timeout reports sk_err_soft, the last ICMP error still pending, or "
		"ETIMEDOUT when there is none: reading SO_ERROR took it away");
out:
	for (int i = N_CONN - 1; i >= 0; i--)
		connection_close(&c[i]);
	return status;
}
