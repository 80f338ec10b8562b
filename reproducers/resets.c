/*
 * The ways an established connection meets an RST, and what the client's
 * recv() makes of it.
 *
 * reset-unread-data: the server closes while the client's request sits
 *   unread in its receive queue.  tcp_close() -> __tcp_close() finds
 *   data_was_unread and, as RFC 2525 section 2.17 asks, answers with
 *   tcp_send_active_reset() instead of a FIN (TcpExtTCPAbortOnClose).
 * reset-linger-zero: the server's abortive close (SO_LINGER {1, 0}):
 *   __tcp_close() -> tcp_disconnect() -> tcp_send_active_reset()
 *   (TcpExtTCPAbortOnData, a misleading name for "aborted by linger 0").
 * reset-peer-rebooted: the server host forgets the connection without a
 *   word, as a crash and reboot would.  A socket in TCP_REPAIR mode closes
 *   silently (__tcp_close() -> tcp_disconnect() takes the tp->repair branch:
 *   sk_err = ECONNABORTED locally, nothing sent); the client's next segment
 *   finds no socket, and tcp_v4_rcv()/tcp_v6_rcv() answer it with
 *   tcp_v4_send_reset()/tcp_v6_send_reset() (Tcp OutRsts).
 * reset-backlog-overflow: net.ipv4.tcp_abort_on_overflow = 1 (IPv6 too):
 *   the final segment of a handshake that finds the accept queue full goes
 *   tcp_check_req() -> syn_recv_sock() (tcp_v4_syn_recv_sock() /
 *   tcp_v6_syn_recv_sock(): sk_acceptq_is_full(), TcpExtListenOverflows)
 *   -> listen_overflow -> embryonic_reset -> req->rsk_ops->send_reset().
 *   The client's connect() had already succeeded on the SYN-ACK.
 * reset-after-eof: the server sends data and FIN, then an RST.  The FIN
 *   moved the client to CLOSE_WAIT, where tcp_reset() records EPIPE, not
 *   ECONNRESET; tcp_done_with_error() purges only the write queue, so the
 *   data stays readable; after it tcp_recvmsg_locked() tests SOCK_DONE (set
 *   by tcp_fin()) before sk_err, so recv() returns 0 for ever and never
 *   reports the reset.
 *
 * In every case the client's tcp_reset() (tcp_input.c) picks the errno by
 * state (SYN_SENT ECONNREFUSED, CLOSE_WAIT EPIPE, otherwise ECONNRESET) and
 * tcp_done_with_error() (6.1 Debian and newer; open-coded in tcp_reset()
 * before) stores it in sk_err, purges the write queue and tcp_done() shuts
 * both directions.  tcp_recvmsg_locked() returns queued data first, then
 * sock_error() once (which clears sk_err), then 0: reading SO_ERROR first
 * consumes the error just the same.
 *
 * POSIX recv(): ECONNRESET "A connection was forcibly closed by a peer."
 * Linux agrees except after EOF (reset-after-eof).
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "record/harness.h"
#include "lib/packets.h"
#include "lib/connection.h"
#include "lib/sockets.h"

#define REQUEST "request"
#define REPLY	"reply"

/* Every fd a scenario opens goes into a slot of fds[], so that one place
 * closes them on every path (a slot the scenario closed itself is -1). */
enum { LFD, CFD, AFD, CAP, EXTRA, N_FDS = EXTRA + 3 };

