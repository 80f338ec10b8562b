/*
 * accept-readiness-gone: poll() said the listener was readable, but by the
 * time accept() runs the connection is gone, taken by another accepter.
 *
 * accept(2) NOTES: "There may not always be a connection waiting after a
 * SIGIO is delivered or select(2), poll(2), or epoll(7) return a
 * readability event because the connection might have been removed by an
 * asynchronous network error or another thread before accept() is called.
 * If this happens, then the call will block waiting for the next
 * connection to arrive.  To ensure that accept() never blocks, the passed
 * socket sockfd needs to have the O_NONBLOCK flag set."
 *
 * Two accepters share one listener: the run process (accepter 1) and a
 * child it forks (accepter 2, the same open file description).  One
 * connection is queued.  Both poll() the listener and both see POLLIN:
 * tcp_poll() -> inet_csk_listen_poll() (include/net/inet_connection_sock.h)
 * only looks at whether the accept queue is empty, it takes nothing.
 * Accepter 1 accepts: inet_csk_accept() (net/ipv4/inet_connection_sock.c)
 * dequeues the child with reqsk_queue_remove() (include/net/request_sock.h).
 * Then accepter 2, still holding its readiness event, calls a blocking
 * accept(): the queue is empty, sock_rcvtimeo() is MAX_SCHEDULE_TIMEOUT,
 * and inet_csk_wait_for_connect() puts it to sleep (exclusive wait, for
 * ever).  The run sees it asleep in accept (/proc/PID/syscall and the task
 * state).  The bound is a second connection, not a timer: the man page's
 * "block waiting for the next connection to arrive", literally.  When its
 * handshake completes, tcp_child_process() (net/ipv4/tcp_minisocks.c) calls
 * the listener's sk_data_ready(), which wakes the sleeper, and accepter 2
 * returns that second connection.  The race is run again with O_NONBLOCK
 * on the listener (set through accepter 1: the file description is
 * shared): accept() then finds sock_rcvtimeo(sk, O_NONBLOCK) == 0 and
 * fails with EAGAIN without sleeping.
 *
 * The "asynchronous network error" half of the sentence does not happen on
 * Linux for TCP.  Only two functions take a child off a listener's accept
 * queue: inet_csk_accept() and inet_csk_listen_stop() (the listener being
 * closed or destroyed), the only callers of reqsk_queue_remove().  An RST
 * for a queued child goes through tcp_reset() -> tcp_done_with_error() ->
 * tcp_done() (net/ipv4/tcp_input.c, net/ipv4/tcp.c): TCP_CLOSE, sk_err set,
 * sk_state_change() (the child is not SOCK_DEAD), and it stays queued;
 * accept() returns it and the error shows on the new socket (scenario
 * rst-before-accept).  An ICMP error sets the child's sk_err_soft, or
 * sk_err under IP_RECVERR, and accept() returns it all the same (scenario
 * accept-pending-error).  Errors before the handshake completes (an RST or
 * ICMP error for a request in SYN_RECV: tcp_check_req()'s embryonic_reset,
 * tcp_req_err()) drop a request that was never on the accept queue, so the
 * listener was never readable for it.  "Another thread" (or process) is
 * the one path.
 *
 * Summary: two accepters both see the listener readable; the first takes the
 *   connection, the second's blocking accept() sleeps until the next
 *   connection, a nonblocking one fails with EAGAIN
 * POSIX expects: the man page: the connection "might have been removed by an
 *   asynchronous network error or another thread"; on Linux only another
 *   accepter removes it (an RST or ICMP error leaves it queued), the rest
 *   holds: a blocking accept() waits for the next connection, O_NONBLOCK
 *   gives EAGAIN
 * Kernel path: tcp_poll() -> inet_csk_listen_poll(): readable while the accept
 *   queue is non-empty, nothing taken; inet_csk_accept(): reqsk_queue_remove()
 *   for the first accepter; for the second reqsk_queue_empty() ->
 *   inet_csk_wait_for_connect() sleeps until tcp_child_process() queues the
 *   next child and wakes the listener (sock_def_readable()), or
 *   sock_rcvtimeo(sk, O_NONBLOCK) == 0 -> -EAGAIN; tcp_reset() -> tcp_done()
 *   leaves a queued child queued
 * Handling: retry when ready: give a listener shared by several accepters
 *   O_NONBLOCK and treat EAGAIN after a readiness event as "someone else got
 *   it"
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/blocked.h"
#include "lib/child.h"
#include "lib/connection.h"
#include "lib/sockets.h"
#include "record/harness.h"

/* How long the run waits for anything it expects to happen at once
 * (the child's poll, its wake-up by the second connection). */
