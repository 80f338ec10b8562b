/*
 * timeout-keepalive: a blocked recv() ETIMEDOUT on an idle connection
 * whose server vanished.  ETIMEDOUT is the error of "the server host
 * crashed": nothing comes back and a timer of the client's own gives up.
 * The router in the middle drops every packet to or from the server (nft,
 * forward chain), as if the server had vanished; no RST and no ICMP error
 * ever reaches the client.
 *
 * An idle connection has nothing to retransmit; only keepalive notices a
 * vanished peer.  tcp_keepalive_timer(): after TCP_KEEPIDLE of silence a
 * probe (tcp_write_wakeup()), then one every TCP_KEEPINTVL; when
 * TCP_KEEPCNT probes went unanswered it sends an RST
 * (tcp_send_active_reset()) and calls tcp_write_err(): ETIMEDOUT from the
 * blocked recv().
 *
 * POSIX recv(): ETIMEDOUT, "The connection timed out during connection
 * establishment, or due to a transmission timeout on active connection."
 * Linux agrees.
 *
 * Summary: an idle connection whose peer vanished; keepalive (1 s idle, 1
 *   probe, 1 s interval) fails the blocked recv()
 * Kernel path: tcp_keepalive_timer(): tcp_write_wakeup() probes, then
 *   tcp_send_active_reset() and tcp_write_err() ->
 *   tcp_done_with_error(ETIMEDOUT); tcp_recvmsg_locked() sock_error()
 * Handling: back off and free resources: close the socket (it is CLOSE),
 *   reconnect with backoff; the peer or the path is gone
 * Waits for: keepalive: TCP_KEEPIDLE 1 s + TCP_KEEPCNT 1 x TCP_KEEPINTVL 1 s
 */
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "record/harness.h"
#include "lib/connection.h"
#include "lib/sockets.h"
#include "lib/vanishing_server.h"
#include "lib/sock_observe.h"

SCENARIO(timeout_keepalive, .errno_name = "ETIMEDOUT", .syscall = "recv",
	 .topology = {.kind = TOPO_ROUTED}, .intrinsic_wait_ms = 2000, .order = 470)
{
	struct connection conn = CONNECTION_NONE;
	int *c = &conn.client, *a = &conn.server;
	int status = connection_open(r, NULL, &conn);
	if (status != RUN_OK)
		goto out;
	if (server_vanishes(r) < 0) {
		status = skipped(r, "nftables is not usable in the router namespace: %s",
				 netns_error());
		goto out;
	}
	long probes = netstat_counter(&r->topo.client, "TcpExt", "TCPKeepAlive");
	long aborts = netstat_counter(&r->topo.client, "TcpExt", "TCPAbortOnTimeout");
	/* The parameters first, SO_KEEPALIVE last.  Set on a socket that
	 * already keeps alive, TCP_KEEPIDLE re-arms the timer at once when
	 * the connection has been idle longer than the new value
	 * (tcp_sock_set_keepidle_locked()): the first probe goes out then,
	 * and the next is due after the TCP_KEEPINTVL in force at that moment,
	 * 75 s by default.  Under emulation the handshake is over 1 s old by
	 * now, and recv() met its safety timeout instead. */
	set_int_sockopt(r, *c, IPPROTO_TCP, TCP_KEEPIDLE, "TCP_KEEPIDLE", 1);
	set_int_sockopt(r, *c, IPPROTO_TCP, TCP_KEEPINTVL, "TCP_KEEPINTVL", 1);
	set_int_sockopt(r, *c, IPPROTO_TCP, TCP_KEEPCNT, "TCP_KEEPCNT", 1);
	/* Read before the call: tcp_set_keepalive() arms the timer inside it
	 * (TCP_KEEPIDLE from then); read after, a thread descheduled in
	 * between measures the chain short (1960 ms on a 5.10 guest under
	 * TCG).  The class is judged in jiffies (lib/timer_clock.h). */
	struct timer_clock t = timer_clock_now();
	set_int_sockopt(r, *c, SOL_SOCKET, SO_KEEPALIVE, "SO_KEEPALIVE", 1);
	safety_timeout(*c, SO_RCVTIMEO);

	char buf[512];
	step(r, ON_FD(*c), "recv", recv(*c, buf, sizeof(buf), 0),
	     "recv(%d, %zu, 0) blocking (SO_RCVTIMEO %d s)", *c, sizeof(buf), SAFETY_TIMEOUT_S);
	timer_lower_bound(r, ON_FD(*c),
			  "from SO_KEEPALIVE until recv() failed: TCP_KEEPIDLE 1 s + TCP_KEEPCNT "
			  "1 x TCP_KEEPINTVL 1 s",
			  t, 2000);
	observe(r, AT(HOST_CLIENT), "keepalive probes", "client TcpExt TCPKeepAlive (delta)",
		"%+ld", netstat_counter(&r->topo.client, "TcpExt", "TCPKeepAlive") - probes);
	observe(r, AT(HOST_CLIENT), "TCPAbortOnTimeout", "client TcpExt TCPAbortOnTimeout (delta)",
		"%+ld", netstat_counter(&r->topo.client, "TcpExt", "TCPAbortOnTimeout") - aborts);
	observe_state(r, "state", *c);
	observe(r, AT(HOST_SERVER), "server state",
		"server's socket: getsockopt(TCP_INFO).tcpi_state", "%s",
		tcp_state_name(tcp_state(*a)));
	note(r, "the keepalive timer also sent an RST when it gave up; the router dropped it");
	note(r, "TCP_KEEPIDLE/INTVL/CNT go before SO_KEEPALIVE: on a socket already keeping "
		"alive and idle longer than the new TCP_KEEPIDLE, the first probe leaves at once "
		"and the next waits for the old interval (75 s by default)");
out:
	connection_close(&conn);
	return status;
}
