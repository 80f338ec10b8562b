/*
 * accept-signal: a signal arrives while accept() sleeps on a listener whose
 * queue is empty.  Three cases, the signal (SIGALRM from setitimer, 50 ms
 * after accept() was called) being the stimulus:
 *
 *   a. a handler installed without SA_RESTART: accept() fails with EINTR;
 *   b. with SA_RESTART: the call restarts after the handler.  The handler
 *      itself starts a non-blocking connect() from a prepared client socket
 *      (connect() is async-signal-safe), so the restarted accept() returns
 *      that connection;
 *   c. with SA_RESTART and SO_RCVTIMEO on the listener: EINTR all the same.
 *
 * Kernel: inet_csk_wait_for_connect() (net/ipv4/inet_connection_sock.c)
 * sleeps for sock_rcvtimeo() (include/net/sock.h: MAX_SCHEDULE_TIMEOUT
 * unless SO_RCVTIMEO is set); woken by the signal with the queue still
 * empty and the socket still listening, it returns sock_intr_errno(timeo)
 * (include/net/sock.h): -ERESTARTSYS when timeo == MAX_SCHEDULE_TIMEOUT,
 * -EINTR otherwise.  On the way back to user space the signal code turns
 * -ERESTARTSYS into EINTR for a handler without SA_RESTART and restarts
 * the call for one with it (arch signal code, handle_signal()); -EINTR is
 * never restarted.  So SO_RCVTIMEO, whatever its value, makes an
 * interrupted accept() fail with EINTR even under SA_RESTART.
 *
 * POSIX: EINTR when a signal was caught before a connection arrived, and
 * SA_RESTART makes an interrupted function restart, with no exception for
 * sockets with a timeout.  Linux makes one (case c); signal(7) documents
 * it: accept() is restarted under SA_RESTART, but "input" socket calls
 * fail with EINTR regardless when SO_RCVTIMEO is set.
 *
 * Summary: a signal interrupts a blocked accept(): without SA_RESTART, with it,
 *   and with SA_RESTART plus SO_RCVTIMEO
 * POSIX expects: under SA_RESTART an interrupted accept() restarts; Linux fails
 *   it with EINTR when SO_RCVTIMEO is set (documented in signal(7) only)
 * Kernel path: inet_csk_wait_for_connect(): signal_pending() ->
 *   sock_intr_errno(timeo): -ERESTARTSYS when timeo == MAX_SCHEDULE_TIMEOUT
 *   (restarted under SA_RESTART), -EINTR when SO_RCVTIMEO is set
 *   (include/net/sock.h)
 * Handling: retry at once: nothing happened to the listener or its queue
 * Waits for: three SIGALRMs, each 50 ms after accept() began (setitimer)
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "record/harness.h"
#include "lib/sock_timeo.h"
#include "lib/connection.h"
#include "lib/sockets.h"

#define SIGNAL_AFTER_MS 50
/* A safety net, not the stimulus: should the first SIGALRM ever land
 * before accept() sleeps, the next one still interrupts it. */
#define SIGNAL_EVERY_MS 100
#define RCVTIMEO_S	5
#define STR_(x)		#x
#define STR(x)		STR_(x)

/* Handler state: only sig_atomic_t and plain data set up before the
 * handler is installed. */
static volatile sig_atomic_t handler_runs;
static volatile sig_atomic_t handler_connected;
static volatile sig_atomic_t handler_connect_ret;
static volatile sig_atomic_t handler_connect_errno;
static volatile sig_atomic_t handler_fd = -1;
static struct sockaddr_storage handler_addr;
static socklen_t handler_addrlen;

static void on_alarm(int sig)
{
	(void)sig;
	int saved = errno;
	handler_runs++;
	if (handler_fd >= 0 && !handler_connected) {
		handler_connected = 1;
		int rc = connect(handler_fd, (struct sockaddr *)&handler_addr, handler_addrlen);
		handler_connect_ret = rc;
		handler_connect_errno = rc < 0 ? errno : 0;
	}
	errno = saved;
}

static void set_timer(int first_ms, int every_ms)
{
	struct itimerval it = {
		.it_value = {.tv_sec = first_ms / 1000, .tv_usec = (first_ms % 1000) * 1000},
		.it_interval = {.tv_sec = every_ms / 1000, .tv_usec = (every_ms % 1000) * 1000},
	};
	setitimer(ITIMER_REAL, &it, NULL);
}

struct interrupted {
	long ret;
	int err;
	double ms; /* how long accept() took */
	int signals;
};

/* accept(lfd) with SIGALRM handled by on_alarm() under sa_flags, the timer
 * armed just before the call and disarmed as soon as it returns. */
static struct interrupted accept_with_alarm(int lfd, int sa_flags, struct sockaddr_storage *peer)
{
	struct sigaction sa = {.sa_handler = on_alarm, .sa_flags = sa_flags}, old;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, &old);
	handler_runs = 0;
	struct interrupted res;
	socklen_t plen = sizeof(*peer);
	double t = now_ms();
	set_timer(SIGNAL_AFTER_MS, SIGNAL_EVERY_MS);
	res.ret = accept(lfd, (struct sockaddr *)peer, &plen);
	res.err = res.ret < 0 ? errno : 0;
	set_timer(0, 0);
	res.ms = now_ms() - t;
	res.signals = handler_runs;
	sigaction(SIGALRM, &old, NULL);
	return res;
}

