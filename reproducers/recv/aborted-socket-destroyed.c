/*
 * aborted-socket-destroyed: an administrator kills a client's TCP socket
 * with sock_diag SOCK_DESTROY (what `ss -K` does) while a process is
 * blocked on it: (a) in connect(), the SYN unanswered (the server's nft
 * input hook drops it), the socket in SYN_SENT; (b) in recv() on an
 * established connection.
 *
 * Kernel: inet_diag_handler_cmd() -> tcp_diag_destroy()
 * (net/ipv4/tcp_diag.c, CONFIG_INET_DIAG_DESTROY) -> sock_diag_destroy()
 * (net/core/sock_diag.c) -> tcp_abort(sk, ECONNABORTED) (net/ipv4/tcp.c).
 * tcp_abort() sends an active reset only when tcp_need_reset() says so
 * (ESTABLISHED, CLOSE_WAIT, FIN_WAIT1/2, SYN_RECV: not SYN_SENT), then
 * tcp_done_with_error() (net/ipv4/tcp_input.c) stores ECONNABORTED in
 * sk_err, tcp_done() moves the socket to TCP_CLOSE with SHUTDOWN_MASK and
 * wakes the sleepers.
 * (a) The blocked connect() wakes in inet_wait_for_connect(); in
 *     __inet_stream_connect() (net/ipv4/af_inet.c) the state is TCP_CLOSE,
 *     so "sock_error: err = sock_error(sk) ? : -ECONNABORTED".  Nothing is
 *     sent to the peer.
 * (b) The blocked recv() wakes in tcp_recvmsg_locked(): no data, SOCK_DONE
 *     not set (only a FIN sets it), sk_err set -> sock_error() returns
 *     -ECONNABORTED and clears it.  The next recv() sees RCV_SHUTDOWN and
 *     returns 0 (end of file); send() sees SEND_SHUTDOWN: EPIPE.  The peer
 *     gets the RST from tcp_send_active_reset() and its recv() fails with
 *     ECONNRESET (tcp_reset()).
 * POSIX: ECONNABORTED is "Connection aborted", listed for accept(), not for
 * connect() or recv(); the Linux man pages of connect(2) and recv(2) do not
 * list it either.  In 6.1 tcp_abort() calls tcp_done_with_error() (Debian's
 * tree; older kernels set sk_err and called sk_error_report() and
 * tcp_done() inline); on 6.10+ tcp_send_active_reset() takes a reset
 * reason.
 *
 * Summary: an administrator destroys a connecting and an established socket
 *   (sock_diag SOCK_DESTROY, ss -K) under a blocked connect() and recv()
 * POSIX expects: POSIX lists ECONNABORTED for accept() only; connect(2) and
 *   recv(2) do not list it
 * Kernel path: tcp_diag_destroy() -> sock_diag_destroy() ->
 *   tcp_abort(ECONNABORTED): tcp_send_active_reset() if tcp_need_reset() (not
 *   in SYN_SENT), tcp_done_with_error(); connect(): __inet_stream_connect()
 *   sock_error; recv(): tcp_recvmsg_locked() sock_error()
 * Handling: fatal: the connection is gone (not a bug in the caller); close the
 *   socket, reconnect if the work must go on
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/blocked.h"
#include "lib/child.h"
#include "record/harness.h"
#include "lib/packets.h"
#include "lib/sock_destroy.h"
#include "lib/sock_observe.h"
#include "lib/connection.h"
#include "lib/sockets.h"

/* (a) goes to this port, whose SYNs the server drops; (b) to SERVER_PORT. */
#define DROPPED_PORT (SERVER_PORT + 1)

static void child_report(int out, long ret)
{
	_exit(report_call(out, ret) ? 0 : 1);
}

/* The children leave with _exit() (in child_report()): exit() would run
 * the namespace teardown registered by the run process. */
static void child_connect(int fd, const struct sockaddr_storage *dst, socklen_t len, int out)
{
	child_report(out, connect(fd, (const struct sockaddr *)dst, len));
}

static void child_recv(int fd, int out)
{
	char buf[512];
	child_report(out, recvfrom(fd, buf, sizeof(buf), 0, NULL, NULL));
}

