/*
 * accept-bad-address (EFAULT, and EINVAL): accept() with addr or addrlen
 * pointing at an unmapped page, or with *addrlen negative, a connection
 * pending each time.  Unlike the rows before the dequeue (the order of
 * checks is in lib/accept_table.h), the address errors come after it:
 * do_accept() (net/socket.c) has already taken the child from the queue
 * (ops->accept: inet_csk_accept()) when move_addr_to_user() meets the bad
 * pointer (get_user(addrlen) or copy_to_user(addr) faults: -EFAULT;
 * addrlen < 0: -EINVAL), and its error path fput()s the new file, so
 * sock_close() -> inet_release() -> tcp_close() (__tcp_close()) ends the
 * connection, with a FIN, or with an RST if the client's data was left
 * unread, when the syscall returns to user space (fput() defers __fput()
 * to task_work).  accept(2) describes EFAULT as "addr is not in a writable
 * part of the user address space" and EINVAL as "addrlen is invalid",
 * without saying the connection is lost; the kernel's own comment above
 * __sys_accept4() calls it "unclean because we open the socket then return
 * an error".
 *
 * Summary: accept() with addr or addrlen pointing at an unmapped page, a
 *   connection pending
 * POSIX expects: accept(2): EFAULT "addr is not in a writable part of the user
 *   address space", nothing about the connection, which the kernel has already
 *   dequeued and then closes
 * Kernel path: do_accept(): ops->accept (inet_csk_accept() dequeues) then
 *   move_addr_to_user(): get_user(addrlen) / copy_to_user(addr) -> -EFAULT,
 *   addrlen < 0 -> -EINVAL; out_fd: fput(newfile) -> sock_close() ->
 *   tcp_close()
 * Handling: fatal: a bug in the caller (and the connection it was for is lost)
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/accept_helpers.h"
#include "lib/connection.h"
#include "lib/sockets.h"

/* Bytes the client sent that the server has not acknowledged yet. */
static long tcp_unacked(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
		return -1;
	return ti.tcpi_unacked;
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
	int cfd = connect_from_client(r, server, SERVER_PORT);
	if (cfd < 0 || !(poll_fd(lfd, POLLIN, 2000) & POLLIN)) {
		if (cfd >= 0)
			close(cfd);
		return NULL;
	}
	if (client_sends_first) {
		step(r, AT(HOST_CLIENT), "client send", send(cfd, "x", 1, MSG_NOSIGNAL),
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
	long fd = step(r, ON_FD(lfd), label, syscall(SYS_accept, lfd, addr, addrlen),
		       "accept(%d, %s)", lfd, what);
	if (fd >= 0)
		close((int)fd);
	bool queued = acctab_queued(lfd);
	observe(r, ON_FD(lfd), "queue after", "poll(listener, POLLIN)", "%s",
		queued ? "still queued" : "empty");
	const char *peer = acctab_peer_view(r, cfd, 1000);
	observe(r, AT(HOST_CLIENT), "peer sees", "the client's recv() after poll()", "%s", peer);
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

SCENARIO(accept_bad_address, .errno_name = "EFAULT", .syscall = "accept", .order = 100)
{
	int lfd = server_listener(r, SERVER_PORT, 8);
	if (lfd < 0)
		return RUN_BROKEN;
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
