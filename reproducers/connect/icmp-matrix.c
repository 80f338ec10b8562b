/*
 * icmp-matrix: what every ICMP / ICMPv6 error does to a TCP socket, in
 * SYN_SENT (connect()) and in ESTABLISHED, with and without IP_RECVERR /
 * IPV6_RECVERR.
 *
 * Set-up: client - router - server.  The router's nft forward chain drops
 * the client's SYNs to HELD_PORT, so a connect() there stays in SYN_SENT;
 * an AF_PACKET socket on the router's client-side link sees the SYN (its
 * ISN).  A raw ICMP socket in the router sends the client an error quoting
 * that SYN (seq = ISN: snd_una = ISN, snd_nxt = ISN + 1, so it is in
 * window).  For ESTABLISHED the client connects to a listener on EST_PORT
 * and the quote is the next segment it would send (seq = ISN + 1 =
 * snd_una = snd_nxt).  Every case uses new sockets on one topology.
 *
 * No wait on a timer: after each error the router sends the client an echo
 * request from the same raw socket and the same CPU (the thread is pinned),
 * so it sits in the same backlog queue behind the error; its reply proves
 * the client's softirq has finished with the error.  Only then are poll(),
 * SO_ERROR, recv() and MSG_ERRQUEUE read, so "no error" is an observation,
 * not a timeout.  connect() is non-blocking and the client is in no system
 * call on the socket when the error arrives: the socket is not owned by
 * user, and the LockDroppedIcmps path (the error kept soft because
 * connect() holds the lock, see router-unreachable) cannot apply.
 *
 * The kernel, as read in the 6.1 tree (net/):
 * - ipv4/icmp.c icmp_unreach() (handler of destination unreachable,
 *   source quench, time exceeded, parameter problem): drops codes above
 *   NR_ICMP_UNREACH (15) and time exceeded code 1 (ICMP_EXC_FRAGTIME)
 *   before any transport sees them; frag-needed carries the MTU as info.
 *   icmp_redirect() passes the gateway as info.  icmp_socket_deliver()
 *   calls tcp_v4_err().
 * - ipv4/tcp_ipv4.c tcp_v4_err(): after the window check, redirect ->
 *   do_redirect() (a dst update; here the gateway is the router itself, so
 *   __ip_do_redirect() rejects it) and nothing else; source quench ignored;
 *   parameter problem -> EPROTO; destination unreachable: codes >
 *   NR_ICMP_UNREACH ignored, frag-needed -> tp->mtu_info and
 *   tcp_v4_mtu_reduced() only, others -> icmp_err_convert[code].errno
 *   (ipv4/icmp.c); time exceeded -> EHOSTUNREACH.  The .fatal column of
 *   icmp_err_convert[] is not used by TCP.  In SYN_SENT / SYN_RECV:
 *   ip_icmp_error() (queues the error on sk_error_queue; in this tree it
 *   has no recverr check of its own) and, the socket not owned by user,
 *   tcp_done_with_error(): sk_err, the connection is closed, whatever the
 *   code.  In ESTABLISHED: sk_err + sk_error_report() only with recverr
 *   and not owned by user, else sk_err_soft; ip_icmp_error() is not called.
 * - ipv6/icmp.c icmpv6_rcv(): destination unreachable, packet too big,
 *   time exceeded, parameter problem and every unknown error type (< 128)
 *   go to icmpv6_notify() -> tcp_v6_err().  icmpv6_err_convert(): EPROTO
 *   by default (unknown types, unreachable codes beyond tab_unreach[]),
 *   tab_unreach[code] for destination unreachable (codes 0-6), EMSGSIZE for
 *   packet too big, EPROTO for parameter problem, EHOSTUNREACH for time
 *   exceeded.
 * - ipv6/tcp_ipv6.c tcp_v6_err(): packet too big -> tcp_v6_mtu_reduced()
 *   only; then as IPv4: SYN_SENT -> ipv6_icmp_error() (ipv6/datagram.c:
 *   queues only with np->recverr) and tcp_done_with_error(); ESTABLISHED ->
 *   sk_err with recverr, else sk_err_soft.  fatal is only used for request
 *   socks (tcp_req_err()).
 * - core/sock.c sk_getsockopt(SO_ERROR): sk_err, else xchg(sk_err_soft, 0);
 *   ipv4/tcp.c tcp_recvmsg_locked() returns sock_error() (sk_err only).
 *   Reading the error queue (sock_dequeue_err_skb(), core/skbuff.c) clears
 *   sk_err, so SO_ERROR is read first.
 *
 * POSIX / RFC 1122 4.2.3.9: destination unreachable codes 0, 1 and 5 (net,
 * host unreachable, source route failed) are soft errors and TCP MUST NOT
 * abort the connection for them; Linux aborts a connect() in SYN_SENT for
 * every error it converts.  connect(2) (man page) lists none of EPROTO,
 * ENOPROTOOPT, EHOSTDOWN, ENONET, EOPNOTSUPP, EHOSTUNREACH.
 *
 * Summary: every ICMP/ICMPv6 error from the router against a TCP socket in
 *   SYN_SENT and ESTABLISHED, with and without IP_RECVERR
 * POSIX expects: RFC 1122 4.2.3.9: net/host unreachable and source route failed
 *   are soft errors that must not abort a connection (Linux aborts connect() on
 *   them); connect(2) lists none of EPROTO, ENOPROTOOPT, EHOSTDOWN, ENONET,
 *   EOPNOTSUPP, EHOSTUNREACH
 * Kernel path: icmp_unreach()/icmp_redirect() -> tcp_v4_err():
 *   icmp_err_convert[], EPROTO for parameter problem, EHOSTUNREACH for time
 *   exceeded, PMTU for frag-needed; icmpv6_rcv() -> icmpv6_notify() ->
 *   tcp_v6_err(): icmpv6_err_convert(); SYN_SENT:
 *   ip_icmp_error()/ipv6_icmp_error() and tcp_done_with_error(); ESTABLISHED:
 *   sk_err with recverr, else sk_err_soft
 * Handling: back off and free resources in SYN_SENT (close, next address). On
 *   an established connection a soft error waits in SO_ERROR: if the connection
 *   then times out, the timeout reports it instead of ETIMEDOUT
 *   (tcp_write_err(): sk_err_soft, else ETIMEDOUT); with IP_RECVERR it is hard: the
 *   next recv() or send() fails with it at once (the error queue of an
 *   established socket stays empty)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "record/harness.h"
#include "lib/icmp_craft.h"
#include "lib/packets.h"
#include "lib/connection.h"
#include "lib/sockets.h"

#define EST_PORT  SERVER_PORT	    /* a listener: connections complete */
#define HELD_PORT (SERVER_PORT + 1) /* the router drops SYNs: SYN_SENT */
/* Bound of every state poll (a SYN seen, a handshake, an echo reply):
 * generous, for emulated kernels; each normally takes well under 1 ms. */
