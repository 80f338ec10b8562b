/*
 * accept-policy-enobufs: ENOBUFS, an errno the accept(2) man page lists
 * ("Not enough free memory. This often means that the memory allocation is
 * limited by the socket buffer limits") but no network condition produces
 * for a Linux TCP listener, shown as what a policy layer makes of accept():
 * a seccomp filter fails accept() and accept4() with ENOBUFS
 * (SECCOMP_RET_ERRNO, lib/seccomp_accept.c), and the connection stays
 * queued.  Policy-injected: the errno is the filter's.
 *
 * No real kernel path at all: ENOBUFS appears nowhere in do_accept()
 * (net/socket.c), inet_accept() or inet_csk_accept().  Memory exhaustion
 * while do_accept() allocates the new socket and file gives ENOMEM
 * (sock_alloc_file() -> alloc_file_pseudo()) or ENFILE (sock_alloc()); the
 * child socket and its buffers were allocated when the handshake completed,
 * so socket buffer limits (the man page's explanation) play no part in
 * accept().
 *
 * Summary: policy-injected: a seccomp filter fails accept() with ENOBUFS; the
 *   connection stays queued
 * POSIX expects: man page: "Not enough free memory. This often means that the
 *   memory allocation is limited by the socket buffer limits"; no Linux TCP
 *   path returns ENOBUFS from accept()
 * Kernel path: seccomp: __seccomp_filter() (kernel/seccomp.c) answers
 *   SECCOMP_RET_ERRNO by skipping the call with -errno; no real path: memory
 *   exhaustion in do_accept() gives ENOMEM (sock_alloc_file()) or ENFILE
 *   (sock_alloc()), and nothing in the TCP accept path returns ENOBUFS
 * Handling: back off and free resources: memory is short; the connection waits
 *   in the queue
 */
#include "record/harness.h"
#include "lib/seccomp_accept.h"

SCENARIO(accept_policy_enobufs, .errno_name = "ENOBUFS", .syscall = "accept", .policy = "seccomp",
	 .order = 160)
{
	return seccomp_accept_policy(r);
}
