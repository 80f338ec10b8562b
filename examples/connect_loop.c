/*
 * The connect loop sockerr recommends.
 *
 * A host name gives a list of addresses (getaddrinfo()); a service is up
 * when one of them answers.  So: try each address in order, each with a
 * timeout of its own (non-blocking connect(), then poll()); on an error
 * that concerns that address, close the socket and try the next one; when
 * none answered, pause (doubling the pause each round, up to a maximum)
 * and go round again, a bounded number of times.
 *
 * What the connect(2) scenarios measured on Linux, and what follows:
 *
 * - ECONNREFUSED (closed-port, refused-by-firewall, refused-by-icmp): the
 *   host answered RST (or ICMP port unreachable): nothing listens there
 *   now.  Next address.
 * - ETIMEDOUT (timeout-syn-dropped, connect-timeout-option,
 *   connect-timeout-after-icmp): no answer.  The kernel's own bound is
 *   net.ipv4.tcp_syn_retries (127 s by default): far too long to wait for
 *   one address when another may answer, so the loop's own timeout
 *   (attempt_timeout_ms) gives up first.  Next address.
 * - EHOSTUNREACH, ENETUNREACH (router-unreachable, unreachable-net-icmp,
 *   unreachable-neighbour, icmp-matrix; no-route and the local-route-*
 *   scenarios at connect() itself): a router, or this host, has no way
 *   there.  Next address: another network, or the other family, may be
 *   reachable.  Note that an ICMP error may arrive while connect() still
 *   owns the socket: Linux then keeps it as a soft error and reports it
 *   on the next SYN retransmission, one RTO (1 s) later, or as ETIMEDOUT
 *   when the attempt's own timeout is shorter than that.
 * - EACCES, EPERM (forbidden-landlock, a firewall's OUTPUT drop): a local
 *   policy forbids this destination; another may be allowed.  Next
 *   address.
 * - EAFNOSUPPORT from socket(): this host has no such family (IPv6
 *   disabled).  Next address.
 * - EINTR from connect(): the handshake goes on (POSIX: "the connection
 *   shall be established asynchronously"); wait for it as for
 *   EINPROGRESS.  EINTR from poll(): wait again, for what is left.
 * - EADDRNOTAVAIL (no local port left), EMFILE, ENFILE, ENOBUFS, ENOMEM:
 *   this host is short of something; every address would fail the same
 *   way.  End the round and pause.
 * - EBADF, EFAULT, EINVAL, ENOTSOCK, EISCONN, EALREADY, EPROTOTYPE, ...: a
 *   bug in the caller.  Stop and report.
 */
/* The file builds with cc alone, outside the Makefile. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "connect_loop.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_ATTEMPT_TIMEOUT_MS 3000
#define DEFAULT_ROUNDS		   3
#define DEFAULT_BACK_OFF_MS	   100
#define DEFAULT_BACK_OFF_MAX_MS	   5000

static double monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

enum connect_action connect_loop_action(int err)
{
	switch (err) {
	case 0: return CONNECT_DONE;
	case EINPROGRESS:
	case EINTR: return CONNECT_WAIT;
	case ECONNREFUSED:
	case ETIMEDOUT:
	case EHOSTUNREACH:
	case ENETUNREACH:
	case ENETDOWN:
	case EHOSTDOWN:
	case ECONNRESET:
	case EACCES:
	case EPERM:
	case EAFNOSUPPORT:
	case EPROTONOSUPPORT: return CONNECT_NEXT_ADDRESS;
	case EADDRNOTAVAIL:
	case EADDRINUSE:
	case EAGAIN:
	case EMFILE:
	case ENFILE:
	case ENOBUFS:
	case ENOMEM: return CONNECT_BACK_OFF;
	default: /* EBADF, EFAULT, EINVAL, ENOTSOCK, EISCONN, EALREADY, ... */ return CONNECT_FATAL;
	}
}

static void pause_ms(int ms)
{
	double until = monotonic_ms() + ms;
	for (double left = ms; left > 0; left = until - monotonic_ms())
		poll(NULL, 0, (int)left + 1); /* EINTR: pause for what is left */
}

