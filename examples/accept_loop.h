/*
 * The accept loop sockerr recommends, built from what the accept(2)
 * scenarios measured on Linux.  See accept_loop.c for the reasoning behind
 * each errno's handling.
 */
#ifndef SOCKERR_ACCEPT_LOOP_H
#define SOCKERR_ACCEPT_LOOP_H

#include <stdbool.h>

struct accept_loop {
	int listen_fd; /* a listening socket; the loop makes it non-blocking */
	/* Called with each accepted connection; it owns fd and closes it. */
	void (*serve)(int fd, void *arg);
	void *arg;
	/* Sent to a client refused because no descriptor could be had,
	 * before an orderly close (NULL: just close). */
	const char *busy_message;
	/* Optional (NULL: none): told of each client refused that way, with
	 * the errno accept() gave (EMFILE or ENFILE). */
	void (*refused_hook)(int err, void *arg);
	/* Optional (0: no limit): accept_loop_run() returns 0 once this many
	 * connections were served or refused. */
	unsigned long max_connections;

	/* Internal: the reserved descriptor (see accept_loop.c). */
	int reserve_fd;

	/* Counters, for the curious and for the fd-exhaustion scenario. */
	unsigned long accept_calls;
	unsigned long served;
	unsigned long refused;	/* closed at once for lack of descriptors */
	unsigned long retried;	/* EINTR, ECONNABORTED, network errors */
	unsigned long backoffs; /* waits after ENOBUFS/ENOMEM/EPERM/... */
	int fatal_errno;	/* the errno that stopped the loop, or 0 */
};

/* Prepare: make the listener non-blocking and reserve one descriptor.
 * Returns 0, or -1 with errno. */
int accept_loop_init(struct accept_loop *loop);

/* Run until deadline_ms (CLOCK_MONOTONIC milliseconds) passes, until
 * max_connections (when set) were served or refused, or until a fatal
 * error stops it.  Returns 0 at the deadline or the count, -1 with loop->fatal_errno set
 * when the caller has a bug (EBADF, EFAULT, EINVAL, ENOTSOCK, EOPNOTSUPP). */
int accept_loop_run(struct accept_loop *loop, double deadline_ms);

void accept_loop_fini(struct accept_loop *loop);

/* What the loop does with an errno from accept4(): for tables and tests. */
enum accept_action {
	ACCEPT_WAIT,	 /* EAGAIN: the queue is empty, wait for readiness */
	ACCEPT_RETRY,	 /* retry at once */
	ACCEPT_RESERVE,	 /* EMFILE/ENFILE: use the reserved descriptor */
	ACCEPT_BACK_OFF, /* wait a little, then retry */
	ACCEPT_FATAL,	 /* a bug in the caller: stop */
};
enum accept_action accept_loop_action(int err);

#endif