static void reap(pid_t pid, bool kill_it)
{
	if (kill_it)
		kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* A child blocked in a call on the client's socket: connect() in (a),
 * recv() in (b). */
struct blocked {
	int fd;
	const char *name; /* "connect", "recv" */
	char call[160];	  /* the call, as its result's step shows it */
	pid_t pid;
	int report; /* the pipe its result comes through */
};

/* The child gives up its call: killed, its report pipe closed. */
static void abandon_child(const struct blocked *b)
{
	close(b->report);
	reap(b->pid, true);
}

/* Read the blocked child's result and record it as step "blocked <name>",
 * or that it did not return within 2 s (the child is then killed). */
static void child_result(struct run *r, const struct blocked *b)
{
	char label[32];
	snprintf(label, sizeof(label), "blocked %s", b->name);
	long ret;
	int err;
	bool got = (poll_fd(b->report, POLLIN, 2000) & POLLIN) && read_call(b->report, &ret, &err);
	close(b->report);
	reap(b->pid, !got);
	if (got) {
		errno = err;
		step(r, ON_FD(b->fd), label, ret, "%s", b->call);
	} else {
		observe(r, ON_FD(b->fd), label, b->call, "%s",
			"still blocked 2 s after the destroy");
	}
}

static long out_rsts(struct run *r)
{
	return netstat_counter(&r->topo.client, "Tcp", "OutRsts");
}

/* Destroy the client's socket(s) matching the peer port and state; records
 * the step.  Returns -1 and sets the skip reason when the kernel lacks
 * CONFIG_INET_DIAG_DESTROY. */
static int destroy(struct run *r, const char *label, int lport, int rport, int state)
{
	const char *server = topology_server_addr(&r->topo, r->family);
	long rsts = out_rsts(r);
	long rc = sock_destroy(&r->topo.client, r->family, NULL, lport, server, rport, 1u << state);
	if (rc < 0 && errno == EOPNOTSUPP)
		return -1;
	step(r, AT(HOST_CLIENT), label, rc,
	     "sock_diag SOCK_DESTROY of the client's %s socket to %s port %d (ss -K), "
	     "sockets destroyed",
	     tcp_state_name(state), server, rport);
	long rsts_after = out_rsts(r);
	observe(r, AT(HOST_CLIENT), "client RST sent",
		"client Tcp OutRsts (delta) across the destroy", "+%ld", rsts_after - rsts);
	return 0;
}

/* Fork the child that blocks on fd, in connect() to dst or, dst NULL, in
 * recv(), and wait (2 s bound) until it sleeps there, recorded as step
 * "<name> child".  RUN_OK with b filled in, or the run broken (and the
 * child abandoned). */
static int start_blocked_child(struct run *r, struct blocked *b, int fd,
			       const struct sockaddr_storage *dst, socklen_t dlen)
{
	b->fd = fd;
	b->name = dst ? "connect" : "recv";
	if (dst)
		snprintf(b->call, sizeof(b->call), "connect(%d, %s) blocked in the child", fd,
			 sockaddr_str((const struct sockaddr *)dst));
	else
		snprintf(b->call, sizeof(b->call), "recv(%d, 512, 0) blocked in the child", fd);
	b->pid = fork_reporter(&b->report);
	if (b->pid < 0)
		return broken(r, "fork: %m");
	if (b->pid == 0) {
		if (dst)
			child_connect(fd, dst, dlen, b->report);
		child_recv(fd, b->report);
	}
	if (!wait_blocked_in_syscall(b->pid, dst ? SYS_connect : SYS_recvfrom, 2000)) {
		abandon_child(b);
		return broken(r, "the child never blocked in %s() within 2 s", b->name);
	}
	char label[32], asleep[32];
	snprintf(label, sizeof(label), "%s child", b->name);
	snprintf(asleep, sizeof(asleep), "asleep in %s", b->name);
	observe(r, AT(HOST_CLIENT), label, "/proc/PID/syscall and /proc/PID/stat of the child",
		"%s", asleep);
	return RUN_OK;
}

/* destroy() the socket in state under the sleeping child, as step
 * "destroy <STATE>", then record what the child's call returned
 * (child_result()).  RUN_OK, or, without CONFIG_INET_DIAG_DESTROY, the run
 * skipped and the child abandoned. */
static int destroy_under_child(struct run *r, const struct blocked *b, int lport, int rport,
			       int state)
{
	char label[32];
	snprintf(label, sizeof(label), "destroy %s", tcp_state_name(state));
	if (destroy(r, label, lport, rport, state) < 0) {
		abandon_child(b);
		return skipped(r, "sock_diag SOCK_DESTROY answered EOPNOTSUPP: the kernel lacks "
				  "CONFIG_INET_DIAG_DESTROY");
	}
	child_result(r, b);
	return RUN_OK;
}

/* (a) connect() blocked in SYN_SENT. */
static int destroy_connecting(struct run *r)
{
	const char *server = topology_server_addr(&r->topo, r->family);
	char rule[256];
	snprintf(rule, sizeof(rule),
		 "table inet sockerr {\n"
		 "  chain input {\n"
		 "    type filter hook input priority 0;\n"
		 "    tcp dport %d drop\n"
		 "  }\n"
		 "}\n",
		 DROPPED_PORT);
	if (netns_nft(&r->topo.server, rule) < 0)
		return skipped(r, "nftables is not usable in the server namespace: %s",
			       netns_error());
	note(r, "(a) server nft: input hook, tcp dport %d drop: the SYN goes unanswered",
	     DROPPED_PORT);

	int rc = RUN_OK;
	int pkt = packet_socket(&r->topo.server, "eth0");
	int fd = tcp_socket_in(&r->topo.client, r->family);
	if (pkt < 0 || fd < 0) {
		rc = broken(r, "server packet socket, client socket: %m");
		goto out;
	}
	struct sockaddr_storage dst;
	socklen_t dlen = sockaddr_of(r->family, server, DROPPED_PORT, &dst);

	struct blocked b;
	if ((rc = start_blocked_child(r, &b, fd, &dst, dlen)) != RUN_OK)
		goto out;
	struct tcp_segment seg;
	int lport = socket_local_port(fd);
	bool syn = packet_wait_tcp(pkt, r->family, (uint16_t)lport, DROPPED_PORT, 2000, &seg);
	observe(r, ON_FD(pkt), "peer sees", "AF_PACKET on the server's eth0: the client's segment",
		"%s", syn ? tcp_flags_str(seg.flags) : "nothing");
	observe_state(r, "state before", fd);

	if ((rc = destroy_under_child(r, &b, lport, DROPPED_PORT, TCP_SYN_SENT)) != RUN_OK)
		goto out;
	observe_state(r, "state after connect", fd);
	observe(r, ON_FD(fd), "SO_ERROR after connect", "getsockopt(SO_ERROR)", "%s",
		errno_name(so_error(fd)));
out:
	close_fds(fd, pkt);
	return rc;
}

/* (b) recv() blocked on an established connection. */
static int destroy_established(struct run *r)
{
	const char *server = topology_server_addr(&r->topo, r->family);
	int lfd = server_listener(r, SERVER_PORT, 8);
	if (lfd < 0)
		return RUN_BROKEN;
	int fd = connect_from_client(r, server, SERVER_PORT);
	int afd = fd < 0 ? -1 : accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	int pkt = packet_socket(&r->topo.server, "eth0");
	if (fd < 0 || afd < 0 || pkt < 0) {
		int saved = errno;
		close_fds(fd, afd, pkt);
		close(lfd);
		errno = saved;
		return broken(r, "connection to %s:%d, server packet socket: %m", server,
			      SERVER_PORT);
	}
	int lport = socket_local_port(fd);

	struct blocked b;
	int rc = start_blocked_child(r, &b, fd, NULL, 0);
	if (rc != RUN_OK)
		goto out;
	observe_state(r, "state before recv", fd);

	rc = destroy_under_child(r, &b, lport, SERVER_PORT, TCP_ESTABLISHED);
	if (rc != RUN_OK)
		goto out;

	struct tcp_segment seg;
	bool rst = packet_wait_tcp(pkt, r->family, (uint16_t)lport, SERVER_PORT, 2000, &seg);
	observe(r, ON_FD(pkt), "peer sees",
		"AF_PACKET on the server's eth0: the client's next segment", "%s",
		rst ? tcp_flags_str(seg.flags) : "nothing");
	bool err_pending = wait_pending_error(afd, 2000);
	char buf[64];
	step(r, ON_FD(afd), "peer recv", recv(afd, buf, sizeof(buf), MSG_DONTWAIT),
	     "recv(%d, %zu, MSG_DONTWAIT) on the server (error pending: %s)", afd, sizeof(buf),
	     err_pending ? "yes" : "no");
	observe(r, AT(HOST_SERVER), "peer state", "server getsockopt(TCP_INFO).tcpi_state", "%s",
		tcp_state_name(tcp_state(afd)));

	observe_state(r, "state after recv", fd);
	step(r, ON_FD(fd), "recv again", recv(fd, buf, sizeof(buf), MSG_DONTWAIT),
	     "recv(%d, %zu, MSG_DONTWAIT)", fd, sizeof(buf));
	step(r, ON_FD(fd), "send", send(fd, "x", 1, MSG_NOSIGNAL), "send(%d, 1, MSG_NOSIGNAL)", fd);
	note(r, "(b) ECONNABORTED is reported once (sock_error() clears sk_err); then the socket "
		"reads as closed (EOF) and writes fail with EPIPE");
out:
	close(pkt);
	close(afd);
	close(fd);
	close(lfd);
	return rc;
}

SCENARIO(aborted_socket_destroyed, .errno_name = "ECONNABORTED", .syscall = "recv", .order = 560)
{
	int rc = destroy_connecting(r);
	if (rc != RUN_OK)
		return rc;
	return destroy_established(r);
}
