/*
 * accept4-bad-flags (EINVAL): accept4() with an undefined flag bit while a
 * connection is pending.  __sys_accept4_file() (net/socket.c) rejects
 * flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK) with -EINVAL before it reserves
 * a descriptor or looks at the listener (the order of checks is in
 * lib/accept_table.h): everything before the dequeue leaves the pending
 * connection where it was, and a correct accept4() then gets it, working.
 * accept(2) ERRORS: EINVAL "(accept4()) invalid value in flags".
 *
 * Summary: accept4() with an undefined flag bit, a connection pending
 * Kernel path: __sys_accept4_file(): flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK) ->
 *   -EINVAL, before the queue is touched
 * Handling: fatal: a bug in the caller (the connection waits for a correct
 *   call)
 */
#include <unistd.h>

#include "lib/accept_helpers.h"
#include "lib/accept_table.h"
#include "lib/sockets.h"

SCENARIO(accept4_bad_flags, .errno_name = "EINVAL", .syscall = "accept4", .order = 90)
{
	int lfd, cfd;
	int rc = acctab_pending(r, &lfd, &cfd);
	if (rc != RUN_OK)
		return rc;
	observe(r, ON_FD(lfd), "queue before", "poll(listener, POLLIN)", "%s",
		acctab_queued(lfd) ? "still queued" : "empty");
	step(r, ON_FD(lfd), "accept4", accept4(lfd, NULL, NULL, ACCEPT4_BAD_FLAG),
	     "accept4(%d, NULL, NULL, %#x)", lfd, ACCEPT4_BAD_FLAG);
	bool queued = acctab_queued(lfd);
	observe(r, ON_FD(lfd), "queue after", "poll(listener, POLLIN)", "%s",
		queued ? "still queued" : "empty");
	if (queued)
		set_connection(r, CONNECTION_STILL_QUEUED);
	int afd = step(r, ON_FD(lfd), "accept4 valid", accept4(lfd, NULL, NULL, SOCK_CLOEXEC),
		       "accept4(%d, NULL, NULL, SOCK_CLOEXEC)", lfd);
	if (afd >= 0) {
		step(r, AT(HOST_CLIENT), "client send", send(cfd, "x", 1, MSG_NOSIGNAL),
		     "client send(%d, 1, MSG_NOSIGNAL)", cfd);
		char c = 0;
		long n = step(r, ON_FD(afd), "server recv", recv(afd, &c, 1, 0), "recv(%d, 1, 0)",
			      afd);
		observe(r, ON_FD(afd), "byte", "the byte the server received", "%s",
			n == 1 && c == 'x' ? "arrived" : "missing");
		close(afd);
	}
	note(r, "__sys_accept4_file() rejects the flags before it looks at the queue");
	close(cfd);
	close(lfd);
	return RUN_OK;
}
