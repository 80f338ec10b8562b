/*
 * accept-pending-error: an ICMP error reaches a connection that waits in the
 * accept queue.  Does accept() report it?
 *
 * accept(2) says: "Linux accept() passes already-pending network errors on
 * the new socket as an error code from accept()" and lists ENETDOWN,
 * EPROTO, ENOPROTOOPT, EHOSTDOWN, ENONET, EHOSTUNREACH, EOPNOTSUPP,
 * ENETUNREACH.  Linux 6.18 does not (observed here), nor does the 6.1
 * source (read below).
 *
 * Set-up: client - router - server.  The handshake completes, so the child
 * is a full socket in ESTABLISHED (tcp_check_req() -> syn_recv_sock(), then
 * tcp_rcv_state_process() on the final ACK), hashed in the established
 * table, queued on the listener.  The router saw the SYN-ACK (AF_PACKET),
 * so it knows the server's ISN: the child's snd_una == snd_nxt == ISN + 1.
 * From a raw ICMP socket the router sends the server an ICMP error quoting
 * a segment the server sent (server:port -> client:port, seq ISN + 1).
 *
 * What the server's kernel does (net/ipv4/tcp_ipv4.c tcp_v4_err(),
 * net/ipv6/tcp_ipv6.c tcp_v6_err(), read in the 6.1 tree):
 * - __inet_lookup_established() / __inet6_lookup_established() finds the
 *   child (not a request sock: tcp_req_err() is only for NEW_SYN_RECV);
 * - between(seq, snd_una, snd_nxt) holds for ISN + 1, so the error is not
 *   counted as OutOfWindowIcmps;
 * - the errno: IPv4 icmp_err_convert[code] for destination unreachable,
 *   EPROTO for parameter problem; IPv6 icmpv6_err_convert();
 * - in ESTABLISHED (not SYN_SENT/SYN_RECV) RFC 1122 4.2.3.9 applies: the
 *   error is hard only when the socket is not owned by user *and*
 *   inet->recverr / np->recverr is set (IP_RECVERR / IPV6_RECVERR; newer
 *   kernels such as 6.18 spell it inet_test_bit(RECVERR, sk) /
 *   inet6_test_bit(RECVERR6, sk)): sk_err = err and sk_error_report();
 *   otherwise it only goes to sk_err_soft, "an error on timeout".  A queued
 *   child is owned by nobody (no process can reach it yet), so ownership
 *   does not matter here; it would if the ICMP met a socket a syscall holds
 *   (then LockDroppedIcmps counts it and the error is soft even with
 *   RECVERR).  No ip_icmp_error(): nothing goes to the error queue.
 * - The child inherits the listener's recverr: sk_clone_lock() copies the
 *   inet_sock (sock_copy()), tcp_v6_syn_recv_sock() memcpy()s the ipv6_pinfo.
 *
 * Then inet_csk_accept() dequeues the child without looking at sk_err (it
 * only checks the listener's state and queue), so accept() succeeds either
 * way.  The error comes out of: recv() -> tcp_recvmsg_locked(), which
 * returns sock_error() when sk_err is set (RECVERR only); getsockopt
 * (SO_ERROR) -> sk_getsockopt(), which returns sk_err or, when that is 0,
 * xchg(sk_err_soft, 0), so it reports the soft error too and clears it.
 * The scenario therefore reads recv() first, then SO_ERROR: the other order
 * would consume the error before recv() could show where it was.
 *
 * ENETDOWN is in the man page's list, but no ICMP message converts to it
 * (neither icmp_err_convert[] nor icmpv6_err_convert() has it).
 *
 * Summary: an ICMP error hits a connection waiting in the accept queue:
 *   accept() succeeds anyway
 * POSIX expects: the man page (accept(2)): accept() returns the pending network
 *   error (ENETDOWN, EPROTO, ENOPROTOOPT, EHOSTDOWN, ENONET, EHOSTUNREACH,
 *   EOPNOTSUPP, ENETUNREACH)
 * Kernel path: tcp_v4_err() / tcp_v6_err(): in ESTABLISHED the converted error
 *   (icmp_err_convert[], icmpv6_err_convert()) goes to sk_err only with recverr
 *   and the socket not owned by user, else to sk_err_soft; inet_csk_accept()
 *   never looks at sk_err; tcp_recvmsg_locked() reports sk_err,
 *   sk_getsockopt(SO_ERROR) sk_err or sk_err_soft
 * Handling: accept() reports nothing: check the first read/SO_ERROR and close
 *   on error
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "record/harness.h"
#include "lib/icmp_craft.h"
#include "lib/packets.h"
#include "lib/connection.h"
#include "lib/sockets.h"
#include "lib/sock_observe.h"

#define PLAIN_PORT   SERVER_PORT       /* listener without RECVERR */
#define RECVERR_PORT (SERVER_PORT + 1) /* listener with IP_RECVERR / IPV6_RECVERR */