#define WAIT_MS 3000
/* ICMP errors per case: SYN_SENT, SYN_SENT+RECVERR, ESTABLISHED,
 * ESTABLISHED+RECVERR. */
#define SENDS_PER_CASE 4
/* The MTU in frag-needed / packet too big: below the links' 1500. */
#define SMALL_MTU 1280

#define ICMP4_ECHO_REQUEST 8
#define ICMP4_ECHO_REPLY   0
#define ICMP6_ECHO_REQUEST 128
#define ICMP6_ECHO_REPLY   129
/* An ICMPv6 error type nobody assigned (RFC 4443: 0-127 are errors;
 * IANA: 5-99 unassigned). */
#define ICMP6_UNASSIGNED_ERROR 99

struct matrix_case {
	uint8_t type, code;
	uint32_t rest;
	const char *name; /* NULL: icmp_short_name() */
};

static const struct matrix_case cases4[] = {
	{ICMP4_DEST_UNREACH, 0, 0, NULL},
	{ICMP4_DEST_UNREACH, 1, 0, NULL},
	{ICMP4_DEST_UNREACH, 2, 0, NULL},
	{ICMP4_DEST_UNREACH, 3, 0, NULL},
	{ICMP4_DEST_UNREACH, 4, ICMP_REST_MTU4(SMALL_MTU), NULL},
	{ICMP4_DEST_UNREACH, 5, 0, NULL},
	{ICMP4_DEST_UNREACH, 6, 0, NULL},
	{ICMP4_DEST_UNREACH, 7, 0, NULL},
	{ICMP4_DEST_UNREACH, 8, 0, NULL},
	{ICMP4_DEST_UNREACH, 9, 0, NULL},
	{ICMP4_DEST_UNREACH, 10, 0, NULL},
	{ICMP4_DEST_UNREACH, 11, 0, NULL},
	{ICMP4_DEST_UNREACH, 12, 0, NULL},
	{ICMP4_DEST_UNREACH, 13, 0, NULL},
	{ICMP4_DEST_UNREACH, 14, 0, NULL},
	{ICMP4_DEST_UNREACH, 15, 0, NULL},
	{ICMP4_DEST_UNREACH, 16, 0, "code-16"}, /* unassigned, > NR_ICMP_UNREACH */
	{ICMP4_TIME_EXCEEDED, 0, 0, NULL},
	{ICMP4_TIME_EXCEEDED, 1, 0, "reassembly-time"},
	{ICMP4_PARAM_PROBLEM, 0, ICMP_REST_POINTER4(1), NULL}, /* pointer: the TOS byte */
	{ICMP4_SOURCE_QUENCH, 0, 0, NULL},
	{ICMP4_REDIRECT, 1, 0, "redirect-host"}, /* gateway: set at run time */
};

