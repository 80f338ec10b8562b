/* The run function the four accept-policy-* scenarios share
 * (accept-policy-eperm, -eproto, -enobufs, -enomem): the errnos the
 * accept(2) man page lists but no network condition produces for a Linux
 * TCP listener, shown as what a policy layer makes of accept(): a seccomp
 * filter that fails accept() and accept4() with the scenario's errno
 * (r->sc->errno_name), while the connection stays queued.  Each scenario's
 * file says which real kernel path, if any, would give its errno. */
#ifndef SOCKERR_SECCOMP_ACCEPT_H
#define SOCKERR_SECCOMP_ACCEPT_H

#include "record/harness.h"

/* The .run of the accept-policy-* scenarios: a forked child under a
 * seccomp filter returning SECCOMP_RET_ERRNO | errno (errno from the
 * scenario's errno_name: EPERM, EPROTO, ENOBUFS or ENOMEM) calls accept()
 * and accept4() on a listener holding one connection; the parent shows the
 * connection still queued and accepts it itself. */
int seccomp_accept_policy(struct run *r);

#endif
