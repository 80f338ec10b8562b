/*
 * EAGAIN on a TCP connection: the call would have to wait, and the caller
 * said it will not (O_NONBLOCK, MSG_DONTWAIT) or no longer (SO_RCVTIMEO,
 * SO_SNDTIMEO).  Nothing is wrong with the connection; the call is to be
 * made again once poll() says the socket is ready.  EWOULDBLOCK == EAGAIN
 * on Linux (asm-generic/errno.h).  Functions below were read in the Debian
 * 6.1 source (net/ipv4/tcp.c, net/core/stream.c, net/ipv4/af_inet.c,
 * net/socket.c, include/net/sock.h); 6.18 keeps the same names.
 *
 * O_NONBLOCK and MSG_DONTWAIT are one thing by the time TCP sees them:
 * __sys_recvfrom() and __sys_sendto() (net/socket.c) add MSG_DONTWAIT to
 * the flags when the file has O_NONBLOCK, and sock_rcvtimeo() /
 * sock_sndtimeo() (include/net/sock.h) give a timeout of 0 for it, or
 * sk_rcvtimeo / sk_sndtimeo otherwise (the SO_*TIMEO value in jiffies,
 * rounded up by sock_set_timeout(), net/core/sock.c; "forever" when unset).
 *
 * recv-nonblocking-empty: recv() on an established connection with nothing
 * received.  tcp_recvmsg_locked(): timeo = sock_rcvtimeo(sk, MSG_DONTWAIT)
 * = 0, the receive queue is empty, no error, no FIN: "if (!timeo) copied =
 * -EAGAIN".  POSIX recv() agrees (O_NONBLOCK, no data: EAGAIN or
 * EWOULDBLOCK).
 *
 * recv-timeout: a blocking recv() with SO_RCVTIMEO.  tcp_recvmsg_locked()
 * sleeps in sk_wait_data(), which counts timeo down; when it comes back at
 * 0 with nothing copied, the next turn of the loop returns -EAGAIN as
 * above.  POSIX SO_RCVTIMEO agrees: "a partial count or errno set to
 * [EAGAIN] or [EWOULDBLOCK] if no data is received".
 *
 * send-buffer-full: MSG_DONTWAIT sends while the peer does not read.  The
 * peer's receive window closes, the rest stays in the sender's write
 * queue; once sk_wmem_queued reaches sk_sndbuf, sk_stream_memory_free() is
 * false, tcp_sendmsg_locked() goes to wait_for_space and
 * sk_stream_wait_memory() (net/core/stream.c) finds *timeo_p == 0:
 * do_eagain, -EAGAIN (with SOCK_NOSPACE set so that the ACKs that make
 * room later wake poll()).  tcp_poll() reports POLLOUT only when
 * __sk_stream_is_writeable(): free space at least half of what is queued.
 * Small SO_SNDBUF / SO_RCVBUF keep the amount (and the time) small.
 *
 * send-timeout: a blocking send() with SO_SNDTIMEO.  sk_stream_wait_memory()
 * waits up to the timeout, then -EAGAIN; tcp_sendmsg_locked() returns
 * "copied" when it copied anything before (do_error: "if (copied +
 * copied_syn) goto out"), so a send() larger than the free space returns a
 * short count after the timeout, and only a send() that finds the buffer
 * already full returns -1 EAGAIN.  POSIX SO_SNDTIMEO agrees ("a partial
 * count or ... [EAGAIN] ... if no data were sent").
 *
 * connect-timeout-option: a blocking connect() with SO_SNDTIMEO, the SYNs
 * silently dropped by a blackhole route on the router.
 * __inet_stream_connect() (af_inet.c) sets err = -EINPROGRESS after
 * sending the SYN, takes timeo = sock_sndtimeo(sk, flags & O_NONBLOCK) and
 * sleeps in inet_wait_for_connect(); when that returns 0 (the timeout ran
 * out, still SYN_SENT) it "goto out" with -EINPROGRESS.  The attempt is
 * not cancelled: the socket stays in SYN_SENT and keeps retransmitting,
 * SO_ERROR is 0, and a second connect() finds SS_CONNECTING: -EALREADY
 * (after waiting the timeout again).  POSIX connect() says EINPROGRESS is
 * for O_NONBLOCK sockets and a blocking connect() waits until the
 * connection is made or fails (ETIMEDOUT); its SO_SNDTIMEO is about
 * output functions only.  socket(7) does document EINPROGRESS here.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <unistd.h>

#include "record/harness.h"
#include "lib/connection.h"
#include "lib/sockets.h"

#define TIMEO_MS 200
/* Asked for with SO_SNDBUF / SO_RCVBUF; the kernel doubles it. */
#define SMALL_BUF 4096
/* The connection of the buffer scenarios: small buffers at both ends, so
 * that a few sends fill them. */