static const struct matrix_case cases6[] = {
	{ICMP6_DEST_UNREACH_T, 0, 0, NULL},
	{ICMP6_DEST_UNREACH_T, 1, 0, NULL},
	{ICMP6_DEST_UNREACH_T, 2, 0, NULL},
	{ICMP6_DEST_UNREACH_T, 3, 0, NULL},
	{ICMP6_DEST_UNREACH_T, 4, 0, NULL},
	{ICMP6_DEST_UNREACH_T, 5, 0, NULL},
	{ICMP6_DEST_UNREACH_T, 6, 0, NULL},
	{ICMP6_DEST_UNREACH_T, 7, 0, "srh-error"},	  /* RFC 8554 */
	{ICMP6_DEST_UNREACH_T, 8, 0, "headers-too-long"}, /* RFC 8883 */
	{ICMP6_PACKET_TOO_BIG, 0, ICMP_REST_VALUE6(SMALL_MTU), NULL},
	{ICMP6_TIME_EXCEEDED, 0, 0, NULL},
	{ICMP6_TIME_EXCEEDED, 1, 0, "reassembly-time"},
	{ICMP6_PARAM_PROBLEM, 0, ICMP_REST_VALUE6(1), NULL}, /* pointer: traffic class */
	{ICMP6_UNASSIGNED_ERROR, 0, 0, NULL},
};

/* The facts recorded for each case, in order: the case is "TYPE/CODE
 * NAME", the step label the phase (the step's key "TYPE/CODE NAME: PHASE"),
 * the columns of the run's table. */
enum phase {
	P_SYN,	       /* SYN_SENT: poll() + SO_ERROR */
	P_SYN_ERRQ,    /* SYN_SENT: MSG_ERRQUEUE, no RECVERR */
	P_SYN_RE_ERRQ, /* SYN_SENT with RECVERR: MSG_ERRQUEUE */
	P_EST,	       /* ESTABLISHED: recv(), SO_ERROR */
	P_EST_RE,      /* ESTABLISHED with RECVERR: recv(), SO_ERROR */
	P_EST_RE_ERRQ, /* ESTABLISHED with RECVERR: MSG_ERRQUEUE */
	P_ICMP,	       /* the client's counters: every error delivered */
	N_PHASES
};

static const char *const phase_names[N_PHASES] = {
	"syn-sent",	    "syn-sent errq", "syn+recverr errq", "established", "est+recverr",
	"est+recverr errq", "icmp",
};

