/*
 * SO_RCVTIMEO / SO_SNDTIMEO: the caller's own deadline on a blocking call,
 * set by every scenario that sets one; the scenarios whose call ends when
 * it runs out (recv-timeout, send-timeout, connect-timeout-option) record
 * it with observe_timeout_elapsed().  sock_set_timeout()
 * (net/core/sock.c) stores it in jiffies, rounded up; sock_rcvtimeo() /
 * sock_sndtimeo() (include/net/sock.h) hand it to the sleeping call, or 0
 * under O_NONBLOCK / MSG_DONTWAIT.
 */
#ifndef SOCKERR_SOCK_TIMEO_H
#define SOCKERR_SOCK_TIMEO_H

#include "record/harness.h"

/* The timeout those scenarios set (their descriptors say "200 ms"). */
#define TIMEO_MS 200

/* setsockopt(fd, SOL_SOCKET, opt, ms as a struct timeval): opt is
 * SO_RCVTIMEO or SO_SNDTIMEO.  setsockopt()'s result. */
int set_timeo(int fd, int opt, int ms);

/* A blocking call that ended at the timeout, watched in w: step "elapsed"
 * (slept, and for at least TIMEO_MS: timeout_class()) and the measurement
 * "elapsed ms", made where the call was (its socket: ON_FD(fd)).  call names
 * it ("recv"), opt its timeout ("SO_RCVTIMEO"). */
void observe_timeout_elapsed(struct run *r, struct where where, const struct call_watch *w,
			     const char *call, const char *opt);

#endif
