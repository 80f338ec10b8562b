#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

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
