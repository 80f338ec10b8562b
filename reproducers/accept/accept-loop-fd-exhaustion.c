/*
 * accept-loop-fd-exhaustion: two accept loops meet the same descriptor
 * exhaustion (RLIMIT_NOFILE reached) with clients waiting in the queue.
 *
 * accept() fails with EMFILE in get_unused_fd_flags() -> alloc_fd() before
 * the connection is dequeued (net/socket.c: __sys_accept4_file() reserves
 * the descriptor before it calls do_accept()): the connection stays queued,
 * so the listener stays readable.
 *
 * - The naive loop treats EMFILE like EINTR and calls accept() again: poll()
 *   says readable at once, accept() fails at once, and the loop spins at
 *   full CPU while the clients wait, neither served nor refused.
 * - The reference loop (examples/accept_loop.c) keeps one descriptor in
 *   reserve: on EMFILE it closes the spare, accepts into its slot, tells the
 *   client it is busy and closes in order, then takes the spare back.  Each
 *   client costs two accept() calls and learns its fate at once; with the
 *   queue empty the loop sleeps in poll().
 *
 * Each loop runs for a fixed window in a child process whose descriptor
 * limit is set to the lowest free descriptor, so not one is free.  The
 * figures (accept() calls, calls per second, CPU time) are reported, not
 * judged: the bats test states what "does not spin" means.
 *
 * POSIX accept(): EMFILE "{OPEN_MAX} file descriptors are currently open in
 * the calling process" -- nothing about the connection, which on Linux
 * stays queued.
 *
 * Summary: a naive and the reference accept loop under descriptor exhaustion
 * Kernel path: __sys_accept4_file(): get_unused_fd_flags() -> alloc_fd() fails
 *   (EMFILE) before do_accept() and ops->accept() dequeue: the listener stays
 *   readable
 * Handling: back off and free resources: a reserved descriptor refuses queued
 *   clients in order (examples/accept_loop.c)
 * Waits for: the reference loop's window of WINDOW_MS 300 ms (the naive loop
 *   runs for NAIVE_CALLS accept() calls)
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "examples/accept_loop.h"
#include "lib/child.h"
#include "record/harness.h"
#include "lib/connection.h"
#include "lib/sockets.h"

#define CLIENTS	  5
#define WINDOW_MS 300

/* The naive loop is stopped after this many accept() calls rather than
 * after a time: whether it slept meanwhile is then a count that load
 * cannot change (it gets fewer calls a second, never a sleep). */
#define NAIVE_CALLS 1000
/* Only a safety net for the naive loop: 1000 calls take milliseconds. */
#define NAIVE_BOUND_MS 10000

struct loop_figures {
	unsigned long accept_calls, served, refused;
	long slept; /* voluntary context switches: sleeps in poll() */
	double cpu_ms, wall_ms;
};

static void serve_hello(int fd, void *arg)
{
	(void)arg;
	send(fd, "hello\n", 6, MSG_NOSIGNAL | MSG_DONTWAIT);
	close(fd);
}

/* The loop many servers have: every error but the fatal ones is "try again". */
static void naive_loop(int lfd, double deadline, struct loop_figures *f)
{
	while (now_ms() < deadline && f->accept_calls < NAIVE_CALLS) {
		struct pollfd p = {.fd = lfd, .events = POLLIN};
		if (poll(&p, 1, (int)(deadline - now_ms()) + 1) <= 0)
			continue;
		f->accept_calls++;
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0) {
			f->served++;
			serve_hello(fd, NULL);
		} else if (errno == EBADF || errno == EINVAL) {
			break;
		}
	}
}

/* No descriptor free: the limit becomes the lowest free descriptor. */
static int exhaust_descriptors(void)
{
	/* open() returns the lowest free descriptor: every one below it is
	 * taken, so a limit equal to it leaves none. */
	int lowest = open("/dev/null", O_RDONLY);
	if (lowest < 0)
		return -1;
	close(lowest);
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = (rlim_t)lowest;
	return setrlimit(RLIMIT_NOFILE, &rl);
}

static double cpu_ms_self(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

/* Run one loop in a child (the reference loop for WINDOW_MS, the naive one
 * for NAIVE_CALLS calls); its figures come back by pipe. */
static int run_loop(int lfd, bool reference, struct loop_figures *f)
{
	int report;
	pid_t pid = fork_reporter(&report);
	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct loop_figures mine = {0};
		struct accept_loop prepared = {.listen_fd = lfd};
		if (reference && accept_loop_init(&prepared) < 0)
			_exit(1);
		if (exhaust_descriptors() < 0)
			_exit(1);
		long slept0 = voluntary_switches();
		double start = now_ms(), cpu0 = cpu_ms_self();
		if (reference) {
			/* accept_loop_init() already reserved the spare; hand it on. */
			struct accept_loop loop = prepared;
			loop.serve = serve_hello;
			loop.busy_message = "busy\n";
			accept_loop_run(&loop, start + WINDOW_MS);
			mine.accept_calls = loop.accept_calls;
			mine.served = loop.served;
			mine.refused = loop.refused;
		} else {
			naive_loop(lfd, start + NAIVE_BOUND_MS, &mine);
		}
		mine.cpu_ms = cpu_ms_self() - cpu0;
		mine.slept = voluntary_switches() - slept0;
		mine.wall_ms = now_ms() - start;
		_exit(write(report, &mine, sizeof(mine)) == sizeof(mine) ? 0 : 1);
	}
	ssize_t n = read(report, f, sizeof(*f));
	close(report);
	int status;
	waitpid(pid, &status, 0);
	return n == sizeof(*f) ? 0 : -1;
}

