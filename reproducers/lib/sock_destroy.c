/* The kernel side: inet_diag_handler_cmd() -> inet_diag_cmd_exact()
 * (net/ipv4/inet_diag.c) -> tcp_diag_destroy() (net/ipv4/tcp_diag.c,
 * built with CONFIG_INET_DIAG_DESTROY) -> inet_diag_find_one_icsk() looks
 * the socket up by its id and checks the cookie -> sock_diag_destroy()
 * (net/core/sock_diag.c: CAP_NET_ADMIN, sk_prot->diag_destroy) ->
 * tcp_abort(sk, ECONNABORTED) (net/ipv4/tcp.c).  Without the config option
 * the handler has no .destroy and the answer is -EOPNOTSUPP. */
#include "lib/sock_destroy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>

#define MAX_MATCHES 64

struct diag_request {
	struct nlmsghdr nlh;
	struct inet_diag_req_v2 req;
};

/* addr NULL matches anything; otherwise the first 4 (IPv4) or 16 bytes of
 * a sock_diag address field must be equal. */
static bool addr_matches(int family, const char *addr, const __be32 field[4])
{
	if (!addr)
		return true;
	unsigned char want[16];
	if (inet_pton(family, addr, want) != 1)
		return false;
	return memcmp(want, field, family == AF_INET6 ? 16 : 4) == 0;
}

/* Wait for the acknowledgement of one request: 0 or -errno. */
static int read_ack(int fd)
{
	char buf[8192];
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0)
			return -errno;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, n);
		     h = NLMSG_NEXT(h, n))
			if (h->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
	}
}

/* Fill ids with the sockets the dump shows matching; returns how many, or
 * -errno. */
static int dump_matches(int fd, int family, const char *laddr, int lport, const char *raddr,
			int rport, unsigned state_mask, struct inet_diag_sockid *ids)
{
	struct diag_request msg = {
		.nlh = {.nlmsg_len = sizeof(msg),
			.nlmsg_type = SOCK_DIAG_BY_FAMILY,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP},
		.req = {.sdiag_family = (__u8)family,
			.sdiag_protocol = IPPROTO_TCP,
			.idiag_states = state_mask},
	};
	if (send(fd, &msg, sizeof(msg), 0) < 0)
		return -errno;
	int count = 0;
	for (;;) {
		char buf[16384];
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0)
			return -errno;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE)
				return count;
			if (h->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
			const struct inet_diag_msg *d = NLMSG_DATA(h);
			if ((lport && ntohs(d->id.idiag_sport) != lport) ||
			    (rport && ntohs(d->id.idiag_dport) != rport) ||
			    !addr_matches(family, laddr, d->id.idiag_src) ||
			    !addr_matches(family, raddr, d->id.idiag_dst) || count >= MAX_MATCHES)
				continue;
			ids[count++] = d->id;
		}
	}
}

int sock_destroy(const struct netns *ns, int family, const char *laddr, int lport,
		 const char *raddr, int rport, unsigned state_mask)
{
	int fd = netns_socket(ns, AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -1;
	struct inet_diag_sockid ids[MAX_MATCHES];
	int err = 0, destroyed = 0;
	int n = dump_matches(fd, family, laddr, lport, raddr, rport, state_mask, ids);
	if (n < 0)
		err = -n;
	else if (n == 0)
		err = ENOENT;
	for (int i = 0; i < n; i++) {
		/* The dumped id (addresses, ports, interface, cookie) names
		 * exactly this socket: inet_diag_find_one_icsk() refuses a
		 * different socket that took its place (cookie mismatch). */
		struct diag_request msg = {
			.nlh = {.nlmsg_len = sizeof(msg),
				.nlmsg_type = SOCK_DESTROY,
				.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK},
			.req = {.sdiag_family = (__u8)family,
				.sdiag_protocol = IPPROTO_TCP,
				.idiag_states = state_mask,
				.id = ids[i]},
		};
		int rc = send(fd, &msg, sizeof(msg), 0) < 0 ? -errno : read_ack(fd);
		if (rc == 0)
			destroyed++;
		else if (!err)
			err = -rc;
	}
	close(fd);
	if (err) {
		errno = err;
		return -1;
	}
	return destroyed;
}