static const struct connection_options small_buffers = {.sndbuf = SMALL_BUF, .rcvbuf = SMALL_BUF};
#define CHUNK 1024
/* More than the request of the partial send-timeout: far above what a
 * send buffer of SMALL_BUF and the peer's window can take. */
#define BIG_SEND (64 * 1024)

static int set_timeo(int fd, int opt, int ms)
{
	struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
	return setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof(tv));
}

static int int_opt(int fd, int opt)
{
	int v = -1;
	socklen_t len = sizeof(v);
	if (getsockopt(fd, SOL_SOCKET, opt, &v, &len) < 0)
		return -1;
	return v;
}

/* ---- recv-nonblocking-empty ------------------------------------------- */

static int recv_nonblocking_empty(struct run *r)
{
	struct connection c;
	int rc = connection_open(r, NULL, &c);
	if (rc != RUN_OK) {
		connection_close(&c);
		return rc;
	}
	char buf[512];

	/* "At once" is whether the thread slept in the call, not a time. */
	struct call_watch w;
	step_as(r, "recv MSG_DONTWAIT", WATCHED(&w, recv(c.client, buf, sizeof(buf), MSG_DONTWAIT)),
		"recv(%d, %zu, MSG_DONTWAIT), nothing sent yet", c.client, sizeof(buf));
	observe(r, "returned", "recv(MSG_DONTWAIT): voluntary context switches in the call", "%s",
		sleep_class(&w));
	measure(r, "recv MSG_DONTWAIT ms", "time in recv(MSG_DONTWAIT), ms", "%.3f", w.ms);

	int fl = fcntl(c.client, F_GETFL);
	step_as(r, "fcntl O_NONBLOCK", fcntl(c.client, F_SETFL, fl | O_NONBLOCK),
		"fcntl(%d, F_SETFL, O_NONBLOCK)", c.client);
	step_as(r, "recv O_NONBLOCK", WATCHED(&w, recv(c.client, buf, sizeof(buf), 0)),
		"recv(%d, %zu, 0) on an O_NONBLOCK socket", c.client, sizeof(buf));
	observe(r, "returned",
		"recv() on the O_NONBLOCK socket: voluntary context switches in the call", "%s",
		sleep_class(&w));
	measure(r, "recv O_NONBLOCK ms", "time in recv() on the O_NONBLOCK socket, ms", "%.3f",
		w.ms);

	/* EAGAIN says nothing about the connection: it is intact. */
	observe(r, "state", "getsockopt(TCP_INFO).tcpi_state", "%s",
		tcp_state_name(tcp_state(c.client)));
	observe(r, "poll", "poll(client, POLLIN, 0)", "%s",
		(poll_fd(c.client, POLLIN, 0) & POLLIN) ? "readable" : "not readable");

	/* The handling: wait for readability, then read. */
	step_as(r, "peer send", send(c.server, "x", 1, MSG_NOSIGNAL), "send(%d, 1) from the server",
		c.server);
	observe(r, "poll after data", "poll(client, POLLIN, 2000)", "%s",
		(poll_fd(c.client, POLLIN, 2000) & POLLIN) ? "readable" : "not readable");
	step_as(r, "recv after poll", recv(c.client, buf, sizeof(buf), 0),
		"recv(%d, %zu, 0) after poll() said readable", c.client, sizeof(buf));
	note(r, "EWOULDBLOCK == EAGAIN on Linux (%s): one errno, two names",
	     EWOULDBLOCK == EAGAIN ? "same value" : "different values");
	note(r, "O_NONBLOCK becomes MSG_DONTWAIT in __sys_recvfrom(): the two cases take the "
		"same path in tcp_recvmsg_locked()");
	connection_close(&c);
	return RUN_OK;
}