struct matrix {
	struct run *r;
	int raw; /* router: raw ICMP socket, sends the errors and the echo fences */
	int pkt; /* router: AF_PACKET on "to-client", sees the client's SYNs */
	int lfd; /* server: listener on EST_PORT */
	uint16_t echo_id, echo_seq;
	const char *client, *server;
};

struct counters {
	long type_in, in_errors, out_of_window, lock_dropped;
};

static void read_counters(struct matrix *m, uint8_t type, struct counters *c)
{
	const struct netns *ns = &m->r->topo.client;
	bool v6 = m->r->family == AF_INET6;
	c->type_in = icmp_in_counter(ns, m->r->family, type);
	c->in_errors = v6 ? netstat_counter(ns, "snmp6", "Icmp6InErrors")
			  : netstat_counter(ns, "Icmp", "InErrors");
	c->out_of_window = netstat_counter(ns, "TcpExt", "OutOfWindowIcmps");
	c->lock_dropped = netstat_counter(ns, "TcpExt", "LockDroppedIcmps");
}

static int set_recverr(int fd, int family)
{
	int one = 1;
	return family == AF_INET6 ? setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &one, sizeof(one))
				  : setsockopt(fd, IPPROTO_IP, IP_RECVERR, &one, sizeof(one));
}

/* The echo fence: true once the client has answered an echo request sent
 * after everything else the router sent it (see the header). */
static bool fence(struct matrix *m)
{
	bool v6 = m->r->family == AF_INET6;
	uint16_t seq = ++m->echo_seq;
	/* icmp_error_build() writes any ICMP header; the "quote" after it is
	 * simply the echo's data, which the reply carries back. */
	struct icmp_error echo = {v6 ? ICMP6_ECHO_REQUEST : ICMP4_ECHO_REQUEST, 0,
				  (uint32_t)m->echo_id << 16 | seq};
	struct tcp_segment to;
	memset(&to, 0, sizeof(to));
	to.family = m->r->family;
	segment_addr(to.family, m->client, &to.src);
	segment_addr(to.family, m->server, &to.dst);
	if (icmp_error_send(m->raw, &echo, &to) < 0)
		return false;
	double deadline = now_ms() + WAIT_MS;
	for (;;) {
		int left = (int)(deadline - now_ms());
		if (left <= 0 || !(poll_fd(m->raw, POLLIN, left) & POLLIN))
			return false;
		uint8_t buf[2048];
		ssize_t n = recv(m->raw, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0)
			continue;
		const uint8_t *icmp = buf;
		size_t len = (size_t)n;
		if (!v6) { /* raw IPv4 sockets receive the IP header too */
			size_t hl = (size_t)(buf[0] & 0x0f) * 4;
			if (len < hl)
				continue;
			icmp += hl;
			len -= hl;
		}
		if (len < 8 || icmp[0] != (v6 ? ICMP6_ECHO_REPLY : ICMP4_ECHO_REPLY))
			continue;
		if ((icmp[4] << 8 | icmp[5]) == m->echo_id && (icmp[6] << 8 | icmp[7]) == seq)
			return true;
	}
}

/* Wait for the client's SYN from local port sport to dport. */
static bool wait_syn(struct matrix *m, int sport, int dport, struct tcp_segment *syn)
{
	double deadline = now_ms() + WAIT_MS;
	for (;;) {
		int left = (int)(deadline - now_ms());
		if (left <= 0 || !packet_wait_tcp(m->pkt, m->r->family, (uint16_t)sport,
						  (uint16_t)dport, left, syn))
			return false;
		if (syn->flags == TCPF_SYN)
			return true;
	}
}

static const char *origin_name(uint8_t origin)
{
	switch (origin) {
	case SO_EE_ORIGIN_NONE: return "none";
	case SO_EE_ORIGIN_LOCAL: return "local";
	case SO_EE_ORIGIN_ICMP: return "icmp";
	case SO_EE_ORIGIN_ICMP6: return "icmp6";
	}
	return "other";
}

/* recvmsg(MSG_ERRQUEUE): "empty", or the first message's extended error;
 * cell, its form in the table: "-" when empty, the errno when the message
 * names the case's own type and code, else "TYPE/CODE ERRNO" (empty where
 * the whole value should show). */
