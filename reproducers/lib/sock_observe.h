/*
 * What a socket says of itself, recorded as an observation: its TCP state
 * (getsockopt(TCP_INFO).tcpi_state) and its pending error (SO_ERROR).  The
 * looks most scenarios take after the call they are about.
 */
#ifndef SOCKERR_SOCK_OBSERVE_H
#define SOCKERR_SOCK_OBSERVE_H

#include "record/harness.h"

/* The socket's TCP state as step LABEL (getsockopt(TCP_INFO)). */
void observe_state(struct run *r, const char *label, int fd);
/* The pending error as step "SO_ERROR" (reading it also clears it). */
void observe_so_error(struct run *r, int fd);

/* poll()'s revents as text, "POLLIN|POLLERR|POLLHUP"; `none` for 0.  In a
 * static buffer: use it before the next call. */
const char *poll_revents_text(int revents, const char *none);

#endif
