/*
 * pipe-after-shutdown: send() after the client's own shutdown(SHUT_WR) (a
 * FIN; the client goes to FIN_WAIT2 once the server ACKs it).  EPIPE
 * without an ECONNRESET coming first.
 *
 * tcp_sendmsg_locked() finds SEND_SHUTDOWN in sk->sk_shutdown and goes to
 * do_error -> sk_stream_error(-EPIPE): sock_error() is 0 (no sk_err), so
 * EPIPE, and send_sig(SIGPIPE) unless MSG_NOSIGNAL.  The receive direction
 * still works: it is a half close.
 *
 * SIGPIPE is reported as write-after-rst does: with MSG_NOSIGNAL, with
 * SIGPIPE ignored, and with the default disposition in a child process
 * that the signal kills.
 *
 * POSIX send(): EPIPE "The socket is shut down for writing, or the socket
 * is connection-mode and is no longer connected", SIGPIPE unless
 * MSG_NOSIGNAL.  Linux agrees.
 *
 * Summary: send() after the client's own shutdown(SHUT_WR)
 * Kernel path: tcp_sendmsg_locked(): sk_shutdown & SEND_SHUTDOWN -> do_error ->
 *   sk_stream_error(-EPIPE): sock_error() is 0 -> EPIPE + send_sig(SIGPIPE)
 *   unless MSG_NOSIGNAL
 * Handling: fatal: a bug in the caller (it wrote after its own shutdown);
 *   ignore SIGPIPE or use MSG_NOSIGNAL so that it is an errno, not a dead
 *   process
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "record/harness.h"
#include "lib/connection.h"
#include "lib/reset_observe.h"
#include "lib/sigpipe_send.h"
#include "lib/sockets.h"

SCENARIO(pipe_after_shutdown, .errno_name = "EPIPE", .syscall = "send", .order = 410)
{
	int lfd = server_listener(r, SERVER_PORT, 8);
	if (lfd < 0)
		return RUN_BROKEN;
	int cfd, afd;
	if (connection_to(r, lfd, &cfd, &afd) != RUN_OK) {
		close(lfd);
		return RUN_BROKEN;
	}
	int status = RUN_OK;
	step(r, ON_FD(cfd), "client shutdown", shutdown(cfd, SHUT_WR), "shutdown(%d, SHUT_WR)",
	     cfd);
	if (!(poll_fd(afd, POLLRDHUP, 2000) & POLLRDHUP)) {
		status = broken(r, "the client's FIN never reached the server");
		goto out;
	}
	char buf[64];
	step(r, ON_FD(afd), "server recv", recv(afd, buf, sizeof(buf), MSG_DONTWAIT),
	     "recv(%d, %zu, MSG_DONTWAIT) [server: the client's FIN]", afd, sizeof(buf));
	/* The server's ACK of the FIN may be delayed (tcp_fin() enters
	 * pingpong mode): wait for it, so the state shown is the settled one. */
	for (int i = 0; i < 2000 && tcp_state(cfd) == TCP_FIN_WAIT1; i++)
		poll_fd(-1, 0, 1);
	observe_state(r, "client state", cfd);

	step(r, ON_FD(cfd), "send", send(cfd, "data", 4, MSG_NOSIGNAL), "send(%d, 4, MSG_NOSIGNAL)",
	     cfd);
	send_sigpipe_ignored(r, cfd);
	send_in_child(r, cfd, 1, "waitpid(sender)");
	observe_so_error(r, cfd);

	/* The other direction is still open. */
	if (send(afd, "reply", 5, MSG_NOSIGNAL) != 5 || !(poll_fd(cfd, POLLIN, 2000) & POLLIN)) {
		status = broken(r, "the server's reply never reached the client");
		goto out;
	}
	step(r, ON_FD(cfd), "client recv", recv(cfd, buf, sizeof(buf), MSG_DONTWAIT),
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
