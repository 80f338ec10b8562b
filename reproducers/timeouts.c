/*
 * ETIMEDOUT, the error of "the server host crashed": nothing comes back
 * and a timer of the client's own gives up.  The router in the middle
 * drops every packet to or from the server (nft, forward chain), as if the
 * server had vanished; no RST and no ICMP error ever reaches the client.
 *
 * timeout-syn-dropped: connect() while SYNs are dropped.  In SYN_SENT the
 * retransmission timer (tcp_retransmit_timer() -> tcp_write_timeout())
 * counts SYN retransmissions against icsk_syn_retries (TCP_SYNCNT) or the
 * namespace's net.ipv4.tcp_syn_retries (default 6: 1+2+4+8+16+32+64 =
 * 127 s), then tcp_write_err() -> tcp_done_with_error(ETIMEDOUT) and
 * __inet_stream_connect() returns sock_error().  TCP_SYNCNT 1: one
 * retransmission after the 1 s initial RTO, failure at the next timeout
 * (2 s later): about 3 s.  Kernels newer than 6.1 (6.5 on) have
 * net.ipv4.tcp_syn_linear_timeouts (default 4): the first SYN
 * retransmissions keep a 1 s RTO instead of doubling; on 6.18 TCP_SYNCNT 1
 * then sends 3 SYNs in the same 3 s.  It is set to 0 in the client
 * namespace where it exists, so that every kernel sends 2 SYNs with a
 * doubling RTO.
 *
 * timeout-peer-vanished, timeout-user-timeout: established connections
 * with unacknowledged data.  tcp_retransmit_timer() -> tcp_write_timeout()
 * bounds retransmission by retransmits_timed_out(sk, tcp_retries2,
 * icsk_user_timeout): with TCP_USER_TIMEOUT, that many ms since
 * tp->retrans_stamp; without it, tcp_model_timeout() turns the namespace's
 * net.ipv4.tcp_retries2 (default 15) into about 924.6 s with a 200 ms RTO
 * base.  tp->retrans_stamp is not the time the data was first sent:
 * tcp_retransmit_skb() sets it to the skb's timestamp after
 * __tcp_retransmit_skb() -> __tcp_transmit_skb() refreshed it, i.e. to the
 * first RTO retransmission (a tail loss probe, tcp_send_loss_probe() ->
 * __tcp_retransmit_skb(), does not set it).  So the error comes
 * TCP_USER_TIMEOUT after the first retransmission timeout, one RTO (more
 * after a tail loss probe) later than tcp(7) suggests;
 * tcp_clamp_rto_to_user_timeout() makes the last timer fire on time.  Then
 * tcp_write_err() -> tcp_done_with_error() sets sk_err = ETIMEDOUT (or a
 * pending soft ICMP error), purges the write queue and tcp_done() moves the
 * socket to CLOSE with both directions shut down.  The error is reported
 * once: by whichever of recv()/send() (sock_error()) or
 * getsockopt(SO_ERROR) reads it first.  After that recv() returns 0 as at
 * end of file (RCV_SHUTDOWN) and send() fails with EPIPE.  A send() blocked
 * for buffer space (sk_stream_wait_memory()) gets ETIMEDOUT from
 * sk_stream_error().  No RST is sent; the server, had it survived, would
 * never learn.
 *
 * timeout-keepalive: an idle connection has nothing to retransmit; only
 * keepalive notices a vanished peer.  tcp_keepalive_timer(): after
 * TCP_KEEPIDLE of silence a probe (tcp_write_wakeup()), then one every
 * TCP_KEEPINTVL; when TCP_KEEPCNT probes went unanswered it sends an RST
 * (tcp_send_active_reset()) and calls tcp_write_err(): ETIMEDOUT from the
 * blocked recv().
 *
 * POSIX: connect() ETIMEDOUT, "Connection establishment timed out without
 * establishing a connection"; recv() ETIMEDOUT, "The connection timed out
 * during connection establishment, or due to a transmission timeout on
 * active connection."  Linux agrees there.  Neither POSIX send() nor
 * send(2) lists ETIMEDOUT, yet a blocked send() returns it.  tcp(7) says
 * TCP_USER_TIMEOUT is "the maximum amount of time ... that transmitted data
 * may remain unacknowledged"; Linux starts that clock at the first
 * retransmission timeout, not at the transmission.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/child.h"
#include "record/harness.h"
#include "lib/packets.h"
#include "lib/connection.h"
#include "lib/sockets.h"

#define USER_TIMEOUT_MS 500
/* A bound on any blocking call here, in case the kernel's timer never
 * fires: the call then returns EAGAIN, which the tests reject. */