static int with_fds(struct run *r, int (*body)(struct run *r, int *fds))
{
	int fds[N_FDS];
	for (int i = 0; i < N_FDS; i++)
		fds[i] = -1;
	int status = body(r, fds);
	for (int i = 0; i < N_FDS; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return status;
}

/* The server's own close, recorded; the slot is emptied. */
static void server_close(struct run *r, int *fds, const char *how)
{
	int afd = fds[AFD];
	fds[AFD] = -1;
	step_as(r, "server close", close(afd), "close(%d) %s", afd, how);
}

static int listener(struct run *r, int backlog)
{
	const char *server = topology_server_addr(&r->topo, r->family);
	int lfd = tcp_listen_in(&r->topo.server, r->family, server, SERVER_PORT, backlog);
	if (lfd < 0)
		broken(r, "listen on %s:%d: %m", server, SERVER_PORT);
	return lfd;
}

/* Send msg from one end and wait until the other end has it queued. */
static bool deliver(int from, int to, const char *msg)
{
	size_t len = strlen(msg);
	return send(from, msg, len, MSG_NOSIGNAL) == (ssize_t)len &&
	       (poll_fd(to, POLLIN, 2000) & POLLIN);
}

static const char *revents_str(int revents)
{
	static char buf[96];
	static const struct {
		int bit;
		const char *name;
	} bits[] = {{POLLIN, "POLLIN"},	  {POLLOUT, "POLLOUT"},	    {POLLERR, "POLLERR"},
		    {POLLHUP, "POLLHUP"}, {POLLRDHUP, "POLLRDHUP"}, {POLLNVAL, "POLLNVAL"}};
	buf[0] = 0;
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (revents & bits[i].bit)
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s",
				 buf[0] ? "|" : "", bits[i].name);
	return buf[0] ? buf : "none";
}

/* What the client's socket says once the RST has been processed. */
static void observe_client(struct run *r, int cfd)
{
	observe(r, "client poll", "poll(client, POLLIN|POLLOUT|POLLRDHUP)", "%s",
		revents_str(poll_fd(cfd, POLLIN | POLLOUT | POLLRDHUP, 0)));
	observe(r, "client state", "getsockopt(TCP_INFO).tcpi_state", "%s",
		tcp_state_name(tcp_state(cfd)));
}

static void recv_step(struct run *r, int cfd)
{
	char buf[512];
	step(r, recv(cfd, buf, sizeof(buf), MSG_DONTWAIT), "recv(%d, %zu, MSG_DONTWAIT)", cfd,
	     sizeof(buf));
}

static void observe_so_error(struct run *r, int cfd)
{
	int err = so_error(cfd);
	observe(r, "SO_ERROR", "getsockopt(SO_ERROR)", "%s",
		err < 0 ? "getsockopt failed" : errno_name(err));
}

/* A counter of the server namespace, as the change since before. */
static void observe_counter(struct run *r, const char *label, const char *group, const char *name,
			    long before)
{
	long after = netstat_counter(&r->topo.server, group, name);
	char call[96];
	snprintf(call, sizeof(call), "server %s %s", group, name);
	if (before < 0 || after < 0)
		observe(r, label, call, "absent");
	else
		observe(r, label, call, "%+ld", after - before);
}

/* ---- reset-unread-data ----------------------------------------------- */

/* The server replies, leaves the request unread and closes.  Returns the
 * client fd once its kernel has taken the RST, or -1 (broken). */
static int close_with_unread(struct run *r, int *fds, bool reply)
{
	if (fds[CFD] >= 0)
		close(fds[CFD]);
	fds[CFD] = -1;
	if (connection_to(r, fds[LFD], &fds[CFD], &fds[AFD]) != RUN_OK)
		return -1;
	if (!deliver(fds[CFD], fds[AFD], REQUEST) || (reply && !deliver(fds[AFD], fds[CFD], REPLY)))
		return broken(r, "the request or the reply never arrived"), -1;
	long before = netstat_counter(&r->topo.server, "TcpExt", "TCPAbortOnClose");
	char how[64];
	snprintf(how, sizeof(how), "with %zu bytes unread", strlen(REQUEST));
	server_close(r, fds, how);
	observe_counter(r, "server counter", "TcpExt", "TCPAbortOnClose", before);
	if (!wait_pending_error(fds[CFD], 2000))
		return broken(r, "the client never saw the server's RST"), -1;
	return fds[CFD];
}