/* What each client sees once the loop has run. */
static void classify_clients(const int *clients, int n, int counts[4])
{
	enum { SERVED, REFUSED, WAITING, RESET };
	memset(counts, 0, 4 * sizeof(int));
	for (int i = 0; i < n; i++) {
		char buf[16] = "";
		ssize_t got = recv(clients[i], buf, sizeof(buf) - 1, MSG_DONTWAIT);
		if (got > 0 && strncmp(buf, "hello", 5) == 0)
			counts[SERVED]++;
		else if (got >= 0)
			counts[REFUSED]++; /* "busy", or an orderly close */
		else if (errno == EAGAIN)
			counts[WAITING]++;
		else
			counts[RESET]++;
	}
}

static int one_loop(struct run *r, bool reference, int port)
{
	const char *label = reference ? "reference" : "naive";
	const char *server = topology_server_addr(&r->topo, r->family);
	int lfd = server_listener(r, port, CLIENTS * 2);
	if (lfd < 0)
		return RUN_BROKEN;
	int clients[CLIENTS];
	for (int i = 0; i < CLIENTS; i++) {
		clients[i] = tcp_connect_in(&r->topo.client, r->family, server, port);
		if (clients[i] < 0)
			return broken(r, "client %d connect: %m", i);
	}
	/* All handshakes complete: the children sit in the accept queue. */
	for (int i = 0; i < 2000; i++) {
		if (tcp_diag_count(&r->topo.server, r->family, port, 0, 1u << TCP_ESTABLISHED) ==
		    CLIENTS)
			break;
		poll(NULL, 0, 1);
	}

	struct loop_figures f;
	if (run_loop(lfd, reference, &f) < 0)
		return broken(r, "the %s loop's child failed", label);
	int counts[4];
	classify_clients(clients, CLIENTS, counts);
	char name[48], what[96];
	snprintf(name, sizeof(name), "%s accept calls", label);
	snprintf(what, sizeof(what), "%s loop: accept() calls in %.0f ms, all fds used", label,
		 f.wall_ms);
	measure(r, AT(HOST_SERVER), name, what, "%lu", f.accept_calls);
	snprintf(name, sizeof(name), "%s calls per second", label);
	measure(r, AT(HOST_SERVER), name, "accept() calls per second while exhausted", "%.0f",
		f.accept_calls * 1000.0 / f.wall_ms);
	snprintf(name, sizeof(name), "%s cpu ms", label);
	measure(r, AT(HOST_SERVER), name, "CPU time (user + system) of the loop", "%.0f", f.cpu_ms);
	/* Spinning is a loop that never sleeps, whatever its rate: the
	 * voluntary context switches of the loop's process (a preemption by
	 * a busy machine counts as involuntary). */
	snprintf(name, sizeof(name), "%s sleeps", label);
	snprintf(what, sizeof(what), "%s loop: voluntary context switches (getrusage ru_nvcsw)",
		 label);
	observe(r, AT(HOST_SERVER), name, what, "%s",
		f.slept > 0 ? "slept in poll()" : "never slept");
	snprintf(name, sizeof(name), "%s clients", label);
	observe(r, AT(HOST_CLIENT), name, "what each queued client received",
		"served %d, refused %d, waiting %d, reset %d", counts[0], counts[1], counts[2],
		counts[3]);
	if (reference)
		set_connection(r, counts[2] ? CONNECTION_STILL_QUEUED : CONNECTION_DEQUEUED_CLOSED);
	for (int i = 0; i < CLIENTS; i++)
		close(clients[i]);
	close(lfd);
	return RUN_OK;
}

SCENARIO(accept_loop_fd_exhaustion, .errno_name = "EMFILE", .syscall = "accept",
	 .intrinsic_wait_ms = 300, .order = 200)
{
	note(r,
	     "%d clients queued; no descriptor free; the naive loop runs for %d accept() calls, "
	     "the reference loop for %d ms",
	     CLIENTS, NAIVE_CALLS, WINDOW_MS);
	int rc = one_loop(r, false, SERVER_PORT);
	if (rc != RUN_OK)
		return rc;
	return one_loop(r, true, SERVER_PORT + 1);
}
