/*
 * accept-policy-eproto: EPROTO, an errno the accept(2) man page lists
 * ("Protocol error") but no network condition produces for a Linux TCP
 * listener, shown as what a policy layer makes of accept(): a seccomp
 * filter fails accept() and accept4() with EPROTO (SECCOMP_RET_ERRNO,
 * lib/seccomp_accept.c), and the connection stays queued.  Policy-injected:
 * the errno is the filter's.
 *
 * No real kernel path for TCP: inet_csk_accept() fails only with EINVAL,
 * EAGAIN, EINTR/ERESTARTSYS.
 *
 * Summary: policy-injected: a seccomp filter fails accept() with EPROTO; the
 *   connection stays queued
 * POSIX expects: man page: "Protocol error"; no Linux TCP path returns it from
 *   accept()
 * Kernel path: seccomp: __seccomp_filter() (kernel/seccomp.c) answers
 *   SECCOMP_RET_ERRNO by skipping the call with -errno; no real path for TCP:
 *   inet_csk_accept() fails only with EINVAL, EAGAIN or EINTR/ERESTARTSYS
 * Handling: retry at once: a protocol error concerns one connection, the queue
 *   is intact
 */
#include "record/harness.h"
#include "lib/seccomp_accept.h"

SCENARIO(accept_policy_eproto, .errno_name = "EPROTO", .syscall = "accept", .policy = "seccomp",
	 .order = 150)
{
	return seccomp_accept_policy(r);
}