/* Wait for the handshake on fd until deadline; its outcome as an errno (0:
 * connected).  *own_timeout tells the loop's timeout from the kernel's. */
static int handshake(int fd, double deadline, int *own_timeout)
{
	for (;;) {
		double left = deadline - monotonic_ms();
		if (left <= 0) {
			*own_timeout = 1;
			return ETIMEDOUT;
		}
		struct pollfd p = {.fd = fd, .events = POLLOUT};
		int n = poll(&p, 1, (int)left + 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno;
		if (n == 0)
			continue; /* the check above decides */
		int err = 0;
		socklen_t len = sizeof(err);
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			return errno;
		return err;
	}
}

/* One address: a connected descriptor, or -1 with the errno in *err. */
static int attempt(const struct connect_address *a, int timeout_ms, int *err, int *own_timeout)
{
	*own_timeout = 0;
	int fd = socket(a->addr.ss_family, SOCK_STREAM, 0);
	if (fd < 0) {
		*err = errno;
		return -1;
	}
	int flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
		*err = errno;
		close(fd);
		return -1;
	}
	*err = connect(fd, (const struct sockaddr *)&a->addr, a->len) < 0 ? errno : 0;
	if (connect_loop_action(*err) == CONNECT_WAIT)
		*err = handshake(fd, monotonic_ms() + timeout_ms, own_timeout);
	if (*err != 0 || fcntl(fd, F_SETFL, flags) < 0) {
		if (*err == 0)
			*err = errno;
		close(fd); /* in SYN_SENT: the handshake is abandoned */
		return -1;
	}
	return fd;
}

int connect_loop_run(struct connect_loop *loop)
{
	int timeout = loop->attempt_timeout_ms > 0 ? loop->attempt_timeout_ms
						   : DEFAULT_ATTEMPT_TIMEOUT_MS;
	int rounds = loop->rounds > 0 ? loop->rounds : DEFAULT_ROUNDS;
	int pause = loop->back_off_ms > 0 ? loop->back_off_ms : DEFAULT_BACK_OFF_MS;
	int pause_max = loop->back_off_max_ms > 0 ? loop->back_off_max_ms : DEFAULT_BACK_OFF_MAX_MS;
	loop->attempts = 0;
	loop->fatal_errno = 0;
	if (loop->n_addresses == 0 || !loop->addresses) {
		loop->fatal_errno = errno = EINVAL;
		return -1;
	}
	int last = 0;
	for (int round = 1; round <= rounds; round++) {
		for (size_t i = 0; i < loop->n_addresses; i++) {
			struct connect_event ev = {.round = round, .index = i};
			loop->attempts++;
			int fd = attempt(&loop->addresses[i], timeout, &ev.err, &ev.own_timeout);
			ev.action = connect_loop_action(ev.err);
			/* A wait that ended without an outcome cannot be; be safe. */
			if (fd < 0 && (ev.action == CONNECT_WAIT || ev.action == CONNECT_DONE))
				ev.action = CONNECT_NEXT_ADDRESS;
			if (loop->report)
				loop->report(&ev, loop->arg);
			if (fd >= 0) {
				loop->connected_index = i;
				return fd;
			}
			last = ev.err;
			if (ev.action == CONNECT_FATAL) {
				loop->fatal_errno = errno = ev.err;
				return -1;
			}
			if (ev.action == CONNECT_BACK_OFF)
				break;
		}
		if (round == rounds)
			break;
		/* Many clients that failed together should not come back
		 * together: a real client adds jitter here (a random part of
		 * the pause).  This one keeps it exact, for its tests. */
		struct connect_event ev = {.round = round, .action = CONNECT_BACK_OFF, .err = last};
		ev.pause_ms = pause;
		if (loop->report)
			loop->report(&ev, loop->arg);
		pause_ms(pause);
		pause = pause > pause_max / 2 ? pause_max : pause * 2;
	}
	errno = last;
	return -1;
}