static void read_errqueue(int fd, int family, const struct icmp_error *e, char *out, size_t len,
			  char *cell, size_t clen)
{
	cell[0] = '\0';
	char data[256];
	union {
		char buf[512];
		struct cmsghdr align;
	} control;
	struct iovec iov = {.iov_base = data, .iov_len = sizeof(data)};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = control.buf,
			     .msg_controllen = sizeof(control.buf)};
	if (recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) {
		snprintf(out, len, "%s", errno == EAGAIN ? "empty" : errno_name(errno));
		if (errno == EAGAIN)
			snprintf(cell, clen, "-");
		return;
	}
	int level = family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP;
	int type = family == AF_INET6 ? IPV6_RECVERR : IP_RECVERR;
	snprintf(out, len, "a message without an extended error");
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != level || c->cmsg_type != type)
			continue;
		struct sock_extended_err ee;
		memcpy(&ee, CMSG_DATA(c), sizeof(ee));
		snprintf(out, len, "origin %s, type %u, code %u, errno %s",
			 origin_name(ee.ee_origin), ee.ee_type, ee.ee_code,
			 errno_name((int)ee.ee_errno));
		if (ee.ee_type == e->type && ee.ee_code == e->code)
			snprintf(cell, clen, "%s", errno_name((int)ee.ee_errno));
		else
			snprintf(cell, clen, "%u/%u %s", ee.ee_type, ee.ee_code,
				 errno_name((int)ee.ee_errno));
		break;
	}
	/* A second message would be a surprise worth seeing. */
	msg.msg_controllen = sizeof(control.buf);
	if (recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) >= 0) {
		size_t used = strlen(out);
		snprintf(out + used, len - used, "; and more");
		cell[0] = '\0';
	}
}

static int nonblocking_socket(struct matrix *m, bool recverr)
{
	int fd = tcp_socket_in(&m->r->topo.client, m->r->family);
	if (fd < 0)
		return -1;
	if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0 || (recverr && set_recverr(fd, m->r->family) < 0)) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/* connect() without waiting; the port it was given, or -1. */
static int start_connect(struct matrix *m, int fd, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(m->r->family, m->server, port, &ss);
	if (connect(fd, (struct sockaddr *)&ss, len) < 0 && errno != EINPROGRESS)
		return -1;
	return socket_local_port(fd);
}

static int send_error(struct matrix *m, const struct icmp_error *e, const struct tcp_segment *q)
{
	if (icmp_error_send(m->raw, e, q) < 0)
		return broken(m->r, "sending %s from the router: %m",
			      icmp_error_name(m->r->family, e));
	if (!fence(m))
		return broken(m->r, "the client never answered the echo sent after %s",
			      icmp_error_name(m->r->family, e));
	return RUN_OK;
}

/* What one socket of a case showed: the step's value and its table cell
 * (empty: the value), the error queue's likewise, and the call shown. */
struct seen {
	char value[128], cell[40];
	char errq[128], errq_cell[40];
	char call[192];
};

/* SYN_SENT: the error quotes the held SYN.  value: the errno poll() and
 * SO_ERROR report ("no error" when poll() shows none). */
