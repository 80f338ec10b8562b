/*
 * accept-sigio: a listener with an owner (F_SETOWN, this process) and
 * O_ASYNC.  Is SIGIO delivered when a connection arrives, before anyone
 * calls accept()?
 *
 * accept(2): "Alternatively, you can set the socket to deliver SIGIO when
 * activity occurs on a socket; see socket(7)", and NOTES: "There may not
 * always be a connection waiting after a SIGIO is delivered" (that half is
 * accept-readiness-gone).  socket(7): O_ASYNC and F_SETOWN make the kernel
 * send SIGIO "when an I/O event occurs"; with F_SETSIG the signal carries
 * the descriptor in si_fd.  accept(2) also says the new socket does not
 * inherit O_ASYNC from the listener.
 *
 * SIGIO is blocked in the run and taken with sigtimedwait() bounded by a
 * deadline, so its arrival is the observation: none before the client
 * connects, one when the handshake completes, none after accept().
 *
 * Kernel (6.1 source): fcntl(F_SETFL, O_ASYNC) -> sock_fasync()
 * (net/socket.c) puts the file on the socket's fasync_list and sets
 * SOCK_FASYNC.  The client's SYN only creates a request socket
 * (tcp_conn_request(): the listener is not woken, except for a Fast Open
 * child).  The final ACK: tcp_v4_rcv() / tcp_v6_rcv() find the request
 * (TCP_NEW_SYN_RECV), tcp_check_req() (net/ipv4/tcp_minisocks.c) creates
 * the child and inet_csk_complete_hashdance() puts it on the accept queue;
 * then tcp_child_process() ("Wakeup parent, send SIGIO") calls the
 * listener's sk_data_ready(), sock_def_readable() (net/core/sock.c), which
 * wakes pollers and calls sk_wake_async(sk, SOCK_WAKE_WAITD, POLL_IN)
 * (include/net/sock.h) -> sock_wake_async() (net/socket.c) -> kill_fasync()
 * -> send_sigio() -> send_sigio_to_task() (fs/fcntl.c).  Without F_SETSIG
 * that is a plain SIGIO sent with SEND_SIG_PRIV: si_code SI_KERNEL, no
 * band, no fd.  With F_SETSIG (here F_SETSIG = SIGIO, which is SIGPOLL on
 * Linux) it is queued with si_code = POLL_IN, si_band =
 * band_table[POLL_IN - POLL_IN] = POLLIN | POLLRDNORM, si_fd = the
 * listener.  (Under syncookies the child comes from tcp_v4_do_rcv() ->
 * cookie_v4_check() -> tcp_child_process(): the same wake-up.)  The
 * accepted socket's file is made by sock_alloc_file() in do_accept() with
 * accept4()'s flags only, so it has no O_ASYNC and its fasync_list is
 * empty: data arriving on it sends no signal.
 *
 * Summary: a listener with F_SETOWN and O_ASYNC gets SIGIO when a connection
 *   completes its handshake, before accept()
 * Kernel path: tcp_check_req() -> inet_csk_complete_hashdance() queues the
 *   child; tcp_child_process() wakes the listener: sock_def_readable() ->
 *   sk_wake_async(SOCK_WAKE_WAITD, POLL_IN) -> sock_wake_async() ->
 *   kill_fasync() -> send_sigio_to_task(): SIGIO with SI_KERNEL, or under
 *   F_SETSIG si_code POLL_IN, si_band POLLIN|POLLRDNORM, si_fd
 * Handling: retry when ready: on SIGIO accept() in a loop on an O_NONBLOCK
 *   listener until EAGAIN (one signal may stand for several connections)
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/connection.h"
#include "lib/sockets.h"
#include "record/harness.h"

/* The deadline for a signal that should come at once. */
#define SIGNAL_DEADLINE_S 2

static const char *si_code_name(int code)
{
	switch (code) {
	case SI_KERNEL: return "SI_KERNEL";
	case SI_USER: return "SI_USER";
	case SI_SIGIO: return "SI_SIGIO";
	case POLL_IN: return "POLL_IN";
	default: {
		static char buf[24];
		snprintf(buf, sizeof(buf), "%d", code);
		return buf;
	}
	}
}

static const char *band_name(long band)
{
	static char buf[64];
	snprintf(buf, sizeof(buf), "%s%s%s%s", band & POLLIN ? "|POLLIN" : "",
		 band & POLLRDNORM ? "|POLLRDNORM" : "", band & POLLOUT ? "|POLLOUT" : "",
		 band & ~(long)(POLLIN | POLLRDNORM | POLLOUT) ? "|other" : "");
	return buf[0] ? buf + 1 : "0";
}

/* sigtimedwait() for SIGIO, recorded as step LABEL; si filled when it
 * returned a signal. */
static long wait_sigio(struct run *r, const char *label, int deadline_s, siginfo_t *si)
{
	sigset_t io;
	sigemptyset(&io);
	sigaddset(&io, SIGIO);
	struct timespec ts = {.tv_sec = deadline_s};
	memset(si, 0, sizeof(*si));
	return step(r, AT(HOST_SERVER), label, sigtimedwait(&io, si, &ts),
		    "sigtimedwait({SIGIO}, %d s)", deadline_s);
}

