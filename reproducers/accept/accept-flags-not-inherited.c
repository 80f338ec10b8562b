/*
 * accept-flags-not-inherited: the file status flags of a listener
 * (O_NONBLOCK and O_ASYNC, set with fcntl(F_SETFL)) do not pass to the
 * socket accept() returns; accept4()'s flags alone decide the new file's
 * O_NONBLOCK and the new descriptor's FD_CLOEXEC.
 *
 * do_accept() (net/socket.c) makes the new file with
 * sock_alloc_file(newsock, flags, ...), and sock_alloc_file() opens it
 * O_RDWR | (flags & O_NONBLOCK), where flags are accept4()'s own (0 for
 * accept(), __sys_accept4_file() having turned SOCK_NONBLOCK into
 * O_NONBLOCK); nothing is read from the listener's file ("File flags are
 * not inherited via accept() unlike another OSes", the comment at the end
 * of do_accept()).  FD_CLOEXEC comes from get_unused_fd_flags(flags) in
 * __sys_accept4_file(), SOCK_CLOEXEC being O_CLOEXEC.  The listener's
 * O_NONBLOCK still governs the accept itself: do_accept() passes
 * sock->file->f_flags to ops->accept (inet_csk_accept()), so on the empty
 * queue the call fails with EAGAIN instead of blocking.
 *
 * accept(2) (NOTES, STANDARDS in man-pages 6.03): "On Linux, the new
 * socket returned by accept() does not inherit file status flags such as
 * O_NONBLOCK and O_ASYNC from the listening socket"; accept4() SOCK_NONBLOCK
 * "Set the O_NONBLOCK file status flag on the open file description",
 * SOCK_CLOEXEC "Set the close-on-exec (FD_CLOEXEC) flag on the new file
 * descriptor".  Linux agrees.  (The old Korean edition says the same:
 * none of the flags F_SETFL can set is inherited.)
 *
 * Summary: the listener's O_NONBLOCK and O_ASYNC do not pass to the
 *   accepted socket; accept4()'s SOCK_NONBLOCK and SOCK_CLOEXEC set its flags
 * Kernel path: do_accept(): sock_alloc_file(newsock, flags, ...) opens the
 *   file O_RDWR | (flags & O_NONBLOCK), flags from accept4() only;
 *   __sys_accept4_file(): get_unused_fd_flags(flags) sets FD_CLOEXEC
 * Handling: set the flags the accepted socket needs: accept4(SOCK_NONBLOCK |
 *   SOCK_CLOEXEC), or fcntl() after accept()
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "lib/connection.h"
#include "lib/sockets.h"

/* The status flags and the descriptor flag of fd, as steps `who` O_NONBLOCK,
 * `who` O_ASYNC and `who` FD_CLOEXEC. */
static void observe_flags(struct run *r, int fd, const char *who)
{
	static const struct {
		int cmd, flag;
		const char *cmd_name, *flag_name;
	} rows[] = {
		{F_GETFL, O_NONBLOCK, "F_GETFL", "O_NONBLOCK"},
		{F_GETFL, O_ASYNC, "F_GETFL", "O_ASYNC"},
		{F_GETFD, FD_CLOEXEC, "F_GETFD", "FD_CLOEXEC"},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char label[40], call[64];
		int flags = fcntl(fd, rows[i].cmd);
		snprintf(label, sizeof(label), "%s %s", who, rows[i].flag_name);
		snprintf(call, sizeof(call), "fcntl(%d, %s) & %s", fd, rows[i].cmd_name,
			 rows[i].flag_name);
		observe(r, ON_FD(fd), label, call, "%s",
			flags < 0		 ? "fcntl failed"
			: (flags & rows[i].flag) ? "yes"
						 : "no");
	}
}

SCENARIO(accept_flags_not_inherited, .errno_name = "EAGAIN", .syscall = "accept", .order = 210)
{
	static const struct connection_options queued = {.leave_queued = true};
	struct connection one = CONNECTION_NONE, two = CONNECTION_NONE;
	int afd = -1, bfd = -1;
	int lfd = server_listener(r, SERVER_PORT, 8);
	if (lfd < 0)
		return RUN_BROKEN;
	/* O_ASYNC with no owner set (F_SETOWN): sock_fasync() puts the file
	 * on the fasync list, but send_sigio() finds no process to signal. */
	int fl = fcntl(lfd, F_GETFL);
	step(r, ON_FD(lfd), "listener F_SETFL", fcntl(lfd, F_SETFL, fl | O_NONBLOCK | O_ASYNC),
	     "fcntl(%d, F_SETFL, O_RDWR | O_NONBLOCK | O_ASYNC)", lfd);
	observe_flags(r, lfd, "listener");

	int status = connection_add(r, lfd, &queued, &one);
	if (status != RUN_OK)
		goto out;
	/* connection_add() returned once the listener polled readable, so the
	 * non-blocking accept finds the connection. */
	afd = (int)step(r, ON_FD(lfd), "accept", accept(lfd, NULL, NULL), "accept(%d, NULL, NULL)",
			lfd);
	if (afd >= 0)
		observe_flags(r, afd, "accepted");

	status = connection_add(r, lfd, &queued, &two);
	if (status != RUN_OK)
		goto out;
	bfd = (int)step(r, ON_FD(lfd), "accept4",
			accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC),
			"accept4(%d, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)", lfd);
	if (bfd >= 0) {
		observe_flags(r, bfd, "accept4");
		/* The flag is the file's own and is honoured: nothing to read. */
		char c;
		step(r, ON_FD(bfd), "accept4 recv", recv(bfd, &c, 1, 0),
		     "recv(%d, 1, 0) on the accept4() socket, nothing sent", bfd);
	}
	/* The listener's own O_NONBLOCK still holds for its accepts. */
	step(r, ON_FD(lfd), "accept empty", accept(lfd, NULL, NULL),
	     "accept(%d, NULL, NULL) on the empty queue of the O_NONBLOCK listener", lfd);
	note(r, "do_accept() opens the new file with accept4()'s flags only (sock_alloc_file()); "
		"the listener's f_flags reach only ops->accept, deciding whether it blocks");
	status = RUN_OK;
out:
	close_fds(bfd, afd);
	connection_close(&two);
	connection_close(&one);
	close(lfd);
	return status;
}