static int reset_unread_data_body(struct run *r, int *fds)
{
	if ((fds[LFD] = listener(r, 8)) < 0)
		return RUN_BROKEN;

	note(r, "connection 1: the server replied before closing; the client reads the reply, "
		"then the reset, then EOF");
	int cfd = close_with_unread(r, fds, true);
	if (cfd < 0)
		return RUN_BROKEN;
	observe_client(r, cfd);
	for (int i = 0; i < 3; i++)
		recv_step(r, cfd);

	note(r, "connection 2: nothing to read; SO_ERROR is read first and consumes the error, "
		"so recv() then sees only the shutdown: 0");
	if ((cfd = close_with_unread(r, fds, false)) < 0)
		return RUN_BROKEN;
	observe_so_error(r, cfd);
	recv_step(r, cfd);
	return RUN_OK;
}

static int reset_unread_data(struct run *r)
{
	return with_fds(r, reset_unread_data_body);
}

/* ---- reset-linger-zero ----------------------------------------------- */

static int reset_linger_zero_body(struct run *r, int *fds)
{
	if ((fds[LFD] = listener(r, 8)) < 0)
		return RUN_BROKEN;
	if (connection_to(r, fds[LFD], &fds[CFD], &fds[AFD]) != RUN_OK)
		return RUN_BROKEN;
	int cfd = fds[CFD];
	if (set_linger_abort(fds[AFD]) < 0)
		return broken(r, "SO_LINGER: %m");
	long before = netstat_counter(&r->topo.server, "TcpExt", "TCPAbortOnData");
	server_close(r, fds, "with SO_LINGER {1, 0}");
	observe_counter(r, "server counter", "TcpExt", "TCPAbortOnData", before);
	if (!wait_pending_error(cfd, 2000))
		return broken(r, "the client never saw the server's RST");
	observe_client(r, cfd);
	recv_step(r, cfd);
	recv_step(r, cfd);
	step(r, send(cfd, "x", 1, MSG_NOSIGNAL), "send(%d, 1, MSG_NOSIGNAL)", cfd);
	note(r, "the first recv() reports the reset and clears it; then recv() sees EOF and "
		"send() EPIPE");
	return RUN_OK;
}

static int reset_linger_zero(struct run *r)
{
	return with_fds(r, reset_linger_zero_body);
}

/* ---- reset-peer-rebooted --------------------------------------------- */

static int reset_peer_rebooted_body(struct run *r, int *fds)
{
	if ((fds[LFD] = listener(r, 8)) < 0)
		return RUN_BROKEN;
	if (connection_to(r, fds[LFD], &fds[CFD], &fds[AFD]) != RUN_OK)
		return RUN_BROKEN;
	int cfd = fds[CFD], afd = fds[AFD];
	int client_port = socket_local_port(cfd);
	/* Everything the server sends from here on, as the client receives it
	 * (closed last by with_fds(): packet_release() waits for an RCU grace
	 * period, which would show as a delay between the steps). */
	int cap = fds[CAP] = packet_socket(&r->topo.client, "eth0");
	if (cap < 0)
		return broken(r, "AF_PACKET socket in the client namespace: %m");

	int one = 1;
	if (step_as(r, "server TCP_REPAIR",
		    setsockopt(afd, IPPROTO_TCP, TCP_REPAIR, &one, sizeof(one)),
		    "setsockopt(%d, TCP_REPAIR, 1)", afd) < 0) {
		int err = errno;
		if (err == ENOPROTOOPT || err == EPERM)
			return skipped(r, "TCP_REPAIR unavailable: %s", strerror(err));
		return broken(r, "setsockopt(TCP_REPAIR): %s", strerror(err));
	}
	long segs = netstat_counter(&r->topo.server, "Tcp", "OutSegs");
	long rsts = netstat_counter(&r->topo.server, "Tcp", "OutRsts");
	server_close(r, fds, "in repair mode");
	/* Anything close() sent would have been counted synchronously. */
	observe_counter(r, "server sent at close", "Tcp", "OutSegs", segs);
	int left = tcp_diag_count(&r->topo.server, r->family, SERVER_PORT, client_port,
				  ~(1u << TCP_LISTEN));
	observe(r, "server sockets", "sock_diag: server sockets of this connection", "%d", left);
	observe(r, "client state", "getsockopt(TCP_INFO).tcpi_state", "%s",
		tcp_state_name(tcp_state(cfd)));

	step(r, send(cfd, "hello", 5, MSG_NOSIGNAL), "send(%d, 5, MSG_NOSIGNAL)", cfd);
	struct tcp_segment seg;
	if (packet_wait_tcp(cap, r->family, SERVER_PORT, client_port, 2000, &seg))
		observe(r, "client captured", "first segment from the server after its close", "%s",
			tcp_flags_str(seg.flags));
	else
		observe(r, "client captured", "first segment from the server after its close",
			"none within 2 s");
	if (!wait_pending_error(cfd, 2000))
		return broken(r, "the client never saw an RST");
	observe_counter(r, "server RSTs", "Tcp", "OutRsts", rsts);
	observe_client(r, cfd);
	recv_step(r, cfd);
	step(r, send(cfd, "x", 1, MSG_NOSIGNAL), "send(%d, 1, MSG_NOSIGNAL)", cfd);
	note(r, "the server's close sent nothing (repair mode); the RST answers the client's "
		"next segment, which found no socket");
	return RUN_OK;
}