static const struct icmp_error cases4[] = {
	{ICMP4_DEST_UNREACH, ICMP4_NET_UNREACH, 0},	 /* ENETUNREACH */
	{ICMP4_DEST_UNREACH, ICMP4_HOST_UNREACH, 0},	 /* EHOSTUNREACH */
	{ICMP4_DEST_UNREACH, ICMP4_PROT_UNREACH, 0},	 /* ENOPROTOOPT */
	{ICMP4_DEST_UNREACH, ICMP4_SR_FAILED, 0},	 /* EOPNOTSUPP */
	{ICMP4_DEST_UNREACH, ICMP4_HOST_UNKNOWN, 0},	 /* EHOSTDOWN */
	{ICMP4_DEST_UNREACH, ICMP4_HOST_ISOLATED, 0},	 /* ENONET */
	{ICMP4_PARAM_PROBLEM, 0, ICMP_REST_POINTER4(1)}, /* EPROTO (pointer: the TOS byte) */
};

static const struct icmp_error cases6[] = {
	{ICMP6_DEST_UNREACH_T, ICMP6_NO_ROUTE, 0},	 /* ENETUNREACH */
	{ICMP6_DEST_UNREACH_T, ICMP6_ADDR_UNREACH, 0},	 /* EHOSTUNREACH */
	{ICMP6_DEST_UNREACH_T, ICMP6_ADM_PROHIBITED, 0}, /* EACCES */
	{ICMP6_PARAM_PROBLEM, 0, ICMP_REST_VALUE6(1)},	 /* EPROTO (pointer: traffic class) */
};

struct counters {
	long type_in, in_errors, csum_errors, out_of_window, lock_dropped;
};

static void read_counters(struct run *r, uint8_t type, struct counters *c)
{
	const struct netns *ns = &r->topo.server;
	bool v6 = r->family == AF_INET6;
	c->type_in = icmp_in_counter(ns, r->family, type);
	c->in_errors = v6 ? netstat_counter(ns, "snmp6", "Icmp6InErrors")
			  : netstat_counter(ns, "Icmp", "InErrors");
	c->csum_errors = v6 ? netstat_counter(ns, "snmp6", "Icmp6InCsumErrors")
			    : netstat_counter(ns, "Icmp", "InCsumErrors");
	c->out_of_window = netstat_counter(ns, "TcpExt", "OutOfWindowIcmps");
	c->lock_dropped = netstat_counter(ns, "TcpExt", "LockDroppedIcmps");
}

/* Wait (1 ms polls) until icmp_rcv()/icmpv6_rcv() has counted the message,
 * then say what the counters tell about its fate.  veth hands the packet
 * to the server's stack in the sender's own softirq, so by then the TCP
 * error handler has normally run too. */
