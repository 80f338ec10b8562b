/* SOCK_DESTROY over NETLINK_SOCK_DIAG: what `ss -K` does.  The kernel
 * aborts the socket with tcp_abort(): a listener stops listening, an
 * established or connecting socket gets ECONNABORTED.  Needs
 * CONFIG_INET_DIAG_DESTROY and CAP_NET_ADMIN in the socket's namespace. */
#ifndef SOCKERR_SOCK_DESTROY_H
#define SOCKERR_SOCK_DESTROY_H

#include "netns/netns.h"

/* Destroy every TCP socket of family inside ns whose state is in
 * state_mask (1 << TCP_LISTEN ...) and whose local and remote address and
 * port match (NULL or 0: any), as ss -K does: a sock_diag dump, then one
 * SOCK_DESTROY request per match, naming it by its id and cookie.
 * Returns the number destroyed, or -1 with errno: ENOENT when nothing
 * matched, otherwise the first error the kernel answered (EOPNOTSUPP
 * without CONFIG_INET_DIAG_DESTROY, EPERM without CAP_NET_ADMIN). */
int sock_destroy(const struct netns *ns, int family, const char *laddr, int lport,
		 const char *raddr, int rport, unsigned state_mask);

#endif