static int reset_peer_rebooted(struct run *r)
{
	return with_fds(r, reset_peer_rebooted_body);
}

/* ---- reset-backlog-overflow ------------------------------------------ */

/* Wait until the server holds a child socket for the client on port
 * client_port (the handshake completed on its side). */
static bool wait_child(struct run *r, int client_port)
{
	for (int i = 0; i < 2000; i++) {
		int n = tcp_diag_count(&r->topo.server, r->family, SERVER_PORT, client_port,
				       1u << TCP_ESTABLISHED);
		if (n != 0)
			return n > 0;
		poll_fd(-1, 0, 1);
	}
	return false;
}

static int backlog_overflow(struct run *r, int *fds)
{
	const char *server = topology_server_addr(&r->topo, r->family);
	int lfd = fds[LFD] = listener(r, 1);
	if (lfd < 0)
		return RUN_BROKEN;
	/* TCP_DEFER_ACCEPT makes tcp_check_req() drop the bare ACK of each
	 * handshake and keep the request in SYN_RECV until the client's first
	 * data: the stand-in for the network delay that, in a real overflow,
	 * lets several SYNs in before their ACKs.  On veth a handshake
	 * otherwise completes inside connect(), and tcp_conn_request() drops
	 * a SYN once the queue is full, so no ACK could ever find it full. */
	int defer = 10;
	if (setsockopt(lfd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &defer, sizeof(defer)) < 0)
		return broken(r, "TCP_DEFER_ACCEPT: %m");
	long before = netstat_counter(&r->topo.server, "TcpExt", "ListenOverflows");

	/* listen(fd, 1): sk_acceptq_is_full() is ack_backlog > 1, and the SYN
	 * queue takes requests while its length is not above 1.  a and b are
	 * both admitted; a completes (1 queued); c is admitted (1 is not
	 * above 1); b completes (2 queued); c's completion overflows. */
	int a = fds[EXTRA] = tcp_connect_in(&r->topo.client, r->family, server, SERVER_PORT);
	int b = fds[EXTRA + 1] = tcp_connect_in(&r->topo.client, r->family, server, SERVER_PORT);
	if (a < 0 || b < 0)
		return broken(r, "connect to %s:%d: %m", server, SERVER_PORT);
	if (send(a, "a", 1, 0) != 1 || !wait_child(r, socket_local_port(a)))
		return broken(r, "the first client's connection never completed on the server");

	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(r->family, server, SERVER_PORT, &ss);
	int c = fds[CFD] = tcp_socket_in(&r->topo.client, r->family);
	if (c < 0)
		return broken(r, "socket: %m");
	if (step_as(r, "overflowing connect", connect(c, (struct sockaddr *)&ss, len),
		    "connect(%d, %s) [third client]", c, sockaddr_str((struct sockaddr *)&ss)) < 0)
		return RUN_OK;
	observe(r, "client state", "getsockopt(TCP_INFO).tcpi_state", "%s",
		tcp_state_name(tcp_state(c)));

	if (send(b, "b", 1, 0) != 1 || !wait_child(r, socket_local_port(b)))
		return broken(r, "the second client's connection never completed on the server");
	observe(r, "accept queue", "poll(listener, POLLIN)", "%s",
		(poll_fd(lfd, POLLIN, 0) & POLLIN) ? "readable (full, never accepted)"
						   : "not readable");

	step_as(r, "overflowing send", send(c, "c", 1, MSG_NOSIGNAL),
		"send(%d, 1, MSG_NOSIGNAL) [completes the handshake on the server]", c);
	if (!wait_pending_error(c, 2000))
		note(r, "the third client saw no RST within 2 s");
	observe_counter(r, "ListenOverflows", "TcpExt", "ListenOverflows", before);
	observe_client(r, c);
	recv_step(r, c);
	return RUN_OK;
}

