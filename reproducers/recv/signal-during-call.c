/*
 * signal-during-call: a signal arrives while recv(), send(), connect() or
 * accept() sleeps, each in three modes: a handler installed without
 * SA_RESTART, with SA_RESTART, and with SA_RESTART on a socket that has a
 * timeout (SO_RCVTIMEO for recv/accept, SO_SNDTIMEO for send/connect).
 * Two more send() rows: SA_RESTART with only SO_RCVTIMEO set (the option
 * signal(7) names for the "output" calls), and a send() larger than the
 * buffers, interrupted after it copied part of its data.
 *
 * Each call runs in a child process; the parent waits until the child is
 * asleep inside the system call (/proc/PID/syscall and /proc/PID/stat, see
 * blocked.h), sends SIGUSR1, and learns from the handler (a write() to the
 * report pipe) that the signal was taken.  Under SA_RESTART it then waits
 * until the child is asleep in the same call again (the restart), and only
 * then satisfies the condition the call waits for.  The blocking conditions:
 *   recv     an established connection with nothing to read;
 *   send     a full send buffer: small SO_SNDBUF, the peer (small SO_RCVBUF)
 *            does not read, filled with non-blocking sends until nothing is
 *            in flight, data is unsent and the socket is not writable, so
 *            the blocked 1-byte send() has copied nothing (a send() that
 *            copied some bytes returns that count instead of EINTR:
 *            tcp_sendmsg_locked() do_error "if (copied + copied_syn) goto
 *            out");
 *   connect  the server's nft input chain drops the SYN (the client sits in
 *            SYN_SENT); removing the rule lets the retransmitted SYN (1 s
 *            initial RTO) through;
 *   accept   a listener with an empty queue.
 *
 * Kernel: every sleep ends in sock_intr_errno(timeo) (include/net/sock.h):
 * -ERESTARTSYS when timeo == MAX_SCHEDULE_TIMEOUT (no socket timeout),
 * -EINTR otherwise.  The callers: tcp_recvmsg_locked() (net/ipv4/tcp.c),
 * sk_stream_wait_memory() (net/core/stream.c) for tcp_sendmsg_locked(),
 * inet_csk_wait_for_connect() (net/ipv4/inet_connection_sock.c) and
 * __inet_stream_connect() after inet_wait_for_connect() (net/ipv4/af_inet.c).
 * On the way out, handle_signal() (arch/x86/kernel/signal.c) turns
 * -ERESTARTSYS into EINTR for a handler without SA_RESTART and re-executes
 * the call for one with it; -EINTR is never restarted.
 *
 * connect() is special: the interrupted connect() leaves the socket in
 * SS_CONNECTING with the SYN still being retransmitted.  The restarted call
 * (and any later blocking connect()) enters __inet_stream_connect() through
 * the SS_CONNECTING case, sets err = -EALREADY, but, the socket being
 * blocking and still in SYN_SENT, goes on to inet_wait_for_connect() and
 * returns 0 once the handshake completes: EALREADY only comes back from a
 * non-blocking connect().  POSIX says a connect() interrupted by a signal
 * fails with EINTR while the connection is established asynchronously, and
 * that connect() on a socket whose connection request is in progress fails
 * with EALREADY.
 *
 * POSIX: SA_RESTART restarts an interrupted call, with no exception for
 * sockets with timeouts.  signal(7) documents Linux's exception, but names
 * SO_RCVTIMEO for the "output" calls (connect, send, sendto, sendmsg) too,
 * where the kernel looks at SO_SNDTIMEO only (sock_sndtimeo() in
 * tcp_sendmsg_locked() and __inet_stream_connect()): a send() on a socket
 * with SO_RCVTIMEO alone is restarted.  POSIX send(): a signal after some
 * data was sent gives a short count, not EINTR; Linux agrees.
 *
 * Summary: a signal interrupts a blocked recv(), send(), connect() and
 *   accept(): without SA_RESTART, with it, and with SA_RESTART plus a socket
 *   timeout
 * POSIX expects: SA_RESTART restarts an interrupted call, socket timeouts or
 *   not; a connect() retried after EINTR fails with EALREADY.  Linux: EINTR
 *   under SA_RESTART when SO_RCVTIMEO (recv/accept) or SO_SNDTIMEO
 *   (send/connect) is set -- signal(7) names SO_RCVTIMEO for send/connect,
 *   which does not stop a restart -- and a blocking connect() retried (or
 *   restarted) waits for the pending handshake and returns 0
 * Kernel path: sock_intr_errno() (include/net/sock.h): -ERESTARTSYS with no
 *   timeout, -EINTR with one; called from tcp_recvmsg_locked(),
 *   sk_stream_wait_memory() (tcp_sendmsg_locked() returns the bytes copied if
 *   any), inet_csk_wait_for_connect(), __inet_stream_connect() after
 *   inet_wait_for_connect(); handle_signal() (arch/x86/kernel/signal.c)
 *   restarts -ERESTARTSYS under SA_RESTART
 * Handling: retry at once: nothing was lost (a send() that copied bytes returns
 *   the count instead); for connect() poll for POLLOUT and read SO_ERROR rather
 *   than connect() again
 * Waits for: SYN retransmission 1 s (TCP_TIMEOUT_INIT) for the connect rows, 4
 *   x 40 ms delayed ACK (TCP_ATO_MIN) filling send buffers
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/sockios.h>

#include "lib/blocked.h"
#include "lib/child.h"
#include "record/harness.h"
#include "lib/connection.h"
#include "lib/sock_timeo.h"
#include "lib/sockets.h"

#define DATA_PORT    SERVER_PORT       /* recv and send connections */
#define CONNECT_PORT (SERVER_PORT + 1) /* SYNs dropped until released */
#define ACCEPT_PORT  (SERVER_PORT + 2) /* a listener nobody connects to */
#define TIMEO_S	     5		       /* SO_RCVTIMEO / SO_SNDTIMEO */
#define WAIT_MS	     10000	       /* bound of every state poll (generous: qemu TCG) */
#define SYN_WAIT_MS  4000	       /* the SYN retransmission comes after 1 s */
#define SMALL_BUF    4096	       /* SO_SNDBUF / SO_RCVBUF (doubled) */
#define PARTIAL_LEN  65536	       /* a send() larger than both buffers */
#define MARK	     'x'	       /* the byte that satisfies a restarted call */
#define NFT_TABLE    "sockerr_eintr"
#define STR_(x)	     #x
#define STR(x)	     STR_(x)