static int syn_sent(struct matrix *m, const struct icmp_error *e, bool recverr, struct seen *out)
{
	struct run *r = m->r;
	int fd = nonblocking_socket(m, recverr);
	if (fd < 0)
		return broken(r, "client socket: %m");
	int port = start_connect(m, fd, HELD_PORT);
	struct tcp_segment syn;
	if (port < 0 || !wait_syn(m, port, HELD_PORT, &syn)) {
		close(fd);
		return broken(r, "the router never saw the client's SYN to port %d: %m", HELD_PORT);
	}
	int rc = send_error(m, e, &syn);
	if (rc != RUN_OK) {
		close(fd);
		return rc;
	}
	int revents = poll_fd(fd, POLLOUT, 0);
	const char *state = tcp_state_name(tcp_state(fd));
	int err = so_error(fd);
	if (err < 0)
		err = -err;
	if (revents & POLLERR)
		snprintf(out->value, sizeof(out->value), "%s", errno_name(err));
	else if (err)
		snprintf(out->value, sizeof(out->value), "no POLLERR, SO_ERROR %s",
			 errno_name(err));
	else
		snprintf(out->value, sizeof(out->value), "no error");
	out->cell[0] = '\0';
	read_errqueue(fd, r->family, e, out->errq, sizeof(out->errq), out->errq_cell,
		      sizeof(out->errq_cell));
	snprintf(out->call, sizeof(out->call),
		 "connect(%s:%d, O_NONBLOCK)%s, router -> client %s quoting the SYN (seq ISN), "
		 "then poll() + getsockopt(SO_ERROR): state %s",
		 m->server, HELD_PORT, recverr ? " with RECVERR" : "",
		 icmp_error_name(r->family, e), state);
	close(fd);
	return RUN_OK;
}

/* An ESTABLISHED socket's cell: "hard E" when recv() failed with E, "soft
 * E" when only SO_ERROR had it, "none"; empty when recv() got data or EOF
 * (the value says which). */
static void hardness(int recv_err, bool recv_failed, int so_err, char *cell, size_t len)
{
	bool hard = recv_failed && recv_err != EAGAIN, soft = so_err != 0;
	if (!recv_failed)
		cell[0] = '\0';
	else if (hard && soft)
		snprintf(cell, len, "hard %s, then %s", errno_name(recv_err), errno_name(so_err));
	else if (hard)
		snprintf(cell, len, "hard %s", errno_name(recv_err));
	else if (soft)
		snprintf(cell, len, "soft %s", errno_name(so_err));
	else
		snprintf(cell, len, "none");
}

/* ESTABLISHED: the error quotes the client's next segment (seq ISN + 1).
 * value: recv()'s and then SO_ERROR's result; the error queue is read when
 * read_errq. */
static int established(struct matrix *m, const struct icmp_error *e, bool recverr, bool read_errq,
		       struct seen *out)
{
	struct run *r = m->r;
	int fd = nonblocking_socket(m, recverr);
	if (fd < 0)
		return broken(r, "client socket: %m");
	int port = start_connect(m, fd, EST_PORT);
	struct tcp_segment syn;
	int afd = -1, rc = RUN_OK;
	if (port < 0 || !wait_syn(m, port, EST_PORT, &syn)) {
		rc = broken(r, "the router never saw the client's SYN to port %d: %m", EST_PORT);
		goto out;
	}
	if (!(poll_fd(fd, POLLOUT, WAIT_MS) & POLLOUT) || so_error(fd) != 0 ||
	    !(poll_fd(m->lfd, POLLIN, WAIT_MS) & POLLIN) ||
	    (afd = accept(m->lfd, NULL, NULL)) < 0) {
		rc = broken(r, "connection to %s:%d never completed: %m", m->server, EST_PORT);
		goto out;
	}
	struct tcp_segment next = syn;
	next.seq = syn.seq + 1;
	next.flags = TCPF_ACK;
	rc = send_error(m, e, &next);
	if (rc != RUN_OK)
		goto out;
	char buf[64];
	ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	int recv_err = n < 0 ? errno : 0;
	const char *recv_result = n < 0 ? errno_name(recv_err) : n == 0 ? "EOF" : "data";
	int err = so_error(fd);
	if (err < 0)
		err = -err;
	snprintf(out->value, sizeof(out->value), "recv %s, SO_ERROR %s", recv_result,
		 errno_name(err));
	hardness(recv_err, n < 0, err, out->cell, sizeof(out->cell));
	if (read_errq)
		read_errqueue(fd, r->family, e, out->errq, sizeof(out->errq), out->errq_cell,
			      sizeof(out->errq_cell));
	snprintf(out->call, sizeof(out->call),
		 "connected to %s:%d%s, router -> client %s quoting seq ISN+1, then "
		 "recv(MSG_DONTWAIT), getsockopt(SO_ERROR)%s",
		 m->server, EST_PORT, recverr ? " with RECVERR" : "", icmp_error_name(r->family, e),
		 read_errq ? ", recvmsg(MSG_ERRQUEUE)" : "");
out:
	if (afd >= 0)
		close(afd);
	close(fd);
	return rc;
}