static int reset_backlog_overflow(struct run *r)
{
	char old[32] = "0";
	netns_sysctl_get(&r->topo.server, "net/ipv4/tcp_abort_on_overflow", old, sizeof(old));
	if (netns_sysctl_set(&r->topo.server, "net/ipv4/tcp_abort_on_overflow", "1") < 0)
		return broken_netns(r);
	note(r, "server namespace: net.ipv4.tcp_abort_on_overflow = 1 (it governs IPv6 too), "
		"listen(fd, 1), TCP_DEFER_ACCEPT; nothing is ever accepted");
	int status = with_fds(r, backlog_overflow);
	netns_sysctl_set(&r->topo.server, "net/ipv4/tcp_abort_on_overflow", old);
	return status;
}

/* ---- reset-after-eof ------------------------------------------------- */

static int reset_after_eof_body(struct run *r, int *fds)
{
	if ((fds[LFD] = listener(r, 8)) < 0)
		return RUN_BROKEN;
	if (connection_to(r, fds[LFD], &fds[CFD], &fds[AFD]) != RUN_OK)
		return RUN_BROKEN;
	int cfd = fds[CFD], afd = fds[AFD];
	if (!deliver(cfd, afd, REQUEST))
		return broken(r, "the request never reached the server");
	if (send(afd, REPLY, strlen(REPLY), MSG_NOSIGNAL) != (ssize_t)strlen(REPLY))
		return broken(r, "send the reply: %m");
	step_as(r, "server shutdown", shutdown(afd, SHUT_WR),
		"shutdown(%d, SHUT_WR) after %zu "
		"bytes",
		afd, strlen(REPLY));
	if (!(poll_fd(cfd, POLLRDHUP, 2000) & POLLRDHUP))
		return broken(r, "the server's FIN never reached the client");
	observe(r, "client state", "getsockopt(TCP_INFO).tcpi_state [after the FIN]", "%s",
		tcp_state_name(tcp_state(cfd)));
	char how[64];
	snprintf(how, sizeof(how), "with %zu bytes unread", strlen(REQUEST));
	server_close(r, fds, how);
	if (!wait_pending_error(cfd, 2000))
		return broken(r, "the client never saw the server's RST");
	observe_client(r, cfd);
	for (int i = 0; i < 3; i++)
		recv_step(r, cfd);
	observe_so_error(r, cfd);
	note(r, "the client never read before the RST: the reply is still delivered, then EOF; "
		"the reset is only in SO_ERROR, and as EPIPE (tcp_reset() in CLOSE_WAIT)");
	return RUN_OK;
}

static int reset_after_eof(struct run *r)
{
	return with_fds(r, reset_after_eof_body);
}