static const char *icmp_fate(struct run *r, uint8_t type, const struct counters *before,
			     struct counters *after)
{
	double deadline = now_ms() + 1000;
	long seen = before->type_in;
	while (seen <= before->type_in && now_ms() < deadline) {
		seen = icmp_in_counter(&r->topo.server, r->family, type);
		if (seen <= before->type_in)
			poll_fd(-1, 0, 1);
	}
	read_counters(r, type, after);
	if (after->type_in <= before->type_in)
		return after->csum_errors > before->csum_errors ? "dropped: bad checksum"
								: "never counted by the server";
	if (after->lock_dropped > before->lock_dropped)
		return "met the socket owned by user";
	if (after->out_of_window > before->out_of_window)
		return "dropped: out of window";
	if (after->in_errors > before->in_errors)
		return "dropped: no socket or bad quote";
	return "in window, socket not owned";
}

static int recverr_get(int fd, int family)
{
	int v = -1;
	socklen_t len = sizeof(v);
	if (family == AF_INET6)
		getsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &v, &len);
	else
		getsockopt(fd, IPPROTO_IP, IP_RECVERR, &v, &len);
	return v;
}

/* One case on a fresh connection; pkt sees what reaches the router from
 * the server.  *accepted is set when accept() handed over a socket,
 * *requeued when it failed and the listener stayed readable. */
static int one_case(struct run *r, int raw, int pkt, int lfd, int port, bool recverr,
		    const struct icmp_error *e, bool *accepted, bool *requeued)
{
	const char *server = topology_server_addr(&r->topo, r->family);
	char label[32], name[48];
	snprintf(label, sizeof(label), "%s%s", icmp_short_name(r->family, e),
		 recverr ? "+RECVERR" : "");

	int cfd = connect_from_client(r, server, port);
	if (cfd < 0)
		return broken(r, "connect to %s:%d: %m", server, port);
	struct sockaddr_storage local;
	socklen_t llen = sizeof(local);
	getsockname(cfd, (struct sockaddr *)&local, &llen);
	int client_port = ntohs(((struct sockaddr_in *)&local)->sin_port); /* same offset in v6 */

	struct tcp_segment synack;
	bool got = packet_wait_tcp(pkt, r->family, (uint16_t)port, (uint16_t)client_port, 2000,
				   &synack) &&
		   synack.flags == (TCPF_SYN | TCPF_ACK);
	if (!got) {
		close(cfd);
		return broken(r, "the router never saw the server's SYN-ACK");
	}
	if (!(poll_fd(lfd, POLLIN, 2000) & POLLIN)) {
		close(cfd);
		return broken(r, "the connection never reached the accept queue");
	}

	/* A segment the server could have sent next: seq = ISN + 1, the
	 * child's snd_una == snd_nxt. */
	struct tcp_segment quoted = synack;
	quoted.seq = synack.seq + 1;
	quoted.flags = TCPF_ACK;
	struct counters before, after;
	read_counters(r, e->type, &before);
	if (icmp_error_send(raw, e, &quoted) < 0) {
		close(cfd);
		return broken(r, "sending %s from the router: %m", icmp_error_name(r->family, e));
	}
	char call[192];
	snprintf(call, sizeof(call), "router -> server: %s quoting %s:%u > %s:%u seq ISN+1",
		 icmp_error_name(r->family, e), server, port,
		 topology_client_addr(&r->topo, r->family), client_port);
	snprintf(name, sizeof(name), "%s icmp", label);
	observe(r, AT(HOST_ROUTER), name, call, "%s", icmp_fate(r, e->type, &before, &after));

	snprintf(name, sizeof(name), "%s queued", label);
	observe(r, ON_FD(lfd), name, "poll(listener, POLLIN) before accept()", "%s",
		(poll_fd(lfd, POLLIN, 0) & POLLIN) ? "listener readable" : "listener empty");

	snprintf(name, sizeof(name), "%s accept", label);
	int afd = step(r, ON_FD(lfd), name, accept(lfd, NULL, NULL), "accept(%d)", lfd);
	if (afd < 0) {
		*requeued = poll_fd(lfd, POLLIN, 0) & POLLIN;
		close(cfd);
		return RUN_OK;
	}
	*accepted = true;

	snprintf(name, sizeof(name), "%s recverr", label);
	observe(r, ON_FD(afd), name,
		r->family == AF_INET6 ? "getsockopt(IPV6_RECVERR) on the accepted socket"
				      : "getsockopt(IP_RECVERR) on the accepted socket",
		"%s", recverr_get(afd, r->family) == 1 ? "on" : "off");

	snprintf(name, sizeof(name), "%s state", label);
	observe_state(r, name, afd);

	char buf[512];
	snprintf(name, sizeof(name), "%s recv", label);
	step(r, ON_FD(afd), name, recv(afd, buf, sizeof(buf), MSG_DONTWAIT),
	     "recv(%d, %zu, MSG_DONTWAIT)", afd, sizeof(buf));

	snprintf(name, sizeof(name), "%s SO_ERROR", label);
	int err = so_error(afd);
	observe(r, ON_FD(afd), name, "getsockopt(SO_ERROR)", "%s",
		errno_name(err < 0 ? -err : err));

	struct counters end;
	read_counters(r, e->type, &end);
	if (end.lock_dropped != after.lock_dropped)
		note(r, "%s: LockDroppedIcmps rose after the ICMP was counted", label);
	close(afd);
	close(cfd);
	return RUN_OK;
}

