/*
 * EPIPE from send(): the two ways a TCP socket can no longer be written to
 * without an ECONNRESET coming first.
 *
 * pipe-after-shutdown: the client's own shutdown(SHUT_WR) (a FIN; the
 *   client goes to FIN_WAIT2 once the server ACKs it).  tcp_sendmsg_locked()
 *   finds SEND_SHUTDOWN in sk->sk_shutdown and goes to do_error ->
 *   sk_stream_error(-EPIPE): sock_error() is 0 (no sk_err), so EPIPE, and
 *   send_sig(SIGPIPE) unless MSG_NOSIGNAL.  The receive direction still
 *   works: it is a half close.
 * pipe-in-close-wait: the client has the server's FIN (CLOSE_WAIT), then
 *   the server aborts (SO_LINGER {1, 0} from FIN_WAIT2: tcp_disconnect() ->
 *   tcp_send_active_reset()).  The client's tcp_reset() in CLOSE_WAIT picks
 *   EPIPE, not ECONNRESET, for sk_err (tcp_done_with_error()).  So the
 *   first send() fails with EPIPE from sock_error(), and since that is -EPIPE
 *   sk_stream_error() raises SIGPIPE at once -- unlike an RST in ESTABLISHED,
 *   whose first send() says ECONNRESET without a signal (write-after-rst).
 *   recv() never reports it: tcp_recvmsg_locked() tests SOCK_DONE (set by
 *   tcp_fin()) before sk_err and returns 0; the error stays in SO_ERROR.
 *
 * SIGPIPE is reported as write-after-rst does: with MSG_NOSIGNAL, with
 * SIGPIPE ignored, and with the default disposition in a child process
 * that the signal kills.
 *
 * POSIX send(): EPIPE "The socket is shut down for writing, or the socket
 * is connection-mode and is no longer connected", SIGPIPE unless
 * MSG_NOSIGNAL.  Linux agrees; POSIX does not say what an RST after EOF
 * reports, and Linux makes it EPIPE.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/child.h"
#include "record/harness.h"
#include "lib/connection.h"
#include "lib/sockets.h"

static void observe_state(struct run *r, const char *label, int fd)
{
	observe(r, label, "getsockopt(TCP_INFO).tcpi_state", "%s", tcp_state_name(tcp_state(fd)));
}

static void observe_so_error(struct run *r, int fd)
{
	int err = so_error(fd);
	observe(r, "SO_ERROR", "getsockopt(SO_ERROR)", "%s",
		err < 0 ? "getsockopt failed" : errno_name(err));
}

static void recv_step(struct run *r, int fd)
{
	char buf[512];
	step(r, recv(fd, buf, sizeof(buf), MSG_DONTWAIT), "recv(%d, %zu, MSG_DONTWAIT)", fd,
	     sizeof(buf));
}

/* One send() under SIGPIPE ignored: EPIPE and no signal delivered. */
static void send_sigpipe_ignored(struct run *r, int fd)
{
	struct sigaction ign = {.sa_handler = SIG_IGN}, old;
	sigaction(SIGPIPE, &ign, &old);
	step(r, send(fd, "data", 4, 0), "send(%d, 4, 0) [SIGPIPE ignored]", fd);
	sigaction(SIGPIPE, &old, NULL);
}

/* One send() with SIGPIPE's default disposition, in a child: it reports
 * its result before it returns, so a send() that succeeds or fails without
 * a signal is recorded, and one that raises SIGPIPE is seen as the child's
 * death. */