SCENARIO(reset_unread_data) = {
	.name = "reset-unread-data",
	.errno_name = "ECONNRESET",
	.syscall = "recv",
	.summary = "the server closes with the client's request unread: an RST, not a FIN",
	.posix_expects = NULL,
	.kernel_path = "server: __tcp_close(): data_was_unread -> tcp_send_active_reset() "
		       "(RFC 2525 2.17); client: tcp_reset() -> tcp_done_with_error(ECONNRESET); "
		       "tcp_recvmsg_locked(): queued data first, then sock_error() once, then 0",
	.handling = "fatal: the connection is gone (not a bug in the caller); read what is "
		    "still queued, close, retry on a new connection only if idempotent",
	.order = 360,
	.run = reset_unread_data,
};

SCENARIO(reset_linger_zero) = {
	.name = "reset-linger-zero",
	.errno_name = "ECONNRESET",
	.syscall = "recv",
	.summary = "the server's abortive close (SO_LINGER {1, 0}) sends an RST",
	.posix_expects = NULL,
	.kernel_path = "server: __tcp_close(): SOCK_LINGER with lingertime 0 -> tcp_disconnect() "
		       "-> tcp_send_active_reset(); client: tcp_reset() -> ECONNRESET",
	.handling = "fatal: the connection is gone (not a bug in the caller); close the socket, "
		    "reconnect if the work must go on",
	.order = 370,
	.run = reset_linger_zero,
};

SCENARIO(reset_peer_rebooted) = {
	.name = "reset-peer-rebooted",
	.errno_name = "ECONNRESET",
	.syscall = "recv",
	.summary = "the server forgets the connection silently (TCP_REPAIR close, as a reboot); "
		   "the client's next segment draws an RST",
	.posix_expects = NULL,
	.kernel_path = "server: __tcp_close() -> tcp_disconnect() in repair mode sends nothing; "
		       "tcp_v4_rcv()/tcp_v6_rcv() find no socket -> "
		       "tcp_v4_send_reset()/tcp_v6_send_reset(); client: tcp_reset() -> ECONNRESET",
	.handling =
		"fatal: the connection is gone (not a bug in the caller): the peer lost its state; "
		"close, reconnect and resynchronise (what was in flight is unknown)",
	.order = 380,
	.run = reset_peer_rebooted,
};

SCENARIO(reset_backlog_overflow) = {
	.name = "reset-backlog-overflow",
	.errno_name = "ECONNRESET",
	.syscall = "recv",
	.summary = "tcp_abort_on_overflow=1: a handshake completing into a full accept queue is "
		   "reset after the client's connect() succeeded",
	.posix_expects = NULL,
	.kernel_path = "tcp_check_req() -> tcp_v4_syn_recv_sock()/tcp_v6_syn_recv_sock(): "
		       "sk_acceptq_is_full() (ListenOverflows) -> listen_overflow: "
		       "sysctl_tcp_abort_on_overflow -> req->rsk_ops->send_reset(); client: "
		       "tcp_reset() -> ECONNRESET",
	.handling =
		"back off and free resources: the server is overloaded; close, reconnect after a "
		"delay (a successful connect() does not mean the server accepted)",
	.order = 390,
	.run = reset_backlog_overflow,
};

SCENARIO(reset_after_eof) = {
	.name = "reset-after-eof",
	.errno_name = "ECONNRESET",
	.syscall = "recv",
	.summary = "the server sends data and FIN, then an RST, before the client reads",
	.posix_expects = "recv() fails with ECONNRESET: \"a connection was forcibly closed by a "
			 "peer\"",
	.kernel_path = "tcp_reset() in CLOSE_WAIT sets sk_err = EPIPE; tcp_done_with_error() "
		       "purges only the write queue; tcp_recvmsg_locked() returns the data, then "
		       "tests SOCK_DONE (tcp_fin()) before sk_err: 0 for ever",
	.handling = "fatal: the connection is gone (not a bug in the caller); treat EOF as the "
		    "end, check SO_ERROR to tell an abort from an orderly close",
	.order = 400,
	.run = reset_after_eof,
};
