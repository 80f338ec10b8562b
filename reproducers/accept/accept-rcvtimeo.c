/*
 * accept-rcvtimeo (EAGAIN): the accept queue is empty and the caller no
 * longer waits.  A blocking listener with SO_RCVTIMEO.  sock_rcvtimeo()
 * gives sk_rcvtimeo (jiffies, rounded up by sock_set_timeout() in
 * net/core/sock.c); inet_csk_wait_for_connect()
 * (net/ipv4/inet_connection_sock.c) sleeps in schedule_timeout() and
 * returns -EAGAIN when the time ran out with the queue still empty.
 * accept(2) ERRORS documents EAGAIN only for nonblocking sockets ("The
 * socket is marked nonblocking and no connections are present"); socket(7)
 * says a call that timed out under SO_RCVTIMEO returns EAGAIN or
 * EWOULDBLOCK "just as if the socket was specified to be nonblocking" and
 * names accept(2) among the calls it applies to.  POSIX leaves it to the
 * implementation which calls SO_RCVTIMEO bounds.
 *
 * Not an error of the connection: none existed, which the run measures
 * through sock_diag.
 *
 * Summary: a blocking listener with SO_RCVTIMEO: no connection before the
 *   timeout
 * POSIX expects: accept(2) ERRORS lists EAGAIN only for a nonblocking socket
 *   (socket(7) SO_RCVTIMEO does name accept(); POSIX does not)
 * Kernel path: inet_csk_accept(): sock_rcvtimeo() = sk_rcvtimeo;
 *   inet_csk_wait_for_connect(): schedule_timeout() ran out, queue empty ->
 *   -EAGAIN
 * Handling: retry when ready: the timeout was the caller's own; check its
 *   deadline, poll for POLLIN or call again if time is left
 * Waits for: SO_RCVTIMEO 200 ms on the listener
 */
#include <unistd.h>

#include "lib/accept_helpers.h"
#include "lib/accept_table.h"
#include "lib/sock_timeo.h"
#include "lib/sockets.h"

#define RCVTIMEO_MS 200

SCENARIO(accept_rcvtimeo, .errno_name = "EAGAIN", .syscall = "accept", .intrinsic_wait_ms = 200,
	 .order = 40)
{
	int lfd = acctab_bound(r, SOCK_STREAM, SERVER_PORT, true);
	if (lfd < 0)
		return broken(r, "listener on port %d: %m", SERVER_PORT);
	step(r, ON_FD(lfd), "setsockopt", set_timeo(lfd, SO_RCVTIMEO, RCVTIMEO_MS),
	     "setsockopt(%d, SO_RCVTIMEO, %d ms)", lfd, RCVTIMEO_MS);
	acctab_record_never_existed(r);
	struct call_watch w;
	step(r, ON_FD(lfd), "accept", WATCHED(&w, accept(lfd, NULL, NULL)),
	     "accept(%d) on a blocking listener", lfd);
	observe(r, ON_FD(lfd), "elapsed", "accept(): slept, and for at least SO_RCVTIMEO", "%s",
		timeout_class(&w, RCVTIMEO_MS));
	note(r, "accept() returned after %.1f ms; SO_RCVTIMEO %d ms", w.ms, RCVTIMEO_MS);
	close(lfd);
	return RUN_OK;
}
