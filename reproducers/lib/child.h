/* A child process that reports back to its parent through a pipe: the
 * pattern of every scenario whose system call must run where its outcome
 * cannot hurt the run (a seccomp filter, a lowered limit, SIGPIPE's default
 * disposition) or must block while the parent acts. */
#ifndef SOCKERR_CHILD_H
#define SOCKERR_CHILD_H

#include <sys/types.h>

/* fork() with a pipe from the child to the parent.  In the parent it
 * returns the child's pid and *fd is the read end; in the child it returns
 * 0 and *fd is the write end.  -1 with errno when the pipe or the fork
 * failed, with nothing left open.  stdio is flushed first, so that nothing
 * buffered is written twice.  The child is SIGKILLed when the parent dies
 * (PR_SET_PDEATHSIG, checked against a parent already gone). */
pid_t fork_reporter(int *fd);

struct run;

/* Reap the child and record how it ended as step LABEL: "killed by
 * SIGPIPE" or "exited N" (CALL names the waitpid() in the output). */
void observe_child_end(struct run *r, pid_t pid, const char *label, const char *call);

#endif