#define SAFETY_TIMEOUT_S 10

/* The router drops every packet to or from the server. */
static int server_vanishes(struct run *r)
{
	const char *server = topology_server_addr(&r->topo, r->family);
	const char *l3 = r->family == AF_INET6 ? "ip6" : "ip";
	char ruleset[512];
	snprintf(ruleset, sizeof(ruleset),
		 "table inet sockerr {\n"
		 "  chain forward {\n"
		 "    type filter hook forward priority 0; policy accept;\n"
		 "    %s daddr %s drop\n"
		 "    %s saddr %s drop\n"
		 "  }\n"
		 "}\n",
		 l3, server, l3, server);
	if (netns_nft(&r->topo.router, ruleset) < 0)
		return -1;
	note(r, "router nft forward: drop everything to and from %s", server);
	return 0;
}

static void set_int(struct run *r, int fd, int level, int opt, const char *name, int val)
{
	step(r, setsockopt(fd, level, opt, &val, sizeof(val)), "setsockopt(%d, %s, %d)", fd, name,
	     val);
}

static void safety_timeout(int fd, int opt)
{
	struct timeval tv = {.tv_sec = SAFETY_TIMEOUT_S};
	setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof(tv));
}

/* An elapsed time that is the point of the scenario: the number is a
 * measurement; the class only says whether it came before the chain of
 * `timers` kernel timers that bounds it from below (see
 * lower_bound_class()): load can make it late, never early. */
static void timing(struct run *r, const char *what, double ms, double bound_ms, int timers)
{
	measure(r, "elapsed ms", what, "%.0f", ms);
	char call[160];
	snprintf(call, sizeof(call), "%s, against the lower bound of %.0f ms", what, bound_ms);
	observe(r, "elapsed", call, "%s", lower_bound_class(ms, bound_ms, timers));
}

static const char *revents_str(int ev)
{
	static char buf[64];
	buf[0] = '\0';
	static const struct {
		int bit;
		const char *name;
	} bits[] = {{POLLIN, "POLLIN"},	  {POLLOUT, "POLLOUT"},	    {POLLERR, "POLLERR"},
		    {POLLHUP, "POLLHUP"}, {POLLRDHUP, "POLLRDHUP"}, {POLLNVAL, "POLLNVAL"}};
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (ev & bits[i].bit)
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s",
				 buf[0] ? "|" : "", bits[i].name);
	return buf[0] ? buf : "none (timed out)";
}

static void note_retries2(struct run *r)
{
	char val[32];
	if (netns_sysctl_get(&r->topo.client, "net.ipv4.tcp_retries2", val, sizeof(val)) == 0)
		note(r,
		     "without TCP_USER_TIMEOUT the bound is the client namespace's "
		     "net.ipv4.tcp_retries2 = %s (15: about 924.6 s, tcp_model_timeout() "
		     "with a 200 ms RTO base), not waited for here",
		     val);
}

