/* /proc/PID/syscall reads "running" while the task is on a CPU, and
 * "NR arg1 ... sp pc" while it is off the CPU inside a system call
 * (proc_pid_syscall() -> task_current_syscall()); the state letter of
 * /proc/PID/stat tells a sleep from a preemption.  Both together mean the
 * task is waiting inside that call. */
#include "lib/blocked.h"

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record/harness.h"

static ssize_t read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

/* The state letter of /proc/PID/stat: the field after the parenthesised
 * command name (which may itself contain spaces and parentheses). */
static char task_state(pid_t pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_small(path, buf, sizeof(buf)) < 0)
		return '?';
	char *close_paren = strrchr(buf, ')');
	if (!close_paren || close_paren[1] != ' ')
		return '?';
	return close_paren[2];
}

/* The system call pid is in, -1 when it is running or unknown. */
static long task_syscall(pid_t pid)
{
	char path[64], buf[256];
	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	if (read_small(path, buf, sizeof(buf)) < 0)
		return -1;
	if (strncmp(buf, "running", 7) == 0)
		return -1;
	char *end;
	long nr = strtol(buf, &end, 10);
	return end == buf ? -1 : nr;
}

bool wait_blocked_in_syscall(pid_t pid, long nr, int timeout_ms)
{
	double deadline = now_ms() + timeout_ms;
	for (;;) {
		char state = task_state(pid);
		if (state == '?' || state == 'Z' || state == 'X')
			return false;
		if ((state == 'S' || state == 'D') && task_syscall(pid) == nr &&
		    task_state(pid) == state)
			return true;
		if (now_ms() >= deadline)
			return false;
		poll(NULL, 0, 1);
	}
}
