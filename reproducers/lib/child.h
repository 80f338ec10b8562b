/* A child process that reports back to its parent through a pipe: the
 * pattern of every scenario whose system call must run where its outcome
 * cannot hurt the run (a seccomp filter, a lowered limit, SIGPIPE's default
 * disposition) or must block while the parent acts. */
#ifndef SOCKERR_CHILD_H
#define SOCKERR_CHILD_H

#include <stdbool.h>
#include <sys/types.h>

#include "record/harness.h"

/* fork() with a pipe from the child to the parent.  In the parent it
 * returns the child's pid and *fd is the read end; in the child it returns
 * 0 and *fd is the write end.  -1 with errno when the pipe or the fork
 * failed, with nothing left open.  stdio is flushed first, so that nothing
 * buffered is written twice.  The child is SIGKILLed when the parent dies
 * (PR_SET_PDEATHSIG, checked against a parent already gone). */
pid_t fork_reporter(int *fd);

/* fork_reporter() for a child the run can do without: a failed fork is a
 * note ("fork: <error>") and -1, the scenario goes on without its steps. */
pid_t fork_reporter_noted(struct run *r, int *fd);

/* A system call's result through the pipe: in the child, report_call()
 * writes ret and the errno the call left (read first); true when written
 * whole.  In the parent, read_call() reads one (blocking): true with *ret
 * and *err set, false at the end of the pipe. */
bool report_call(int fd, long ret);
bool read_call(int fd, long *ret, int *err);

/* Reap the child and record how it ended as step LABEL: "killed by
 * SIGPIPE" or "exited N" (CALL names the waitpid() in the output), made
 * where WHERE says: the host the child's calls were made at (a process's
 * fate is its host's, harness.h: struct where). */
void observe_child_end(struct run *r, struct where where, pid_t pid, const char *label,
		       const char *call);

#endif
