/*
 * accept-nonblocking-empty (EAGAIN): the accept queue is empty and the
 * caller will not wait.  A listener made nonblocking, either with
 * fcntl(O_NONBLOCK) or with SOCK_NONBLOCK at socket() time (both set
 * O_NONBLOCK in file->f_flags), and no connection.  do_accept()
 * (net/socket.c) passes sock->file->f_flags to inet_accept() ->
 * inet_csk_accept() (net/ipv4/inet_connection_sock.c), where
 * sock_rcvtimeo(sk, flags & O_NONBLOCK) is 0 and an empty queue gives
 * -EAGAIN at once.  SOCK_NONBLOCK given to accept4() is something else: it
 * only marks the *new* descriptor; __sys_accept4_file() calls do_accept()
 * with file_flags 0, so a blocking listener still blocks (shown here under
 * a short SO_RCVTIMEO, so the wait is bounded).  EWOULDBLOCK == EAGAIN on
 * Linux (asm-generic/errno.h), so both names mean this.  accept(2) ERRORS:
 * EAGAIN or EWOULDBLOCK "The socket is marked nonblocking and no
 * connections are present to be accepted".
 *
 * Not an error of the connection: none existed, which the run measures
 * through sock_diag.
 *
 * Summary: a nonblocking listener with an empty accept queue
 * Kernel path: inet_csk_accept(): reqsk_queue_empty() and sock_rcvtimeo(sk,
 *   O_NONBLOCK) == 0 -> -EAGAIN; do_accept() passes the listener's f_flags,
 *   __sys_accept4_file() never passes accept4()'s SOCK_NONBLOCK to the wait
 * Handling: retry when ready: poll()/epoll until the listener is readable, then
 *   accept() again; EWOULDBLOCK is the same errno
 * Waits for: SO_RCVTIMEO 50 ms bounding accept4(SOCK_NONBLOCK) on a blocking
 *   listener
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <unistd.h>

#include "lib/accept_helpers.h"
#include "lib/accept_table.h"
#include "lib/sock_timeo.h"
#include "lib/sockets.h"

#define NB_PORT	       (SERVER_PORT + 1)
#define SHORT_TIMEO_MS 50

SCENARIO(accept_nonblocking_empty, .errno_name = "EAGAIN", .syscall = "accept",
	 .intrinsic_wait_ms = 50, .order = 30)
{
	int lfd = acctab_bound(r, SOCK_STREAM, SERVER_PORT, true);
	int nbfd = acctab_bound(r, SOCK_STREAM | SOCK_NONBLOCK, NB_PORT, true);
	if (lfd < 0 || nbfd < 0)
		return broken(r, "listeners on ports %d and %d: %m", SERVER_PORT, NB_PORT);

	/* 1: fcntl(O_NONBLOCK) on the listener. */
	int fl = fcntl(lfd, F_GETFL);
	step(r, ON_FD(lfd), "fcntl O_NONBLOCK", fcntl(lfd, F_SETFL, fl | O_NONBLOCK),
	     "fcntl(%d, F_SETFL, O_NONBLOCK)", lfd);
	acctab_record_never_existed(r);
	step(r, ON_FD(lfd), "accept O_NONBLOCK", accept(lfd, NULL, NULL),
	     "accept(%d) (fcntl O_NONBLOCK)", lfd);

	/* 2: SOCK_NONBLOCK at socket() time: the same O_NONBLOCK file flag. */
	step(r, ON_FD(nbfd), "accept SOCK_NONBLOCK", accept(nbfd, NULL, NULL),
	     "accept(%d) (socket(SOCK_STREAM|SOCK_NONBLOCK))", nbfd);

	/* 3: accept4(SOCK_NONBLOCK) on a blocking listener waits anyway. */
	step(r, ON_FD(lfd), "fcntl blocking", fcntl(lfd, F_SETFL, fl & ~O_NONBLOCK),
	     "fcntl(%d, F_SETFL, 0)", lfd);
	if (set_timeo(lfd, SO_RCVTIMEO, SHORT_TIMEO_MS) < 0)
		return broken(r, "SO_RCVTIMEO: %m");
	struct call_watch w;
	step(r, ON_FD(lfd), "accept4 SOCK_NONBLOCK",
	     WATCHED(&w, accept4(lfd, NULL, NULL, SOCK_NONBLOCK)),
	     "accept4(%d, NULL, NULL, SOCK_NONBLOCK) on a blocking listener, SO_RCVTIMEO %d ms",
	     lfd, SHORT_TIMEO_MS);
	observe(r, ON_FD(lfd), "accept4 waited",
		"accept4(SOCK_NONBLOCK): slept, and for at least SO_RCVTIMEO", "%s",
		timeout_class(&w, SHORT_TIMEO_MS));
	note(r,
	     "accept4(SOCK_NONBLOCK) blocked for %.1f ms (SO_RCVTIMEO %d ms): the flag is "
	     "for the new descriptor, not for the wait",
	     w.ms, SHORT_TIMEO_MS);
	note(r, "EWOULDBLOCK == EAGAIN on Linux (%s): one errno, two names",
	     EWOULDBLOCK == EAGAIN ? "same value" : "different values");

	/* The handling: wait for readability, then accept. */
	int cfd = tcp_connect_in(&r->topo.client, r->family,
				 topology_server_addr(&r->topo, r->family), SERVER_PORT);
	if (cfd < 0)
		return broken(r, "connect: %m");
	observe(r, ON_FD(lfd), "poll listener", "poll(listener, POLLIN, 2000)", "%s",
		(poll_fd(lfd, POLLIN, 2000) & POLLIN) ? "readable" : "not readable");
	int afd = step(r, ON_FD(lfd), "accept", accept(lfd, NULL, NULL),
		       "accept(%d) after poll() said readable", lfd);
	if (afd >= 0)
		close(afd);
	close(cfd);
	close(nbfd);
	close(lfd);
	return RUN_OK;
}
