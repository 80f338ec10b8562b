/*
 * recv-nonblocking-empty: recv() on an established connection with nothing
 * received, with MSG_DONTWAIT and on an O_NONBLOCK socket.  EAGAIN: the
 * call would have to wait, and the caller said it will not.  Nothing is
 * wrong with the connection; the call is to be made again once poll() says
 * the socket is ready.  EWOULDBLOCK == EAGAIN on Linux
 * (asm-generic/errno.h).  Functions below were read in the Debian 6.1
 * source (net/ipv4/tcp.c, net/socket.c, include/net/sock.h); 6.18 keeps
 * the same names.
 *
 * O_NONBLOCK and MSG_DONTWAIT are one thing by the time TCP sees them:
 * __sys_recvfrom() (net/socket.c) adds MSG_DONTWAIT to the flags when the
 * file has O_NONBLOCK, and sock_rcvtimeo() (include/net/sock.h) gives a
 * timeout of 0 for it.  tcp_recvmsg_locked(): timeo =
 * sock_rcvtimeo(sk, MSG_DONTWAIT) = 0, the receive queue is empty, no
 * error, no FIN: "if (!timeo) copied = -EAGAIN".
 *
 * POSIX recv() agrees (O_NONBLOCK, no data: EAGAIN or EWOULDBLOCK).
 *
 * Summary: recv() with MSG_DONTWAIT or on an O_NONBLOCK socket, nothing
 *   received
 * Kernel path: __sys_recvfrom(): O_NONBLOCK -> MSG_DONTWAIT;
 *   tcp_recvmsg_locked(): sock_rcvtimeo() == 0, receive queue empty -> -EAGAIN
 * Handling: retry when ready: poll()/epoll for POLLIN, then recv() again;
 *   EWOULDBLOCK is the same errno; the connection is fine
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "record/harness.h"
#include "lib/connection.h"
#include "lib/sockets.h"
#include "lib/sock_observe.h"

SCENARIO(recv_nonblocking_empty, .errno_name = "EAGAIN", .syscall = "recv", .order = 300)
{
	struct connection c;
	int rc = connection_open(r, NULL, &c);
	if (rc != RUN_OK)
		return rc;
	char buf[512];

	/* "At once" is whether the thread slept in the call, not a time. */
	struct call_watch w;
	step(r, ON_FD(c.client), "recv MSG_DONTWAIT",
	     WATCHED(&w, recv(c.client, buf, sizeof(buf), MSG_DONTWAIT)),
	     "recv(%d, %zu, MSG_DONTWAIT), nothing sent yet", c.client, sizeof(buf));
	observe(r, ON_FD(c.client), "returned",
		"recv(MSG_DONTWAIT): voluntary context switches in the call", "%s",
		sleep_class(&w));
	measure(r, ON_FD(c.client), "recv MSG_DONTWAIT ms", "time in recv(MSG_DONTWAIT), ms",
		"%.3f", w.ms);

	int fl = fcntl(c.client, F_GETFL);
	step(r, ON_FD(c.client), "fcntl O_NONBLOCK", fcntl(c.client, F_SETFL, fl | O_NONBLOCK),
	     "fcntl(%d, F_SETFL, O_NONBLOCK)", c.client);
	step(r, ON_FD(c.client), "recv O_NONBLOCK",
	     WATCHED(&w, recv(c.client, buf, sizeof(buf), 0)),
	     "recv(%d, %zu, 0) on an O_NONBLOCK socket", c.client, sizeof(buf));
	observe(r, ON_FD(c.client), "returned",
		"recv() on the O_NONBLOCK socket: voluntary context switches in the call", "%s",
		sleep_class(&w));
	measure(r, ON_FD(c.client), "recv O_NONBLOCK ms",
		"time in recv() on the O_NONBLOCK socket, ms", "%.3f", w.ms);

	/* EAGAIN says nothing about the connection: it is intact. */
	observe_state(r, "state", c.client);
	observe(r, AT(HOST_CLIENT), "poll", "poll(client, POLLIN, 0)", "%s",
		(poll_fd(c.client, POLLIN, 0) & POLLIN) ? "readable" : "not readable");

	/* The handling: wait for readability, then read. */
	step(r, ON_FD(c.server), "peer send", send(c.server, "x", 1, MSG_NOSIGNAL),
	     "send(%d, 1) from the server", c.server);
	observe(r, AT(HOST_CLIENT), "poll after data", "poll(client, POLLIN, 2000)", "%s",
		(poll_fd(c.client, POLLIN, 2000) & POLLIN) ? "readable" : "not readable");
	step(r, ON_FD(c.client), "recv after poll", recv(c.client, buf, sizeof(buf), 0),
	     "recv(%d, %zu, 0) after poll() said readable", c.client, sizeof(buf));
	note(r, "EWOULDBLOCK == EAGAIN on Linux (%s): one errno, two names",
	     EWOULDBLOCK == EAGAIN ? "same value" : "different values");
	note(r, "O_NONBLOCK becomes MSG_DONTWAIT in __sys_recvfrom(): the two cases take the "
		"same path in tcp_recvmsg_locked()");
	connection_close(&c);
	return RUN_OK;
}
