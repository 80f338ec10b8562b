/*
 * connect-timeout-option: a blocking connect() with SO_SNDTIMEO, the SYNs
 * silently dropped by a blackhole route on the router.  The caller's
 * deadline ends the wait, not the attempt.  Functions below were read in
 * the Debian 6.1 source (net/ipv4/af_inet.c, net/core/sock.c,
 * include/net/sock.h); 6.18 keeps the same names.
 *
 * sock_sndtimeo() (include/net/sock.h) gives sk_sndtimeo: the SO_SNDTIMEO
 * value in jiffies, rounded up by sock_set_timeout() (net/core/sock.c);
 * "forever" when unset, 0 under O_NONBLOCK.
 *
 * __inet_stream_connect() (af_inet.c) sets err = -EINPROGRESS after
 * sending the SYN, takes timeo = sock_sndtimeo(sk, flags & O_NONBLOCK) and
 * sleeps in inet_wait_for_connect(); when that returns 0 (the timeout ran
 * out, still SYN_SENT) it "goto out" with -EINPROGRESS.  The attempt is
 * not cancelled: the socket stays in SYN_SENT and keeps retransmitting,
 * SO_ERROR is 0, and a second connect() finds SS_CONNECTING: -EALREADY
 * (after waiting the timeout again).
 *
 * POSIX connect() says EINPROGRESS is for O_NONBLOCK sockets and a
 * blocking connect() waits until the connection is made or fails
 * (ETIMEDOUT); its SO_SNDTIMEO is about output functions only.  socket(7)
 * does document EINPROGRESS here.
 *
 * Summary: a blocking connect() with SO_SNDTIMEO 200 ms, the SYNs dropped by
 *   the router
 * POSIX expects: EINPROGRESS only for an O_NONBLOCK socket; a blocking
 *   connect() waits until connected or failed (ETIMEDOUT); SO_SNDTIMEO bounds
 *   output functions, not connect() (socket(7) does document this EINPROGRESS)
 * Kernel path: __inet_stream_connect(): err = -EINPROGRESS, timeo =
 *   sock_sndtimeo(); inet_wait_for_connect() returns 0 (timeout, still
 *   SYN_SENT) -> -EINPROGRESS; again: SS_CONNECTING -> -EALREADY
 * Handling: retry when ready: the attempt goes on; poll for POLLOUT then read
 *   SO_ERROR, or close() to abandon it (connect() again says EALREADY)
 * Waits for: SO_SNDTIMEO 200 ms, twice (connect(), then connect() again)
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "record/harness.h"
#include "lib/sock_timeo.h"
#include "lib/sockets.h"
#include "lib/sock_observe.h"

SCENARIO(connect_timeout_option, .errno_name = "EINPROGRESS", .syscall = "connect",
	 .topology = {.kind = TOPO_ROUTED}, .intrinsic_wait_ms = 400, .order = 340)
{
	const char *server = topology_server_addr(&r->topo, r->family);
	char dst[64];
	snprintf(dst, sizeof(dst), "%s/%d", server, r->family == AF_INET6 ? 128 : 32);
	if (netns_route_add(&r->topo.router, r->family, dst, ROUTE_BLACKHOLE, NULL, NULL) < 0)
		return broken_netns(r);
	note(r, "router route: blackhole %s (the SYNs are dropped silently)", dst);

	int fd = tcp_socket_in(&r->topo.client, r->family);
	if (fd < 0)
		return broken(r, "client socket: %m");
	step(r, ON_FD(fd), "setsockopt", set_timeo(fd, SO_SNDTIMEO, TIMEO_MS),
	     "setsockopt(%d, SO_SNDTIMEO, %d ms)", fd, TIMEO_MS);
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(r->family, server, SERVER_PORT, &ss);
	struct call_watch w;
	step(r, ON_FD(fd), "connect", WATCHED(&w, connect(fd, (struct sockaddr *)&ss, len)),
	     "connect(%d, %s), blocking", fd, sockaddr_str((struct sockaddr *)&ss));
	observe_timeout_elapsed(r, ON_FD(fd), &w, "connect", "SO_SNDTIMEO");
	int err = so_error(fd);
	observe(r, ON_FD(fd), "SO_ERROR", "getsockopt(SO_ERROR)", "%s",
		err == 0 ? "0 (none)" : errno_name(err));
	observe_state(r, "state", fd);
	observe(r, AT(HOST_CLIENT), "poll", "poll(client, POLLOUT, 0)", "%s",
		(poll_fd(fd, POLLOUT, 0) & POLLOUT) ? "writable" : "not writable");

	/* Calling connect() again does not start over: the attempt is the
	 * same one, still going on. */
	step(r, ON_FD(fd), "connect again", WATCHED(&w, connect(fd, (struct sockaddr *)&ss, len)),
	     "connect(%d, %s) again, blocking", fd, sockaddr_str((struct sockaddr *)&ss));
	observe(r, ON_FD(fd), "elapsed",
		"the second connect(): slept, and for at least SO_SNDTIMEO", "%s",
		timeout_class(&w, TIMEO_MS));
	observe_state(r, "state", fd);

	step(r, ON_FD(fd), "close", close(fd), "close(%d)", fd);
	int n = tcp_diag_count(&r->topo.client, r->family, 0, SERVER_PORT, 1u << TCP_SYN_SENT);
	observe(r, AT(HOST_CLIENT), "SYN_SENT after close",
		"sock_diag: client sockets in SYN_SENT to the server", "%s",
		n < 0	 ? "sock_diag failed"
		: n == 0 ? "none"
			 : "some");
	note(r, "connect() gave up waiting, not connecting: SO_SNDTIMEO ends the wait with "
		"EINPROGRESS, the SYNs go on until close()");
	return RUN_OK;
}
