/*
 * accept(2) called wrongly: the rows of the error table that are bugs in
 * the caller.  The order of the checks decides which errno a call with two
 * mistakes gets; in __sys_accept4() / __sys_accept4_file() (net/socket.c):
 *
 *   fdget(fd) fails                                  -> EBADF
 *   flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK)          -> EINVAL
 *   get_unused_fd_flags() -> alloc_fd() (fs/file.c)  -> EMFILE (accept_fd_limits.c)
 *   do_accept(): sock_from_file() == NULL            -> ENOTSOCK
 *   sock_alloc_file() -> alloc_empty_file()          -> ENFILE (accept_fd_limits.c)
 *   ops->accept: sock_no_accept() (UDP)              -> EOPNOTSUPP
 *                inet_csk_accept(): not TCP_LISTEN   -> EINVAL
 *   -- the connection is dequeued here --
 *   ops->getname() < 0                               -> ECONNABORTED
 *   move_addr_to_user(): get_user(addrlen) faults    -> EFAULT
 *                        addrlen < 0                 -> EINVAL
 *                        copy_to_user(addr) faults   -> EFAULT
 *
 * (Read in the 6.1 tree: there ops->accept is inet_accept() ->
 * inet_csk_accept() for TCP, and inet_dgram_ops / inet6_dgram_ops have
 * .accept = sock_no_accept() in net/ipv4/af_inet.c and net/ipv6/af_inet6.c.
 * On 6.18 the runs find the same order for every row they reach: all but
 * ENFILE, which runs only on a disposable kernel, and ECONNABORTED, which
 * is accept-peer-port-zero's.)
 *
 * Everything before the dequeue leaves a pending connection where it was.
 * The address errors come after it: do_accept() has already taken the
 * child from the queue, and its error path fput()s the new file, so
 * sock_close() -> inet_release() -> tcp_close() (__tcp_close()) ends the
 * connection, with a FIN, or with an RST if the client's data was left
 * unread, when the syscall returns to user space (fput() defers __fput()
 * to task_work).  accept(2) describes EFAULT as "addr is not in a writable
 * part of the user address space" and EINVAL as "addrlen is invalid",
 * without saying the connection is lost; the kernel's own comment above
 * __sys_accept4() calls it "unclean because we open the socket then return
 * an error".
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/accept_helpers.h"
#include "lib/sockets.h"

/* An undefined accept4() flag bit (O_WRONLY's value: not SOCK_CLOEXEC,
 * not SOCK_NONBLOCK). */
#define BAD_FLAG 0x1

/* Bytes the client sent that the server has not acknowledged yet. */
static long tcp_unacked(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
		return -1;
	return ti.tcpi_unacked;
}

static int accept_closed_fd(struct run *r)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return broken(r, "open /dev/null: %m");
	step(r, close(fd), "close(%d)", fd);
	/* Nothing in this single-threaded run opens a descriptor in between,
	 * so the number stays free. */
	step(r, accept(fd, NULL, NULL), "accept(%d) on the descriptor just closed", fd);
	step_as(r, "accept4 bad flags", accept4(fd, NULL, NULL, BAD_FLAG),
		"accept4(%d, NULL, NULL, %#x): the fd is checked before the flags", fd, BAD_FLAG);
	step_as(r, "accept -1", accept(-1, NULL, NULL), "accept(-1)");
	return RUN_OK;
}

static int accept_not_socket(struct run *r)
{
	char path[] = "/tmp/sockerr-accept-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return broken(r, "mkstemp under /tmp: %m");
	unlink(path);
	step(r, accept(fd, NULL, NULL), "accept(%d) on a regular file (mkstemp, unlinked)", fd);
	step_as(r, "accept4 bad flags", accept4(fd, NULL, NULL, BAD_FLAG),
		"accept4(%d, NULL, NULL, %#x): the flags are checked before the file type", fd,
		BAD_FLAG);
	close(fd);
	return RUN_OK;
}