SCENARIO(accept_pending_error, .errno_name = "EHOSTUNREACH", .syscall = "accept",
	 .topology = {.kind = TOPO_ROUTED}, .order = 180)
{
	const char *server = topology_server_addr(&r->topo, r->family);
	int lfd = listen_at_server(r, server, PLAIN_PORT, 8);
	int lfd_err = listen_at_server(r, server, RECVERR_PORT, 8);
	if (lfd < 0 || lfd_err < 0)
		return broken(r, "listen on %s: %m", server);
	int one = 1;
	int rc = r->family == AF_INET6
			 ? setsockopt(lfd_err, IPPROTO_IPV6, IPV6_RECVERR, &one, sizeof(one))
			 : setsockopt(lfd_err, IPPROTO_IP, IP_RECVERR, &one, sizeof(one));
	if (rc < 0)
		return broken(r, "setting RECVERR on the listener: %m");
	int raw = icmp_raw_socket(&r->topo.router, r->family);
	if (raw < 0)
		return broken(r, "raw ICMP socket in the router: %m");
	/* One packet socket for every case: binding and closing one waits for
	 * an RCU grace period (synchronize_net()), ~20 ms each. */
	int pkt = packet_socket(&r->topo.router, "to-server");
	if (pkt < 0) {
		close(raw);
		return broken(r, "AF_PACKET socket on the router: %m");
	}

	const struct icmp_error *cases = r->family == AF_INET6 ? cases6 : cases4;
	size_t n = r->family == AF_INET6 ? sizeof(cases6) / sizeof(cases6[0])
					 : sizeof(cases4) / sizeof(cases4[0]);
	bool all_accepted = true, requeued = false;
	double t0 = elapsed_ms(r);
	for (size_t i = 0; i < n; i++)
		for (int v = 0; v < 2; v++) {
			bool accepted = false;
			rc = one_case(r, raw, pkt, v ? lfd_err : lfd, v ? RECVERR_PORT : PLAIN_PORT,
				      v, &cases[i], &accepted, &requeued);
			if (rc != RUN_OK)
				goto out;
			all_accepted &= accepted;
		}
	set_connection(r, all_accepted ? CONNECTION_HANDED_OVER
			  : requeued   ? CONNECTION_STILL_QUEUED
				       : CONNECTION_DEQUEUED_CLOSED);
	note(r, "accept() hands over a child that an ICMP error already hit; the error is soft "
		"(sk_err_soft: only SO_ERROR shows it) unless the listener had RECVERR (sk_err: "
		"the first recv() fails)");
	note(r,
	     "%zu connections, %.0f ms; ENETDOWN, in the man page's list, is produced by no "
	     "ICMP message",
	     2 * n, elapsed_ms(r) - t0);
out:
	close(pkt);
	close(raw);
	close(lfd_err);
	close(lfd);
	return rc;
}