static void close_all(int *fds, int n)
{
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* ---- timeout-syn-dropped ------------------------------------------------ */

static int timeout_syn_dropped(struct run *r)
{
	if (server_vanishes(r) < 0)
		return skipped(r, "nftables is not usable in the router namespace: %s",
			       netns_error());
	char linear[32];
	if (netns_sysctl_get(&r->topo.client, "net.ipv4.tcp_syn_linear_timeouts", linear,
			     sizeof(linear)) == 0) {
		if (netns_sysctl_set(&r->topo.client, "net.ipv4.tcp_syn_linear_timeouts", "0") < 0)
			return broken_netns(r);
		note(r,
		     "client namespace: net.ipv4.tcp_syn_linear_timeouts %s -> 0 (newer than "
		     "6.1: with 4, the first SYN RTOs stay at 1 s and 6.18 sends 3 SYNs in 3 s)",
		     linear);
	}
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
	set_int(r, *fd, IPPROTO_TCP, TCP_SYNCNT, "TCP_SYNCNT", 1);
	long retrans = netstat_counter(&r->topo.client, "Tcp", "RetransSegs");

	struct sockaddr_storage ss;
	socklen_t len =
		sockaddr_of(r->family, topology_server_addr(&r->topo, r->family), SERVER_PORT, &ss);
	double t = now_ms();
	step(r, connect(*fd, (struct sockaddr *)&ss, len), "connect(%d, %s)", *fd,
	     sockaddr_str((struct sockaddr *)&ss));
	double took = now_ms() - t;
	timing(r, "connect() elapsed: 1 s initial RTO, then 2 s (doubled)", took, 3000, 2);
	observe(r, "state", "getsockopt(TCP_INFO).tcpi_state", "%s",
		tcp_state_name(tcp_state(*fd)));

	int syns = 0;
	struct tcp_segment seg;
	/* Every SYN reached the router before connect() gave up; the short
	 * wait only drains the socket. */
	while (packet_wait_tcp(*pfd, r->family, 0, SERVER_PORT, 100, &seg))
		if (seg.flags & TCPF_SYN)
			syns++;
	observe(r, "SYNs at the router", "SYNs from the client seen on the router's link", "%d",
		syns);
	observe(r, "RetransSegs", "client Tcp RetransSegs (delta)", "%+ld",
		netstat_counter(&r->topo.client, "Tcp", "RetransSegs") - retrans);
	close_all(fds, 2);
	return RUN_OK;
}

/* ---- the clock of TCP_USER_TIMEOUT ------------------------------------- */

/* now_ms() when the unacknowledged data was sent, when the first
 * retransmission timeout fired and when the error was reported. */
struct rto_watch {
	double t_send, t_rto, t_err;
};

/* When the first retransmission timeout fired, on the kernel's clock:
 * -1 before it has.  tcpi_retransmits (icsk_retransmits) leaves 0 when it
 * fires (tail loss probes do not count), and tcpi_last_data_sent is the
 * time since the last data transmission, retransmissions included
 * (tcp_event_data_sent() from __tcp_transmit_skb() sets tp->lsndtime).
 * While tcpi_retransmits is 1 that transmission is the first RTO's, so
 * however late this is sampled, now - tcpi_last_data_sent is when it left
 * (to a jiffy).  Sampled only after a second RTO, the time is the second
 * one's: later, never earlier. */
static double first_rto_at(int fd)
{
	struct tcp_info info;
	socklen_t len = sizeof(info);
	double now = now_ms();
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) < 0 || info.tcpi_retransmits == 0)
		return -1;
	return now - info.tcpi_last_data_sent;
}

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

/* Busy-wait (1 ms polls) until watch_fd reports events, noting when the
 * retransmission timer of sock first fired (first_rto_at()).  Returns the
 * revents of watch_fd, 0 after SAFETY_TIMEOUT_S + 2 s. */
static int watch_until(int sock, int watch_fd, short events, struct rto_watch *w)
{
	w->t_rto = w->t_err = -1;
	double deadline = w->t_send + (SAFETY_TIMEOUT_S + 2) * 1000.0;
	for (;;) {
		int ev = poll_fd(watch_fd, events, 1);
		if (w->t_rto < 0)
			w->t_rto = first_rto_at(sock);
		if (ev) {
			w->t_err = now_ms();
			return ev;
		}
		if (now_ms() > deadline)
			return 0;
	}
}