enum call_kind { CALL_RECV, CALL_SEND, CALL_CONNECT, CALL_ACCEPT };

static const struct {
	const char *name;
	long nr; /* what /proc/PID/syscall shows (glibc's recv() is recvfrom) */
} calls[] = {
	[CALL_RECV] = {"recv", SYS_recvfrom},
	[CALL_SEND] = {"send", SYS_sendto},
	[CALL_CONNECT] = {"connect", SYS_connect},
	[CALL_ACCEPT] = {"accept", SYS_accept},
};

/* MODE_RCVTIMEO (send only): SA_RESTART and SO_RCVTIMEO, the timeout
 * signal(7) names for the "output" calls, which send() does not use. */
enum mode { MODE_NO_RESTART, MODE_RESTART, MODE_TIMEOUT, MODE_RCVTIMEO };

static bool restarting(enum mode mode)
{
	return mode == MODE_RESTART || mode == MODE_RCVTIMEO;
}

static const char *const mode_label[] = {
	[MODE_NO_RESTART] = "no-restart",
	[MODE_RESTART] = "restart",
	[MODE_TIMEOUT] = "restart+timeout",
	[MODE_RCVTIMEO] = "restart+rcvtimeo",
};

static const char *const mode_text[] = {
	[MODE_NO_RESTART] = "handler without SA_RESTART",
	[MODE_RESTART] = "handler with SA_RESTART",
	[MODE_TIMEOUT] = "handler with SA_RESTART, the socket has a timeout",
	[MODE_RCVTIMEO] = "handler with SA_RESTART, the socket has SO_RCVTIMEO only",
};

/* What the child writes to the report pipe: the handler's word that the
 * signal was taken, the call's result, and for connect() the result of a
 * second connect() after an interrupted one. */
