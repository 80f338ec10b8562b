/*
 * connect-timeout-after-icmp: the router answers a connect()'s SYNs with
 * ICMP destination unreachable, but not all of them: what connect() and
 * SO_ERROR report when the SYN timeout (TCP_SYNCNT 1) ends the attempt
 * after a soft ICMP error, and when the error arrives while no call holds
 * the socket.
 *
 * The router holds an unreachable route for the server (ip_error(): ICMP
 * host unreachable, EHOSTUNREACH; ip6_pkt_discard(): ICMPv6 no route,
 * icmpv6_err_convert(): ENETUNREACH); an nft rule in its prerouting picks
 * which SYNs of each socket reach that route (lib/icmp_once.h).  In
 * SYN_SENT tcp_v4_err()/tcp_v6_err() make the error hard,
 * tcp_done_with_error(), when no call holds the socket, and keep it in
 * sk_err_soft when one does (TcpExt LockDroppedIcmps).  veth delivers
 * synchronously, so the error for a connect()'s first SYN normally comes
 * back while tcp_v4_connect() still owns the socket (router-unreachable
 * shows it for a blocking connect(); there the retransmitted SYN's error
 * is hard).  Here the retransmitted SYN gets no answer, and the SYN
 * timeout ends the attempt: tcp_write_timeout() (SYN_SENT:
 * icsk_retransmits >= icsk_syn_retries) -> tcp_write_err() ->
 * tcp_done_with_error(sk, READ_ONCE(sk->sk_err_soft) ? : ETIMEDOUT)
 * (net/ipv4/tcp_timer.c, 6.1).  sk_getsockopt(SO_ERROR) (net/core/sock.c)
 * returns sock_error(), else xchg(&sk->sk_err_soft, 0).
 *
 * Three sockets, TCP_SYNCNT 1 (two SYNs, 1 s then 2 s: 3 s), one run:
 *  - blocking: only the first SYN answered.  connect() fails at the SYN
 *    timeout with the soft error, EHOSTUNREACH (ENETUNREACH), not ETIMEDOUT;
 *  - read: non-blocking, only the first SYN answered; the program reads
 *    SO_ERROR while it waits: EHOSTUNREACH, with the socket still in
 *    SYN_SENT, the attempt going on; at the timeout SO_ERROR says ETIMEDOUT;
 *  - late: non-blocking, the first SYN dropped, the retransmitted one
 *    answered: the error arrives 1 s later while no call holds the socket,
 *    is hard and ends the attempt at once, before the SYN timeout: POLLERR,
 *    SO_ERROR EHOSTUNREACH (ENETUNREACH), one SYN retransmission.
 * Each socket is bound to an address of its own (client_own_addrs(),
 * lib/icmp_once.h): the router rate-limits its IPv4 errors per destination
 * host, in the inet_peer of the client's address, whose peer->rate_tokens
 * ip_error() (net/ipv4/route.c) and icmp_send()'s icmpv4_xrlim_allow()
 * (net/ipv4/icmp.c) -> inet_peer_xrlim_allow() (net/ipv4/inetpeer.c) both
 * spend; with the router's icmp_ratelimit 0, 6.1 (and 6.12) empty them at
 * each error sent, so sockets sharing one address would get the run's
 * first error and none other for a second (later kernels send five).  One
 * address each, each socket's one answered SYN draws its error on every
 * kernel.
 * Should the first error come back after connect() released the socket
 * (the router's softirq run by ksoftirqd, under load), blocking and read
 * fail at once instead, with the same errno: the complete set, each side
 * tied to the socket's LockDroppedIcmps and to TcpExt TCPAbortOnTimeout
 * (counted by tcp_write_err()), not to a clock.
 *
 * The TCP errors article: "the error returned to the client process is
 * EHOSTUNREACH or ENETUNREACH" and "No route to host (soft error) ... The
 * client will retry multiple times at a scheduled time, an error is
 * returned after a certain number of times".  In SYN_SENT Linux retries
 * only while the error is soft, i.e. when it met connect() holding the
 * socket; an error arriving while no call holds it ends connect() at once
 * (RFC 1122 4.2.3.9 says host and net unreachable must not abort a
 * connection; see icmp-matrix).  POSIX connect(): ETIMEDOUT "Connection
 * establishment timed out", EHOSTUNREACH "The destination host cannot be
 * reached".
 *
 * Summary: the router answers only some SYNs with ICMP unreachable; the SYN
 *   timeout (TCP_SYNCNT 1) reports the soft error, ETIMEDOUT once SO_ERROR
 *   read it; a late error ends a non-blocking connect() at once
 * POSIX expects: the article: on Destination Unreachable the client retries and
 *   reports EHOSTUNREACH/ENETUNREACH after some attempts (Linux retries only
 *   when the error met connect() holding the socket; SO_ERROR reads it while
 *   SYN_SENT and the timeout then says ETIMEDOUT); RFC 1122: host/net
 *   unreachable must not abort a connection
 * Kernel path: router: ip_error() / ip6_pkt_discard(); client: tcp_v4_err() /
 *   tcp_v6_err() SYN_SENT: owned -> sk_err_soft (LockDroppedIcmps), else
 *   tcp_done_with_error(); tcp_write_timeout() -> tcp_write_err() ->
 *   tcp_done_with_error(sk_err_soft ?: ETIMEDOUT); sk_getsockopt(SO_ERROR)
 *   clears sk_err_soft; __inet_stream_connect() sock_error()
 * Handling: back off and free resources: no way to the server; close, try the
 *   host's next address, retry later with backoff; a SO_ERROR read while still
 *   SYN_SENT is no verdict: wait for POLLOUT
 * Waits for: two SYN retransmission timeouts: 1 s + 2 s (TCP_TIMEOUT_INIT
 *   doubled; TCP_SYNCNT 1, tcp_syn_linear_timeouts 0)
 */
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "record/harness.h"
#include "lib/syn_timers.h"
#include "lib/icmp_once.h"
#include "lib/router_reject_route.h"
#include "lib/sock_observe.h"
#include "lib/sockets.h"
#include "lib/vanishing_server.h" /* SAFETY_TIMEOUT_S */

