/*
 * accept-policy-eperm: EPERM, an errno the accept(2) man page lists but no
 * network condition produces for a Linux TCP listener, shown as what a
 * policy layer makes of accept(): a seccomp filter fails accept() and
 * accept4() with EPERM (SECCOMP_RET_ERRNO, lib/seccomp_accept.c), and the
 * connection stays queued.  Policy-injected: the errno is the filter's.
 *
 * The real kernel path, not reachable here: do_accept() (net/socket.c;
 * __sys_accept4_file() in older kernels) -> security_socket_accept()
 * (include/linux/security.h), an LSM hook (SELinux, AppArmor...) that
 * refuses before the queue is touched.
 *
 * The man page's "Firewall rules forbid connection" does not happen on
 * Linux: netfilter drops a SYN or ACK on input (nf_hook_slow(),
 * net/netfilter/core.c), where no accept() can see it; a connection never
 * reaches the queue.
 *
 * Summary: policy-injected: a seccomp filter fails accept() with EPERM; the
 *   connection stays queued
 * POSIX expects: man page: "Firewall rules forbid connection"; on Linux a
 *   firewall drop never reaches accept() (the connection is never queued)
 * Kernel path: seccomp: __seccomp_filter() (kernel/seccomp.c) answers
 *   SECCOMP_RET_ERRNO by skipping the call with -errno; the real path, not
 *   reachable here: do_accept() -> security_socket_accept(), an LSM (SELinux,
 *   AppArmor) refusing the accept
 * Handling: back off and free resources: a policy decision, which an immediate
 *   retry will not change
 */
#include "record/harness.h"
#include "lib/seccomp_accept.h"

SCENARIO(accept_policy_eperm, .errno_name = "EPERM", .syscall = "accept", .policy = "seccomp",
	 .order = 140)
{
	return seccomp_accept_policy(r);
}
