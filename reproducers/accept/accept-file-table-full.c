/*
 * accept-file-table-full (ENFILE): the system is out of files; the
 * connection waits.  fs.file-max is the system-wide limit on struct file
 * objects.  do_accept() (net/socket.c) -> sock_alloc_file() ->
 * alloc_file_pseudo() -> alloc_file() -> alloc_empty_file()
 * (fs/file_table.c) fails with -ENFILE when get_nr_files() >= max_files,
 * unless the caller has CAP_SYS_ADMIN (checked in the caller's effective
 * set).  That is before ops->accept (the order of checks is in
 * lib/accept_table.h), so the connection stays queued.  fs.file-max is
 * global, not per namespace: the scenario runs only on a throw-away kernel
 * (SOCKERR_DISPOSABLE_KERNEL=1, set by the VM runner), restores the value
 * on every path, and does the accept() in a child that dropped
 * CAP_SYS_ADMIN from its effective set.  accept(2) ERRORS: ENFILE "The
 * system-wide limit on the total number of open files has been reached",
 * nothing about the connection.
 *
 * Summary: the system-wide file table is full (fs.file-max), a connection
 *   pending
 * Kernel path: do_accept(): sock_alloc_file() -> alloc_file_pseudo() ->
 *   alloc_empty_file(): get_nr_files() >= max_files and !capable(CAP_SYS_ADMIN)
 *   -> -ENFILE, before ops->accept dequeues
 * Handling: back off and free resources: the whole system is out of files; the
 *   connection stays queued
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/accept_helpers.h"
#include "lib/accept_table.h"
#include "lib/sockets.h"

#define FILE_MAX "/proc/sys/fs/file-max"
#define FILE_NR	 "/proc/sys/fs/file-nr"
/* Descriptors the parent (CAP_SYS_ADMIN: exempt from the limit) opens
 * before lowering fs.file-max, so that the approximate per-CPU counter
 * get_nr_files() reads is well above the new limit, not merely at it. */
#define PADDING 256

/* What the child reports through its pipe. */
struct child_report {
	int stage; /* 0: capabilities dropped (or not); 1: accept() done */
	long ret;
	int err;
};

static int drop_cap_sys_admin(void)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
	if (syscall(SYS_capget, &h, d) < 0)
		return -1;
	d[CAP_TO_INDEX(CAP_SYS_ADMIN)].effective &= ~CAP_TO_MASK(CAP_SYS_ADMIN);
	if (syscall(SYS_capset, &h, d) < 0)
		return -1;
	if (syscall(SYS_capget, &h, d) < 0)
		return -1;
	if (d[CAP_TO_INDEX(CAP_SYS_ADMIN)].effective & CAP_TO_MASK(CAP_SYS_ADMIN)) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

/* The child: no CAP_SYS_ADMIN, wait for "go", accept once, report. */
static void file_table_child(int lfd, int go_fd, int report_fd)
{
	/* The runner's handlers would tear down the parent's namespaces. */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	struct child_report rep = {.stage = 0};
	rep.ret = drop_cap_sys_admin();
	rep.err = rep.ret < 0 ? errno : 0;
	if (write(report_fd, &rep, sizeof(rep)) != sizeof(rep) || rep.ret < 0)
		_exit(1);
	char go;
	if (read(go_fd, &go, 1) != 1)
		_exit(1);
	rep.stage = 1;
	rep.ret = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	rep.err = rep.ret < 0 ? errno : 0;
	if (write(report_fd, &rep, sizeof(rep)) != sizeof(rep))
		_exit(1);
	_exit(0);
}

static bool read_report(int fd, struct child_report *rep, int timeout_ms)
{
	return (poll_fd(fd, POLLIN, timeout_ms) & POLLIN) &&
	       read(fd, rep, sizeof(*rep)) == (ssize_t)sizeof(*rep);
}

