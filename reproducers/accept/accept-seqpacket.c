/*
 * accept-seqpacket: accept() on an AF_UNIX SOCK_SEQPACKET listener works,
 * and the connection it returns keeps message boundaries: two messages
 * sent one after the other are read as two, each whole, and one goes back
 * the other way.  As a contrast, accept() on an AF_UNIX SOCK_DGRAM socket
 * fails with EOPNOTSUPP.  The listener is bound to an abstract address
 * (Linux's own namespace of socket names: nothing in the file system),
 * named after the run's process so that parallel runs never meet.
 *
 * unix_accept() (net/unix/af_unix.c), the .accept of unix_stream_ops and
 * of unix_seqpacket_ops alike, admits sock->type SOCK_STREAM and
 * SOCK_SEQPACKET, takes the connecting socket's skb from the listener's
 * queue (skb_recv_datagram()) and grafts the embryo socket that
 * unix_stream_connect() (the seqpacket .connect too) made onto the new
 * socket.  The seqpacket ops send and receive through
 * unix_seqpacket_sendmsg() / unix_seqpacket_recvmsg(), which check the
 * state and call unix_dgram_sendmsg() / unix_dgram_recvmsg(): one skb per
 * message, one message per read.  unix_dgram_ops has .accept =
 * sock_no_accept() (net/core/sock.c): -EOPNOTSUPP.
 *
 * accept(2): "The accept() system call is used with connection-based
 * socket types (SOCK_STREAM, SOCK_SEQPACKET)."  Linux agrees.  Its ERRORS
 * entry EOPNOTSUPP, "The referenced socket is not of type SOCK_STREAM",
 * is narrower than the kernel, which accepts SOCK_SEQPACKET too.  (The old
 * Korean edition also lists SOCK_RDM, which AF_UNIX does not offer.)  No
 * network is involved: the scenario runs once, family "none".
 *
 * Summary: accept() on an AF_UNIX SOCK_SEQPACKET listener, message
 *   boundaries kept both ways; SOCK_DGRAM says EOPNOTSUPP
 * Kernel path: unix_accept() (unix_seqpacket_ops): skb_recv_datagram()
 *   dequeues the connection; unix_seqpacket_recvmsg() ->
 *   unix_dgram_recvmsg(): one message per read; SOCK_DGRAM:
 *   sock_no_accept() -> -EOPNOTSUPP
 * Handling: not an error: a SOCK_SEQPACKET server accepts as a
 *   SOCK_STREAM one does (EOPNOTSUPP: fatal: a bug in the caller)
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/sockets.h"
#include "record/harness.h"

/* Receive one message without waiting (an AF_UNIX send queues it on the
 * receiver before it returns) and record what came: step `label`, then
 * observation `what`. */
static void receive_one(struct run *r, int fd, const char *label, const char *what)
{
	char buf[64];
	struct iovec iov = {buf, sizeof(buf)};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	long n = step(r, ON_FD(fd), label, recvmsg(fd, &msg, MSG_DONTWAIT),
		      "recvmsg(%d, %zu-byte buffer, MSG_DONTWAIT)", fd, sizeof(buf));
	if (n < 0)
		observe(r, NOWHERE, what, "the message read", "nothing");
	else
		observe(r, NOWHERE, what, "the message read", "\"%.*s\" (%ld bytes%s)", (int)n, buf,
			n, msg.msg_flags & MSG_TRUNC ? ", MSG_TRUNC" : "");
}

static void send_one(struct run *r, int fd, const char *label, const char *text)
{
	step(r, ON_FD(fd), label, send(fd, text, strlen(text), MSG_DONTWAIT | MSG_NOSIGNAL),
	     "send(%d, \"%s\", %zu, MSG_DONTWAIT | MSG_NOSIGNAL)", fd, text, strlen(text));
}