/* Bound of the waits for an ICMP error (veth: well under 1 ms) and for the
 * end of an attempt (3 s by the SYN timers): generous, for emulated
 * kernels. */
#define ICMP_WAIT_MS   2000
#define END_WAIT_MS    (SAFETY_TIMEOUT_S * 1000)
#define SYN_TIMEOUT_MS 3000

enum { LATE, READ, BLOCKING, N_SOCK };
static const char *const sock_name[N_SOCK] = {"late", "read", "blocking"};

/* A client socket bound to its own address (a router ICMP rate-limit
 * bucket of its own: client_own_addrs()) and an ephemeral port (for the
 * router's rule), and TCP_SYNCNT 1; -1 with errno. */
static int bound_socket(struct run *r, const char *addr, int *port)
{
	int fd = tcp_socket_in(&r->topo.client, r->family);
	if (fd < 0)
		return -1;
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(r->family, addr, 0, &ss);
	int one = 1;
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 ||
	    setsockopt(fd, IPPROTO_TCP, TCP_SYNCNT, &one, sizeof(one)) < 0 ||
	    (*port = socket_local_port(fd)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static long lock_dropped(struct run *r)
{
	return netstat_counter(&r->topo.client, "TcpExt", "LockDroppedIcmps");
}

/* connect(fd) to the server, recorded as "NAME: connect"; the client's
 * LockDroppedIcmps around it, *dropped: an ICMP error dropped for the
 * socket lock during the call can only be this socket's (no other socket
 * is owned meanwhile). */
static void connect_watched(struct run *r, int i, int fd, long *dropped, double *took)
{
	struct sockaddr_storage ss;
	socklen_t len =
		sockaddr_of(r->family, topology_server_addr(&r->topo, r->family), SERVER_PORT, &ss);
	char label[40];
	snprintf(label, sizeof(label), "%s: connect", sock_name[i]);
	long before = lock_dropped(r);
	double t = now_ms();
	step(r, ON_FD(fd), label, connect(fd, (struct sockaddr *)&ss, len), "%s: connect(%d, %s)%s",
	     sock_name[i], fd, sockaddr_str((struct sockaddr *)&ss),
	     i == BLOCKING ? "" : ", O_NONBLOCK");
	*took = now_ms() - t;
	*dropped = lock_dropped(r) - before;
}

/* The socket's SYN retransmissions (tcpi_total_retrans: a failed
 * non-blocking connect() is never disconnected, so it is kept). */
static void observe_retrans(struct run *r, int i, int fd)
{
	struct tcp_info info;
	socklen_t len = sizeof(info);
	char label[40];
	snprintf(label, sizeof(label), "%s: SYN retransmissions", sock_name[i]);
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) < 0)
		observe(r, ON_FD(fd), label, "getsockopt(TCP_INFO).tcpi_total_retrans", "%s",
			"unreadable");
	else
		observe(r, ON_FD(fd), label, "getsockopt(TCP_INFO).tcpi_total_retrans", "%u",
			info.tcpi_total_retrans);
}