/* Where the TCP_USER_TIMEOUT clock starts.  The error cannot come before
 * the timer that reports it (load only delays it, and its observation),
 * and the first RTO's time is the kernel's own (first_rto_at()), so an
 * error no earlier than USER_TIMEOUT_MS after the first retransmission
 * says the clock started there, however busy the machine.  Counted from
 * the send it would come one RTO (200 ms or more) earlier. */
static void report_user_timeout_clock(struct run *r, const struct rto_watch *w)
{
	if (w->t_rto < 0 || w->t_err < 0) {
		observe(r, "first RTO", "first retransmission timeout (TCP_INFO tcpi_retransmits)",
			"%s", w->t_err < 0 ? "no error seen" : "none seen");
		return;
	}
	double from_send = w->t_err - w->t_send, from_rto = w->t_err - w->t_rto;
	measure(r, "first RTO ms", "first retransmission timeout, ms after the send", "%.0f",
		w->t_rto - w->t_send);
	measure(r, "error ms", "error, ms after the send", "%.0f", from_send);
	/* Two ticks: the timer's, and tcpi_last_data_sent's jiffy. */
	observe(r, "clock starts",
		"TCP_USER_TIMEOUT counted from (error not before it after the first RTO)", "%s",
		from_rto >= USER_TIMEOUT_MS - 2 * TICK_SLACK_MS
			? "the first retransmission"
			: "before the first retransmission");
	timing(r, "error after the first retransmission timeout", from_rto, USER_TIMEOUT_MS, 2);
	note(r,
	     "the error came %.0f ms after the data was sent: the first RTO retransmission "
	     "(after %.0f ms, a tail loss probe may come before it) sets tp->retrans_stamp, "
	     "and TCP_USER_TIMEOUT runs from there",
	     from_send, w->t_rto - w->t_send);
}

/* ---- timeout-peer-vanished ---------------------------------------------- */

/* Two connections meet the same fate; one reads the error with recv(),
 * the other with getsockopt(SO_ERROR), to show that it is reported once. */
static int timeout_peer_vanished(struct run *r)
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
	step_as(r, "send", send(*c1, buf, 100, MSG_NOSIGNAL), "send(%d, 100, MSG_NOSIGNAL)", *c1);
	step_as(r, "server recv", recv(*a1, buf, sizeof(buf), 0), "server recv(%d, %zu, 0)", *a1,
		sizeof(buf));

	if (!wait_all_acked(*c1, 2000)) {
		status = broken(r, "the server never acknowledged the first request");
		goto out;
	}

	set_int(r, *c1, IPPROTO_TCP, TCP_USER_TIMEOUT, "TCP_USER_TIMEOUT", USER_TIMEOUT_MS);
	set_int(r, *c2, IPPROTO_TCP, TCP_USER_TIMEOUT, "TCP_USER_TIMEOUT", USER_TIMEOUT_MS);
	note_retries2(r);
	if (server_vanishes(r) < 0) {
		status = skipped(r, "nftables is not usable in the router namespace: %s",
				 netns_error());
		goto out;
	}

	struct rto_watch w = {.t_send = now_ms()};
	step_as(r, "send", send(*c1, buf, 100, MSG_NOSIGNAL), "send(%d, 100, MSG_NOSIGNAL)", *c1);
	step_as(r, "send", send(*c2, buf, 100, MSG_NOSIGNAL), "send(%d, 100, MSG_NOSIGNAL)", *c2);

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
	observe(r, "poll", "poll(client, POLLIN) revents", "%s", revents_str(ev));
	racy(r, ANSWERS("POLLERR", "POLLERR|POLLHUP", "POLLIN|POLLERR|POLLHUP"),
	     "poll() samples, without the socket lock, what tcp_done_with_error() writes in "
	     "order: sk_err (POLLERR), TCP_CLOSE (POLLHUP), SHUTDOWN_MASK (POLLIN): POLLERR, "
	     "POLLERR|POLLHUP or POLLIN|POLLERR|POLLHUP");
	report_user_timeout_clock(r, &w);
	step(r, recv(*c1, buf, sizeof(buf), MSG_DONTWAIT), "recv(%d, %zu, MSG_DONTWAIT)", *c1,
	     sizeof(buf));
	observe(r, "SO_ERROR after recv", "getsockopt(SO_ERROR) after recv()", "%s",
		errno_name(so_error(*c1)));
	observe(r, "state", "getsockopt(TCP_INFO).tcpi_state", "%s",
		tcp_state_name(tcp_state(*c1)));

	if (!wait_pending_error(*c2, SAFETY_TIMEOUT_S * 1000))
		note(r, "the second connection reported no error in %d s", SAFETY_TIMEOUT_S);
	observe(r, "SO_ERROR", "second connection: getsockopt(SO_ERROR) first", "%s",
		errno_name(so_error(*c2)));
	step_as(r, "recv after SO_ERROR", recv(*c2, buf, sizeof(buf), MSG_DONTWAIT),
		"second connection: recv(%d, %zu, MSG_DONTWAIT) after SO_ERROR", *c2, sizeof(buf));
	step_as(r, "send after", send(*c2, buf, 1, MSG_NOSIGNAL),
		"second connection: send(%d, 1, MSG_NOSIGNAL)", *c2);

	observe(r, "server state", "server's socket: getsockopt(TCP_INFO).tcpi_state", "%s",
		tcp_state_name(tcp_state(*a1)));
	note(r, "no RST is sent on a retransmission timeout: the server (had it survived) would "
		"keep its connection ESTABLISHED");
