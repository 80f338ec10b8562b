/*
 * send() on a socket that can no longer be written to, under SIGPIPE's
 * dispositions: ignored (EPIPE, no signal), and the default one in a child
 * process that the signal kills.  Shared by the scenarios of send()'s EPIPE
 * (pipe-after-shutdown, pipe-in-close-wait) and write-after-rst.
 *
 * sk_stream_error() (net/core/stream.c) raises SIGPIPE with send_sig()
 * when the error is -EPIPE and MSG_NOSIGNAL was not given.
 */
#ifndef SOCKERR_SIGPIPE_SEND_H
#define SOCKERR_SIGPIPE_SEND_H

#include "record/harness.h"

/* One send() of 4 bytes under SIGPIPE ignored: EPIPE and no signal
 * delivered.  The disposition is restored after it. */
void send_sigpipe_ignored(struct run *r, int fd);

/* count send()s of 4 bytes with SIGPIPE's default disposition, in a
 * child: it reports each result before it makes the next send(), so a
 * send() that succeeds or fails without a signal is recorded, and one that
 * raises SIGPIPE is seen as the child's death.  Each result is step
 * "send" ("send(FD, 4, 0) [child, SIGPIPE default]", numbered " #N" after
 * the call when count > 1); how the child ended is step "child", the
 * waitpid() named `waited` ("waitpid(sender)"). */
void send_in_child(struct run *r, int fd, int count, const char *waited);

#endif
