/*
 * The accept loop sockerr recommends.
 *
 * What the accept(2) scenarios measured on Linux, and what follows:
 *
 * - EAGAIN/EWOULDBLOCK (accept-nonblocking-empty): the queue is empty.
 *   Wait for POLLIN; never busy-loop on it.
 * - EINTR (accept-signal): a signal arrived.  Retry at once.
 * - ECONNABORTED (accept-peer-port-zero): this one connection is gone
 *   (accept() itself closed it); the next one is fine.  Retry at once.
 *   A reset before accept (rst-before-accept) is no error at all: accept()
 *   succeeds and the first recv() says ECONNRESET, so serve() must expect
 *   that.
 * - The man page's "pending network errors" (ENETDOWN, EPROTO, ENOPROTOOPT,
 *   EHOSTDOWN, ENONET, EHOSTUNREACH, EOPNOTSUPP on some stacks, ENETUNREACH)
 *   are not returned by Linux TCP accept() (accept-pending-error); should
 *   another stack return them, they concern one connection: retry at once.
 * - EMFILE/ENFILE (accept-fd-limit, accept-file-table-full): no descriptor
 *   for the new socket.  The connection stays queued, so the listener stays
 *   readable: a loop that just retries spins at full CPU and the client
 *   waits forever (accept-loop-fd-exhaustion measures it).  The remedy is
 *   the reserved descriptor: keep one spare fd open; when accept() fails
 *   for lack of descriptors, close the spare, accept into its slot, refuse
 *   the client with an orderly close (it learns at once, instead of timing
 *   out), and take the spare back.  Each queued client costs one accept(),
 *   and the loop goes back to waiting when the queue is empty.
 * - ENOBUFS/ENOMEM: the kernel is short of memory.  Back off briefly.
 * - EPERM: a policy (LSM, seccomp) refused it.  Back off: retrying at once
 *   would spin if the policy is persistent.
 * - EBADF, EFAULT, EINVAL (not listening, bad flags, or the listener was
 *   destroyed), ENOTSOCK, EOPNOTSUPP (not a stream socket): a bug in the
 *   caller or a dead listener.  Stop and report.
 */
/* accept4() is a GNU extension: the file builds with cc alone, outside
 * the Makefile (which passes -D_GNU_SOURCE). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "accept_loop.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BACK_OFF_MS 50

static double monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

enum accept_action accept_loop_action(int err)
{
	switch (err) {
	case EAGAIN: return ACCEPT_WAIT;
	case EINTR:
	case ECONNABORTED:
	case EPROTO:
	case ENETDOWN:
	case ENOPROTOOPT:
	case EHOSTDOWN:
	case ENONET:
	case EHOSTUNREACH:
	case ENETUNREACH: return ACCEPT_RETRY;
	case EMFILE:
	case ENFILE: return ACCEPT_RESERVE;
	case ENOBUFS:
	case ENOMEM:
	case EPERM: return ACCEPT_BACK_OFF;
	default: /* EBADF, EFAULT, EINVAL, ENOTSOCK, EOPNOTSUPP, ... */ return ACCEPT_FATAL;
	}
}

static int reserve_descriptor(void)
{
	return open("/dev/null", O_RDONLY | O_CLOEXEC);
}

int accept_loop_init(struct accept_loop *loop)
{
	loop->accept_calls = loop->served = loop->refused = 0;
	loop->retried = loop->backoffs = 0;
	loop->fatal_errno = 0;
	int flags = fcntl(loop->listen_fd, F_GETFL);
	if (flags < 0 || fcntl(loop->listen_fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return -1;
	loop->reserve_fd = reserve_descriptor();
	return loop->reserve_fd < 0 ? -1 : 0;
}

void accept_loop_fini(struct accept_loop *loop)
{
	if (loop->reserve_fd >= 0)
		close(loop->reserve_fd);
	loop->reserve_fd = -1;
}

/* No descriptor for the new connection: give up the spare, accept into
 * its slot, refuse the client in order, take the spare back.  Returns
 * false when even that did not work (the spare was already gone, or the
 * system-wide table is full): the caller then backs off. */
static bool refuse_with_reserve(struct accept_loop *loop, int err)
{
	if (loop->reserve_fd < 0) {
		loop->reserve_fd = reserve_descriptor();
		return false;
	}
	close(loop->reserve_fd);
	loop->reserve_fd = -1;
	loop->accept_calls++;
	int fd = accept4(loop->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd >= 0) {
		if (loop->busy_message)
			send(fd, loop->busy_message, strlen(loop->busy_message),
			     MSG_NOSIGNAL | MSG_DONTWAIT);
		close(fd);
		loop->refused++;
		if (loop->refused_hook)
			loop->refused_hook(err, loop->arg);
	}
	loop->reserve_fd = reserve_descriptor();
	return fd >= 0;
}

static void wait_ms(int ms)
{
	poll(NULL, 0, ms);
}

int accept_loop_run(struct accept_loop *loop, double deadline_ms)
{
	for (;;) {
		if (loop->max_connections && loop->served + loop->refused >= loop->max_connections)
			return 0;
		int left = (int)(deadline_ms - monotonic_ms());
		if (left <= 0)
			return 0;
		struct pollfd p = {.fd = loop->listen_fd, .events = POLLIN};
		if (poll(&p, 1, left) <= 0)
			continue; /* timeout (checked above) or EINTR */

		loop->accept_calls++;
		int fd = accept4(loop->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0) {
			loop->served++;
			loop->serve(fd, loop->arg);
			continue;
		}
		switch (accept_loop_action(errno)) {
		case ACCEPT_WAIT: break;
		case ACCEPT_RETRY: loop->retried++; break;
		case ACCEPT_RESERVE:
			if (!refuse_with_reserve(loop, errno)) {
				loop->backoffs++;
				wait_ms(BACK_OFF_MS);
			}
			break;
		case ACCEPT_BACK_OFF:
			loop->backoffs++;
			wait_ms(BACK_OFF_MS);
			break;
		case ACCEPT_FATAL: loop->fatal_errno = errno; return -1;
		}
	}
}