static void record(struct run *r, const char *label, const struct interrupted *res, int lfd,
		   const char *how)
{
	errno = res->err;
	step(r, ON_FD(lfd), label, res->ret, "accept(%d), SIGALRM after %d ms, handler %s", lfd,
	     SIGNAL_AFTER_MS, how);
	note(r, "%s: accept() returned after %.1f ms; %d SIGALRM handled", label, res->ms,
	     res->signals);
}

SCENARIO(accept_signal, .errno_name = "EINTR", .syscall = "accept", .intrinsic_wait_ms = 150,
	 .order = 110)
{
	const char *server = topology_server_addr(&r->topo, r->family);
	int lfd = server_listener(r, SERVER_PORT, 8);
	if (lfd < 0)
		return RUN_BROKEN;
	struct sockaddr_storage peer;

	/* a. No SA_RESTART. */
	struct interrupted a = accept_with_alarm(lfd, 0, &peer);
	record(r, "accept, no SA_RESTART", &a, lfd, "without SA_RESTART");
	if (a.ret >= 0)
		close((int)a.ret);

	/* b. SA_RESTART; the handler connects a prepared non-blocking
	 * socket, which the restarted accept() then returns. */
	int cfd = tcp_socket_in(&r->topo.client, r->family);
	if (cfd < 0 || fcntl(cfd, F_SETFL, fcntl(cfd, F_GETFL) | O_NONBLOCK) < 0)
		return broken(r, "client socket: %m");
	handler_addrlen = sockaddr_of(r->family, server, SERVER_PORT, &handler_addr);
	handler_connected = 0;
	handler_fd = cfd;
	struct interrupted b = accept_with_alarm(lfd, SA_RESTART, &peer);
	handler_fd = -1;
	observe(r, ON_FD(lfd), "handler", "SIGALRM handler (SA_RESTART) ran", "%s",
		b.signals > 0 ? "ran" : "did not run");
	if (handler_connected) {
		errno = handler_connect_errno;
		step(r, ON_FD(cfd), "handler connect", handler_connect_ret,
		     "connect(%d, %s) non-blocking, from the SIGALRM handler", cfd,
		     sockaddr_str((struct sockaddr *)&handler_addr));
	}
	record(r, "accept, SA_RESTART", &b, lfd, "with SA_RESTART");
	if (b.ret >= 0) {
		int port = socket_local_port(cfd);
		int peer_port = ntohs(((struct sockaddr_in *)&peer)->sin_port);
		char call[128];
		snprintf(call, sizeof(call),
			 "accept(...) peer address %s (handler's socket port %d)",
			 sockaddr_str((struct sockaddr *)&peer), port);
		observe(r, ON_FD(lfd), "accepted peer", call, "%s",
			peer_port == port ? "the handler's connection" : "another connection");
		set_connection(r, CONNECTION_HANDED_OVER);
		close((int)b.ret);
	} else {
		set_connection(r, (poll_fd(lfd, POLLIN, 0) & POLLIN) ? CONNECTION_STILL_QUEUED
								     : CONNECTION_NEVER_EXISTED);
	}
	close(cfd);

	/* c. SA_RESTART, but the listener has a receive timeout. */
	step(r, ON_FD(lfd), "setsockopt SO_RCVTIMEO",
	     set_timeo(lfd, SO_RCVTIMEO, RCVTIMEO_S * 1000), "setsockopt(%d, SO_RCVTIMEO, {%d s})",
	     lfd, RCVTIMEO_S);
	struct interrupted c = accept_with_alarm(lfd, SA_RESTART, &peer);
	record(r, "accept, SA_RESTART, SO_RCVTIMEO", &c, lfd,
	       "with SA_RESTART, listener SO_RCVTIMEO " STR(RCVTIMEO_S) " s");
	if (c.ret >= 0)
		close((int)c.ret);
	char call[96];
	snprintf(call, sizeof(call), "accept() returned after %.0f ms (SO_RCVTIMEO %d s)", c.ms,
		 RCVTIMEO_S);
	/* Told by what ended the sleep, not by the clock: SO_RCVTIMEO running
	 * out gives -EAGAIN, only a signal -EINTR (inet_csk_accept()). */
	observe(r, ON_FD(lfd), "returned", call, "%s",
		c.err == EINTR && c.signals > 0 ? "at the signal, before SO_RCVTIMEO"
		: c.err == EAGAIN		? "at SO_RCVTIMEO, not at the signal"
						: "neither at the signal nor at SO_RCVTIMEO");
	note(r, "sock_intr_errno(): -ERESTARTSYS (restartable) without a socket timeout, -EINTR "
		"(never restarted) with SO_RCVTIMEO");
	close(lfd);
	return RUN_OK;
}