enum msg_kind { MSG_HANDLER = 1, MSG_RESULT, MSG_AGAIN };

struct msg {
	int kind;
	int err;
	long ret;
	double ms; /* how long the call took */
	int extra; /* recv: the byte; accept: the peer's port; connect: TCP state */
};

struct job {
	enum call_kind call;
	enum mode mode;
	int fd;
	struct sockaddr_storage dst; /* connect() */
	socklen_t dstlen;
	size_t len;	   /* send(): bytes (1 when 0) */
	const char *label; /* instead of "<call> <mode>" */
	pid_t pid;
	int report;
	/* A call that may find its condition gone by the time the child makes
	 * it (send(): the window reopened); job_start() then says so with
	 * JOB_DID_NOT_SLEEP instead of a broken run, and the case retries. */
	bool may_not_sleep;
};

#define JOB_DID_NOT_SLEEP 100 /* not a RUN_* status */

static volatile sig_atomic_t handler_out = -1;

static void on_signal(int sig)
{
	(void)sig;
	int saved = errno;
	struct msg m = {.kind = MSG_HANDLER};
	if (handler_out >= 0) {
		ssize_t n = write(handler_out, &m, sizeof(m));
		(void)n;
	}
	errno = saved;
}

static void send_msg(int out, struct msg *m)
{
	ssize_t n = write(out, m, sizeof(*m));
	(void)n;
}

static long do_call(const struct job *j, int *extra)
{
	*extra = -1;
	switch (j->call) {
	case CALL_RECV: {
		unsigned char b;
		long n = recv(j->fd, &b, 1, 0);
		if (n == 1)
			*extra = b;
		return n;
	}
	case CALL_SEND: {
		static const char zeros[PARTIAL_LEN];
		char b = MARK;
		if (j->len > 1)
			return send(j->fd, zeros, j->len, MSG_NOSIGNAL);
		return send(j->fd, &b, 1, MSG_NOSIGNAL);
	}
	case CALL_CONNECT: return connect(j->fd, (const struct sockaddr *)&j->dst, j->dstlen);
	case CALL_ACCEPT: {
		struct sockaddr_storage peer;
		socklen_t len = sizeof(peer);
		long fd = accept(j->fd, (struct sockaddr *)&peer, &len);
		if (fd >= 0) {
			/* sin_port and sin6_port sit at the same offset */
			*extra = ntohs(((struct sockaddr_in *)&peer)->sin_port);
			close((int)fd);
		}
		return fd;
	}
	}
	errno = EINVAL;
	return -1;
}

/* The child: handler installed, the call made once, its result reported.
 * After an interrupted connect() it calls connect() again: blocking after
 * the handler without SA_RESTART, non-blocking after the timeout case.
 * It leaves with _exit(): exit() would run the run process's teardown. */
static void child_main(const struct job *j, int out)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	struct sigaction sa = {.sa_handler = on_signal,
			       .sa_flags = j->mode == MODE_NO_RESTART ? 0 : SA_RESTART};
	sigemptyset(&sa.sa_mask);
	handler_out = out;
	sigaction(SIGUSR1, &sa, NULL);

	struct msg m = {.kind = MSG_RESULT};
	double t = now_ms();
	m.ret = do_call(j, &m.extra);
	m.err = m.ret < 0 ? errno : 0;
	m.ms = now_ms() - t;
	if (j->call == CALL_CONNECT)
		m.extra = tcp_state(j->fd);
	send_msg(out, &m);

	if (j->call == CALL_CONNECT && m.ret < 0 && m.err == EINTR) {
		struct msg a = {.kind = MSG_AGAIN};
		if (j->mode == MODE_TIMEOUT)
			fcntl(j->fd, F_SETFL, fcntl(j->fd, F_GETFL) | O_NONBLOCK);
		t = now_ms();
		a.ret = connect(j->fd, (const struct sockaddr *)&j->dst, j->dstlen);
		a.err = a.ret < 0 ? errno : 0;
		a.ms = now_ms() - t;
		a.extra = tcp_state(j->fd);
		send_msg(out, &a);
	}
	_exit(0);
}

