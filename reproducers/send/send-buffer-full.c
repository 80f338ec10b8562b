/*
 * send-buffer-full: MSG_DONTWAIT sends while the peer does not read.
 * EAGAIN: the call would have to wait, and the caller said it will not.
 * Nothing is wrong with the connection; the call is to be made again once
 * poll() says the socket is ready.  Functions below were read in the
 * Debian 6.1 source (net/ipv4/tcp.c, net/core/stream.c, net/socket.c,
 * include/net/sock.h); 6.18 keeps the same names.
 *
 * O_NONBLOCK and MSG_DONTWAIT are one thing by the time TCP sees them:
 * __sys_sendto() (net/socket.c) adds MSG_DONTWAIT to the flags when the
 * file has O_NONBLOCK, and sock_sndtimeo() (include/net/sock.h) gives a
 * timeout of 0 for it.
 *
 * The peer's receive window closes, the rest stays in the sender's write
 * queue; once sk_wmem_queued reaches sk_sndbuf, sk_stream_memory_free() is
 * false, tcp_sendmsg_locked() goes to wait_for_space and
 * sk_stream_wait_memory() (net/core/stream.c) finds *timeo_p == 0:
 * do_eagain, -EAGAIN (with SOCK_NOSPACE set so that the ACKs that make
 * room later wake poll()).  tcp_poll() reports POLLOUT only when
 * __sk_stream_is_writeable(): free space at least half of what is queued.
 * Small SO_SNDBUF / SO_RCVBUF keep the amount (and the time) small
 * (lib/send_buffer_fill.h).
 *
 * POSIX send() agrees (O_NONBLOCK, no room: EAGAIN or EWOULDBLOCK).
 *
 * Summary: send(MSG_DONTWAIT) while the peer does not read: the send buffer
 *   fills
 * Kernel path: tcp_sendmsg_locked(): !sk_stream_memory_free() ->
 *   wait_for_space; sk_stream_wait_memory(): *timeo_p == 0 -> -EAGAIN;
 *   tcp_poll(): no POLLOUT until __sk_stream_is_writeable()
 * Handling: retry when ready: keep the unsent rest, poll for POLLOUT (it comes
 *   once the peer reads), then send the rest
 * Waits for: the peer's delayed ACKs as its window closes: 3 x 40 ms
 *   (TCP_ATO_MIN)
 */
#include <linux/sockios.h>
#include <poll.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "record/harness.h"
#include "lib/connection.h"
#include "lib/send_buffer_fill.h"
#include "lib/sockets.h"
#include "lib/sock_observe.h"

static int int_opt(int fd, int opt)
{
	int v = -1;
	socklen_t len = sizeof(v);
	if (getsockopt(fd, SOL_SOCKET, opt, &v, &len) < 0)
		return -1;
	return v;
}

/* The server reads what it holds until the client's socket is writable
 * again (1 ms polls, 2 s bound). */
static bool peer_reads_until_writable(int afd, int cfd)
{
	char buf[16384];
	for (int i = 0; i < 2000; i++) {
		while (recv(afd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
			;
		if (poll_fd(cfd, POLLOUT, 1) & POLLOUT)
			return true;
	}
	return false;
}

static int queue_bytes(int fd, unsigned long req)
{
	int n = -1;
	if (ioctl(fd, req, &n) < 0)
		return -1;
	return n;
}

SCENARIO(send_buffer_full, .errno_name = "EAGAIN", .syscall = "send", .intrinsic_wait_ms = 120,
	 .order = 320)
{
	struct connection c;
	int rc = connection_open(r, &small_buffers, &c);
	if (rc != RUN_OK)
		return rc;
	measure(r, AT(HOST_CLIENT), "SO_SNDBUF", "getsockopt(client, SO_SNDBUF) (asked 4096)", "%d",
		int_opt(c.client, SO_SNDBUF));
	measure(r, AT(HOST_SERVER), "SO_RCVBUF", "getsockopt(server, SO_RCVBUF) (asked 4096)", "%d",
		int_opt(c.server, SO_RCVBUF));

	long first = 0;
	long queued = fill_send_buffer(c.client, &first);
	if (queued < 0) {
		connection_close(&c);
		return broken(r, "filling the send buffer: it never stayed full (%m)");
	}
	char data[CHUNK] = {0};
	struct call_watch w;
	step(r, ON_FD(c.client), "send",
	     WATCHED(&w, send(c.client, data, sizeof(data), MSG_DONTWAIT | MSG_NOSIGNAL)),
	     "send(%d, %zu, MSG_DONTWAIT) with the send buffer full", c.client, sizeof(data));
	observe(r, ON_FD(c.client), "returned",
		"send(MSG_DONTWAIT): voluntary context switches in the call", "%s",
		sleep_class(&w));
	measure(r, ON_FD(c.client), "queued before EAGAIN",
		"bytes send(MSG_DONTWAIT) accepted before the first EAGAIN", "%ld", first);
	measure(r, ON_FD(c.client), "queued in all",
		"bytes accepted until the buffer stayed full (ACKs made room)", "%ld", queued);
	measure(r, AT(HOST_SERVER), "receiver holds", "ioctl(server, SIOCINQ)", "%d",
		queue_bytes(c.server, SIOCINQ));
	measure(r, AT(HOST_CLIENT), "sender holds", "ioctl(client, SIOCOUTQ)", "%d",
		queue_bytes(c.client, SIOCOUTQ));
	observe(r, AT(HOST_CLIENT), "poll POLLOUT", "poll(client, POLLOUT, 0)", "%s",
		(poll_fd(c.client, POLLOUT, 0) & POLLOUT) ? "writable" : "not writable");
	observe_state(r, "state", c.client);

	/* The handling: wait for POLLOUT, which comes once the peer reads. */
	observe(r, AT(HOST_CLIENT), "poll after peer reads",
		"the server reads; poll(client, POLLOUT, 1) each ms", "%s",
		peer_reads_until_writable(c.server, c.client) ? "writable" : "not writable");
	step(r, ON_FD(c.client), "send after poll",
	     send(c.client, data, sizeof(data), MSG_DONTWAIT | MSG_NOSIGNAL),
	     "send(%d, %zu, MSG_DONTWAIT) after poll() said writable", c.client, sizeof(data));
	note(r,
	     "%ld bytes queued before the first EAGAIN; as ACKs made room, %ld in all: the "
	     "server's receive queue holds some, the client's send queue the rest",
	     first, queued);
	note(r, "poll() says POLLOUT only when the free space is at least half of what is "
		"queued (__sk_stream_is_writeable())");
	connection_close(&c);
	return RUN_OK;
}
