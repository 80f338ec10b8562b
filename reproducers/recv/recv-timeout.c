/*
 * recv-timeout: a blocking recv() with SO_RCVTIMEO, nothing received.
 * EAGAIN: the call would have to wait, and the caller said it will no
 * longer.  Nothing is wrong with the connection; the timeout is the
 * caller's own deadline.  Functions below were read in the Debian 6.1
 * source (net/ipv4/tcp.c, net/core/sock.c, include/net/sock.h); 6.18 keeps
 * the same names.
 *
 * sock_rcvtimeo() (include/net/sock.h) gives sk_rcvtimeo: the SO_RCVTIMEO
 * value in jiffies, rounded up by sock_set_timeout() (net/core/sock.c);
 * "forever" when unset.  tcp_recvmsg_locked() sleeps in sk_wait_data(),
 * which counts timeo down; when it comes back at 0 with nothing copied,
 * the next turn of the loop finds "if (!timeo) copied = -EAGAIN", as for
 * a non-blocking recv() (recv-nonblocking-empty).
 *
 * POSIX SO_RCVTIMEO agrees: "a partial count or errno set to [EAGAIN] or
 * [EWOULDBLOCK] if no data is received".
 *
 * Summary: a blocking recv() with SO_RCVTIMEO 200 ms, nothing received
 * Kernel path: tcp_recvmsg_locked(): sk_wait_data() counts sock_rcvtimeo() down
 *   to 0, nothing copied -> -EAGAIN
 * Handling: retry when ready: the timeout is the caller's own deadline, the
 *   connection is fine; poll for POLLIN or call again if time is left
 * Waits for: SO_RCVTIMEO 200 ms
 */
#include <sys/socket.h>

#include "record/harness.h"
#include "lib/connection.h"
#include "lib/sock_timeo.h"
#include "lib/sockets.h"
#include "lib/sock_observe.h"

SCENARIO(recv_timeout, .errno_name = "EAGAIN", .syscall = "recv", .intrinsic_wait_ms = 200,
	 .order = 310)
{
	struct connection c;
	int rc = connection_open(r, NULL, &c);
	if (rc != RUN_OK)
		return rc;
	char buf[512];
	step(r, ON_FD(c.client), "setsockopt", set_timeo(c.client, SO_RCVTIMEO, TIMEO_MS),
	     "setsockopt(%d, SO_RCVTIMEO, %d ms)", c.client, TIMEO_MS);
	struct call_watch w;
	step(r, ON_FD(c.client), "recv", WATCHED(&w, recv(c.client, buf, sizeof(buf), 0)),
	     "recv(%d, %zu, 0) on a blocking socket, no data", c.client, sizeof(buf));
	observe_timeout_elapsed(r, ON_FD(c.client), &w, "recv", "SO_RCVTIMEO");
	observe_state(r, "state", c.client);
	note(r,
	     "recv() returned EAGAIN after %.1f ms (SO_RCVTIMEO %d ms): the caller's deadline, "
	     "not an error of the connection",
	     w.ms, TIMEO_MS);
	connection_close(&c);
	return RUN_OK;
}
