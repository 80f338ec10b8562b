/*
 * write-after-rst: the server closes a connection with unread data in its
 * receive queue, which sends an RST (RFC 2525 section 2.17; tcp_close() ->
 * tcp_send_active_reset()).  The client then writes three times.
 *
 * The client's tcp_reset() sets sk_err = ECONNRESET and tcp_done() shuts
 * both directions.  In tcp_sendmsg_locked() the SEND_SHUTDOWN path goes to
 * sk_stream_error(): its first call returns sock_error() -- ECONNRESET,
 * consuming sk_err, without a signal -- and every later call returns EPIPE
 * and sends SIGPIPE unless MSG_NOSIGNAL is given.  The SIGPIPE outcome is
 * shown three ways, each on a connection of its own: SIGPIPE ignored
 * (SIG_IGN), MSG_NOSIGNAL, and the default disposition, in a child process
 * that the signal kills.
 *
 * POSIX write()/send(): EPIPE "The socket is shut down for writing, or the
 * socket is connection-mode and is no longer connected", with SIGPIPE
 * generated unless MSG_NOSIGNAL; ECONNRESET "A connection was forcibly
 * closed by a peer."  Linux gives both, in that order.
 *
 * Summary: the server closes with unread data (RST); the client writes three
 *   times
 * Kernel path: server: tcp_close() -> tcp_send_active_reset() (unread data);
 *   client: tcp_reset(); tcp_sendmsg_locked() -> sk_stream_error():
 *   sock_error() once (ECONNRESET), then EPIPE + send_sig(SIGPIPE)
 * Handling: fatal: the connection is gone (not a bug in the caller); close it
 *   (send with MSG_NOSIGNAL or ignore SIGPIPE so EPIPE is an errno, not a
 *   death); what was written may never have arrived
 */
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "record/harness.h"
#include "lib/connection.h"
#include "lib/reset_observe.h"
#include "lib/sigpipe_send.h"
#include "lib/sockets.h"

enum sigpipe_mode { SIGPIPE_IGNORED, SIGPIPE_NOSIGNAL, SIGPIPE_DEFAULT };

/* A connection whose server side has closed with unread data: returns the
 * client fd once the client's kernel has taken the RST. */
static int reset_connection(struct run *r, int lfd)
{
	int cfd, afd;
	if (connection_to(r, lfd, &cfd, &afd) != RUN_OK)
		return -1;
	if (send(cfd, "unread", 6, 0) != 6 || !(poll_fd(afd, POLLIN, 2000) & POLLIN))
		return broken(r, "the client's data never reached the server"), -1;
	step(r, ON_FD(afd), "server close", close(afd), "close(%d) with 6 bytes unread", afd);
	if (!await_server_rst(r, cfd))
		return -1;
	return cfd;
}

static void write_three_times(struct run *r, int cfd, int flags, const char *how)
{
	for (int i = 1; i <= 3; i++)
		step(r, ON_FD(cfd), "send", send(cfd, "data", 4, flags), "send(%d, 4, %s) #%d", cfd,
		     how, i);
}

SCENARIO(write_after_rst, .errno_name = "EPIPE", .syscall = "send", .order = 210)
{
	int lfd = server_listener(r, SERVER_PORT, 8);
	if (lfd < 0)
		return RUN_BROKEN;

	static const enum sigpipe_mode modes[] = {SIGPIPE_IGNORED, SIGPIPE_NOSIGNAL,
						  SIGPIPE_DEFAULT};
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		int cfd = reset_connection(r, lfd);
		if (cfd < 0)
			return RUN_BROKEN;
		switch (modes[m]) {
		case SIGPIPE_IGNORED:
			signal(SIGPIPE, SIG_IGN);
			write_three_times(r, cfd, 0, "0 [SIGPIPE ignored]");
			signal(SIGPIPE, SIG_DFL);
			break;
		case SIGPIPE_NOSIGNAL:
			write_three_times(r, cfd, MSG_NOSIGNAL, "MSG_NOSIGNAL");
			break;
		case SIGPIPE_DEFAULT:
			/* The default disposition kills the writer, so the
			 * writes happen in a child that reports each result
			 * before making the next write. */
			send_in_child(r, cfd, 3, "waitpid(writer)");
			break;
		}
		close(cfd);
	}
	note(r, "the first write after the RST reports sk_err (ECONNRESET) and clears it; "
		"later writes see only the shutdown: EPIPE, with SIGPIPE unless suppressed");
	close(lfd);
	return RUN_OK;
}
