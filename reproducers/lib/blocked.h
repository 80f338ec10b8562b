/* Waiting for a process to be asleep inside a system call, by reading
 * /proc/PID/syscall (the number of the call it is in) and /proc/PID/stat
 * (its scheduler state), instead of sleeping and hoping it got there. */
#ifndef SOCKERR_BLOCKED_H
#define SOCKERR_BLOCKED_H

#include <stdbool.h>
#include <sys/types.h>

/* Wait (1 ms polls) until pid (a process, or a thread id) is asleep in
 * system call nr (SYS_accept ...): /proc/PID/syscall starts with nr and
 * /proc/PID/stat's state is S or D.  false after timeout_ms, or as soon as
 * the process is gone (a zombie or reaped). */
bool wait_blocked_in_syscall(pid_t pid, long nr, int timeout_ms);

#endif