/* ---- recv-timeout ----------------------------------------------------- */

static int recv_timeout(struct run *r)
{
	struct connection c;
	int rc = connection_open(r, NULL, &c);
	if (rc != RUN_OK) {
		connection_close(&c);
		return rc;
	}
	char buf[512];
	step(r, set_timeo(c.client, SO_RCVTIMEO, TIMEO_MS), "setsockopt(%d, SO_RCVTIMEO, %d ms)",
	     c.client, TIMEO_MS);
	struct call_watch w;
	step(r, WATCHED(&w, recv(c.client, buf, sizeof(buf), 0)),
	     "recv(%d, %zu, 0) on a blocking socket, no data", c.client, sizeof(buf));
	observe(r, "elapsed", "recv(): slept, and for at least SO_RCVTIMEO", "%s",
		timeout_class(&w, TIMEO_MS));
	measure(r, "elapsed ms", "time in recv(), ms (SO_RCVTIMEO 200 ms)", "%.1f", w.ms);
	observe(r, "state", "getsockopt(TCP_INFO).tcpi_state", "%s",
		tcp_state_name(tcp_state(c.client)));
	note(r,
	     "recv() returned EAGAIN after %.1f ms (SO_RCVTIMEO %d ms): the caller's deadline, "
	     "not an error of the connection",
	     w.ms, TIMEO_MS);
	connection_close(&c);
	return RUN_OK;
}

/* ---- filling the send buffer ------------------------------------------ */

/* CHUNK-byte sends with MSG_DONTWAIT until EAGAIN: the bytes queued, or
 * -1 when a send failed otherwise or EAGAIN never came (4096 sends). */
static long queue_until_eagain(int fd)
{
	static const char data[CHUNK];
	long total = 0;
	for (int i = 0; i < 4096; i++) {
		ssize_t n = send(fd, data, sizeof(data), MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0)
			return errno == EAGAIN ? total : -1;
		total += n;
	}
	errno = EOVERFLOW;
	return -1;
}

static int unacked(int fd)
{
	struct tcp_info info;
	socklen_t len = sizeof(info);
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) < 0)
		return -1;
	return (int)info.tcpi_unacked;
}

/* Fill the client's send buffer so that it stays full: queue until EAGAIN,
 * wait (1 ms polls, 2 s bound) until every segment sent is acknowledged,
 * and again, until a round queues nothing (the last segments wait for the
 * peer's delayed ACK or a tail loss probe: about 0.1 s; the peer counts
 * TCPToZeroWindowAdv once its window closes).  The peer's window is then
 * closed and nothing is in flight, so no ACK can make room before the
 * peer reads.  Returns the bytes queued in all, -1 on failure; *first
 * gets those queued before the first EAGAIN. */
