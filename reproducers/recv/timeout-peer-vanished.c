/*
 * timeout-peer-vanished: recv() ETIMEDOUT on an established connection
 * with unacknowledged data whose server vanished mid-transfer.  ETIMEDOUT
 * is the error of "the server host crashed": nothing comes back and a
 * timer of the client's own gives up.  The router in the middle drops
 * every packet to or from the server (nft, forward chain), as if the
 * server had vanished; no RST and no ICMP error ever reaches the client.
 *
 * tcp_retransmit_timer() -> tcp_write_timeout() bounds retransmission by
 * TCP_USER_TIMEOUT (500 ms here) counted from the first retransmission
 * timeout, or by net.ipv4.tcp_retries2 (lib/user_timeout_clock.h says
 * how).  Then tcp_write_err() -> tcp_done_with_error() sets sk_err =
 * ETIMEDOUT (or a pending soft ICMP error), purges the write queue and
 * tcp_done() moves the socket to CLOSE with both directions shut down.
 * The error is reported once: by whichever of recv()/send() (sock_error())
 * or getsockopt(SO_ERROR) reads it first.  After that recv() returns 0 as
 * at end of file (RCV_SHUTDOWN) and send() fails with EPIPE.  No RST is
 * sent; the server, had it survived, would never learn.
 *
 * POSIX recv(): ETIMEDOUT, "The connection timed out during connection
 * establishment, or due to a transmission timeout on active connection."
 * Linux agrees.
 *
 * Summary: the server vanishes mid-transfer; retransmissions stop at
 *   TCP_USER_TIMEOUT 500 ms; recv() or SO_ERROR reports ETIMEDOUT, once
 * Kernel path: tcp_retransmit_timer() -> tcp_write_timeout() ->
 *   retransmits_timed_out(tcp_retries2, icsk_user_timeout) -> tcp_write_err()
 *   -> tcp_done_with_error(); tcp_recvmsg_locked() sock_error()
 * Handling: back off and free resources: close the socket (it is CLOSE),
 *   reconnect with backoff; the peer or the path is gone
 * Waits for: tail loss probe 2 srtt + 200 ms (one segment out, TCP_RTO_MIN),
 *   first RTO 200 ms, then TCP_USER_TIMEOUT 500 ms
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "record/harness.h"
#include "lib/connection.h"
#include "lib/sockets.h"
#include "lib/user_timeout_clock.h"
#include "lib/vanishing_server.h"
#include "lib/sock_observe.h"

/* Busy-wait (1 ms polls) until everything fd sent is acknowledged
 * (TCP_INFO tcpi_unacked 0), so that the router's drop only meets data
 * sent after it. */
static bool wait_all_acked(int fd, int timeout_ms)
{
	for (int i = 0; i < timeout_ms; i++) {
		struct tcp_info info;
		socklen_t len = sizeof(info);
		if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) < 0)
			return false;
		if (info.tcpi_unacked == 0)
			return true;
		poll_fd(-1, 0, 1);
	}
	return false;
}

/* Two connections meet the same fate; one reads the error with recv(),
 * the other with getsockopt(SO_ERROR), to show that it is reported once. */