/* A step of the case, with its table cell when it has one. */
static void observe_cell(struct run *r, enum phase p, const char *call, const char *value,
			 const char *cell)
{
	observe(r, AT(HOST_CLIENT), phase_names[p], call, "%s", value);
	if (cell[0])
		table_cell(r, "%s", cell);
}

static const char *const delivered = "all counted by the client, none out of window";

static const char *delivery(const struct counters *b, const struct counters *a)
{
	if (a->type_in - b->type_in != SENDS_PER_CASE)
		return "not every error was counted by the client";
	if (a->out_of_window != b->out_of_window)
		return "out of window";
	if (a->lock_dropped != b->lock_dropped)
		return "met a socket owned by user";
	if (a->in_errors != b->in_errors)
		return "counted as InErrors (no socket or bad quote)";
	return delivered;
}

/* The case's four sockets (SYN_SENT and ESTABLISHED, each without and
 * with RECVERR), recorded as the steps of case "TYPE/CODE NAME". */
static int case_steps(struct matrix *m, const struct icmp_error *e, uint8_t type)
{
	struct run *r = m->r;
	struct counters before, after;
	read_counters(m, type, &before);
	struct seen seen;
	int rc = syn_sent(m, e, false, &seen);
	if (rc != RUN_OK)
		return rc;
	observe_cell(r, P_SYN, seen.call, seen.value, seen.cell);
	observe_cell(r, P_SYN_ERRQ, "recvmsg(MSG_ERRQUEUE) on that socket (no RECVERR)", seen.errq,
		     seen.errq_cell);

	rc = syn_sent(m, e, true, &seen);
	if (rc != RUN_OK)
		return rc;
	observe_cell(r, P_SYN_RE_ERRQ, seen.call, seen.errq, seen.errq_cell);

	rc = established(m, e, false, false, &seen);
	if (rc != RUN_OK)
		return rc;
	observe_cell(r, P_EST, seen.call, seen.value, seen.cell);

	rc = established(m, e, true, true, &seen);
	if (rc != RUN_OK)
		return rc;
	observe_cell(r, P_EST_RE, seen.call, seen.value, seen.cell);
	observe_cell(r, P_EST_RE_ERRQ, "recvmsg(MSG_ERRQUEUE) on that socket", seen.errq,
		     seen.errq_cell);

	read_counters(m, type, &after);
	char call[192];
	snprintf(call, sizeof(call),
		 "the client's %s counter and TcpExt OutOfWindowIcmps, LockDroppedIcmps, "
		 "InErrors over the case's %d errors",
		 icmp_type_name(r->family, type), SENDS_PER_CASE);
	const char *how = delivery(&before, &after);
	observe_cell(r, P_ICMP, call, how, how == delivered ? "ok" : "");
	return RUN_OK;
}

static int one_case(struct matrix *m, const struct matrix_case *c)
{
	struct run *r = m->r;
	struct icmp_error e = {c->type, c->code, c->rest};
	if (r->family == AF_INET && c->type == ICMP4_REDIRECT) {
		/* The gateway is the router itself: __ip_do_redirect() rejects
		 * new_gw == old_gw, so the client's routes stay as they are. */
		struct in_addr gw;
		inet_pton(AF_INET, topology_router_addr(&r->topo, AF_INET, false), &gw);
		e.rest = ntohl(gw.s_addr);
	}
	begin_case(r, "%u/%u %s", c->type, c->code,
		   c->name ? c->name : icmp_short_name(r->family, &e));
	int rc = case_steps(m, &e, c->type);
	end_case(r);
	return rc;
}

static int router_holds_syns(struct run *r)
{
	char ruleset[512];
	snprintf(ruleset, sizeof(ruleset),
		 "table inet sockerr {\n"
		 "  chain forward {\n"
		 "    type filter hook forward priority 0; policy accept;\n"
		 "    %s daddr %s tcp dport %d drop\n"
		 "  }\n"
		 "}\n",
		 r->family == AF_INET6 ? "ip6" : "ip", topology_server_addr(&r->topo, r->family),
		 HELD_PORT);
	return netns_nft(&r->topo.router, ruleset);
}

