/*
 * accept-closed-fd (EBADF): accept() on a descriptor that is not open, one
 * just closed and -1.  __sys_accept4() (net/socket.c) starts with
 * fdget(fd), which finds no file: -EBADF before any other check, even
 * before accept4()'s flags (the first row of the order of checks in
 * lib/accept_table.h).  accept(2) ERRORS: EBADF "sockfd is not an open
 * file descriptor".  No network is involved: the scenario runs once,
 * family "none".
 *
 * Summary: accept() on a descriptor that is not open
 * Kernel path: __sys_accept4(): fdget(fd) finds no file -> -EBADF, before any
 *   other check
 * Handling: fatal: a bug in the caller (the descriptor was closed, or never
 *   opened)
 */
#include <fcntl.h>
#include <unistd.h>

#include "lib/accept_table.h"
#include "record/harness.h"

SCENARIO(accept_closed_fd, .errno_name = "EBADF", .syscall = "accept",
	 .topology = {.kind = TOPO_NONE}, .families = FAMILY_NONE, .order = 50)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return broken(r, "open /dev/null: %m");
	step(r, ON_FD(fd), "close", close(fd), "close(%d)", fd);
	/* Nothing in this single-threaded run opens a descriptor in between,
	 * so the number stays free. */
	step(r, ON_FD(fd), "accept", accept(fd, NULL, NULL),
	     "accept(%d) on the descriptor just closed", fd);
	step(r, ON_FD(fd), "accept4 bad flags", accept4(fd, NULL, NULL, ACCEPT4_BAD_FLAG),
	     "accept4(%d, NULL, NULL, %#x): the fd is checked before the flags", fd,
	     ACCEPT4_BAD_FLAG);
	step(r, ON_FD(-1), "accept -1", accept(-1, NULL, NULL), "accept(-1)");
	return RUN_OK;
}