static long fill_send_buffer(int fd, long *first)
{
	long total = 0;
	for (int round = 0; round < 20; round++) {
		long n = queue_until_eagain(fd);
		if (n < 0)
			return -1;
		if (round == 0)
			*first = n;
		total += n;
		if (round > 0 && n == 0)
			return total;
		int i = 0;
		while (unacked(fd) > 0 && i++ < 2000)
			poll_fd(-1, 0, 1);
		if (unacked(fd) != 0)
			return -1;
	}
	return -1;
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

/* ---- send-buffer-full ------------------------------------------------- */

static int send_buffer_full(struct run *r)
{
	struct connection c;
	int rc = connection_open(r, &small_buffers, &c);
	if (rc != RUN_OK) {
		connection_close(&c);
		return rc;
	}
	measure(r, "SO_SNDBUF", "getsockopt(client, SO_SNDBUF) (asked 4096)", "%d",
		int_opt(c.client, SO_SNDBUF));
	measure(r, "SO_RCVBUF", "getsockopt(server, SO_RCVBUF) (asked 4096)", "%d",
		int_opt(c.server, SO_RCVBUF));

	long first = 0;
	long queued = fill_send_buffer(c.client, &first);
	if (queued < 0) {
		connection_close(&c);
		return broken(r, "filling the send buffer: it never stayed full (%m)");
	}
	char data[CHUNK] = {0};
	struct call_watch w;
	step(r, WATCHED(&w, send(c.client, data, sizeof(data), MSG_DONTWAIT | MSG_NOSIGNAL)),
	     "send(%d, %zu, MSG_DONTWAIT) with the send buffer full", c.client, sizeof(data));
	observe(r, "returned", "send(MSG_DONTWAIT): voluntary context switches in the call", "%s",
		sleep_class(&w));
	measure(r, "queued before EAGAIN",
		"bytes send(MSG_DONTWAIT) accepted before the first EAGAIN", "%ld", first);
	measure(r, "queued in all", "bytes accepted until the buffer stayed full (ACKs made room)",
		"%ld", queued);
	measure(r, "receiver holds", "ioctl(server, SIOCINQ)", "%d",
		queue_bytes(c.server, SIOCINQ));
	measure(r, "sender holds", "ioctl(client, SIOCOUTQ)", "%d",
		queue_bytes(c.client, SIOCOUTQ));
	observe(r, "poll POLLOUT", "poll(client, POLLOUT, 0)", "%s",
		(poll_fd(c.client, POLLOUT, 0) & POLLOUT) ? "writable" : "not writable");
	observe(r, "state", "getsockopt(TCP_INFO).tcpi_state", "%s",
		tcp_state_name(tcp_state(c.client)));

	/* The handling: wait for POLLOUT, which comes once the peer reads. */
	observe(r, "poll after peer reads", "the server reads; poll(client, POLLOUT, 1) each ms",
		"%s", peer_reads_until_writable(c.server, c.client) ? "writable" : "not writable");
	step_as(r, "send after poll",
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

/* ---- send-timeout ----------------------------------------------------- */

static int send_timeout(struct run *r)
{
	struct connection c;
	int rc = connection_open(r, &small_buffers, &c);
	if (rc != RUN_OK) {
		connection_close(&c);
		return rc;
	}
	static const char data[BIG_SEND];
	step(r, set_timeo(c.client, SO_SNDTIMEO, TIMEO_MS), "setsockopt(%d, SO_SNDTIMEO, %d ms)",
	     c.client, TIMEO_MS);

	/* 1: more than fits: the bytes copied before the timeout are the
	 * result, not EAGAIN. */
	struct call_watch w;
	long n = step_as(r, "send larger than the buffer",
			 WATCHED(&w, send(c.client, data, BIG_SEND, MSG_NOSIGNAL)),
			 "send(%d, %d, 0), blocking, empty send buffer", c.client, BIG_SEND);
	observe(r, "returned", "send()'s result against the request", "%s",
		n < 0	       ? "-1"
		: n == 0       ? "0"
		: n < BIG_SEND ? "a short count"
			       : "the whole request");
	observe(r, "elapsed", "send(): slept, and for at least SO_SNDTIMEO", "%s",
		timeout_class(&w, TIMEO_MS));
	measure(r, "sent", "bytes send() accepted before the timeout", "%ld", n);
	measure(r, "elapsed ms", "time in send(), ms (SO_SNDTIMEO 200 ms)", "%.1f", w.ms);

	/* 2: the buffer is full (and stays full: nothing in flight, the
	 * peer's window closed): nothing can be copied, EAGAIN. */
	long first = 0;
	long more = fill_send_buffer(c.client, &first);
	if (more < 0) {
		connection_close(&c);
		return broken(r, "keeping the send buffer full: %m");
	}
	step_as(r, "send to a full buffer", WATCHED(&w, send(c.client, data, CHUNK, MSG_NOSIGNAL)),
		"send(%d, %d, 0), blocking, send buffer full", c.client, CHUNK);
	observe(r, "elapsed", "send(): slept, and for at least SO_SNDTIMEO", "%s",
		timeout_class(&w, TIMEO_MS));
	measure(r, "elapsed ms", "time in send(), ms (SO_SNDTIMEO 200 ms)", "%.1f", w.ms);
	observe(r, "state", "getsockopt(TCP_INFO).tcpi_state", "%s",
		tcp_state_name(tcp_state(c.client)));
	note(r,
	     "a timed-out send() returns what it copied (%ld of %d bytes) and -1 EAGAIN only "
	     "when it copied nothing; %ld more bytes fitted before the buffer stayed full",
	     n, BIG_SEND, more);
	connection_close(&c);
	return RUN_OK;
}

/* ---- connect-timeout-option ------------------------------------------- */

static int connect_timeout_option(struct run *r)
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
	step(r, set_timeo(fd, SO_SNDTIMEO, TIMEO_MS), "setsockopt(%d, SO_SNDTIMEO, %d ms)", fd,
	     TIMEO_MS);
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(r->family, server, SERVER_PORT, &ss);
	struct call_watch w;
	step(r, WATCHED(&w, connect(fd, (struct sockaddr *)&ss, len)), "connect(%d, %s), blocking",
	     fd, sockaddr_str((struct sockaddr *)&ss));
	observe(r, "elapsed", "connect(): slept, and for at least SO_SNDTIMEO", "%s",
		timeout_class(&w, TIMEO_MS));
	measure(r, "elapsed ms", "time in connect(), ms (SO_SNDTIMEO 200 ms)", "%.1f", w.ms);
	int err = so_error(fd);
	observe(r, "SO_ERROR", "getsockopt(SO_ERROR)", "%s",
		err == 0 ? "0 (none)" : errno_name(err));
	observe(r, "state", "getsockopt(TCP_INFO).tcpi_state", "%s", tcp_state_name(tcp_state(fd)));
	observe(r, "poll", "poll(client, POLLOUT, 0)", "%s",
		(poll_fd(fd, POLLOUT, 0) & POLLOUT) ? "writable" : "not writable");

	/* Calling connect() again does not start over: the attempt is the
	 * same one, still going on. */
	step_as(r, "connect again", WATCHED(&w, connect(fd, (struct sockaddr *)&ss, len)),
		"connect(%d, %s) again, blocking", fd, sockaddr_str((struct sockaddr *)&ss));
	observe(r, "elapsed", "the second connect(): slept, and for at least SO_SNDTIMEO", "%s",
		timeout_class(&w, TIMEO_MS));
	observe(r, "state", "getsockopt(TCP_INFO).tcpi_state", "%s", tcp_state_name(tcp_state(fd)));

	step(r, close(fd), "close(%d)", fd);
	int n = tcp_diag_count(&r->topo.client, r->family, 0, SERVER_PORT, 1u << TCP_SYN_SENT);
	observe(r, "SYN_SENT after close", "sock_diag: client sockets in SYN_SENT to the server",
		"%s",
		n < 0	 ? "sock_diag failed"
		: n == 0 ? "none"
			 : "some");
	note(r, "connect() gave up waiting, not connecting: SO_SNDTIMEO ends the wait with "
		"EINPROGRESS, the SYNs go on until close()");
	return RUN_OK;
}

/* ---- the catalogue ---------------------------------------------------- */

SCENARIO(recv_nonblocking_empty) = {
	.name = "recv-nonblocking-empty",
	.errno_name = "EAGAIN",
	.syscall = "recv",
	.summary = "recv() with MSG_DONTWAIT or on an O_NONBLOCK socket, nothing received",
	.posix_expects = NULL,
	.kernel_path = "__sys_recvfrom(): O_NONBLOCK -> MSG_DONTWAIT; tcp_recvmsg_locked(): "
		       "sock_rcvtimeo() == 0, receive queue empty -> -EAGAIN",
	.handling = "retry when ready: poll()/epoll for POLLIN, then recv() again; EWOULDBLOCK "
		    "is the same errno; the connection is fine",
	.order = 300,
	.run = recv_nonblocking_empty,
};

SCENARIO(recv_timeout) = {
	.name = "recv-timeout",
	.errno_name = "EAGAIN",
	.syscall = "recv",
	.summary = "a blocking recv() with SO_RCVTIMEO 200 ms, nothing received",
	.posix_expects = NULL,
	.kernel_path = "tcp_recvmsg_locked(): sk_wait_data() counts sock_rcvtimeo() down to 0, "
		       "nothing copied -> -EAGAIN",
	.handling = "retry when ready: the timeout is the caller's own deadline, the connection "
		    "is fine; poll for POLLIN or call again if time is left",
	.intrinsic_wait_ms = 200,
	.intrinsic_wait = "SO_RCVTIMEO 200 ms",
	.order = 310,
	.run = recv_timeout,
};

SCENARIO(send_buffer_full) = {
	.name = "send-buffer-full",
	.errno_name = "EAGAIN",
	.syscall = "send",
	.summary = "send(MSG_DONTWAIT) while the peer does not read: the send buffer fills",
	.posix_expects = NULL,
	.kernel_path = "tcp_sendmsg_locked(): !sk_stream_memory_free() -> wait_for_space; "
		       "sk_stream_wait_memory(): *timeo_p == 0 -> -EAGAIN; tcp_poll(): no POLLOUT "
		       "until __sk_stream_is_writeable()",
	.handling = "retry when ready: keep the unsent rest, poll for POLLOUT (it comes once the "
		    "peer reads), then send the rest",
	.intrinsic_wait_ms = 120,
	.intrinsic_wait = "the peer's delayed ACKs as its window closes: 3 x 40 ms (TCP_ATO_MIN)",
	.order = 320,
	.run = send_buffer_full,
};

SCENARIO(send_timeout) = {
	.name = "send-timeout",
	.errno_name = "EAGAIN",
	.syscall = "send",
	.summary = "a blocking send() with SO_SNDTIMEO 200 ms: a short count, then EAGAIN once "
		   "the buffer is full",
	.posix_expects = NULL,
	.kernel_path = "tcp_sendmsg_locked() -> sk_stream_wait_memory(): the timeout runs out -> "
		       "-EAGAIN; tcp_sendmsg_locked() do_error: returns copied when > 0",
	.handling = "retry when ready: a short count means the rest was not sent, -1 EAGAIN that "
		    "nothing was; poll for POLLOUT, or give up at the deadline",
	.intrinsic_wait_ms = 400,
	.intrinsic_wait = "SO_SNDTIMEO 200 ms, twice (short count, then EAGAIN)",
	.order = 330,
	.run = send_timeout,
};

SCENARIO(connect_timeout_option) = {
	.name = "connect-timeout-option",
	.errno_name = "EINPROGRESS",
	.syscall = "connect",
	.summary = "a blocking connect() with SO_SNDTIMEO 200 ms, the SYNs dropped by the router",
	.posix_expects = "EINPROGRESS only for an O_NONBLOCK socket; a blocking connect() waits "
			 "until connected or failed (ETIMEDOUT); SO_SNDTIMEO bounds output "
			 "functions, not connect() (socket(7) does document this EINPROGRESS)",
	.kernel_path =
		"__inet_stream_connect(): err = -EINPROGRESS, timeo = sock_sndtimeo(); "
		"inet_wait_for_connect() returns 0 (timeout, still SYN_SENT) -> -EINPROGRESS; "
		"again: SS_CONNECTING -> -EALREADY",
	.handling = "retry when ready: the attempt goes on; poll for POLLOUT then read SO_ERROR, "
		    "or close() to abandon it (connect() again says EALREADY)",
	.topology = TOPO_ROUTED,
	.intrinsic_wait_ms = 400,
	.intrinsic_wait = "SO_SNDTIMEO 200 ms, twice (connect(), then connect() again)",
	.order = 340,
	.run = connect_timeout_option,
};