#define BOUND_MS 2000

static int peer_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

/* The child waits for a byte from the run before each of its moves, so
 * that the race is run in the order the man page describes; the end of
 * the pipe (the run gave up) ends it. */
static void wait_go(int go)
{
	char c;
	if (read(go, &c, 1) != 1)
		_exit(1);
}

/* Accepter 2.  Each report is one report_call(): poll's revents, accept's
 * result and its peer's port, the nonblocking accept's result and the
 * voluntary context switches it made. */
static void accepter(int lfd, int go, int out)
{
	struct pollfd p = {.fd = lfd, .events = POLLIN};
	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	struct call_watch w;

	wait_go(go);
	report_call(out, poll(&p, 1, BOUND_MS) > 0 ? p.revents : 0);
	wait_go(go);
	long fd = accept(lfd, (struct sockaddr *)&peer, &plen);
	report_call(out, fd);
	report_call(out, fd >= 0 ? peer_port(&peer) : -1);
	if (fd >= 0)
		close((int)fd);

	wait_go(go);
	p.revents = 0;
	report_call(out, poll(&p, 1, BOUND_MS) > 0 ? p.revents : 0);
	wait_go(go);
	fd = WATCHED(&w, accept(lfd, NULL, NULL));
	report_call(out, fd);
	report_call(out, w.slept);
	if (fd >= 0)
		close((int)fd);
	_exit(0);
}

struct loser {
	pid_t pid;
	int report; /* from the child */
	int go;	    /* to the child */
};

static bool send_go(const struct loser *l)
{
	return write(l->go, "g", 1) == 1;
}

/* The child's next report, waited for at most BOUND_MS. */
static bool next_report(const struct loser *l, long *ret, int *err)
{
	return (poll_fd(l->report, POLLIN, BOUND_MS) & POLLIN) && read_call(l->report, ret, err);
}

