/*
 * The reader/writer loop sockerr recommends for a connected TCP socket.
 *
 * What the recv(2) and send(2) scenarios measured on Linux, and what
 * follows:
 *
 * - EAGAIN/EWOULDBLOCK (recv-nonblocking-empty, send-buffer-full,
 *   send-partial-nonblocking; also SO_RCVTIMEO/SO_SNDTIMEO expiring,
 *   recv-timeout, send-timeout): nothing to read, or no room to write.
 *   Wait in poll() for POLLIN/POLLOUT, never busy-loop.  A send() may also
 *   write part of the buffer: send the rest.  Every call here passes
 *   MSG_DONTWAIT, so a blocking socket behaves the same.
 * - EINTR (signal-during-call): a signal arrived before anything was
 *   transferred.  Retry at once.
 * - recv() returning 0 (write-after-peer-close, reset-after-eof): the peer
 *   closed in order (FIN).  Not an error: the request or the stream is
 *   complete; stop reading.
 * - ECONNRESET (reset-by-client, reset-linger-zero, reset-unread-data,
 *   reset-peer-rebooted, write-after-rst): the peer aborted (RST).  The
 *   data it sent before is still read first (tcp_recvmsg_locked(): queued
 *   data, then the error once), so whatever arrived is complete only if
 *   the protocol says so.  Tell it apart from EOF: an orderly end and an
 *   abort mean different things to the application.
 * - EPIPE (write-after-rst, pipe-after-shutdown, pipe-in-close-wait): the
 *   connection can send nothing more (the RST's error was already
 *   reported, or this side shut down writing).  Without MSG_NOSIGNAL the
 *   kernel also raises SIGPIPE, whose default action kills the process:
 *   every send() here passes MSG_NOSIGNAL.  A program that writes with
 *   write(), or through a library, ignores SIGPIPE instead
 *   (signal(SIGPIPE, SIG_IGN)).
 * - ETIMEDOUT (timeout-keepalive, timeout-user-timeout,
 *   timeout-peer-vanished), EHOSTUNREACH, ENETUNREACH
 *   (timeout-after-icmp-established): the kernel gave up on the peer.
 *   The connection is lost; close it (and reconnect, with back-off).
 * - EBADF, EFAULT, EINVAL, ENOTCONN (send-not-connected), ENOTSOCK: a bug
 *   in the caller.  Stop and report.
 */
/* MSG_NOSIGNAL and MSG_DONTWAIT are POSIX 2008: the file builds with cc
 * alone. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "io_loop.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>

static double monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

enum io_end io_end_of(int err)
{
	switch (err) {
	case 0:
	case EAGAIN:
#if EWOULDBLOCK != EAGAIN
	case EWOULDBLOCK:
#endif
	case EINTR: return IO_DONE;
	case ECONNRESET: return IO_RESET;
	case EPIPE: return IO_PEER_GONE;
	case ETIMEDOUT:
	case EHOSTUNREACH:
	case ENETUNREACH:
	case ENETDOWN:
	case EHOSTDOWN:
	case ECONNABORTED:
	case EPROTO: return IO_LOST;
	default: /* EBADF, EFAULT, EINVAL, ENOTCONN, ENOTSOCK, ... */ return IO_FATAL;
	}
}

const char *io_end_name(enum io_end end)
{
	switch (end) {
	case IO_DONE: return "done";
	case IO_EOF: return "EOF";
	case IO_RESET: return "ECONNRESET";
	case IO_PEER_GONE: return "EPIPE";
	case IO_LOST: return "connection lost";
	case IO_TIMEOUT: return "timeout";
	case IO_FATAL: return "fatal";
	}
	return "?";
}

/* Wait until fd is ready for events, or the deadline (< 0: none) passes.
 * Returns 1 when ready (or in error: the next call says which), 0 at the
 * deadline.  EINTR just waits again. */
static int wait_ready(int fd, short events, double deadline_ms)
{
	for (;;) {
		int left = -1;
		if (deadline_ms >= 0) {
			double ms = deadline_ms - monotonic_ms();
			if (ms <= 0)
				return 0;
			left = (int)ms + 1;
		}
		struct pollfd p = {.fd = fd, .events = events};
		int n = poll(&p, 1, left);
		if (n > 0)
			return 1; /* POLLERR and POLLHUP too: the call reports them */
		if (n == 0 && deadline_ms >= 0)
			continue; /* rounding: the check above decides */
		if (n < 0 && errno != EINTR)
			return 1; /* EINVAL, ENOMEM: let the call say what is wrong */
	}
}

static double deadline_of(int timeout_ms)
{
	return timeout_ms < 0 ? -1 : monotonic_ms() + timeout_ms;
}

struct io_result io_read(int fd, void *buf, size_t len, int timeout_ms)
{
	double deadline = deadline_of(timeout_ms);
	for (;;) {
		ssize_t n = recv(fd, buf, len, MSG_DONTWAIT);
		if (n > 0)
			return (struct io_result){.end = IO_DONE, .bytes = (size_t)n};
		if (n == 0)
			return (struct io_result){.end = len ? IO_EOF : IO_DONE};
		int err = errno;
		enum io_end end = io_end_of(err);
		if (end != IO_DONE)
			return (struct io_result){.end = end, .err = err};
		if (err == EINTR)
			continue;
		if (!wait_ready(fd, POLLIN, deadline))
			return (struct io_result){.end = IO_TIMEOUT};
	}
}

struct io_result io_write_all(int fd, const void *buf, size_t len, int timeout_ms)
{
	double deadline = deadline_of(timeout_ms);
	const char *p = buf;
	size_t done = 0;
	while (done < len) {
		ssize_t n = send(fd, p + done, len - done, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n >= 0) {
			done += (size_t)n; /* a partial write: send the rest */
			continue;
		}
		int err = errno;
		enum io_end end = io_end_of(err);
		if (end != IO_DONE)
			return (struct io_result){.end = end, .bytes = done, .err = err};
		if (err == EINTR)
			continue;
		if (!wait_ready(fd, POLLOUT, deadline))
			return (struct io_result){.end = IO_TIMEOUT, .bytes = done};
	}
	return (struct io_result){.end = IO_DONE, .bytes = done};
}