out:
	connection_close(&two);
	connection_close(&one);
	return status;
}

/* ---- timeout-keepalive -------------------------------------------------- */

static int timeout_keepalive(struct run *r)
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
	set_int(r, *c, IPPROTO_TCP, TCP_KEEPIDLE, "TCP_KEEPIDLE", 1);
	set_int(r, *c, IPPROTO_TCP, TCP_KEEPINTVL, "TCP_KEEPINTVL", 1);
	set_int(r, *c, IPPROTO_TCP, TCP_KEEPCNT, "TCP_KEEPCNT", 1);
	set_int(r, *c, SOL_SOCKET, SO_KEEPALIVE, "SO_KEEPALIVE", 1);
	double t = now_ms(); /* tcp_set_keepalive() armed the timer: TCP_KEEPIDLE from now */
	safety_timeout(*c, SO_RCVTIMEO);

	char buf[512];
	step(r, recv(*c, buf, sizeof(buf), 0), "recv(%d, %zu, 0) blocking (SO_RCVTIMEO %d s)", *c,
	     sizeof(buf), SAFETY_TIMEOUT_S);
	timing(r,
	       "from SO_KEEPALIVE until recv() failed: TCP_KEEPIDLE 1 s + TCP_KEEPCNT 1 x "
	       "TCP_KEEPINTVL 1 s",
	       now_ms() - t, 2000, 2);
	observe(r, "keepalive probes", "client TcpExt TCPKeepAlive (delta)", "%+ld",
		netstat_counter(&r->topo.client, "TcpExt", "TCPKeepAlive") - probes);
	observe(r, "TCPAbortOnTimeout", "client TcpExt TCPAbortOnTimeout (delta)", "%+ld",
		netstat_counter(&r->topo.client, "TcpExt", "TCPAbortOnTimeout") - aborts);
	observe(r, "state", "getsockopt(TCP_INFO).tcpi_state", "%s", tcp_state_name(tcp_state(*c)));
	observe(r, "server state", "server's socket: getsockopt(TCP_INFO).tcpi_state", "%s",
		tcp_state_name(tcp_state(*a)));
	note(r, "the keepalive timer also sent an RST when it gave up; the router dropped it");
	note(r, "TCP_KEEPIDLE/INTVL/CNT go before SO_KEEPALIVE: on a socket already keeping "
		"alive and idle longer than the new TCP_KEEPIDLE, the first probe leaves at once "
		"and the next waits for the old interval (75 s by default)");
