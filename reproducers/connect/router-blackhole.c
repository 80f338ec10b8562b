/*
 * router-blackhole: the router in the middle holds a blackhole route for
 * the server's address; the client's SYN is forwarded into it.
 *
 * ip_route_input_slow() gives the packet a dst that discards it silently
 * (RTN_BLACKHOLE: dst_discard).  Nothing comes back; the client
 * retransmits its SYN until a timeout bounds it: here TCP_USER_TIMEOUT on
 * the socket, checked when the retransmission timer fires
 * (tcp_retransmit_timer() -> tcp_write_timeout() -> retransmits_timed_out()),
 * then tcp_write_err() sets ETIMEDOUT.
 *
 * POSIX connect(): ETIMEDOUT, "Connection establishment timed out without
 * establishing a connection."
 *
 * Summary: the router silently drops the SYN (blackhole route); connect() times
 *   out
 * Kernel path: router: RTN_BLACKHOLE dst_discard(); client:
 *   tcp_retransmit_timer() -> tcp_write_timeout() ->
 *   retransmits_timed_out(TCP_USER_TIMEOUT) -> tcp_write_err() (ETIMEDOUT)
 * Handling: back off and free resources: nothing answered; close, try the next
 *   address, retry later with backoff (a silent drop looks exactly like this)
 * Waits for: one SYN RTO: 1 s (TCP_TIMEOUT_INIT), where TCP_USER_TIMEOUT 500 ms
 *   is checked
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include "record/harness.h"
#include "lib/router_reject_route.h"
#include "lib/sockets.h"

/* The bound on the blackhole's wait: small, so the first retransmission
 * timer (after the 1 s initial RTO) is the one that expires it. */
#define USER_TIMEOUT_MS 500

SCENARIO(router_blackhole, .errno_name = "ETIMEDOUT", .syscall = "connect",
	 .topology = {.kind = TOPO_ROUTED}, .intrinsic_wait_ms = 1000, .order = 230)
{
	if (add_router_route(r, ROUTE_BLACKHOLE) < 0)
		return broken_netns(r);
	int fd = tcp_socket_in(&r->topo.client, r->family);
	if (fd < 0)
		return broken_netns(r);
	unsigned timeout = USER_TIMEOUT_MS;
	step(r, ON_FD(fd), "setsockopt",
	     setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &timeout, sizeof(timeout)),
	     "setsockopt(%d, TCP_USER_TIMEOUT, %u)", fd, timeout);
	double t = elapsed_ms(r);
	router_route_connect(r, fd);
	note(r,
	     "bound: TCP_USER_TIMEOUT %u ms, checked when the SYN retransmission timer fires "
	     "(initial RTO 1 s); connect() returned after %.0f ms",
	     timeout, elapsed_ms(r) - t);
	close(fd);
	return RUN_OK;
}
