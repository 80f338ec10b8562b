/*
 * accept-fd-limit (EMFILE): the process is out of descriptors; the
 * connection waits.  RLIMIT_NOFILE is lowered to the lowest free
 * descriptor number, so every descriptor the process may use is open.
 * __sys_accept4_file() (net/socket.c) starts with get_unused_fd_flags() ->
 * alloc_fd() (fs/file.c), which finds no free slot below
 * rlimit(RLIMIT_NOFILE) and returns -EMFILE before do_accept() has touched
 * the listener: the connection stays in the accept queue and the next
 * accept() after one descriptor is freed hands it over intact.  Because
 * the descriptor is reserved first, EMFILE also beats ENOTSOCK: accept() on
 * a non-socket says EMFILE when no descriptor is free (the order of checks
 * is in lib/accept_table.h).  accept(2) ERRORS: EMFILE "The per-process
 * limit on the number of open file descriptors has been reached", nothing
 * about the connection.
 *
 * Summary: no descriptor free below RLIMIT_NOFILE, a connection pending
 * Kernel path: __sys_accept4_file(): get_unused_fd_flags() -> alloc_fd(): fd >=
 *   rlimit(RLIMIT_NOFILE) -> -EMFILE, before do_accept() dequeues
 * Handling: back off and free resources: the connection stays queued and the
 *   listener stays readable, so an accept() retried at once spins at full CPU
 *   and serves nobody (accept-loop-fd-exhaustion measures the spin); keep one
 *   descriptor in reserve to accept and refuse queued clients in order
 *   (examples/accept_loop.c), and find the cause: RLIMIT_NOFILE (systemd
 *   LimitNOFILE), the descriptors the process holds (ls /proc/PID/fd | wc -l),
 *   sockets leaked by a missing close()
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "lib/accept_helpers.h"
#include "lib/accept_table.h"

/* The lowest descriptor number not in use: every number below it is open
 * (so no hole needs filling), and with RLIMIT_NOFILE's soft limit set to
 * it alloc_fd() has nothing left to give. */
static int lowest_free_fd(int limit)
{
	for (int fd = 0; fd < limit; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF)
			return fd;
	return -1;
}

SCENARIO(accept_fd_limit, .errno_name = "EMFILE", .syscall = "accept", .order = 120)
{
	int lfd, cfd;
	int rc = acctab_pending(r, &lfd, &cfd);
	if (rc != RUN_OK)
		return rc;
	/* A descriptor of ours below the limit, to free when told EMFILE,
	 * and a non-socket to show which check comes first. */
	int spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
	struct rlimit saved;
	if (spare < 0 || getrlimit(RLIMIT_NOFILE, &saved) < 0) {
		rc = broken(r, "open /dev/null or getrlimit: %m");
		goto out;
	}
	int lowest = lowest_free_fd(saved.rlim_cur > 65536 ? 65536 : (int)saved.rlim_cur);
	if (lowest < 0) {
		rc = broken(r, "no free descriptor below RLIMIT_NOFILE to start from");
		goto out;
	}

	struct rlimit low = {.rlim_cur = (rlim_t)lowest, .rlim_max = saved.rlim_max};
	if (step(r, NOWHERE, "setrlimit", setrlimit(RLIMIT_NOFILE, &low),
		 "setrlimit(RLIMIT_NOFILE, {%d, hard}): descriptors 0..%d all open", lowest,
		 lowest - 1) < 0) {
		rc = broken(r, "setrlimit(RLIMIT_NOFILE, %d): %m", lowest);
		goto out;
	}
	/* From here to the restore nothing may need a descriptor. */
	int afd = step(r, ON_FD(lfd), "accept", accept(lfd, NULL, NULL), "accept(%d)", lfd);
	if (afd >= 0)
		close(afd);
	/* /dev/null is no socket: the call is the server's process's, made
	 * where its accept() runs. */
	step(r, AT(HOST_SERVER), "accept non-socket", accept(spare, NULL, NULL),
	     "accept(%d) on /dev/null: the descriptor is reserved before the type check", spare);
	bool queued = acctab_queued(lfd);
	observe(r, ON_FD(lfd), "queue after", "poll(listener, POLLIN)", "%s",
		queued ? "still queued" : "empty");
	if (queued)
		set_connection(r, CONNECTION_STILL_QUEUED);
	/* A slot of the file table, which no namespace owns. */
	step(r, NOWHERE, "close", close(spare),
	     "close(%d): one descriptor below the limit free again", spare);
	spare = -1;
	/* Drawn at the listener: the descriptor it returns takes the last one
	 * free, so the map of hosts cannot be read at the limit (no
	 * descriptor for /proc/self/fd), but the listener's host is known
	 * from the steps before. */
	afd = step(r, ON_FD(lfd), "accept again", accept(lfd, NULL, NULL), "accept(%d)", lfd);
	step(r, NOWHERE, "setrlimit restore", setrlimit(RLIMIT_NOFILE, &saved),
	     "setrlimit(RLIMIT_NOFILE, saved)");
	if (afd >= 0) {
		acctab_exchange_byte(r, cfd, afd);
		close(afd);
	}
	note(r, "alloc_fd() fails before do_accept() runs: the connection is never dequeued");
out:
	if (spare >= 0)
		close(spare);
	close(cfd);
	close(lfd);
	return rc;
}