SCENARIO(accept_seqpacket, .errno_name = "EOPNOTSUPP", .syscall = "accept",
	 .topology = {.kind = TOPO_NONE}, .families = FAMILY_NONE, .order = 230)
{
	int lfd = -1, cfd = -1, afd = -1, dfd = -1;
	int status = RUN_OK;
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	/* Abstract: sun_path[0] is '\0', the name follows, its length is
	 * in the address length (no terminating NUL). */
	int name_len = snprintf(sun.sun_path + 1, sizeof(sun.sun_path) - 1,
				"sockerr-accept-seqpacket-%d", (int)getpid());
	socklen_t sun_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + name_len);

	/* Non-blocking: the accept below finds the connection connect()
	 * queued, and can never hang if it is not there. */
	lfd = (int)step(r, ON_RESULT, "socket",
			socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0),
			"socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)");
	if (lfd < 0)
		goto out;
	if (step(r, ON_FD(lfd), "bind", bind(lfd, (struct sockaddr *)&sun, sun_len),
		 "bind(%d, \"@%s\")", lfd, sun.sun_path + 1) < 0)
		goto out;
	if (step(r, ON_FD(lfd), "listen", listen(lfd, 4), "listen(%d, 4)", lfd) < 0)
		goto out;
	cfd = (int)step(r, ON_RESULT, "client socket",
			socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0),
			"socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0)");
	if (cfd < 0)
		goto out;
	/* unix_stream_connect() queues the connection on the listener and
	 * returns: the client is connected before the accept. */
	if (step(r, ON_FD(cfd), "connect", connect(cfd, (struct sockaddr *)&sun, sun_len),
		 "connect(%d, \"@%s\")", cfd, sun.sun_path + 1) < 0)
		goto out;

	struct sockaddr_un peer;
	socklen_t peer_len = sizeof(peer);
	afd = (int)step(r, ON_FD(lfd), "accept",
			accept4(lfd, (struct sockaddr *)&peer, &peer_len, SOCK_CLOEXEC),
			"accept4(%d, &peer, &addrlen, SOCK_CLOEXEC)", lfd);
	if (afd < 0)
		goto out;
	/* The client never bound: unix_getname() gives the family alone. */
	observe(r, NOWHERE, "peer addrlen", "*addrlen after the call", "%u%s", (unsigned)peer_len,
		peer_len == sizeof(sa_family_t) ? " (unnamed)" : "");
	int type = 0;
	socklen_t tlen = sizeof(type);
	getsockopt(afd, SOL_SOCKET, SO_TYPE, &type, &tlen);
	observe(r, ON_FD(afd), "accepted SO_TYPE", "getsockopt(SO_TYPE) of the accepted socket",
		"%s",
		type == SOCK_SEQPACKET ? "SOCK_SEQPACKET"
		: type == SOCK_STREAM  ? "SOCK_STREAM"
				       : "other");

	/* Two messages back to back: read as two, each whole. */
	send_one(r, cfd, "client send 1", "one");
	send_one(r, cfd, "client send 2", "three");
	receive_one(r, afd, "server recv 1", "server message 1");
	receive_one(r, afd, "server recv 2", "server message 2");
	/* Nothing more: two sends, two messages. */
	receive_one(r, afd, "server recv 3", "server message 3");
	/* One message the other way. */
	send_one(r, afd, "server send", "reply");
	receive_one(r, cfd, "client recv", "client message");

	/* The contrast: AF_UNIX's connectionless type, whose ops have no
	 * accept (sock_no_accept()). */
	dfd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (dfd < 0) {
		status = broken(r, "socket(AF_UNIX, SOCK_DGRAM): %m");
		goto out;
	}
	step(r, ON_FD(dfd), "accept dgram", accept(dfd, NULL, NULL),
	     "accept(%d) on an AF_UNIX SOCK_DGRAM socket", dfd);
	note(r, "unix_accept() serves SOCK_STREAM and SOCK_SEQPACKET alike; the seqpacket ops "
		"read one skb, one message, per call; SOCK_DGRAM's accept is sock_no_accept()");
out:
	close_fds(dfd, afd, cfd, lfd);
	/* A failed step before the end is recorded, not broken: the calls
	 * are what the scenario observes, and its test says which succeed. */
	return status;
}