static void observe_signal(struct run *r, const char *prefix, const siginfo_t *si, int lfd,
			   bool with_setsig)
{
	char label[40];
	/* sigabbrev_np() names signal 29 "POLL": SIGIO and SIGPOLL are one
	 * number on Linux. */
	const char *sig = si->si_signo == SIGIO ? "IO" : sigabbrev_np(si->si_signo);
	snprintf(label, sizeof(label), "%s signal", prefix);
	observe(r, ON_FD(lfd), label, "siginfo.si_signo", "SIG%s", sig ? sig : "?");
	snprintf(label, sizeof(label), "%s si_code", prefix);
	observe(r, ON_FD(lfd), label, "siginfo.si_code", "%s", si_code_name(si->si_code));
	if (!with_setsig)
		return;
	snprintf(label, sizeof(label), "%s si_band", prefix);
	observe(r, ON_FD(lfd), label, "siginfo.si_band", "%s", band_name(si->si_band));
	snprintf(label, sizeof(label), "%s si_fd", prefix);
	observe(r, ON_FD(lfd), label, "siginfo.si_fd", "%s",
		si->si_fd == lfd ? "the listener" : "another descriptor");
}

/* One connection, its SIGIO and its accept(); *client and *server get
 * the two ends. */
static void connection_with_sigio(struct run *r, int lfd, const char *prefix, bool with_setsig,
				  int *client, int *server)
{
	const char *addr = topology_server_addr(&r->topo, r->family);
	char label[40];
	siginfo_t si;
	snprintf(label, sizeof(label), "%s connect", prefix);
	*client = (int)step(r, ON_RESULT, label,
			    tcp_connect_in(&r->topo.client, r->family, addr, SERVER_PORT),
			    "connect() to %s port %d", addr, SERVER_PORT);
	snprintf(label, sizeof(label), "%s sigtimedwait", prefix);
	if (wait_sigio(r, label, SIGNAL_DEADLINE_S, &si) > 0)
		observe_signal(r, prefix, &si, lfd, with_setsig);
	snprintf(label, sizeof(label), "%s listener", prefix);
	int revents = poll_fd(lfd, POLLIN, 0);
	observe(r, ON_FD(lfd), label, "poll(listener, POLLIN, 0) after the signal", "%s",
		(revents & POLLIN) ? "readable" : "not readable");
	snprintf(label, sizeof(label), "%s accept", prefix);
	/* O_NONBLOCK on the listener: a signal with nothing queued must not
	 * hang the run. */
	*server = (int)step(r, ON_FD(lfd), label, accept(lfd, NULL, NULL),
			    "accept(%d) (listener O_NONBLOCK|O_ASYNC)", lfd);
	snprintf(label, sizeof(label), "%s SIGIO after accept", prefix);
	wait_sigio(r, label, 0, &si);
}

SCENARIO(accept_sigio, .errno_name = "EAGAIN", .syscall = "accept", .order = 115)
{
	int lfd = server_listener(r, SERVER_PORT, 8);
	if (lfd < 0)
		return RUN_BROKEN;
	/* SIGIO's default action ends the process: blocked for the whole
	 * run and taken with sigtimedwait().  The run is one thread, so the
	 * process-directed signal stays pending for it. */
	sigset_t io, old;
	sigemptyset(&io);
	sigaddset(&io, SIGIO);
	sigprocmask(SIG_BLOCK, &io, &old);
	int c1 = -1, s1 = -1, c2 = -1, s2 = -1;

	step(r, ON_FD(lfd), "F_SETOWN", fcntl(lfd, F_SETOWN, getpid()),
	     "fcntl(%d, F_SETOWN, getpid())", lfd);
	int fl = fcntl(lfd, F_GETFL);
	step(r, ON_FD(lfd), "O_ASYNC", fcntl(lfd, F_SETFL, fl | O_ASYNC | O_NONBLOCK),
	     "fcntl(%d, F_SETFL, O_ASYNC|O_NONBLOCK)", lfd);
	siginfo_t si;
	wait_sigio(r, "SIGIO before connect", 0, &si);

	/* 1. Plain SIGIO. */
	connection_with_sigio(r, lfd, "1", false, &c1, &s1);

	/* 2. F_SETSIG: the same signal, with siginfo. */
	step(r, ON_FD(lfd), "F_SETSIG", fcntl(lfd, F_SETSIG, SIGIO), "fcntl(%d, F_SETSIG, SIGIO)",
	     lfd);
	connection_with_sigio(r, lfd, "2", true, &c2, &s2);

	/* The accepted socket: no O_ASYNC, no owner, no signal for its data. */
	if (s2 >= 0 && c2 >= 0) {
		int afl = fcntl(s2, F_GETFL);
		observe(r, ON_FD(s2), "accepted O_ASYNC", "fcntl(accepted, F_GETFL) & O_ASYNC",
			"%s",
			afl < 0		  ? "unknown"
			: (afl & O_ASYNC) ? "set"
					  : "not set");
		step(r, ON_FD(c2), "client send", send(c2, "x", 1, MSG_NOSIGNAL),
		     "send(%d, 1, MSG_NOSIGNAL)", c2);
		/* recv() takes the accepted socket's lock, which the softirq
		 * that queued the byte held until its sk_data_ready() (and so
		 * any SIGIO) was done: after it, no signal can still come. */
		char c;
		int ready = poll_fd(s2, POLLIN, SIGNAL_DEADLINE_S * 1000);
		step(r, ON_FD(s2), "recv", (ready & POLLIN) ? recv(s2, &c, 1, MSG_DONTWAIT) : -1,
		     "recv(%d, 1, MSG_DONTWAIT) after poll() said readable", s2);
		wait_sigio(r, "SIGIO for accepted data", 0, &si);
	}
	note(r, "one SIGIO per connection, when tcp_child_process() wakes the listener; "
		"plain it carries SI_KERNEL, under F_SETSIG POLL_IN, the band and the fd");
	set_connection(r, CONNECTION_HANDED_OVER);

	fcntl(lfd, F_SETFL, fl);
	struct timespec zero = {0};
	while (sigtimedwait(&io, &si, &zero) > 0)
		;
	sigprocmask(SIG_SETMASK, &old, NULL);
	close_fds(s2, c2, s1, c1, lfd);
	return RUN_OK;
}