out:
	connection_close(&conn);
	return status;
}

/* ---- timeout-user-timeout ----------------------------------------------- */

/* A writer blocked for room in the send buffer, in a child so that the
 * parent can watch the retransmission timer meanwhile.  The result comes
 * back through the pipe as {ret, errno}. */
static void blocked_send(struct run *r, int c, struct rto_watch *w)
{
	int report;
	pid_t pid = fork_reporter(&report);
	if (pid < 0) {
		note(r, "fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		long res[2];
		res[0] = send(c, "x", 1, MSG_NOSIGNAL);
		res[1] = errno;
		_exit(write(report, res, sizeof(res)) == sizeof(res) ? 0 : 1);
	}
	long res[2];
	if (watch_until(c, report, POLLIN, w) && read(report, res, sizeof(res)) == sizeof(res)) {
		errno = (int)res[1];
		step(r, res[0], "send(%d, 1, MSG_NOSIGNAL) blocking [child]", c);
	} else {
		kill(pid, SIGKILL);
		observe(r, "send", "send(1) blocking [child]", "no result in %d s",
			SAFETY_TIMEOUT_S + 2);
	}
	close(report);
	waitpid(pid, NULL, 0);
}

static int timeout_user_timeout(struct run *r)
{
	struct connection conn = CONNECTION_NONE;
	int *c = &conn.client;
	int status = connection_open(r, NULL, &conn);
	if (status != RUN_OK)
		goto out;
	set_int(r, *c, IPPROTO_TCP, TCP_USER_TIMEOUT, "TCP_USER_TIMEOUT", USER_TIMEOUT_MS);
	safety_timeout(*c, SO_SNDTIMEO);
	note_retries2(r);
	if (server_vanishes(r) < 0) {
		status = skipped(r, "nftables is not usable in the router namespace: %s",
				 netns_error());
		goto out;
	}

	/* Fill the send buffer: nothing will ever be acknowledged. */
	static char chunk[65536];
	long queued = 0, n;
	struct rto_watch w = {.t_send = now_ms()};
	while ((n = send(*c, chunk, sizeof(chunk), MSG_DONTWAIT | MSG_NOSIGNAL)) > 0)
		queued += n;
	step_as(r, "send until full", n, "send(%d, %zu, MSG_DONTWAIT) after %ld bytes queued", *c,
		sizeof(chunk), queued);
	measure(r, "queued bytes", "bytes accepted before the send buffer was full", "%ld", queued);

	blocked_send(r, *c, &w);
	report_user_timeout_clock(r, &w);
	observe(r, "state", "getsockopt(TCP_INFO).tcpi_state", "%s", tcp_state_name(tcp_state(*c)));
	observe(r, "SO_ERROR", "getsockopt(SO_ERROR) after send()", "%s", errno_name(so_error(*c)));
	step_as(r, "send again", send(*c, "x", 1, MSG_NOSIGNAL), "send(%d, 1, MSG_NOSIGNAL)", *c);
out:
	connection_close(&conn);
	return status;
}

SCENARIO(timeout_syn_dropped) = {
	.name = "timeout-syn-dropped",
	.errno_name = "ETIMEDOUT",
	.syscall = "connect",
	.summary = "the router drops every SYN; connect() gives up after TCP_SYNCNT 1 "
		   "(one retransmission, ~3 s)",
	.posix_expects = NULL,
	.kernel_path = "tcp_retransmit_timer() -> tcp_write_timeout() (SYN_SENT: icsk_retransmits "
		       ">= icsk_syn_retries / tcp_syn_retries) -> tcp_write_err() -> "
		       "tcp_done_with_error(ETIMEDOUT); __inet_stream_connect() sock_error()",
	.handling = "back off and free resources: close the socket (it is CLOSE), reconnect "
		    "with backoff; the peer or the path is gone",
	.topology = TOPO_ROUTED,
	.intrinsic_wait_ms = 3000,
	.intrinsic_wait = "two SYN retransmission timeouts: 1 s + 2 s (TCP_TIMEOUT_INIT doubled; "
			  "TCP_SYNCNT 1, tcp_syn_linear_timeouts 0)",
	.order = 450,
	.run = timeout_syn_dropped,
};

SCENARIO(timeout_peer_vanished) = {
	.name = "timeout-peer-vanished",
	.errno_name = "ETIMEDOUT",
	.syscall = "recv",
	.summary = "the server vanishes mid-transfer; retransmissions stop at TCP_USER_TIMEOUT "
		   "500 ms; recv() or SO_ERROR reports ETIMEDOUT, once",
	.posix_expects = NULL,
	.kernel_path = "tcp_retransmit_timer() -> tcp_write_timeout() -> retransmits_timed_out("
		       "tcp_retries2, icsk_user_timeout) -> tcp_write_err() -> "
		       "tcp_done_with_error(); tcp_recvmsg_locked() sock_error()",
	.handling = "back off and free resources: close the socket (it is CLOSE), reconnect "
		    "with backoff; the peer or the path is gone",
	.topology = TOPO_ROUTED,
	.intrinsic_wait_ms = 900,
	.intrinsic_wait = "tail loss probe 2 srtt + 200 ms (one segment out, TCP_RTO_MIN), first "
			  "RTO 200 ms, then TCP_USER_TIMEOUT 500 ms",
	.order = 460,
	.run = timeout_peer_vanished,
};

SCENARIO(timeout_keepalive) = {
	.name = "timeout-keepalive",
	.errno_name = "ETIMEDOUT",
	.syscall = "recv",
	.summary = "an idle connection whose peer vanished; keepalive (1 s idle, 1 probe, 1 s "
		   "interval) fails the blocked recv()",
	.posix_expects = NULL,
	.kernel_path = "tcp_keepalive_timer(): tcp_write_wakeup() probes, then "
		       "tcp_send_active_reset() and tcp_write_err() -> tcp_done_with_error("
		       "ETIMEDOUT); tcp_recvmsg_locked() sock_error()",
	.handling = "back off and free resources: close the socket (it is CLOSE), reconnect "
		    "with backoff; the peer or the path is gone",
	.topology = TOPO_ROUTED,
	.intrinsic_wait_ms = 2000,
	.intrinsic_wait = "keepalive: TCP_KEEPIDLE 1 s + TCP_KEEPCNT 1 x TCP_KEEPINTVL 1 s",
	.order = 470,
	.run = timeout_keepalive,
};

SCENARIO(timeout_user_timeout) = {
	.name = "timeout-user-timeout",
	.errno_name = "ETIMEDOUT",
	.syscall = "send",
	.summary = "TCP_USER_TIMEOUT 500 ms with unacknowledged data: a send() blocked for "
		   "buffer space fails",
	.posix_expects = "POSIX send() and send(2) list no ETIMEDOUT; tcp(7): TCP_USER_TIMEOUT "
			 "is the longest time transmitted data may remain unacknowledged (the "
			 "clock starts at the first retransmission timeout instead)",
	.kernel_path = "tcp_retransmit_timer() -> tcp_write_timeout() -> retransmits_timed_out("
		       "icsk_user_timeout) from tp->retrans_stamp (set by tcp_retransmit_skb()) -> "
		       "tcp_write_err(); sk_stream_wait_memory() -> sk_stream_error() sock_error()",
	.handling = "back off and free resources: close the socket (it is CLOSE), reconnect "
		    "with backoff; the peer or the path is gone",
	.topology = TOPO_ROUTED,
	.intrinsic_wait_ms = 700,
	.intrinsic_wait = "first RTO 200 ms (TCP_RTO_MIN), then TCP_USER_TIMEOUT 500 ms from it",
	.order = 480,
	.run = timeout_user_timeout,
};
