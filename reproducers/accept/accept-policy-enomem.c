/*
 * accept-policy-enomem: ENOMEM, an errno the accept(2) man page lists ("Not
 * enough free memory. This often means that the memory allocation is
 * limited by the socket buffer limits") but no network condition produces
 * for a Linux TCP listener, shown as what a policy layer makes of accept():
 * a seccomp filter fails accept() and accept4() with ENOMEM
 * (SECCOMP_RET_ERRNO, lib/seccomp_accept.c), and the connection stays
 * queued.  Policy-injected: the errno is the filter's.
 *
 * The real kernel path, not reachable here: only memory exhaustion while
 * do_accept() (net/socket.c) allocates the new socket and file:
 * sock_alloc_file() returns alloc_file_pseudo()'s error (ENOMEM when the
 * dentry cannot be allocated; sock_alloc() failing gives ENFILE, not
 * ENOMEM).  The TCP part (inet_accept(), inet_csk_accept()) has no ENOMEM:
 * the child socket and its buffers were allocated when the handshake
 * completed, so socket buffer limits (the man page's explanation) play no
 * part in accept().
 *
 * Summary: policy-injected: a seccomp filter fails accept() with ENOMEM; the
 *   connection stays queued
 * POSIX expects: man page: "Not enough free memory. This often means that the
 *   memory allocation is limited by the socket buffer limits"; on Linux only a
 *   failed socket or file allocation gives it, not socket buffer limits
 * Kernel path: seccomp: __seccomp_filter() (kernel/seccomp.c) answers
 *   SECCOMP_RET_ERRNO by skipping the call with -errno; the real path, not
 *   reachable here: do_accept() -> sock_alloc_file() -> alloc_file_pseudo()
 *   failing to allocate (memory exhaustion)
 * Handling: back off and free resources: memory is short; the connection waits
 *   in the queue
 */
#include "record/harness.h"
#include "lib/seccomp_accept.h"

SCENARIO(accept_policy_enomem, .errno_name = "ENOMEM", .syscall = "accept", .policy = "seccomp",
	 .order = 170)
{
	return seccomp_accept_policy(r);
}
