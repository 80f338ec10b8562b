/*
 * send-not-connected: send() on a TCP socket that never connected, and on
 * a listener.  POSIX has an errno for exactly this, ENOTCONN; Linux
 * answers EPIPE, the errno of a connection that is gone, and raises
 * SIGPIPE with it.
 *
 * tcp_sendmsg_locked() (net/ipv4/tcp.c) lets a send() through at once only
 * in ESTABLISHED or CLOSE_WAIT; in any other state it calls
 * sk_stream_wait_connect() (net/core/stream.c), which waits only for a
 * handshake under way (SYN_SENT, SYN_RECV) and returns -EPIPE for every
 * other state: CLOSE (never connected) and LISTEN alike.  The error goes
 * through sk_stream_error(), which sends the caller SIGPIPE unless
 * MSG_NOSIGNAL was given.  A destination address passed to sendto() does
 * not change this: tcp_sendmsg_locked() looks at msg_name only for
 * MSG_FASTOPEN or a TCP_FASTOPEN_CONNECT socket (tcp_sendmsg_fastopen()).
 * Nothing is stored in sk_err, so SO_ERROR stays 0.  On the
 * same socket recv() says ENOTCONN (tcp_recvmsg_locked(): TCP_CLOSE), the
 * errno POSIX names for both.
 *
 * POSIX send(): ENOTCONN "The socket is not connected"; EPIPE "the socket
 * is connection-mode and is no longer connected" (with SIGPIPE).  send(2)
 * (man page): ENOTCONN "The socket is not connected, and no target has
 * been given".  sendto() on a connection-mode socket: the address "shall
 * be ignored".
 *
 * Summary: send() on a TCP socket that never connected, and on a listener:
 *   EPIPE and SIGPIPE, not ENOTCONN
 * POSIX expects: send(): ENOTCONN "The socket is not connected"; EPIPE means
 *   a connection-mode socket "no longer connected", which this one never was
 * Kernel path: tcp_sendmsg_locked(): not ESTABLISHED or CLOSE_WAIT ->
 *   sk_stream_wait_connect(): not SYN_SENT or SYN_RECV -> -EPIPE;
 *   sk_stream_error(): SIGPIPE unless MSG_NOSIGNAL
 * Handling: fatal: a bug in the caller (send before connect() succeeded);
 *   here EPIPE does not mean that a peer went away
 */
#include <sys/socket.h>
#include <unistd.h>

#include "record/harness.h"
#include "lib/sigpipe_send.h"
#include "lib/sock_observe.h"
#include "lib/connection.h"
#include "lib/sockets.h"

SCENARIO(send_not_connected, .errno_name = "EPIPE", .syscall = "send", .order = 400)
{
	int fd = tcp_socket_in(&r->topo.client, r->family);
	if (fd < 0)
		return broken_netns(r);
	const char *server = topology_server_addr(&r->topo, r->family);
	int lfd = listen_at_server(r, server, SERVER_PORT, 8);
	if (lfd < 0) {
		close(fd);
		return broken_netns(r);
	}
	observe_state(r, "state", fd);
	step(r, ON_FD(fd), "send", send(fd, "data", 4, MSG_NOSIGNAL), "send(%d, 4, MSG_NOSIGNAL)",
	     fd);
	send_sigpipe_ignored(r, fd);
	send_in_child(r, fd, 1, "waitpid(sender)");
	/* The listener is there: an address that would connect changes
	 * nothing, TCP does not read it. */
	struct sockaddr_storage to;
	socklen_t len = sockaddr_of(r->family, server, SERVER_PORT, &to);
	step(r, ON_FD(fd), "sendto",
	     sendto(fd, "data", 4, MSG_NOSIGNAL, (struct sockaddr *)&to, len),
	     "sendto(%d, 4, MSG_NOSIGNAL, %s port %d: the listener's address)", fd, server,
	     SERVER_PORT);
	observe_so_error(r, fd);
	char buf[16];
	step(r, ON_FD(fd), "recv", recv(fd, buf, sizeof(buf), MSG_DONTWAIT),
	     "recv(%d, %zu, MSG_DONTWAIT) on the same socket", fd, sizeof(buf));

	observe_state(r, "listener state", lfd);
	step(r, ON_FD(lfd), "listener send", send(lfd, "data", 4, MSG_NOSIGNAL),
	     "send(%d, 4, MSG_NOSIGNAL) [the server's listener]", lfd);
	note(r, "sk_stream_wait_connect() waits only in SYN_SENT and SYN_RECV: CLOSE and LISTEN "
		"give EPIPE, and SIGPIPE without MSG_NOSIGNAL, though no connection ever existed");
	close_fds(lfd, fd);
	return RUN_OK;
}