/* The next message from the child, if it is of the expected kind. */
static bool read_msg(int fd, int kind, int timeout_ms, struct msg *m)
{
	if (!(poll_fd(fd, POLLIN, timeout_ms) & POLLIN))
		return false;
	return read(fd, m, sizeof(*m)) == (ssize_t)sizeof(*m) && m->kind == kind;
}

static void job_reap(struct job *j)
{
	if (j->pid <= 0)
		return;
	kill(j->pid, SIGKILL);
	while (waitpid(j->pid, NULL, 0) < 0 && errno == EINTR)
		;
	j->pid = -1;
	close(j->report);
	j->report = -1;
}

/* Fork the child, wait until it sleeps in the call, signal it and wait for
 * the handler.  Under SA_RESTART, also record whether the child went back
 * to sleep in the same call.  RUN_OK, or a broken run. */
static int job_start(struct run *r, struct job *j)
{
	const char *name = calls[j->call].name;
	j->pid = fork_reporter(&j->report);
	if (j->pid < 0)
		return broken(r, "fork: %m");
	if (j->pid == 0)
		child_main(j, j->report);
	if (!wait_blocked_in_syscall(j->pid, calls[j->call].nr, WAIT_MS)) {
		bool finished = poll_fd(j->report, POLLIN, 0) & POLLIN;
		job_reap(j);
		if (finished && j->may_not_sleep)
			return JOB_DID_NOT_SLEEP;
		return broken(r, "the child never slept in %s() (%s) within %d ms", name,
			      mode_label[j->mode], WAIT_MS);
	}
	kill(j->pid, SIGUSR1);
	struct msg m;
	if (!read_msg(j->report, MSG_HANDLER, WAIT_MS, &m)) {
		job_reap(j);
		return broken(r, "the SIGUSR1 handler of the %s() child did not report", name);
	}
	if (restarting(j->mode)) {
		char label[40];
		snprintf(label, sizeof(label), "%s %s signalled", name, mode_label[j->mode]);
		bool again = wait_blocked_in_syscall(j->pid, calls[j->call].nr, WAIT_MS);
		observe(r, ON_FD(j->fd), label,
			"after the handler ran: /proc/PID/syscall and stat of the child", "%s",
			again ? "asleep in the call again" : "not asleep in the call again");
	}
	return RUN_OK;
}

/* Record the child's result (kind MSG_RESULT) under "<call> <mode>". */
static bool job_result(struct run *r, struct job *j, int timeout_ms, const char *condition,
		       struct msg *m)
{
	char label[40];
	snprintf(label, sizeof(label), "%s %s", calls[j->call].name, mode_label[j->mode]);
	if (j->label)
		snprintf(label, sizeof(label), "%s", j->label);
	if (!read_msg(j->report, MSG_RESULT, timeout_ms, m)) {
		observe(r, ON_FD(j->fd), label, "the child's report", "no result within %d ms",
			timeout_ms);
		return false;
	}
	errno = m->err;
	step(r, ON_FD(j->fd), label, m->ret, "%s(%d) %s; SIGUSR1, %s; returned after %.0f ms",
	     calls[j->call].name, j->fd, condition, mode_text[j->mode], m->ms);
	return true;
}

/* job_start() for a job on connection c, which is closed when the job
 * does not start. */
static int job_start_on(struct run *r, struct job *j, struct connection *c)
{
	int rc = job_start(r, j);
	if (rc != RUN_OK)
		connection_close(c);
	return rc;
}

/* job_result() of a recv() or accept() job on an empty queue: condition,
 * which MODE_TIMEOUT replaces by the words both say it in. */
static bool empty_queue_result(struct run *r, struct job *j, const char *condition, struct msg *m)
{
	if (j->mode == MODE_TIMEOUT)
		condition = "on an empty queue, SO_RCVTIMEO 5 s";
	return job_result(r, j, WAIT_MS, condition, m);
}

/* The end of a case on a connection of its own: the child and c gone. */
static int job_done(struct job *j, struct connection *c)
{
	job_reap(j);
	connection_close(c);
	return RUN_OK;
}

/* ---- recv ----------------------------------------------------------- */

