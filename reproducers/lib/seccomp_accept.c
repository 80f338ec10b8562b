/*
 * The run function of the accept-policy-* scenarios (accept-policy-eperm,
 * -eproto, -enobufs, -enomem): errnos the accept(2) man page lists but no
 * network condition produces for a Linux TCP listener.  They are shown as
 * what a policy layer makes of accept(): a seccomp filter returning
 * SECCOMP_RET_ERRNO | errno for accept and accept4 (kernel/seccomp.c,
 * __seccomp_filter(): the system call is skipped and its return value set
 * to -errno; that file is not in the unpacked 6.1 tree, so this citation is
 * not verified there).  The results are labelled policy-injected (.policy =
 * "seccomp"): the errno is the filter's, not the network's, and the kernel
 * never looked at the listener.
 *
 * A forked child sets PR_SET_NO_NEW_PRIVS, installs the filter (other
 * architectures and every other system call are allowed) and calls accept()
 * and accept4() on a listener holding one connection, reporting the results
 * through a pipe.  The parent then shows the connection is still queued
 * (the listener polls readable) and accepts it itself.
 *
 * The real kernel path of each errno, none reachable here, is in each
 * scenario's file (reproducers/accept/accept-policy-*.c).
 */
#include "lib/seccomp_accept.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/accept_helpers.h"
#include "lib/child.h"
#include "record/harness.h"
#include "lib/sockets.h"

#if defined(__x86_64__)
#define FILTER_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define FILTER_ARCH AUDIT_ARCH_AARCH64
#endif

/* What the child sends back. */
struct policy_report {
	int setup_errno; /* the filter could not be installed: its errno */
	long accept_ret, accept4_ret;
	int accept_errno, accept4_errno;
};

#ifdef FILTER_ARCH
static int install_filter(int err)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, FILTER_ARCH, 0, 4),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_accept, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_accept4, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ((unsigned)err & SECCOMP_RET_DATA)),
	};
	struct sock_fprog prog = {.len = sizeof(code) / sizeof(code[0]), .filter = code};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}
#else
static int install_filter(int err)
{
	(void)err;
	errno = ENOSYS;
	return -1;
}
#endif

/* In the child: filter, then accept() and accept4().  Leaves with _exit():
 * exit() would run the namespace teardown of the run process. */
static void child_accept(int lfd, int err, int out)
{
	struct policy_report rep = {0};
	if (install_filter(err) < 0) {
		rep.setup_errno = errno;
	} else {
		rep.accept_ret = accept(lfd, NULL, NULL);
		rep.accept_errno = rep.accept_ret < 0 ? errno : 0;
		if (rep.accept_ret >= 0)
			close((int)rep.accept_ret);
		rep.accept4_ret = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		rep.accept4_errno = rep.accept4_ret < 0 ? errno : 0;
		if (rep.accept4_ret >= 0)
			close((int)rep.accept4_ret);
	}
	ssize_t n = write(out, &rep, sizeof(rep));
	_exit(n == (ssize_t)sizeof(rep) ? 0 : 1);
}

static const char *queue_state(int lfd)
{
	return (poll_fd(lfd, POLLIN, 0) & POLLIN) ? "readable (still queued)" : "empty";
}

int seccomp_accept_policy(struct run *r)
{
	int err = 0;
	if (strcmp(r->sc->errno_name, "EPERM") == 0)
		err = EPERM;
	else if (strcmp(r->sc->errno_name, "EPROTO") == 0)
		err = EPROTO;
	else if (strcmp(r->sc->errno_name, "ENOBUFS") == 0)
		err = ENOBUFS;
	else if (strcmp(r->sc->errno_name, "ENOMEM") == 0)
		err = ENOMEM;
	else
		return broken(r, "no errno for %s", r->sc->name);

	/* acctab_pending() leaves the listener O_NONBLOCK (shared with the
	 * child): a call the filter let through on an emptied queue answers
	 * EAGAIN instead of hanging. */
	int lfd, cfd;
	int rc = acctab_pending(r, &lfd, &cfd);
	if (rc != RUN_OK)
		return rc;
	observe(r, ON_FD(lfd), "listener before", "poll(listener, POLLIN)", "%s", queue_state(lfd));
	int report;
	pid_t pid = fork_reporter(&report);
	if (pid < 0)
		return broken(r, "fork: %m");
	if (pid == 0)
		child_accept(lfd, err, report);
	struct policy_report rep;
	bool got = (poll_fd(report, POLLIN, 5000) & POLLIN) &&
		   read(report, &rep, sizeof(rep)) == (ssize_t)sizeof(rep);
	close(report);
	if (!got)
		kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (!got)
		return broken(r, "the filtered child reported nothing within 5 s");
	if (rep.setup_errno == EINVAL || rep.setup_errno == ENOSYS)
		return skipped(r, "seccomp filters are not available here: %s",
			       strerror(rep.setup_errno));
	if (rep.setup_errno)
		return broken(r, "installing the seccomp filter: %s", strerror(rep.setup_errno));

	errno = rep.accept_errno;
	step(r, ON_FD(lfd), "child accept", rep.accept_ret,
	     "accept(%d, NULL, NULL) (O_NONBLOCK) in a child under seccomp RET_ERRNO(%s)", lfd,
	     r->sc->errno_name);
	errno = rep.accept4_errno;
	step(r, ON_FD(lfd), "child accept4", rep.accept4_ret,
	     "accept4(%d, NULL, NULL, SOCK_CLOEXEC|SOCK_NONBLOCK) in the same child", lfd);

	bool queued = poll_fd(lfd, POLLIN, 0) & POLLIN;
	observe(r, ON_FD(lfd), "listener after", "poll(listener, POLLIN)", "%s", queue_state(lfd));
	set_connection(r, queued ? CONNECTION_STILL_QUEUED : CONNECTION_DEQUEUED_CLOSED);

	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	int afd = step(r, ON_FD(lfd), "parent accept", accept(lfd, (struct sockaddr *)&peer, &plen),
		       "accept(%d) (O_NONBLOCK) in the parent, no filter", lfd);
	if (afd >= 0) {
		int port = socket_local_port(cfd);
		char call[128];
		snprintf(call, sizeof(call), "accept(...) peer address %s (client port %d)",
			 sockaddr_str((struct sockaddr *)&peer), port);
		observe(r, ON_FD(lfd), "accepted peer", call, "%s",
			ntohs(((struct sockaddr_in *)&peer)->sin_port) == port
				? "the queued client"
				: "another connection");
		close(afd);
	}
	note(r,
	     "policy-injected: %s comes from a seccomp filter (SECCOMP_RET_ERRNO), which "
	     "skips the system call: the listener and its queue are untouched",
	     r->sc->errno_name);
	close(cfd);
	close(lfd);
	return RUN_OK;
}
