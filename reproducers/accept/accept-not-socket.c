/*
 * accept-not-socket (ENOTSOCK): accept() on a regular file (mkstemp(),
 * unlinked).  __sys_accept4_file() (net/socket.c) checks accept4()'s flags
 * and reserves a descriptor first; then do_accept() finds
 * sock_from_file() == NULL: -ENOTSOCK.  So a bad flag on the same file
 * says EINVAL, not ENOTSOCK (the order of checks is in
 * lib/accept_table.h; accept-fd-limit shows EMFILE beating ENOTSOCK too).
 * accept(2) ERRORS: ENOTSOCK "The file descriptor sockfd does not refer to
 * a socket".  No network is involved: the scenario runs once, family
 * "none".
 *
 * Summary: accept() on a regular file
 * Kernel path: do_accept(): sock_from_file() == NULL -> -ENOTSOCK (after
 *   __sys_accept4_file() checked the flags and reserved a descriptor)
 * Handling: fatal: a bug in the caller (the descriptor is not a socket)
 */
#include <stdlib.h>
#include <unistd.h>

#include "lib/accept_table.h"
#include "record/harness.h"

SCENARIO(accept_not_socket, .errno_name = "ENOTSOCK", .syscall = "accept",
	 .topology = {.kind = TOPO_NONE}, .families = FAMILY_NONE, .order = 60)
{
	char path[] = "/tmp/sockerr-accept-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return broken(r, "mkstemp under /tmp: %m");
	unlink(path);
	step(r, ON_FD(fd), "accept", accept(fd, NULL, NULL),
	     "accept(%d) on a regular file (mkstemp, unlinked)", fd);
	step(r, ON_FD(fd), "accept4 bad flags", accept4(fd, NULL, NULL, ACCEPT4_BAD_FLAG),
	     "accept4(%d, NULL, NULL, %#x): the flags are checked before the file type", fd,
	     ACCEPT4_BAD_FLAG);
	close(fd);
	return RUN_OK;
}
