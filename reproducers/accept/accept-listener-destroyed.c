/*
 * accept-listener-destroyed: a process is blocked in accept() on a listener
 * with an empty queue when an administrator destroys the listening socket
 * with sock_diag SOCK_DESTROY (what `ss -K` does).
 *
 * Kernel: tcp_diag_destroy() (net/ipv4/tcp_diag.c, CONFIG_INET_DIAG_DESTROY)
 * -> sock_diag_destroy() (net/core/sock_diag.c) -> tcp_abort(sk,
 * ECONNABORTED) (net/ipv4/tcp.c).  For a listener tcp_abort() sets
 * TCP_CLOSE and calls inet_csk_listen_stop(), then tcp_done_with_error()
 * stores ECONNABORTED in sk_err and tcp_done() wakes the sleepers
 * (sk_state_change).  The blocked accept() wakes in
 * inet_csk_wait_for_connect() (net/ipv4/inet_connection_sock.c): the queue
 * is empty and sk_state != TCP_LISTEN, so it returns -EINVAL, before it
 * even looks for a signal.  Every later accept() on the fd fails the same
 * way at the top of inet_csk_accept() (sk_state != TCP_LISTEN -> -EINVAL).
 * The listener is unhashed, so a new connection to the port is refused
 * (the server's kernel answers the SYN with an RST).
 *
 * POSIX has no notion of a listener destroyed under a blocked accept().
 * The man page lists EINVAL as "Socket is not listening for connections",
 * which is what the kernel means here: the socket is no longer listening
 * (its SO_ERROR says ECONNABORTED, which accept() never reports).
 * On 6.10+ inet_csk_accept() takes a struct proto_accept_arg; the checks
 * are the same.
 *
 * Summary: the listener is destroyed (sock_diag SOCK_DESTROY, ss -K) under a
 *   blocked accept()
 * POSIX expects: POSIX has no such event; the man page's EINVAL is "Socket is
 *   not listening for connections", with no hint that it can end a blocked call
 * Kernel path: tcp_diag_destroy() -> sock_diag_destroy() -> tcp_abort():
 *   TCP_CLOSE, inet_csk_listen_stop(), tcp_done_with_error(ECONNABORTED);
 *   inet_csk_wait_for_connect(): sk_state != TCP_LISTEN -> -EINVAL;
 *   inet_csk_accept(): the same check for later calls
 * Handling: fatal: the listener is dead (not a bug in the caller); close it and
 *   re-create it
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/blocked.h"
#include "lib/child.h"
#include "record/harness.h"
#include "lib/sock_destroy.h"
#include "lib/connection.h"
#include "lib/sockets.h"
#include "lib/sock_observe.h"

struct child_result {
	long ret;
	int err;
};

/* The child blocks in accept() and reports what it returned.  It leaves
 * with _exit(): exit() would run the namespace teardown registered by the
 * run process. */
static void child_accept(int lfd, int out)
{
	struct child_result res;
	res.ret = accept(lfd, NULL, NULL);
	res.err = res.ret < 0 ? errno : 0;
	if (res.ret >= 0)
		close((int)res.ret);
	ssize_t n = write(out, &res, sizeof(res));
	_exit(n == (ssize_t)sizeof(res) ? 0 : 1);
}

static void reap(pid_t pid, bool kill_it)
{
	if (kill_it)
		kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

SCENARIO(accept_listener_destroyed, .errno_name = "EINVAL", .syscall = "accept", .order = 190)
{
	const char *server = topology_server_addr(&r->topo, r->family);
	int lfd = server_listener(r, SERVER_PORT, 8);
	if (lfd < 0)
		return RUN_BROKEN;
	int report;
	pid_t pid = fork_reporter(&report);
	if (pid < 0)
		return broken(r, "fork: %m");
	if (pid == 0)
		child_accept(lfd, report);

	double t_wait = elapsed_ms(r);
	if (!wait_blocked_in_syscall(pid, SYS_accept, 2000)) {
		reap(pid, true);
		return broken(r, "the child never blocked in accept() within 2 s");
	}
	observe(r, ON_FD(lfd), "child", "/proc/PID/syscall and /proc/PID/stat of the child", "%s",
		"asleep in accept");
	note(r, "the child was seen asleep in accept() %.1f ms after the fork",
	     elapsed_ms(r) - t_wait);

	long rc = sock_destroy(&r->topo.server, r->family, server, SERVER_PORT, NULL, 0,
			       1u << TCP_LISTEN);
	if (rc < 0 && errno == EOPNOTSUPP) {
		reap(pid, true);
		return skipped(r, "sock_diag SOCK_DESTROY answered EOPNOTSUPP: the kernel lacks "
				  "CONFIG_INET_DIAG_DESTROY");
	}
	step(r, AT(HOST_SERVER), "destroy", rc,
	     "sock_diag SOCK_DESTROY of the listener %s port %d (ss -K), sockets destroyed", server,
	     SERVER_PORT);

	double t_destroy = elapsed_ms(r);
	struct child_result res;
	bool got = (poll_fd(report, POLLIN, 2000) & POLLIN) &&
		   read(report, &res, sizeof(res)) == (ssize_t)sizeof(res);
	close(report);
	if (got) {
		errno = res.err;
		step(r, ON_FD(lfd), "blocked accept", res.ret, "accept(%d) blocked in the child",
		     lfd);
		note(r, "the blocked accept() returned %.1f ms after the destroy",
		     elapsed_ms(r) - t_destroy);
	} else {
		observe(r, ON_FD(lfd), "blocked accept",
			"accept() blocked in the child, 2 s after the destroy", "%s",
			"still blocked");
	}
	reap(pid, !got);

	observe_state(r, "listener state", lfd);
	/* O_NONBLOCK so that a listener that somehow survived answers EAGAIN
	 * instead of hanging the run. */
	fcntl(lfd, F_SETFL, fcntl(lfd, F_GETFL) | O_NONBLOCK);
	int afd = step(r, ON_FD(lfd), "accept again", accept(lfd, NULL, NULL),
		       "accept(%d) (O_NONBLOCK)", lfd);
	if (afd >= 0)
		close(afd);
	int err = so_error(lfd);
	observe(r, ON_FD(lfd), "SO_ERROR", "getsockopt(listener, SO_ERROR)", "%s", errno_name(err));

	int cfd = step(r, AT(HOST_CLIENT), "connect",
		       tcp_connect_in(&r->topo.client, r->family, server, SERVER_PORT),
		       "connect() to %s port %d", server, SERVER_PORT);
	if (cfd >= 0)
		close(cfd);

	/* The handling: close the destroyed listener and create a new one. */
	step(r, ON_FD(lfd), "close listener", close(lfd), "close(%d)", lfd);
	lfd = step(r, ON_RESULT, "new listener", listen_at_server(r, server, SERVER_PORT, 8),
		   "socket(), bind(%s port %d), listen()", server, SERVER_PORT);
	if (lfd >= 0) {
		cfd = step(r, AT(HOST_CLIENT), "connect to new listener",
			   tcp_connect_in(&r->topo.client, r->family, server, SERVER_PORT),
			   "connect() to %s port %d", server, SERVER_PORT);
		if (cfd >= 0)
			close(cfd);
		close(lfd);
	}
	note(r, "accept() says EINVAL (\"not listening\"): the listener is dead for good; close "
		"it and listen again");
	return RUN_OK;
}