SCENARIO(timeout_peer_vanished, .errno_name = "ETIMEDOUT", .syscall = "recv",
	 .topology = {.kind = TOPO_ROUTED}, .intrinsic_wait_ms = 900, .order = 460)
{
	struct connection one = CONNECTION_NONE, two = CONNECTION_NONE;
	int *c1 = &one.client, *a1 = &one.server, *c2 = &two.client;
	int status = connection_open(r, NULL, &one);
	if (status == RUN_OK)
		status = connection_add(r, one.listener, NULL, &two);
	if (status != RUN_OK)
		goto out;

	char buf[512];
	memset(buf, 'x', sizeof(buf));
	/* The transfer is under way: a first request gets through. */
	step(r, ON_FD(*c1), "send", send(*c1, buf, 100, MSG_NOSIGNAL),
	     "send(%d, 100, MSG_NOSIGNAL)", *c1);
	step(r, AT(HOST_SERVER), "server recv", recv(*a1, buf, sizeof(buf), 0),
	     "server recv(%d, %zu, 0)", *a1, sizeof(buf));

	if (!wait_all_acked(*c1, 2000)) {
		status = broken(r, "the server never acknowledged the first request");
		goto out;
	}

	set_int_sockopt(r, *c1, IPPROTO_TCP, TCP_USER_TIMEOUT, "TCP_USER_TIMEOUT", USER_TIMEOUT_MS);
	set_int_sockopt(r, *c2, IPPROTO_TCP, TCP_USER_TIMEOUT, "TCP_USER_TIMEOUT", USER_TIMEOUT_MS);
	note_retries2(r);
	if (server_vanishes(r) < 0) {
		status = skipped(r, "nftables is not usable in the router namespace: %s",
				 netns_error());
		goto out;
	}

	struct rto_watch w = {.t_send = now_ms()};
	step(r, ON_FD(*c1), "send", send(*c1, buf, 100, MSG_NOSIGNAL),
	     "send(%d, 100, MSG_NOSIGNAL)", *c1);
	step(r, ON_FD(*c2), "send", send(*c2, buf, 100, MSG_NOSIGNAL),
	     "send(%d, 100, MSG_NOSIGNAL)", *c2);

	/* An event loop waiting for the reply.  Its revents are racy by
	 * construction: the retransmission timer (softirq, another CPU)
	 * writes three things in order, and tcp_poll() reads them without
	 * the socket lock, so a 1 ms sample may fall between any two.
	 * tcp_done_with_error() (net/ipv4/tcp_input.c; "tcp: fix race in
	 * tcp_write_err()", in 6.1.y too): WRITE_ONCE(sk_err), smp_wmb(),
	 * then tcp_done(): tcp_set_state(TCP_CLOSE), then
	 * WRITE_ONCE(sk_shutdown, SHUTDOWN_MASK).  tcp_poll() (net/ipv4/tcp.c):
	 * TCP_CLOSE or SHUTDOWN_MASK -> POLLHUP, RCV_SHUTDOWN -> POLLIN, and
	 * sk_err last, after smp_rmb() -> POLLERR.  So POLLERR comes with
	 * every sample that sees anything, and the whole set is: POLLERR
	 * (sk_err only), POLLERR|POLLHUP (TCP_CLOSE, no shutdown yet) and
	 * POLLIN|POLLERR|POLLHUP (all three). */
	int ev = watch_until(*c1, *c1, POLLIN, &w);
	observe(r, AT(HOST_CLIENT), "poll", "poll(client, POLLIN) revents", "%s",
		poll_revents_text(ev, "none (timed out)"));
	racy(r, ANSWERS("POLLERR", "POLLERR|POLLHUP", "POLLIN|POLLERR|POLLHUP"),
	     "poll() samples, without the socket lock, what tcp_done_with_error() writes in "
	     "order: sk_err (POLLERR), TCP_CLOSE (POLLHUP), SHUTDOWN_MASK (POLLIN): POLLERR, "
	     "POLLERR|POLLHUP or POLLIN|POLLERR|POLLHUP");
	report_user_timeout_clock(r, ON_FD(*c1), &w);
	step(r, ON_FD(*c1), "recv", recv(*c1, buf, sizeof(buf), MSG_DONTWAIT),
	     "recv(%d, %zu, MSG_DONTWAIT)", *c1, sizeof(buf));
	observe(r, ON_FD(*c1), "SO_ERROR after recv", "getsockopt(SO_ERROR) after recv()", "%s",
		errno_name(so_error(*c1)));
	observe_state(r, "state", *c1);

	if (!wait_pending_error(*c2, SAFETY_TIMEOUT_S * 1000))
		note(r, "the second connection reported no error in %d s", SAFETY_TIMEOUT_S);
	observe(r, ON_FD(*c2), "SO_ERROR", "second connection: getsockopt(SO_ERROR) first", "%s",
		errno_name(so_error(*c2)));
	step(r, ON_FD(*c2), "recv after SO_ERROR", recv(*c2, buf, sizeof(buf), MSG_DONTWAIT),
	     "second connection: recv(%d, %zu, MSG_DONTWAIT) after SO_ERROR", *c2, sizeof(buf));
	step(r, ON_FD(*c2), "send after", send(*c2, buf, 1, MSG_NOSIGNAL),
	     "second connection: send(%d, 1, MSG_NOSIGNAL)", *c2);

	observe(r, AT(HOST_SERVER), "server state",
		"server's socket: getsockopt(TCP_INFO).tcpi_state", "%s",
		tcp_state_name(tcp_state(*a1)));
	note(r, "no RST is sent on a retransmission timeout: the server (had it survived) would "
		"keep its connection ESTABLISHED");
out:
	connection_close(&two);
	connection_close(&one);
	return status;
}