static long read_long(int fd)
{
	char buf[128];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

static void reap(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
}

/* It lowers fs.file-max, which is global to the kernel (a disposable VM's):
 * any run in flight meanwhile would get ENFILE on its next socket or file. */
SCENARIO(accept_file_table_full, .errno_name = "ENFILE", .syscall = "accept",
	 .global_knob = "fs.file-max", .order = 130)
{
	const char *disposable = getenv("SOCKERR_DISPOSABLE_KERNEL");
	if (!disposable || strcmp(disposable, "1") != 0)
		return skipped(r, "fs.file-max is global: runs only on a disposable kernel "
				  "(SOCKERR_DISPOSABLE_KERNEL=1, set by the VM runner)");

	int lfd, cfd;
	int rc = acctab_pending(r, &lfd, &cfd);
	if (rc != RUN_OK)
		return rc;
	/* Opened now, so that neither reading nor restoring needs a new
	 * file while the table is "full". */
	int max_fd = open(FILE_MAX, O_RDWR | O_CLOEXEC);
	int nr_fd = open(FILE_NR, O_RDONLY | O_CLOEXEC);
	char saved[64];
	ssize_t saved_len = max_fd < 0 ? -1 : pread(max_fd, saved, sizeof(saved) - 1, 0);
	if (max_fd < 0 || nr_fd < 0 || saved_len <= 0)
		return broken(r, "open/read %s and %s: %m", FILE_MAX, FILE_NR);
	saved[saved_len] = '\0';
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < PADDING + 64)
		return broken(r, "RLIMIT_NOFILE %llu leaves no room for %d padding descriptors",
			      (unsigned long long)rl.rlim_cur, PADDING);

	int go[2], report[2];
	if (pipe2(go, O_CLOEXEC) < 0)
		return broken(r, "pipe: %m");
	if (pipe2(report, O_CLOEXEC) < 0)
		return broken(r, "pipe: %m");
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return broken(r, "fork: %m");
	if (pid == 0) {
		close(go[1]);
		close(report[0]);
		file_table_child(lfd, go[0], report[1]);
	}
	close(go[0]);
	close(report[1]);
	struct child_report rep = {0};
	if (!read_report(report[0], &rep, 2000) || rep.stage != 0 || rep.ret < 0) {
		kill(pid, SIGKILL);
		reap(pid);
		errno = rep.err;
		return broken(r, "the child could not drop CAP_SYS_ADMIN: %m");
	}
	observe(r, NOWHERE, "child", "capset(): CAP_SYS_ADMIN out of the child's effective set",
		"%s", "without CAP_SYS_ADMIN");

	/* The window: signals wait until fs.file-max is restored. */
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);

	/* The parent keeps CAP_SYS_ADMIN, so its padding is always allowed;
	 * it lifts the approximate count well past the per-CPU counters'
	 * error (a fresh guest with a few dozen files reads 0 in file-nr). */
	int pads[PADDING];
	int n_pads = 0;
	while (n_pads < PADDING && (pads[n_pads] = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0)
		n_pads++;
	long nr = read_long(nr_fd);
	/* Half the files in use: both checks in alloc_empty_file(), the
	 * approximate get_nr_files() and the exact percpu_counter_sum(), are
	 * then past the limit whatever the counters' drift. */
	long new_max = nr / 2 > 0 ? nr / 2 : 1;
	char value[32];
	int vlen = snprintf(value, sizeof(value), "%ld\n", new_max);
	long wr = pwrite(max_fd, value, (size_t)vlen, 0);
	int wr_err = errno;
	bool reported = false;
	if (wr > 0 && write(go[1], "g", 1) == 1)
		reported = read_report(report[0], &rep, 2000) && rep.stage == 1;

	long restored = pwrite(max_fd, saved, (size_t)saved_len, 0);
	int restore_err = errno;
	for (int i = 0; i < n_pads; i++)
		close(pads[i]);
	sigprocmask(SIG_SETMASK, &old, NULL);
	/* ---- end of the window ---- */

	errno = wr_err;
	step(r, NOWHERE, "lower file-max", wr,
	     "write %s = %ld (half the %ld allocated files in %s, after the parent opened %d)",
	     FILE_MAX, new_max, nr, FILE_NR, n_pads);
	if (reported) {
		errno = rep.err;
		step(r, ON_FD(lfd), "accept4", rep.ret,
		     "accept4(%d, NULL, NULL, SOCK_CLOEXEC) in the child", lfd);
	} else {
		observe(r, ON_FD(lfd), "accept", "accept4() in the child", "%s",
			"no report within 2 s");
	}
	errno = restore_err;
	step(r, NOWHERE, "restore file-max", restored, "write %s = %.*s", FILE_MAX,
	     (int)strcspn(saved, "\n"), saved);
	if (!reported)
		kill(pid, SIGKILL);
	reap(pid);
	close(go[1]);
	close(report[0]);
	close(nr_fd);
	close(max_fd);
	if (restored < 0)
		return broken(r, "could not restore %s to %s: %s", FILE_MAX, saved,
			      strerror(restore_err));

	bool queued = acctab_queued(lfd);
	observe(r, ON_FD(lfd), "queue after", "poll(listener, POLLIN)", "%s",
		queued ? "still queued" : "empty");
	if (queued)
		set_connection(r, CONNECTION_STILL_QUEUED);
	int afd = step(r, ON_FD(lfd), "accept again", accept(lfd, NULL, NULL),
		       "accept(%d) in the parent", lfd);
	if (afd >= 0) {
		acctab_exchange_byte(r, cfd, afd);
		close(afd);
	}
	note(r, "alloc_empty_file() fails in sock_alloc_file(), before ops->accept dequeues "
		"anything; CAP_SYS_ADMIN would have bypassed the limit");
	close(cfd);
	close(lfd);
	return RUN_OK;
}