static int recv_case(struct run *r, int lfd, enum mode mode)
{
	struct connection c;
	int rc = connection_add(r, lfd, NULL, &c);
	if (rc != RUN_OK)
		return rc;
	if (mode == MODE_TIMEOUT)
		set_timeo(c.client, SO_RCVTIMEO, TIMEO_S * 1000);
	struct job j = {.call = CALL_RECV, .mode = mode, .fd = c.client, .pid = -1};
	rc = job_start_on(r, &j, &c);
	if (rc != RUN_OK)
		return rc;
	if (mode == MODE_RESTART) {
		char b = MARK;
		if (send(c.server, &b, 1, MSG_NOSIGNAL) != 1) {
			job_reap(&j);
			connection_close(&c);
			return broken(r, "the server's send(): %m");
		}
	}
	struct msg m;
	if (empty_queue_result(r, &j, "on an empty receive queue", &m) && mode == MODE_RESTART)
		observe(r, ON_FD(j.fd), "recv restart got",
			"the byte the restarted recv() returned", "%s",
			m.ret == 1 && m.extra == MARK ? "the byte sent after the signal"
			: m.ret == 1		      ? "another byte"
						      : "no byte");
	return job_done(&j, &c);
}

/* ---- send ----------------------------------------------------------- */

/* A new connection to the data listener, the client's SO_SNDBUF made
 * small once connected.  As connection_add(). */
static int small_sndbuf_connection(struct run *r, int lfd, struct connection *c)
{
	int rc = connection_add(r, lfd, NULL, c);
	if (rc == RUN_OK) {
		int small = SMALL_BUF;
		setsockopt(c->client, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	}
	return rc;
}

/* Fill the client's send buffer until it stays full: nothing in flight
 * (no ACK left to free space), data waiting unsent (the peer's window is
 * closed) and the socket not writable.  Returns the bytes queued, -1 with
 * errno. */
static long fill_send_buffer(int fd)
{
	static const char zeros[SMALL_BUF];
	long total = 0;
	double deadline = now_ms() + WAIT_MS;
	for (;;) {
		ssize_t n;
		while ((n = send(fd, zeros, sizeof(zeros), MSG_DONTWAIT | MSG_NOSIGNAL)) > 0)
			total += n;
		if (errno != EAGAIN)
			return -1;
		struct tcp_info ti;
		socklen_t len = sizeof(ti);
		int unsent = 0;
		if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0 ||
		    ioctl(fd, SIOCOUTQNSD, &unsent) < 0)
			return -1;
		if (ti.tcpi_unacked == 0 && unsent > 0 && !(poll_fd(fd, POLLOUT, 0) & POLLOUT))
			return total;
		if (now_ms() >= deadline) {
			errno = ETIMEDOUT;
			return -1;
		}
		poll(NULL, 0, 1);
	}
}

/* Read what is queued on fd; true when the MARK byte was among it. */
static bool drain(int fd)
{
	char buf[16384];
	bool mark = false;
	ssize_t n;
	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		mark = mark || memchr(buf, MARK, (size_t)n) != NULL;
	return mark;
}

/* The full send buffer can gain room before the child's send(): a zero
 * window probe's answer, or the receiver collapsing its queue, reopens the
 * window; under emulation the fork alone takes long enough.  The send()
 * then copies its byte at once, with no sleep to interrupt: a new
 * connection is tried, a few times. */
#define SEND_ATTEMPTS 5

static int send_case_once(struct run *r, int lfd, enum mode mode);

static int send_case(struct run *r, int lfd, enum mode mode)
{
	for (int attempt = 1;; attempt++) {
		int rc = send_case_once(r, lfd, mode);
		if (rc != JOB_DID_NOT_SLEEP)
			return rc;
		if (attempt == SEND_ATTEMPTS)
			return broken(r, "send() (%s) found room in the full send buffer %d times",
				      mode_label[mode], SEND_ATTEMPTS);
		note(r,
		     "send() (%s), attempt %d: the send buffer had room again when the child "
		     "called send(); retried on a new connection",
		     mode_label[mode], attempt);
	}
}

