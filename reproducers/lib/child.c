#include "lib/child.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "record/harness.h"

pid_t fork_reporter(int *fd)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	fflush(NULL);
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		int saved = errno;
		close(p[0]);
		close(p[1]);
		errno = saved;
		return -1;
	}
	if (pid == 0) {
		/* The child never outlives the run: a blocked call of its own
		 * (a recv() restarted under SA_RESTART) would hold the run's
		 * sockets, and the pipes of whoever started the runner, for
		 * ever.  The parent may die before prctl(): then no signal
		 * comes, and getppid() says so. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
	}
	close(pid == 0 ? p[0] : p[1]);
	*fd = pid == 0 ? p[1] : p[0];
	return pid;
}

pid_t fork_reporter_noted(struct run *r, int *fd)
{
	pid_t pid = fork_reporter(fd);
	if (pid < 0)
		note(r, "fork: %s", strerror(errno));
	return pid;
}

bool report_call(int fd, long ret)
{
	long res[2] = {ret, errno};
	return write(fd, res, sizeof(res)) == (ssize_t)sizeof(res);
}

bool read_call(int fd, long *ret, int *err)
{
	long res[2];
	if (read(fd, res, sizeof(res)) != (ssize_t)sizeof(res))
		return false;
	*ret = res[0];
	*err = (int)res[1];
	return true;
}

void observe_child_end(struct run *r, struct where where, pid_t pid, const char *label,
		       const char *call)
{
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			observe(r, where, label, call, "waitpid: %s", strerror(errno));
			return;
		}
	if (WIFSIGNALED(status)) {
		const char *sig = sigabbrev_np(WTERMSIG(status));
		observe(r, where, label, call, "killed by SIG%s", sig ? sig : "?");
	} else {
		observe(r, where, label, call, "exited %d", WEXITSTATUS(status));
	}
}
