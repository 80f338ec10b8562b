/*
 * send-timeout: a blocking send() with SO_SNDTIMEO while the peer does not
 * read.  EAGAIN: the call would have to wait, and the caller said it will
 * no longer.  Nothing is wrong with the connection; the timeout is the
 * caller's own deadline.  Functions below were read in the Debian 6.1
 * source (net/ipv4/tcp.c, net/core/stream.c, net/core/sock.c,
 * include/net/sock.h); 6.18 keeps the same names.
 *
 * sock_sndtimeo() (include/net/sock.h) gives sk_sndtimeo: the SO_SNDTIMEO
 * value in jiffies, rounded up by sock_set_timeout() (net/core/sock.c);
 * "forever" when unset.  Once the send buffer is full
 * (lib/send_buffer_fill.h), sk_stream_wait_memory() (net/core/stream.c)
 * waits up to the timeout, then -EAGAIN; tcp_sendmsg_locked() returns
 * "copied" when it copied anything before (do_error: "if (copied +
 * copied_syn) goto out"), so a send() larger than the free space returns a
 * short count after the timeout, and only a send() that finds the buffer
 * already full returns -1 EAGAIN.
 *
 * POSIX SO_SNDTIMEO agrees ("a partial count or ... [EAGAIN] ... if no
 * data were sent").
 *
 * Summary: a blocking send() with SO_SNDTIMEO 200 ms: a short count, then
 *   EAGAIN once the buffer is full
 * Kernel path: tcp_sendmsg_locked() -> sk_stream_wait_memory(): the timeout
 *   runs out -> -EAGAIN; tcp_sendmsg_locked() do_error: returns copied when > 0
 * Handling: retry when ready: a short count means the rest was not sent, -1
 *   EAGAIN that nothing was; poll for POLLOUT, or give up at the deadline
 * Waits for: SO_SNDTIMEO 200 ms, twice (short count, then EAGAIN)
 */
#include <sys/socket.h>

#include "record/harness.h"
#include "lib/connection.h"
#include "lib/send_buffer_fill.h"
#include "lib/sock_timeo.h"
#include "lib/sockets.h"
#include "lib/sock_observe.h"

/* More than the request of the partial send-timeout: far above what a
 * send buffer of SMALL_BUF and the peer's window can take. */
#define BIG_SEND (64 * 1024)

SCENARIO(send_timeout, .errno_name = "EAGAIN", .syscall = "send", .intrinsic_wait_ms = 400,
	 .order = 330)
{
	struct connection c;
	int rc = connection_open(r, &small_buffers, &c);
	if (rc != RUN_OK)
		return rc;
	static const char data[BIG_SEND];
	step(r, ON_FD(c.client), "setsockopt", set_timeo(c.client, SO_SNDTIMEO, TIMEO_MS),
	     "setsockopt(%d, SO_SNDTIMEO, %d ms)", c.client, TIMEO_MS);

	/* 1: more than fits: the bytes copied before the timeout are the
	 * result, not EAGAIN. */
	struct call_watch w;
	long n = step(r, ON_FD(c.client), "send larger than the buffer",
		      WATCHED(&w, send(c.client, data, BIG_SEND, MSG_NOSIGNAL)),
		      "send(%d, %d, 0), blocking, empty send buffer", c.client, BIG_SEND);
	measured_ret(r);
	observe(r, ON_FD(c.client), "returned", "send()'s result against the request", "%s",
		n < 0	       ? "-1"
		: n == 0       ? "0"
		: n < BIG_SEND ? "a short count"
			       : "the whole request");
	observe(r, ON_FD(c.client), "elapsed", "send(): slept, and for at least SO_SNDTIMEO", "%s",
		timeout_class(&w, TIMEO_MS));
	measure(r, ON_FD(c.client), "sent", "bytes send() accepted before the timeout", "%ld", n);
	measure(r, ON_FD(c.client), "elapsed ms", "time in send(), ms (SO_SNDTIMEO 200 ms)", "%.1f",
		w.ms);

	/* 2: the buffer is full (and stays full: nothing in flight, the
	 * peer's window closed): nothing can be copied, EAGAIN. */
	long first = 0;
	long more = fill_send_buffer(c.client, &first);
	if (more < 0) {
		connection_close(&c);
		return broken(r, "keeping the send buffer full: %m");
	}
	step(r, ON_FD(c.client), "send to a full buffer",
	     WATCHED(&w, send(c.client, data, CHUNK, MSG_NOSIGNAL)),
	     "send(%d, %d, 0), blocking, send buffer full", c.client, CHUNK);
	observe_timeout_elapsed(r, ON_FD(c.client), &w, "send", "SO_SNDTIMEO");
	observe_state(r, "state", c.client);
	note(r,
	     "a timed-out send() returns what it copied (%ld of %d bytes) and -1 EAGAIN only "
	     "when it copied nothing; %ld more bytes fitted before the buffer stayed full",
	     n, BIG_SEND, more);
	connection_close(&c);
	return RUN_OK;
}