static int send_case_once(struct run *r, int lfd, enum mode mode)
{
	struct connection c;
	int rc = small_sndbuf_connection(r, lfd, &c);
	if (rc != RUN_OK)
		return rc;
	if (mode == MODE_TIMEOUT || mode == MODE_RCVTIMEO)
		set_timeo(c.client, mode == MODE_TIMEOUT ? SO_SNDTIMEO : SO_RCVTIMEO,
			  TIMEO_S * 1000);
	long queued = fill_send_buffer(c.client);
	if (queued < 0) {
		connection_close(&c);
		return broken(r, "filling the send buffer: %m");
	}
	struct job j = {
		.call = CALL_SEND, .mode = mode, .fd = c.client, .pid = -1, .may_not_sleep = true};
	rc = job_start_on(r, &j, &c);
	if (rc != RUN_OK)
		return rc;
	bool mark = false;
	if (restarting(mode)) {
		/* The peer reads: the window opens, ACKs free the send buffer
		 * and the restarted send() copies its byte. */
		double deadline = now_ms() + WAIT_MS;
		struct pollfd p[2] = {{.fd = c.server, .events = POLLIN},
				      {.fd = j.report, .events = POLLIN}};
		while (!(p[1].revents & POLLIN) && now_ms() < deadline) {
			if (poll(p, 2, 100) > 0 && (p[0].revents & POLLIN))
				mark = drain(c.server) || mark;
		}
	}
	struct msg m;
	char condition[96];
	snprintf(condition, sizeof(condition),
		 "of 1 byte, the send buffer full (%ld bytes queued)%s", queued,
		 mode == MODE_TIMEOUT	 ? ", SO_SNDTIMEO 5 s"
		 : mode == MODE_RCVTIMEO ? ", SO_RCVTIMEO 5 s"
					 : "");
	bool got = job_result(r, &j, WAIT_MS, condition, &m);
	if (got && restarting(mode)) {
		double deadline = now_ms() + WAIT_MS;
		while (!mark && now_ms() < deadline && (poll_fd(c.server, POLLIN, 100) & POLLIN))
			mark = drain(c.server);
		char label[40];
		snprintf(label, sizeof(label), "send %s got", mode_label[mode]);
		observe(r, ON_FD(c.server), label,
			"the peer reads until the byte of the restarted send()", "%s",
			mark ? "the peer read the byte" : "the byte never arrived");
	}
	return job_done(&j, &c);
}

/* A blocking send() larger than what the buffers can take, on a fresh
 * connection: it copies what fits, sleeps, and the signal makes it return
 * the count copied, not EINTR (tcp_sendmsg_locked(): do_error with
 * copied > 0 goes to out). */
static int send_partial_case(struct run *r, int lfd)
{
	struct connection c;
	int rc = small_sndbuf_connection(r, lfd, &c);
	if (rc != RUN_OK)
		return rc;
	struct job j = {.call = CALL_SEND,
			.mode = MODE_NO_RESTART,
			.fd = c.client,
			.len = PARTIAL_LEN,
			.label = "send partial",
			.pid = -1};
	rc = job_start_on(r, &j, &c);
	if (rc != RUN_OK)
		return rc;
	struct msg m;
	if (job_result(r, &j, WAIT_MS, "of " STR(PARTIAL_LEN) " bytes, the peer not reading", &m)) {
		measured_ret(r); /* the count: how much the peer's window took first */
		observe(r, ON_FD(j.fd), "send partial count",
			"what the interrupted send() returned", "%s",
			m.ret > 0 && m.ret < PARTIAL_LEN ? "a short count, not EINTR"
			: m.ret == PARTIAL_LEN		 ? "the full count"
			: m.ret < 0			 ? errno_name(m.err)
							 : "0");
	}
	return job_done(&j, &c);
}

/* ---- accept --------------------------------------------------------- */

