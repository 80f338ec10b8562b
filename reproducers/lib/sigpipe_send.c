/* send() under SIGPIPE ignored, and with its default disposition in a
 * child: sigpipe_send.h. */
#include "lib/sigpipe_send.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/child.h"

void send_sigpipe_ignored(struct run *r, int fd)
{
	struct sigaction ign = {.sa_handler = SIG_IGN}, old;
	sigaction(SIGPIPE, &ign, &old);
	step(r, ON_FD(fd), "send", send(fd, "data", 4, 0), "send(%d, 4, 0) [SIGPIPE ignored]", fd);
	sigaction(SIGPIPE, &old, NULL);
}

void send_in_child(struct run *r, int fd, int count, const char *waited)
{
	int report;
	pid_t pid = fork_reporter_noted(r, &report);
	if (pid < 0)
		return;
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		for (int i = 1; i <= count; i++)
			if (!report_call(report, send(fd, "data", 4, 0)))
				_exit(1);
		_exit(0);
	}
	long ret;
	int err;
	for (int i = 1; read_call(report, &ret, &err); i++) {
		char nth[16] = "";
		if (count > 1)
			snprintf(nth, sizeof(nth), " #%d", i);
		errno = err;
		step(r, ON_FD(fd), "send", ret, "send(%d, 4, 0)%s [child, SIGPIPE default]", fd,
		     nth);
	}
	close(report);
	observe_child_end(r, ON_FD(fd), pid, "child", waited);
}