static void send_in_child(struct run *r, int fd)
{
	int report;
	pid_t pid = fork_reporter(&report);
	if (pid < 0) {
		note(r, "fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		long res[2];
		res[0] = send(fd, "data", 4, 0);
		res[1] = errno;
		_exit(write(report, res, sizeof(res)) == sizeof(res) ? 0 : 1);
	}
	long res[2];
	if (read(report, res, sizeof(res)) == sizeof(res)) {
		errno = (int)res[1];
		step(r, res[0], "send(%d, 4, 0) [child, SIGPIPE default]", fd);
	}
	close(report);
	observe_child_end(r, pid, "child", "waitpid(sender)");
}

/* ---- pipe-after-shutdown --------------------------------------------- */

static int pipe_after_shutdown(struct run *r)
{
	const char *server = topology_server_addr(&r->topo, r->family);
	int lfd = tcp_listen_in(&r->topo.server, r->family, server, SERVER_PORT, 8);
	if (lfd < 0)
		return broken(r, "listen on %s:%d: %m", server, SERVER_PORT);
	int cfd, afd;
	if (connection_to(r, lfd, &cfd, &afd) != RUN_OK) {
		close(lfd);
		return RUN_BROKEN;
	}
	int status = RUN_OK;
	step_as(r, "client shutdown", shutdown(cfd, SHUT_WR), "shutdown(%d, SHUT_WR)", cfd);
	if (!(poll_fd(afd, POLLRDHUP, 2000) & POLLRDHUP)) {
		status = broken(r, "the client's FIN never reached the server");
		goto out;
	}
	char buf[64];
	step_as(r, "server recv", recv(afd, buf, sizeof(buf), MSG_DONTWAIT),
		"recv(%d, %zu, MSG_DONTWAIT) [server: the client's FIN]", afd, sizeof(buf));
	/* The server's ACK of the FIN may be delayed (tcp_fin() enters
	 * pingpong mode): wait for it, so the state shown is the settled one. */
	for (int i = 0; i < 2000 && tcp_state(cfd) == TCP_FIN_WAIT1; i++)
		poll_fd(-1, 0, 1);
	observe_state(r, "client state", cfd);

	step(r, send(cfd, "data", 4, MSG_NOSIGNAL), "send(%d, 4, MSG_NOSIGNAL)", cfd);
	send_sigpipe_ignored(r, cfd);
	send_in_child(r, cfd);
	observe_so_error(r, cfd);

	/* The other direction is still open. */
	if (send(afd, "reply", 5, MSG_NOSIGNAL) != 5 || !(poll_fd(cfd, POLLIN, 2000) & POLLIN)) {
		status = broken(r, "the server's reply never reached the client");
		goto out;
	}
	step_as(r, "client recv", recv(cfd, buf, sizeof(buf), MSG_DONTWAIT),
		"recv(%d, %zu, MSG_DONTWAIT) [the server's reply after the half close]", cfd,
		sizeof(buf));
	note(r, "EPIPE comes from SEND_SHUTDOWN alone (sk_err is 0); the receive direction "
		"still works");
out:
	close(afd);
	close(cfd);
	close(lfd);
	return status;
}

/* ---- pipe-in-close-wait ---------------------------------------------- */

/* The server sends FIN, the client reaches CLOSE_WAIT, then the server
 * aborts.  Returns the client fd once the RST has been processed. */
static int reset_in_close_wait(struct run *r, int lfd)
{
	int cfd, afd;
	if (connection_to(r, lfd, &cfd, &afd) != RUN_OK)
		return -1;
	int fd = -1;
	step_as(r, "server shutdown", shutdown(afd, SHUT_WR), "shutdown(%d, SHUT_WR)", afd);
	if (!(poll_fd(cfd, POLLRDHUP, 2000) & POLLRDHUP)) {
		broken(r, "the server's FIN never reached the client");
		goto out;
	}
	observe_state(r, "client state", cfd);
	if (set_linger_abort(afd) < 0) {
		broken(r, "SO_LINGER: %m");
		goto out;
	}
	step_as(r, "server close", close(afd), "close(%d) with SO_LINGER {1, 0}", afd);
	afd = -1;
	if (!wait_pending_error(cfd, 2000)) {
		broken(r, "the client never saw the server's RST");
		goto out;
	}
	observe_state(r, "client state", cfd);
	fd = cfd;
	cfd = -1;
out:
	if (afd >= 0)
		close(afd);
	if (cfd >= 0)
		close(cfd);
	return fd;
}

static int pipe_in_close_wait(struct run *r)
{
	const char *server = topology_server_addr(&r->topo, r->family);
	int lfd = tcp_listen_in(&r->topo.server, r->family, server, SERVER_PORT, 8);
	if (lfd < 0)
		return broken(r, "listen on %s:%d: %m", server, SERVER_PORT);

	note(r, "connection 1: send() first: EPIPE from sk_err, then EPIPE from the shutdown");
	int cfd = reset_in_close_wait(r, lfd);
	if (cfd < 0)
		goto broken;
	step(r, send(cfd, "data", 4, MSG_NOSIGNAL), "send(%d, 4, MSG_NOSIGNAL) #1", cfd);
	step(r, send(cfd, "data", 4, MSG_NOSIGNAL), "send(%d, 4, MSG_NOSIGNAL) #2", cfd);
	recv_step(r, cfd);
	observe_so_error(r, cfd);
	close(cfd);

	note(r, "connection 2: recv() first: 0 (EOF), the error stays pending in SO_ERROR");
	if ((cfd = reset_in_close_wait(r, lfd)) < 0)
		goto broken;
	recv_step(r, cfd);
	observe_so_error(r, cfd);
	close(cfd);

	note(r, "connection 3: the first send() with SIGPIPE's default disposition");
	if ((cfd = reset_in_close_wait(r, lfd)) < 0)
		goto broken;
	send_in_child(r, cfd);
	close(cfd);

	note(r, "connection 4: the first send() with SIGPIPE ignored");
	if ((cfd = reset_in_close_wait(r, lfd)) < 0)
		goto broken;
	send_sigpipe_ignored(r, cfd);
	close(cfd);
	close(lfd);
	return RUN_OK;
broken:
	close(lfd);
	return RUN_BROKEN;
}

SCENARIO(pipe_after_shutdown) = {
	.name = "pipe-after-shutdown",
	.errno_name = "EPIPE",
	.syscall = "send",
	.summary = "send() after the client's own shutdown(SHUT_WR)",
	.posix_expects = NULL,
	.kernel_path = "tcp_sendmsg_locked(): sk_shutdown & SEND_SHUTDOWN -> do_error -> "
		       "sk_stream_error(-EPIPE): sock_error() is 0 -> EPIPE + send_sig(SIGPIPE) "
		       "unless MSG_NOSIGNAL",
	.handling =
		"fatal: a bug in the caller (it wrote after its own shutdown); ignore SIGPIPE or "
		"use MSG_NOSIGNAL so that it is an errno, not a dead process",
	.order = 410,
	.run = pipe_after_shutdown,
};

SCENARIO(pipe_in_close_wait) = {
	.name = "pipe-in-close-wait",
	.errno_name = "EPIPE",
	.syscall = "send",
	.summary = "an RST reaches the client in CLOSE_WAIT (after the server's FIN)",
	.posix_expects = NULL,
	.kernel_path = "tcp_reset(): CLOSE_WAIT -> sk_err = EPIPE (tcp_done_with_error()); "
		       "tcp_sendmsg_locked() -> sk_stream_error(): sock_error() = -EPIPE -> "
		       "SIGPIPE on the first send(); tcp_recvmsg_locked(): SOCK_DONE before "
		       "sk_err -> 0",
	.handling =
		"fatal: the connection is gone (not a bug in the caller); ignore SIGPIPE or use "
		"MSG_NOSIGNAL, close the socket",
	.order = 420,
	.run = pipe_in_close_wait,
};