static int accept_case(struct run *r, int lfd, enum mode mode)
{
	if (mode == MODE_TIMEOUT)
		set_timeo(lfd, SO_RCVTIMEO, TIMEO_S * 1000);
	struct job j = {.call = CALL_ACCEPT, .mode = mode, .fd = lfd, .pid = -1};
	int rc = job_start(r, &j);
	if (rc != RUN_OK)
		return rc;
	int cfd = -1;
	if (mode == MODE_RESTART) {
		struct sockaddr_storage ss;
		const char *server = topology_server_addr(&r->topo, r->family);
		socklen_t len = sockaddr_of(r->family, server, ACCEPT_PORT, &ss);
		cfd = tcp_socket_in(&r->topo.client, r->family);
		if (cfd < 0 || fcntl(cfd, F_SETFL, O_NONBLOCK) < 0 ||
		    (connect(cfd, (struct sockaddr *)&ss, len) < 0 && errno != EINPROGRESS)) {
			if (cfd >= 0)
				close(cfd);
			job_reap(&j);
			return broken(r, "connecting to the listener: %m");
		}
	}
	struct msg m;
	if (empty_queue_result(r, &j, "on an empty queue", &m) && mode == MODE_RESTART)
		observe(r, ON_FD(j.fd), "accept restart got",
			"the connection the restarted accept() returned", "%s",
			m.ret >= 0 && m.extra == socket_local_port(cfd)
				? "the connection made after the signal"
			: m.ret >= 0 ? "another connection"
				     : "no connection");
	job_reap(&j);
	if (cfd >= 0)
		close(cfd);
	return RUN_OK;
}

/* ---- connect -------------------------------------------------------- */

static int connect_job(struct run *r, struct job *j, enum mode mode)
{
	const char *server = topology_server_addr(&r->topo, r->family);
	*j = (struct job){.call = CALL_CONNECT, .mode = mode, .pid = -1, .report = -1};
	j->dstlen = sockaddr_of(r->family, server, CONNECT_PORT, &j->dst);
	j->fd = tcp_socket_in(&r->topo.client, r->family);
	if (j->fd < 0)
		return broken(r, "client socket: %m");
	if (mode == MODE_TIMEOUT)
		set_timeo(j->fd, SO_SNDTIMEO, TIMEO_S * 1000);
	return job_start(r, j);
}

static void record_again(struct run *r, const char *label, const struct job *j, const struct msg *a,
			 const char *how)
{
	errno = a->err;
	step(r, ON_FD(j->fd), label, a->ret,
	     "connect(%d) again after EINTR, %s; returned after %.0f ms", j->fd, how, a->ms);
}

/* Three connect() children while the server drops SYNs: the one without
 * SA_RESTART calls connect() again and sleeps in it, the SA_RESTART one
 * sleeps in the restarted call; the timeout one tries a non-blocking
 * connect().  Then the rule goes, and the first SYN retransmission of
 * both sleeping sockets completes their handshakes. */