SCENARIO(icmp_matrix, .errno_name = "EHOSTUNREACH", .syscall = "connect",
	 .topology = {.kind = TOPO_ROUTED}, .order = 530)
{
	struct matrix m = {
		.r = r,
		.raw = -1,
		.pkt = -1,
		.lfd = -1,
		.echo_id = (uint16_t)getpid(),
		.client = topology_client_addr(&r->topo, r->family),
		.server = topology_server_addr(&r->topo, r->family),
	};
	if (router_holds_syns(r) < 0)
		return skipped(r, "nftables is not usable in the router namespace: %s",
			       netns_error());
	m.lfd = listen_at_server(r, m.server, EST_PORT, 16);
	m.raw = icmp_raw_socket(&r->topo.router, r->family);
	/* One packet socket for all cases: each bind/close costs an RCU
	 * grace period. */
	m.pkt = packet_socket(&r->topo.router, "to-client");
	int rc = RUN_OK;
	if (m.lfd < 0 || m.raw < 0 || m.pkt < 0) {
		rc = broken(r, "listener, raw ICMP socket or packet socket: %m");
		goto out;
	}

	/* Pinned, the error and the echo behind it enter one CPU's backlog
	 * in order (see the header); the mask is restored afterwards. */
	cpu_set_t saved, one;
	bool pinned = false;
	int cpu = sched_getcpu();
	if (cpu >= 0 && sched_getaffinity(0, sizeof(saved), &saved) == 0) {
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		pinned = sched_setaffinity(0, sizeof(one), &one) == 0;
	}
	if (!pinned)
		note(r, "could not pin the thread to one CPU: the echo fence may race");

	const struct matrix_case *cases = r->family == AF_INET6 ? cases6 : cases4;
	size_t n = r->family == AF_INET6 ? sizeof(cases6) / sizeof(cases6[0])
					 : sizeof(cases4) / sizeof(cases4[0]);
	double t0 = elapsed_ms(r);
	for (size_t i = 0; i < n && rc == RUN_OK; i++)
		rc = one_case(&m, &cases[i]);
	if (pinned)
		sched_setaffinity(0, sizeof(saved), &saved);
	if (rc != RUN_OK)
		goto out;
	note(r,
	     "%zu cases in %.0f ms, %d errors each, from the router's raw ICMP socket; SYN_SENT: "
	     "the router drops SYNs to port %d, the error quotes the SYN; ESTABLISHED: port %d, "
	     "the error quotes seq ISN+1",
	     n, elapsed_ms(r) - t0, SENDS_PER_CASE, HELD_PORT, EST_PORT);
	note(r, "each error is followed by an echo request; its reply (the client finished with "
		"the error) comes before any socket is read: \"no error\" is not a timeout");
	if (r->family == AF_INET) {
		note(r, "IPv4: ip_icmp_error(), called by tcp_v4_err() in SYN_SENT, has no recverr "
			"check (ipv6_icmp_error() has one): the SYN_SENT socket's error queue gets "
			"the ICMP error even without IP_RECVERR");
		note(r,
		     "IPv4: icmp_unreach() drops destination unreachable codes above 15 and time "
		     "exceeded code 1 before TCP sees them");
	} else
		note(r, "IPv6: tcp_v6_err() converts every error that is not packet too big, "
			"whatever its type or code (icmpv6_err_convert(): EPROTO by default); "
			"ipv6_icmp_error() queues only with IPV6_RECVERR");
	note(r, "SYN_SENT: every converted error is hard (connect() fails, state CLOSE), even "
		"those RFC 1122 calls soft; ESTABLISHED: soft (SO_ERROR only) unless RECVERR "
		"(recv() fails); recv() is read before SO_ERROR, which clears the error");
out:
	close_fds(m.pkt, m.raw, m.lfd);
	return rc;
}