static void loser_end(struct loser *l)
{
	if (l->go >= 0)
		close(l->go);
	if (l->report >= 0)
		close(l->report);
	if (l->pid > 0) {
		kill(l->pid, SIGKILL);
		while (waitpid(l->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	l->pid = -1;
	l->go = l->report = -1;
}

static const char *readable(long revents)
{
	return (revents & POLLIN) ? "readable" : "not readable";
}

/* Accepter 2's poll, reported. */
static bool record_child_poll(struct run *r, struct loser *l, const char *label)
{
	long revents;
	int err;
	if (!send_go(l) || !next_report(l, &revents, &err))
		return false;
	observe(r, AT(HOST_SERVER), label, "poll(listener, POLLIN) in accepter 2", "%s",
		readable(revents));
	return true;
}

static int client_connect(struct run *r, const char *label)
{
	const char *server = topology_server_addr(&r->topo, r->family);
	return (int)step(r, ON_RESULT, label,
			 tcp_connect_in(&r->topo.client, r->family, server, SERVER_PORT),
			 "connect() to %s port %d", server, SERVER_PORT);
}

/* Round 1: accepter 2's blocking accept() after accepter 1 took the
 * connection.  *second is the client socket of the connection that wakes
 * it. */
static int blocking_round(struct run *r, int lfd, struct loser *l, int *second)
{
	int revents = poll_fd(lfd, POLLIN, BOUND_MS);
	observe(r, ON_FD(lfd), "accepter 1 poll", "poll(listener, POLLIN) in accepter 1", "%s",
		readable(revents));
	if (!(revents & POLLIN)) /* accept() would block the run */
		return broken(r, "the first connection never reached the accept queue");
	if (!record_child_poll(r, l, "accepter 2 poll"))
		return broken(r, "accepter 2 did not report its poll()");
	int afd = (int)step(r, ON_FD(lfd), "accepter 1 accept", accept(lfd, NULL, NULL),
			    "accept(%d) in accepter 1", lfd);
	if (afd >= 0)
		close(afd);
	observe(r, ON_FD(lfd), "listener", "poll(listener, POLLIN, 0) after accepter 1's accept()",
		"%s", readable(poll_fd(lfd, POLLIN, 0)));

	if (!send_go(l))
		return broken(r, "accepter 2 is gone");
	if (wait_blocked_in_syscall(l->pid, SYS_accept, BOUND_MS)) {
		observe(r, ON_FD(lfd), "accepter 2 accept",
			"/proc/PID/syscall and /proc/PID/stat of accepter 2", "%s",
			"asleep in accept");
	} else if (poll_fd(l->report, POLLIN, 0) & POLLIN) {
		observe(r, ON_FD(lfd), "accepter 2 accept",
			"/proc/PID/syscall and /proc/PID/stat of accepter 2", "%s",
			"returned without blocking");
	} else {
		return broken(r, "accepter 2 neither slept in accept() nor returned within %d ms",
			      BOUND_MS);
	}

	*second = client_connect(r, "second connect");
	long ret, port;
	int err, port_err;
	if (!next_report(l, &ret, &err) || !next_report(l, &port, &port_err)) {
		observe(r, ON_FD(lfd), "accepter 2 woken",
			"accept() in accepter 2, after the second connection", "%s",
			"still blocked");
		return RUN_OK;
	}
	errno = err;
	step(r, ON_FD(lfd), "accepter 2 woken", ret, "accept(%d) in accepter 2, blocked", lfd);
	if (ret >= 0)
		observe(r, ON_FD(lfd), "accepter 2 got", "accept()'s peer port in accepter 2", "%s",
			*second >= 0 && port == socket_local_port(*second) ? "the second connection"
									   : "another connection");
	return RUN_OK;
}

/* Round 2: the same race with O_NONBLOCK on the listener. */
static int nonblocking_round(struct run *r, int lfd, struct loser *l, int *third)
{
	*third = client_connect(r, "third connect");
	int revents = poll_fd(lfd, POLLIN, BOUND_MS);
	observe(r, ON_FD(lfd), "accepter 1 poll again", "poll(listener, POLLIN) in accepter 1",
		"%s", readable(revents));
	if (!(revents & POLLIN))
		return broken(r, "the third connection never reached the accept queue");
	if (!record_child_poll(r, l, "accepter 2 poll again"))
		return broken(r, "accepter 2 did not report its second poll()");
	int afd = (int)step(r, ON_FD(lfd), "accepter 1 accept again", accept(lfd, NULL, NULL),
			    "accept(%d) in accepter 1", lfd);
	if (afd >= 0)
		close(afd);
	step(r, ON_FD(lfd), "O_NONBLOCK", fcntl(lfd, F_SETFL, fcntl(lfd, F_GETFL) | O_NONBLOCK),
	     "fcntl(%d, F_SETFL, O_NONBLOCK) (the file both accepters share)", lfd);

	long ret, slept;
	int err, slept_err;
	if (!send_go(l) || !next_report(l, &ret, &err) || !next_report(l, &slept, &slept_err))
		return broken(r, "accepter 2 did not report its nonblocking accept() within %d ms",
			      BOUND_MS);
	errno = err;
	step(r, ON_FD(lfd), "accepter 2 accept O_NONBLOCK", ret,
	     "accept(%d) in accepter 2, listener O_NONBLOCK", lfd);
	struct call_watch w = {.slept = slept};
	observe(r, ON_FD(lfd), "accepter 2 waited",
		"accept() in accepter 2: voluntary context switches", "%s", sleep_class(&w));
	return RUN_OK;
}

SCENARIO(accept_readiness_gone, .errno_name = "EAGAIN", .syscall = "accept", .order = 35)
{
	int lfd = server_listener(r, SERVER_PORT, 8);
	if (lfd < 0)
		return RUN_BROKEN;
	int first = -1, second = -1, third = -1;
	struct loser l = {.pid = -1, .report = -1, .go = -1};
	int go[2];
	if (pipe2(go, O_CLOEXEC) < 0) {
		close(lfd);
		return broken(r, "pipe: %m");
	}
	l.pid = fork_reporter(&l.report);
	if (l.pid < 0) {
		close_fds(go[0], go[1], lfd);
		return broken(r, "fork: %m");
	}
	if (l.pid == 0) {
		close(go[1]);
		accepter(lfd, go[0], l.report);
	}
	close(go[0]);
	l.go = go[1];

	int status = RUN_OK;
	first = client_connect(r, "connect");
	if (first < 0)
		status = broken(r, "the first connection failed");
	if (status == RUN_OK)
		status = blocking_round(r, lfd, &l, &second);
	if (status == RUN_OK)
		status = nonblocking_round(r, lfd, &l, &third);
	if (status == RUN_OK) {
		set_connection(r, CONNECTION_HANDED_OVER);
		note(r,
		     "the second accepter's readiness event was stale: another accepter took the "
		     "connection; blocking, it slept until the next connection, nonblocking it "
		     "got EAGAIN");
		note(r, "on Linux an asynchronous network error never removes a queued connection: "
			"only inet_csk_accept() and inet_csk_listen_stop() dequeue it "
			"(reqsk_queue_remove()); an RST closes it in place (tcp_reset() -> "
			"tcp_done(), "
			"see rst-before-accept), an ICMP error only sets its error (see "
			"accept-pending-error), and accept() returns it");
	}
	loser_end(&l);
	close_fds(first, second, third, lfd);
	return status;
}
