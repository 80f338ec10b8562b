/*
 * send-partial-nonblocking: a nonblocking send() of more than the send
 * buffer has room for.  It does not fail: it queues what fits and returns
 * that count, a partial write; the next send() finds no room and fails
 * with EAGAIN.  A caller must keep the unsent rest, not assume the whole
 * buffer went.
 *
 * The set-up is send-buffer-full's (lib/send_buffer_fill.h): a peer that
 * does not read, small buffers at both ends, the client's send buffer
 * filled until it stays full, so that the peer's window is closed and
 * nothing is in flight: no ACK can free room between the calls.  Then the
 * client raises its SO_SNDBUF (sk_setsockopt() -> sk_write_space()),
 * which gives the buffer room for a known part of the send and no more:
 * the peer's reading would reopen its window, and the ACKs that follow
 * would keep changing the room between the two calls.  poll() says
 * POLLOUT (free space at least half of what is queued,
 * __sk_stream_is_writeable()), which promises room, not room for all.
 *
 * tcp_sendmsg_locked() (net/ipv4/tcp.c) copies into the tail skb and new
 * ones; at new_segment, once !sk_stream_memory_free() (sk_wmem_queued
 * reached sk_sndbuf), it goes to wait_for_space, where
 * sk_stream_wait_memory() (net/core/stream.c) with a timeout of 0
 * (MSG_DONTWAIT; sock_sndtimeo()) returns -EAGAIN; do_error then returns
 * the bytes copied, when there are any, instead of the error.  The next
 * send() copies nothing (the tail skb is full, memory still not free):
 * -EAGAIN through sk_stream_error().  The count depends on skb sizes (a
 * measurement); that it is partial does not.
 *
 * POSIX send(): "If space is not available at the sending socket to hold
 * the message to be transmitted, and the socket file descriptor does have
 * O_NONBLOCK set, send() shall fail" [EAGAIN]; send(2): "When the message
 * does not fit into the send buffer of the socket, send() normally blocks,
 * unless the socket has been placed in nonblocking I/O mode.  In
 * nonblocking mode it would fail with the error EAGAIN".  Both read as all
 * or nothing; POSIX write() on a descriptor that cannot take all the data
 * at once, with O_NONBLOCK: "If some data can be written without blocking
 * the thread, write() shall write what it can and return the number of
 * bytes written".  Linux's send() on TCP does what write() says.  The TCP
 * errors article (EAGAIN): "The remaining space in the sending buffer is
 * smaller than the size of the sending package": not an error while any
 * of it fits, only the next call's.
 *
 * Summary: a nonblocking send() of more than the send buffer has room for:
 *   a partial count, then EAGAIN
 * POSIX expects: send() fails with EAGAIN when the message does not fit
 *   (POSIX send(); send(2) "In nonblocking mode it would fail with the error
 *   EAGAIN"); only write() "shall write what it can"
 * Kernel path: tcp_sendmsg_locked(): !sk_stream_memory_free() ->
 *   wait_for_space; sk_stream_wait_memory(): timeout 0 -> -EAGAIN; do_error:
 *   copied > 0 -> return copied; the next call copies nothing ->
 *   sk_stream_error(-EAGAIN)
 * Handling: retry when ready: advance past the bytes sent, keep the rest,
 *   poll for POLLOUT, send the rest
 * Waits for: the peer's delayed ACKs as its window closes: 3 x 40 ms
 *   (TCP_ATO_MIN)
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include "record/harness.h"
#include "lib/connection.h"
#include "lib/send_buffer_fill.h"
#include "lib/sock_observe.h"
#include "lib/sockets.h"

/* More than the room the raised SO_SNDBUF gives. */
#define BIG_SEND (64 * 1024)
/* Asked for with SO_SNDBUF once the buffer is full (the kernel doubles
 * it): 32 KiB, where about 8 KiB are queued. */
#define RAISED_BUF (4 * SMALL_BUF)

static const char *count_class(long ret, long len)
{
	if (ret < 0)
		return "failed";
	if (ret == 0)
		return "nothing: ret == 0";
	return ret < len ? "partial: 0 < ret < len" : "whole: ret == len";
}

static struct tcp_info tcp_info_of(int fd)
{
	struct tcp_info info = {0};
	socklen_t len = sizeof(info);
	getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len);
	return info;
}

SCENARIO(send_partial_nonblocking, .errno_name = "EAGAIN", .syscall = "send",
	 .intrinsic_wait_ms = 120, .order = 325)
{
	struct connection c;
	int rc = connection_open(r, &small_buffers, &c);
	if (rc != RUN_OK)
		return rc;
	long first = 0;
	if (fill_send_buffer(c.client, &first) < 0) {
		connection_close(&c);
		return broken(r, "filling the send buffer: it never stayed full (%m)");
	}
	struct tcp_info info = tcp_info_of(c.client);
	observe(r, AT(HOST_CLIENT), "in flight", "getsockopt(client, TCP_INFO).tcpi_unacked", "%u",
		info.tcpi_unacked);

	int raised = RAISED_BUF;
	step(r, ON_FD(c.client), "SO_SNDBUF",
	     setsockopt(c.client, SOL_SOCKET, SO_SNDBUF, &raised, sizeof(raised)),
	     "setsockopt(%d, SO_SNDBUF, %d) [room for part of the next send]", c.client, raised);
	int sndbuf = -1;
	socklen_t optlen = sizeof(sndbuf);
	getsockopt(c.client, SOL_SOCKET, SO_SNDBUF, &sndbuf, &optlen);
	measure(r, AT(HOST_CLIENT), "SO_SNDBUF now", "getsockopt(client, SO_SNDBUF)", "%d", sndbuf);
	observe(r, AT(HOST_CLIENT), "poll POLLOUT", "poll(client, POLLOUT, 0)", "%s",
		(poll_fd(c.client, POLLOUT, 0) & POLLOUT) ? "writable" : "not writable");

	static const char data[BIG_SEND];
	long ret = step(r, ON_FD(c.client), "send",
			send(c.client, data, sizeof(data), MSG_DONTWAIT | MSG_NOSIGNAL),
			"send(%d, %zu, MSG_DONTWAIT)", c.client, sizeof(data));
	measured_ret(r);
	observe(r, ON_FD(c.client), "send count", "send()'s return against its length", "%s",
		count_class(ret, (long)sizeof(data)));
	step(r, ON_FD(c.client), "send again",
	     send(c.client, data + (ret > 0 ? ret : 0), sizeof(data) - (ret > 0 ? (size_t)ret : 0),
		  MSG_DONTWAIT | MSG_NOSIGNAL),
	     "send(%d, %zu, MSG_DONTWAIT) [the rest]", c.client,
	     sizeof(data) - (ret > 0 ? (size_t)ret : 0));
	observe(r, AT(HOST_CLIENT), "poll POLLOUT after", "poll(client, POLLOUT, 0)", "%s",
		(poll_fd(c.client, POLLOUT, 0) & POLLOUT) ? "writable" : "not writable");
	observe_state(r, "state", c.client);
	note(r,
	     "send() returned %ld of %zu bytes: what fitted in the send buffer; the rest is "
	     "the caller's to keep and send once poll() says POLLOUT",
	     ret, sizeof(data));
	connection_close(&c);
	return RUN_OK;
}