static void observe_so_error_as(struct run *r, int i, int fd, const char *what)
{
	char label[40], call[96];
	snprintf(label, sizeof(label), "%s: SO_ERROR%s%s", sock_name[i], *what ? " " : "", what);
	snprintf(call, sizeof(call), "%s: getsockopt(SO_ERROR)%s%s", sock_name[i], *what ? " " : "",
		 what);
	int err = so_error(fd);
	observe(r, ON_FD(fd), label, call, "%s", err < 0 ? "getsockopt failed" : errno_name(err));
}

static void observe_dropped(struct run *r, int i, long dropped)
{
	char label[40];
	snprintf(label, sizeof(label), "%s: LockDroppedIcmps", sock_name[i]);
	observe(r, AT(HOST_CLIENT), label,
		"client TcpExt LockDroppedIcmps during its connect() call (delta)", "%+ld",
		dropped);
}

SCENARIO(connect_timeout_after_icmp, .errno_name = "EHOSTUNREACH", .syscall = "connect",
	 .topology = {.kind = TOPO_ROUTED}, .intrinsic_wait_ms = SYN_TIMEOUT_MS, .order = 455)
{
	int syn = syn_timers_exponential(r);
	if (syn != RUN_OK)
		return syn;
	char addr[N_SOCK][OWN_ADDR_LEN];
	int status = client_own_addrs(r, N_SOCK, addr);
	if (status != RUN_OK)
		return status;
	int fd[N_SOCK] = {-1, -1, -1}, port[N_SOCK];
	for (int i = 0; i < N_SOCK; i++)
		if ((fd[i] = bound_socket(r, addr[i], &port[i])) < 0) {
			status = broken(r, "client socket (bind, TCP_SYNCNT): %m");
			close_fds(fd[LATE], fd[READ], fd[BLOCKING]);
			return status;
		}
	if (router_icmp_once(r, addr[LATE], port[LATE], ICMP_ALL_BUT_FIRST) < 0 ||
	    router_icmp_once(r, addr[READ], port[READ], ICMP_FIRST_ONLY) < 0 ||
	    router_icmp_once(r, addr[BLOCKING], port[BLOCKING], ICMP_FIRST_ONLY) < 0) {
		status = skipped(r, "nftables is not usable in the router namespace: %s",
				 netns_error());
		goto out;
	}
	if (add_router_route(r, ROUTE_UNREACHABLE) < 0) {
		status = broken_netns(r);
		goto out;
	}
	for (int i = LATE; i <= READ; i++)
		fcntl(fd[i], F_SETFL, fcntl(fd[i], F_GETFL) | O_NONBLOCK);
	long icmps = client_dest_unreachs(r);
	long aborts = netstat_counter(&r->topo.client, "TcpExt", "TCPAbortOnTimeout");
	long dropped[N_SOCK];
	double took[N_SOCK];

	/* late: the first SYN is dropped silently; nothing comes back yet. */
	connect_watched(r, LATE, fd[LATE], &dropped[LATE], &took[LATE]);

	/* read: the first SYN's error is in before connect() returns (or,
	 * the race lost, just after); SO_ERROR polled (1 ms) until it says
	 * something.  Its reads of 0 change nothing. */
	connect_watched(r, READ, fd[READ], &dropped[READ], &took[READ]);
	observe_dropped(r, READ, dropped[READ]);
	racy(r, ANSWERS("+0", "+1"),
	     "tcp_v4_err()/tcp_v6_err() in SYN_SENT: the first SYN's error meets connect() "
	     "holding the socket when the router's softirq runs inline (+1: soft, the SYN timeout "
	     "reports it) or not, from ksoftirqd under load (+0: hard, connect() fails at once)");
	int err = 0;
	for (int n = 0; n <= ICMP_WAIT_MS && err == 0; n++)
		if ((err = so_error(fd[READ])) == 0)
			poll_fd(-1, 0, 1);
	observe(r, ON_FD(fd[READ]), "read: SO_ERROR while waiting",
		"read: getsockopt(SO_ERROR) once it is set", "%s",
		err ? errno_name(err) : "0 (nothing in time)");
	/* Read after SO_ERROR: SYN_SENT here means it was SYN_SENT then (a
	 * socket never leaves CLOSE for SYN_SENT on its own). */
	observe_state(r, "read: state then", fd[READ]);
	racy_too(r, ANSWERS("SYN_SENT", "CLOSE"));

	/* blocking: connect() sleeps until the SYN timeout (the first error
	 * soft, the second SYN unanswered), or fails at once (the race lost). */
	connect_watched(r, BLOCKING, fd[BLOCKING], &dropped[BLOCKING], &took[BLOCKING]);
	measure(r, ON_FD(fd[BLOCKING]), "blocking: elapsed ms", "blocking: connect() elapsed, ms",
		"%.0f", took[BLOCKING]);
	/* Two timers (1 s, 2 s), each may end a tick early on the wall clock. */
	observe(r, ON_FD(fd[BLOCKING]), "blocking: elapsed",
		"blocking: connect() elapsed, against the SYN timeout's lower bound of 3000 ms",
		"%s", lower_bound_class(took[BLOCKING], SYN_TIMEOUT_MS, 2));
	racy_too(r, ANSWERS("before the bound", "not before the bound"));
	observe_dropped(r, BLOCKING, dropped[BLOCKING]);
	racy_too(r, ANSWERS("+0", "+1"));

	/* late: its retransmitted SYN's error came while no call held it;
	 * read: the SYN timeout, or the hard error long before. */
	for (int i = LATE; i <= READ; i++) {
		char label[40];
		snprintf(label, sizeof(label), "%s: poll", sock_name[i]);
		observe(r, ON_FD(fd[i]), label, "poll() until POLLERR", "%s",
			wait_pending_error(fd[i], END_WAIT_MS) ? "POLLERR" : "no error in time");
		observe_so_error_as(r, i, fd[i], "");
		if (i == READ)
			racy_too(r, ANSWERS("ETIMEDOUT", "0"));
		observe_state(r, i == LATE ? "late: state" : "read: state", fd[i]);
		observe_retrans(r, i, fd[i]);
		if (i == READ)
			racy_too(r, ANSWERS("1", "0"));
	}
	observe_dropped(r, LATE, dropped[LATE]);

	observe(r, AT(HOST_CLIENT), "TCPAbortOnTimeout",
		"client TcpExt TCPAbortOnTimeout (delta): SYN timeouts, tcp_write_err()", "%+ld",
		netstat_counter(&r->topo.client, "TcpExt", "TCPAbortOnTimeout") - aborts);
	racy_too(r, ANSWERS("+0", "+1", "+2"));
	/* Three errors: each socket's one answered SYN. */
	observe(r, AT(HOST_CLIENT), "ICMP in",
		"client ICMP destination-unreachable received (delta)", "%+ld",
		client_dest_unreachs(r) - icmps);
	note(r, "the SYN timeout reports sk_err_soft, the error that met connect() holding the "
		"socket, or ETIMEDOUT once SO_ERROR took it; an error that finds no call holding "
		"the socket ends the attempt at once");
out:
	close_fds(fd[LATE], fd[READ], fd[BLOCKING]);
	return status;
}