static int accept_udp_socket(struct run *r)
{
	const char *server = topology_server_addr(&r->topo, r->family);
	int fd = netns_socket(&r->topo.server, r->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return broken(r, "UDP socket: %m");
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(r->family, server, SERVER_PORT, &ss);
	if (step(r, bind(fd, (struct sockaddr *)&ss, len), "bind(%d, %s) UDP", fd,
		 sockaddr_str((struct sockaddr *)&ss)) < 0)
		return broken(r, "bind UDP %s: %m", sockaddr_str((struct sockaddr *)&ss));
	step(r, accept(fd, NULL, NULL), "accept(%d) on a bound UDP socket", fd);
	close(fd);
	return RUN_OK;
}

static int accept_not_listening(struct run *r)
{
	int fd = acctab_bound(r, SOCK_STREAM, SERVER_PORT, false);
	if (fd < 0)
		return broken(r, "bind TCP: %m");
	/* Blocking socket: the state check comes before any wait. */
	step(r, accept(fd, NULL, NULL), "accept(%d) on a bound TCP socket, no listen()", fd);
	close(fd);
	return RUN_OK;
}

static int accept4_bad_flags(struct run *r)
{
	int lfd, cfd;
	int rc = acctab_pending(r, &lfd, &cfd);
	if (rc != RUN_OK)
		return rc;
	observe(r, "queue before", "poll(listener, POLLIN)", "%s",
		acctab_queued(lfd) ? "still queued" : "empty");
	step(r, accept4(lfd, NULL, NULL, BAD_FLAG), "accept4(%d, NULL, NULL, %#x)", lfd, BAD_FLAG);
	bool queued = acctab_queued(lfd);
	observe(r, "queue after", "poll(listener, POLLIN)", "%s",
		queued ? "still queued" : "empty");
	if (queued)
		set_connection(r, CONNECTION_STILL_QUEUED);
	int afd = step_as(r, "accept4 valid", accept4(lfd, NULL, NULL, SOCK_CLOEXEC),
			  "accept4(%d, NULL, NULL, SOCK_CLOEXEC)", lfd);
	if (afd >= 0) {
		step_as(r, "client send", send(cfd, "x", 1, MSG_NOSIGNAL),
			"client send(%d, 1, MSG_NOSIGNAL)", cfd);
		char c = 0;
		long n = step_as(r, "server recv", recv(afd, &c, 1, 0), "recv(%d, 1, 0)", afd);
		observe(r, "byte", "the byte the server received", "%s",
			n == 1 && c == 'x' ? "arrived" : "missing");
		close(afd);
	}
	note(r, "__sys_accept4_file() rejects the flags before it looks at the queue");
	close(cfd);
	close(lfd);
	return RUN_OK;
}

/* One bad-pointer accept on a fresh pending connection, and what became of
 * that connection.  The raw syscall keeps libc and the sanitizers'
 * accept() interceptor (which reads *addrlen itself) out of the way: the
 * kernel is the one that must meet the bad pointer. */
static const char *bad_pointer_case(struct run *r, int lfd, const char *label, void *addr,
				    void *addrlen, const char *what, void *hole, long page,
				    bool client_sends_first)
{
	static char fate[64];
	const char *server = topology_server_addr(&r->topo, r->family);
	int cfd = tcp_connect_in(&r->topo.client, r->family, server, SERVER_PORT);
	if (cfd < 0 || !(poll_fd(lfd, POLLIN, 2000) & POLLIN)) {
		if (cfd >= 0)
			close(cfd);
		return NULL;
	}
	if (client_sends_first) {
		step_as(r, "client send", send(cfd, "x", 1, MSG_NOSIGNAL),
			"client send(%d, 1, MSG_NOSIGNAL) before the accept", cfd);
		/* The byte must be in the child's receive queue before the
		 * accept: wait for the server's ACK of it (nothing unacked). */
		for (int i = 0; i < 2000 && tcp_unacked(cfd) != 0; i++)
			poll_fd(-1, 0, 1);
	}
	/* The hole must still be a hole (msync() fails with ENOMEM on an
	 * unmapped range): nothing may have been mapped there since. */
	if (msync(hole, page, MS_ASYNC) == 0 || errno != ENOMEM) {
		close(cfd);
		return NULL;
	}
	long fd = step_as(r, label, syscall(SYS_accept, lfd, addr, addrlen), "accept(%d, %s)", lfd,
			  what);
	if (fd >= 0)
		close((int)fd);
	bool queued = acctab_queued(lfd);
	observe(r, "queue after", "poll(listener, POLLIN)", "%s",
		queued ? "still queued" : "empty");
	const char *peer = acctab_peer_view(r, cfd, 1000);
	observe(r, "peer sees", "the client's recv() after poll()", "%s", peer);
	snprintf(fate, sizeof(fate), "%s", acctab_fate(queued, peer));
	if (queued) {
		/* Take it off the queue so the next case starts empty. */
		int afd = accept(lfd, NULL, NULL);
		if (afd >= 0)
			close(afd);
	}
	close(cfd);
	return fate;
}

static int accept_bad_address(struct run *r)
{
	const char *server = topology_server_addr(&r->topo, r->family);
	int lfd = tcp_listen_in(&r->topo.server, r->family, server, SERVER_PORT, 8);
	if (lfd < 0)
		return broken(r, "listen on %s:%d: %m", server, SERVER_PORT);
	long page = sysconf(_SC_PAGESIZE);
	void *hole = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (hole == MAP_FAILED)
		return broken(r, "mmap: %m");
	munmap(hole, page);

	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	int bad_len = -1;
	const char *fate = bad_pointer_case(r, lfd, "accept addr unmapped", hole, &plen,
					    "addr = an unmapped page, &addrlen", hole, page, false);
	if (!fate)
		return broken(r, "setting up the first connection (or the hole was reused): %m");
	set_connection(r, fate);
	if (!bad_pointer_case(r, lfd, "accept addrlen unmapped", &peer, hole,
			      "&addr, addrlen = an unmapped page", hole, page, false))
		return broken(r, "setting up the second connection (or the hole was reused): %m");
	if (!bad_pointer_case(r, lfd, "accept addrlen -1", &peer, &bad_len, "&addr, *addrlen = -1",
			      hole, page, false))
		return broken(r, "setting up the third connection (or the hole was reused): %m");
	plen = sizeof(peer);
	if (!bad_pointer_case(r, lfd, "accept addr unmapped, data", hole, &plen,
			      "addr = an unmapped page, &addrlen; the client had sent a byte", hole,
			      page, true))
		return broken(r, "setting up the fourth connection (or the hole was reused): %m");
	note(r, "move_addr_to_user() runs after inet_csk_accept() dequeued the child; the error "
		"path fput()s the new socket and tcp_close() ends the connection");
	note(r, "tcp_close() sends a FIN when nothing was left unread and an RST when the "
		"client's data was (the fourth connection)");
	close(lfd);
	return RUN_OK;
}

SCENARIO(accept_closed_fd) = {
	.name = "accept-closed-fd",
	.errno_name = "EBADF",
	.syscall = "accept",
	.summary = "accept() on a descriptor that is not open",
	.posix_expects = NULL,
	.kernel_path = "__sys_accept4(): fdget(fd) finds no file -> -EBADF, before any other "
		       "check",
	.handling = "fatal: a bug in the caller (the descriptor was closed, or never opened)",
	.topology = TOPO_NONE,
	.families = FAMILY_NONE,
	.order = 50,
	.run = accept_closed_fd,
};

SCENARIO(accept_not_socket) = {
	.name = "accept-not-socket",
	.errno_name = "ENOTSOCK",
	.syscall = "accept",
	.summary = "accept() on a regular file",
	.posix_expects = NULL,
	.kernel_path = "do_accept(): sock_from_file() == NULL -> -ENOTSOCK (after "
		       "__sys_accept4_file() checked the flags and reserved a descriptor)",
	.handling = "fatal: a bug in the caller (the descriptor is not a socket)",
	.topology = TOPO_NONE,
	.families = FAMILY_NONE,
	.order = 60,
	.run = accept_not_socket,
};

SCENARIO(accept_udp_socket) = {
	.name = "accept-udp-socket",
	.errno_name = "EOPNOTSUPP",
	.syscall = "accept",
	.summary = "accept() on a bound UDP socket",
	.posix_expects = NULL,
	.kernel_path = "do_accept() -> ops->accept: inet_dgram_ops / inet6_dgram_ops .accept = "
		       "sock_no_accept() -> -EOPNOTSUPP",
	.handling = "fatal: a bug in the caller (a datagram socket has no connections to accept)",
	.order = 70,
	.run = accept_udp_socket,
};

SCENARIO(accept_not_listening) = {
	.name = "accept-not-listening",
	.errno_name = "EINVAL",
	.syscall = "accept",
	.summary = "accept() on a bound TCP socket that never called listen()",
	.posix_expects = NULL,
	.kernel_path = "inet_accept() -> inet_csk_accept(): sk_state != TCP_LISTEN -> -EINVAL",
	.handling = "fatal: a bug in the caller (listen() was never called)",
	.order = 80,
	.run = accept_not_listening,
};

SCENARIO(accept4_bad_flags) = {
	.name = "accept4-bad-flags",
	.errno_name = "EINVAL",
	.syscall = "accept4",
	.summary = "accept4() with an undefined flag bit, a connection pending",
	.posix_expects = NULL,
	.kernel_path = "__sys_accept4_file(): flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK) -> -EINVAL, "
		       "before the queue is touched",
	.handling = "fatal: a bug in the caller (the connection waits for a correct call)",
	.order = 90,
	.run = accept4_bad_flags,
};

SCENARIO(accept_bad_address) = {
	.name = "accept-bad-address",
	.errno_name = "EFAULT",
	.syscall = "accept",
	.summary = "accept() with addr or addrlen pointing at an unmapped page, a connection "
		   "pending",
	.posix_expects = "accept(2): EFAULT \"addr is not in a writable part of the user address "
			 "space\", nothing about the connection, which the kernel has already "
			 "dequeued and then closes",
	.kernel_path = "do_accept(): ops->accept (inet_csk_accept() dequeues) then "
		       "move_addr_to_user(): get_user(addrlen) / copy_to_user(addr) -> -EFAULT, "
		       "addrlen < 0 -> -EINVAL; out_fd: fput(newfile) -> sock_close() -> "
		       "tcp_close()",
	.handling = "fatal: a bug in the caller (and the connection it was for is lost)",
	.order = 100,
	.run = accept_bad_address,
};
