#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

pid_t fork_reporter(int *fd)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		int saved = errno;
		close(p[0]);
		close(p[1]);
		errno = saved;
		return -1;
	}
	close(pid == 0 ? p[0] : p[1]);
	*fd = pid == 0 ? p[1] : p[0];
	return pid;
}

void observe_child_end(struct run *r, pid_t pid, const char *label, const char *call)
{
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			observe(r, label, call, "waitpid: %s", strerror(errno));
			return;
		}
	if (WIFSIGNALED(status)) {
		const char *sig = sigabbrev_np(WTERMSIG(status));
		observe(r, label, call, "killed by SIG%s", sig ? sig : "?");
	} else {
		observe(r, label, call, "exited %d", WEXITSTATUS(status));
	}
}
