/*
 * timeout-user-timeout: a send() blocked for buffer space fails with
 * ETIMEDOUT once TCP_USER_TIMEOUT has run out on an established connection
 * with unacknowledged data.  ETIMEDOUT is the error of "the server host
 * crashed": nothing comes back and a timer of the client's own gives up.
 * The router in the middle drops every packet to or from the server (nft,
 * forward chain), as if the server had vanished; no RST and no ICMP error
 * ever reaches the client.
 *
 * tcp_retransmit_timer() -> tcp_write_timeout() bounds retransmission by
 * TCP_USER_TIMEOUT (500 ms here), counted from tp->retrans_stamp, i.e. from
 * the first retransmission timeout (lib/user_timeout_clock.h says why).
 * Then tcp_write_err() -> tcp_done_with_error() sets sk_err = ETIMEDOUT,
 * purges the write queue and tcp_done() moves the socket to CLOSE with
 * both directions shut down.  A send() blocked for buffer space
 * (sk_stream_wait_memory()) gets ETIMEDOUT from sk_stream_error().  The
 * error is reported once: getsockopt(SO_ERROR) then reads 0 and the next
 * send() fails with EPIPE (SEND_SHUTDOWN).
 *
 * Neither POSIX send() nor send(2) lists ETIMEDOUT, yet a blocked send()
 * returns it.  tcp(7) says TCP_USER_TIMEOUT is "the maximum amount of time
 * ... that transmitted data may remain unacknowledged"; Linux starts that
 * clock at the first retransmission timeout, not at the transmission.
 *
 * Summary: TCP_USER_TIMEOUT 500 ms with unacknowledged data: a send() blocked
 *   for buffer space fails
 * POSIX expects: POSIX send() and send(2) list no ETIMEDOUT; tcp(7):
 *   TCP_USER_TIMEOUT is the longest time transmitted data may remain
 *   unacknowledged (the clock starts at the first retransmission timeout
 *   instead)
 * Kernel path: tcp_retransmit_timer() -> tcp_write_timeout() ->
 *   retransmits_timed_out(icsk_user_timeout) from tp->retrans_stamp (set by
 *   tcp_retransmit_skb()) -> tcp_write_err(); sk_stream_wait_memory() ->
 *   sk_stream_error() sock_error()
 * Handling: back off and free resources: close the socket (it is CLOSE),
 *   reconnect with backoff; the peer or the path is gone
 * Waits for: first RTO 200 ms (TCP_RTO_MIN), then TCP_USER_TIMEOUT 500 ms from
 *   it
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/child.h"
#include "record/harness.h"
#include "lib/connection.h"
#include "lib/sockets.h"
#include "lib/user_timeout_clock.h"
#include "lib/vanishing_server.h"
#include "lib/sock_observe.h"

/* A writer blocked for room in the send buffer, in a child so that the
 * parent can watch the retransmission timer meanwhile.  The result comes
 * back through the pipe as {ret, errno}. */
static void blocked_send(struct run *r, int c, struct rto_watch *w)
{
	int report;
	pid_t pid = fork_reporter_noted(r, &report);
	if (pid < 0)
		return;
	if (pid == 0)
		_exit(report_call(report, send(c, "x", 1, MSG_NOSIGNAL)) ? 0 : 1);
	long ret;
	int err;
	if (watch_until(c, report, POLLIN, w) && read_call(report, &ret, &err)) {
		errno = err;
		step(r, ON_FD(c), "send", ret, "send(%d, 1, MSG_NOSIGNAL) blocking [child]", c);
	} else {
		kill(pid, SIGKILL);
		observe(r, ON_FD(c), "send", "send(1) blocking [child]", "no result in %d s",
			SAFETY_TIMEOUT_S + 2);
	}
	close(report);
	waitpid(pid, NULL, 0);
}

SCENARIO(timeout_user_timeout, .errno_name = "ETIMEDOUT", .syscall = "send",
	 .topology = {.kind = TOPO_ROUTED}, .intrinsic_wait_ms = 700, .order = 480)
{
	struct connection conn = CONNECTION_NONE;
	int *c = &conn.client;
	int status = connection_open(r, NULL, &conn);
	if (status != RUN_OK)
		goto out;
	set_int_sockopt(r, *c, IPPROTO_TCP, TCP_USER_TIMEOUT, "TCP_USER_TIMEOUT", USER_TIMEOUT_MS);
	safety_timeout(*c, SO_SNDTIMEO);
	note_retries2(r);
	if (server_vanishes(r) < 0) {
		status = skipped(r, "nftables is not usable in the router namespace: %s",
				 netns_error());
		goto out;
	}

	/* Fill the send buffer: nothing will ever be acknowledged. */
	static char chunk[65536];
	long queued = 0, n;
	struct rto_watch w = {.t_send = now_ms()};
	while ((n = send(*c, chunk, sizeof(chunk), MSG_DONTWAIT | MSG_NOSIGNAL)) > 0)
		queued += n;
	step(r, ON_FD(*c), "send until full", n,
	     "send(%d, %zu, MSG_DONTWAIT) after %ld bytes queued", *c, sizeof(chunk), queued);
	measure(r, ON_FD(*c), "queued bytes", "bytes accepted before the send buffer was full",
		"%ld", queued);

	blocked_send(r, *c, &w);
	report_user_timeout_clock(r, ON_FD(*c), &w);
	observe_state(r, "state", *c);
	observe(r, ON_FD(*c), "SO_ERROR", "getsockopt(SO_ERROR) after send()", "%s",
		errno_name(so_error(*c)));
	step(r, ON_FD(*c), "send again", send(*c, "x", 1, MSG_NOSIGNAL),
	     "send(%d, 1, MSG_NOSIGNAL)", *c);
out:
	connection_close(&conn);
	return status;
}