static int connect_cases(struct run *r)
{
	int lfd = server_listener(r, CONNECT_PORT, 8);
	if (lfd < 0)
		return RUN_BROKEN;
	char rule[256];
	snprintf(rule, sizeof(rule),
		 "table inet " NFT_TABLE " {\n"
		 "  chain input {\n"
		 "    type filter hook input priority 0;\n"
		 "    tcp dport %d drop\n"
		 "  }\n"
		 "}\n",
		 CONNECT_PORT);
	if (netns_nft(&r->topo.server, rule) < 0) {
		close(lfd);
		return skipped(r, "nftables is not usable in the server namespace: %s",
			       netns_error());
	}
	struct job jobs[3] = {{.pid = -1, .fd = -1, .report = -1},
			      {.pid = -1, .fd = -1, .report = -1},
			      {.pid = -1, .fd = -1, .report = -1}};
	struct job *a = &jobs[MODE_NO_RESTART], *b = &jobs[MODE_RESTART], *c = &jobs[MODE_TIMEOUT];
	int rc = RUN_OK;
	struct msg m;
	const char *held = "to a server dropping the SYN";

	/* a: EINTR, then connect() again, blocking. */
	if ((rc = connect_job(r, a, MODE_NO_RESTART)) != RUN_OK)
		goto out;
	bool a_intr = job_result(r, a, WAIT_MS, held, &m) && m.ret < 0 && m.err == EINTR;
	if (a_intr) {
		observe(r, ON_FD(a->fd), "connect no-restart state",
			"getsockopt(TCP_INFO) after EINTR", "%s", tcp_state_name(m.extra));
		bool again = wait_blocked_in_syscall(a->pid, SYS_connect, WAIT_MS);
		observe(r, ON_FD(a->fd), "connect again blocked",
			"connect() again (blocking) after EINTR: /proc/PID/syscall and stat", "%s",
			again ? "asleep in connect" : "not asleep in connect");
	}

	/* b: the restarted connect(). */
	if ((rc = connect_job(r, b, MODE_RESTART)) != RUN_OK)
		goto out;

	/* c: EINTR under SO_SNDTIMEO, then a non-blocking connect(). */
	if ((rc = connect_job(r, c, MODE_TIMEOUT)) != RUN_OK)
		goto out;
	if (job_result(r, c, WAIT_MS, "to a server dropping the SYN, SO_SNDTIMEO 5 s", &m) &&
	    m.ret < 0 && m.err == EINTR) {
		struct msg again;
		if (read_msg(c->report, MSG_AGAIN, WAIT_MS, &again))
			record_again(r, "connect again nonblocking", c, &again, "O_NONBLOCK");
	}

	step(r, AT(HOST_SERVER), "drop rule removed",
	     netns_nft(&r->topo.server, "delete table inet " NFT_TABLE),
	     "nft delete table inet " NFT_TABLE " (server): the next SYN passes");

	if (a_intr) {
		struct msg again;
		if (read_msg(a->report, MSG_AGAIN, SYN_WAIT_MS, &again))
			record_again(r, "connect again", a, &again, "blocking");
		else
			observe(r, ON_FD(a->fd), "connect again", "the child's report",
				"no result within %d ms", SYN_WAIT_MS);
	}
	if (job_result(r, b, SYN_WAIT_MS, held, &m))
		observe(r, ON_FD(b->fd), "connect restart state",
			"getsockopt(TCP_INFO) after connect() returned", "%s",
			tcp_state_name(m.extra));
out:
	for (int i = 0; i < 3; i++) {
		job_reap(&jobs[i]);
		if (jobs[i].fd >= 0)
			close(jobs[i].fd);
	}
	close(lfd);
	return rc;
}

SCENARIO(signal_during_call, .errno_name = "EINTR", .syscall = "recv/send/connect/accept",
	 .intrinsic_wait_ms = 1160, .order = 350)
{
	const char *server = topology_server_addr(&r->topo, r->family);
	int dlfd = listen_at_server(r, server, DATA_PORT, 8);
	int alfd = listen_at_server(r, server, ACCEPT_PORT, 8);
	if (dlfd < 0 || alfd < 0) {
		int saved = errno;
		close_fds(dlfd, alfd);
		errno = saved;
		return broken(r, "listen on %s: %m", server);
	}
	/* Accepted sockets inherit it: a small window the sender fills. */
	int small = SMALL_BUF;
	setsockopt(dlfd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));

	int rc = RUN_OK;
	for (enum mode mode = MODE_NO_RESTART; rc == RUN_OK && mode <= MODE_TIMEOUT; mode++)
		rc = recv_case(r, dlfd, mode);
	for (enum mode mode = MODE_NO_RESTART; rc == RUN_OK && mode <= MODE_TIMEOUT; mode++)
		rc = send_case(r, dlfd, mode);
	if (rc == RUN_OK)
		rc = send_case(r, dlfd, MODE_RCVTIMEO);
	if (rc == RUN_OK)
		rc = send_partial_case(r, dlfd);
	if (rc == RUN_OK)
		rc = connect_cases(r);
	for (enum mode mode = MODE_NO_RESTART; rc == RUN_OK && mode <= MODE_TIMEOUT; mode++)
		rc = accept_case(r, alfd, mode);
	close(dlfd);
	close(alfd);
	if (rc != RUN_OK)
		return rc;
	note(r, "sock_intr_errno(): -ERESTARTSYS (restarted under SA_RESTART) without a socket "
		"timeout, -EINTR (never restarted) with SO_RCVTIMEO/SO_SNDTIMEO");
	note(r, "an interrupted connect() goes on: the SYN is retransmitted; a blocking connect() "
		"again (or the restart) waits for it and returns 0, a non-blocking one says "
		"EALREADY");
	note(r, "signal() in glibc installs handlers with SA_RESTART; sigaction() without it "
		"gives the no-restart rows");
	return RUN_OK;
}
