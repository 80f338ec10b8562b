/*
 * pipe-in-close-wait: the client has the server's FIN (CLOSE_WAIT), then
 * the server aborts (SO_LINGER {1, 0} from FIN_WAIT2: tcp_disconnect() ->
 * tcp_send_active_reset()).  EPIPE from send() without an ECONNRESET
 * coming first.
 *
 * The client's tcp_reset() in CLOSE_WAIT picks EPIPE, not ECONNRESET, for
 * sk_err (tcp_done_with_error()).  So the first send() fails with EPIPE
 * from sock_error(), and since that is -EPIPE sk_stream_error() raises
 * SIGPIPE at once -- unlike an RST in ESTABLISHED, whose first send() says
 * ECONNRESET without a signal (write-after-rst).  recv() never reports it:
 * tcp_recvmsg_locked() tests SOCK_DONE (set by tcp_fin()) before sk_err
 * and returns 0; the error stays in SO_ERROR.
 *
 * SIGPIPE is reported as write-after-rst does: with MSG_NOSIGNAL, with
 * SIGPIPE ignored, and with the default disposition in a child process
 * that the signal kills.
 *
 * POSIX send(): EPIPE "The socket is shut down for writing, or the socket
 * is connection-mode and is no longer connected", SIGPIPE unless
 * MSG_NOSIGNAL.  POSIX does not say what an RST after EOF reports, and
 * Linux makes it EPIPE.
 *
 * Summary: an RST reaches the client in CLOSE_WAIT (after the server's FIN)
 * Kernel path: tcp_reset(): CLOSE_WAIT -> sk_err = EPIPE
 *   (tcp_done_with_error()); tcp_sendmsg_locked() -> sk_stream_error():
 *   sock_error() = -EPIPE -> SIGPIPE on the first send(); tcp_recvmsg_locked():
 *   SOCK_DONE before sk_err -> 0
 * Handling: fatal: the connection is gone (not a bug in the caller); ignore
 *   SIGPIPE or use MSG_NOSIGNAL, close the socket
 */
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "record/harness.h"
#include "lib/connection.h"
#include "lib/reset_observe.h"
#include "lib/sigpipe_send.h"
#include "lib/sockets.h"

/* The server sends FIN, the client reaches CLOSE_WAIT, then the server
 * aborts.  Returns the client fd once the RST has been processed. */
static int reset_in_close_wait(struct run *r, int lfd)
{
	int cfd, afd;
	if (connection_to(r, lfd, &cfd, &afd) != RUN_OK)
		return -1;
	int fd = -1;
	step(r, ON_FD(afd), "server shutdown", shutdown(afd, SHUT_WR), "shutdown(%d, SHUT_WR)",
	     afd);
	if (!(poll_fd(cfd, POLLRDHUP, 2000) & POLLRDHUP)) {
		broken(r, "the server's FIN never reached the client");
		goto out;
	}
	observe_state(r, "client state", cfd);
	if (set_linger_abort(afd) < 0) {
		broken(r, "SO_LINGER: %m");
		goto out;
	}
	step(r, ON_FD(afd), "server close", close(afd), "close(%d) with SO_LINGER {1, 0}", afd);
	afd = -1;
	if (!await_server_rst(r, cfd))
		goto out;
	observe_state(r, "client state", cfd);
	fd = cfd;
	cfd = -1;
out:
	close_fds(afd, cfd);
	return fd;
}

SCENARIO(pipe_in_close_wait, .errno_name = "EPIPE", .syscall = "send", .order = 420)
{
	int lfd = server_listener(r, SERVER_PORT, 8);
	if (lfd < 0)
		return RUN_BROKEN;

	note(r, "connection 1: send() first: EPIPE from sk_err, then EPIPE from the shutdown");
	int cfd = reset_in_close_wait(r, lfd);
	if (cfd < 0)
		goto broken;
	step(r, ON_FD(cfd), "send", send(cfd, "data", 4, MSG_NOSIGNAL),
	     "send(%d, 4, MSG_NOSIGNAL) #1", cfd);
	step(r, ON_FD(cfd), "send", send(cfd, "data", 4, MSG_NOSIGNAL),
	     "send(%d, 4, MSG_NOSIGNAL) #2", cfd);
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
	send_in_child(r, cfd, 1, "waitpid(sender)");
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
