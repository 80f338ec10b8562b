#include "lib/sockets.h"
#include "record/harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>

socklen_t sockaddr_of(int family, const char *addr, int port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		inet_pton(AF_INET6, addr, &s6->sin6_addr);
		return sizeof(*s6);
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	s4->sin_family = AF_INET;
	s4->sin_port = htons(port);
	inet_pton(AF_INET, addr, &s4->sin_addr);
	return sizeof(*s4);
}

const char *sockaddr_str(const struct sockaddr *sa)
{
	static char buf[2][INET6_ADDRSTRLEN + 16];
	static int which;
	char *out = buf[which ^= 1];
	char host[INET6_ADDRSTRLEN] = "?";
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
		snprintf(out, sizeof(buf[0]), "[%s]:%d", host, ntohs(s6->sin6_port));
	} else if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
		snprintf(out, sizeof(buf[0]), "%s:%d", host, ntohs(s4->sin_port));
	} else {
		snprintf(out, sizeof(buf[0]), "{family %d}", sa->sa_family);
	}
	return out;
}

const char *sockaddr_host(const struct sockaddr *sa)
{
	static char host[INET6_ADDRSTRLEN];
	const void *addr = sa->sa_family == AF_INET6
				   ? (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr
				   : (const void *)&((const struct sockaddr_in *)sa)->sin_addr;
	if (!inet_ntop(sa->sa_family, addr, host, sizeof(host)))
		snprintf(host, sizeof(host), "?");
	return host;
}

int socket_local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -1;
	return ntohs(((struct sockaddr_in *)&ss)->sin_port); /* same offset in v6 */
}

int tcp_socket_in(const struct netns *ns, int family)
{
	return netns_socket(ns, family, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
}

int tcp_bound_in(const struct netns *ns, int family, const char *addr, int port)
{
	int fd = tcp_socket_in(ns, family);
	if (fd < 0)
		return -1;
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(family, addr, port, &ss);
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

int tcp_listen_in(const struct netns *ns, int family, const char *addr, int port, int backlog)
{
	int fd = tcp_bound_in(ns, family, addr, port);
	if (fd >= 0 && listen(fd, backlog) < 0) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

int tcp_connect_in(const struct netns *ns, int family, const char *addr, int port)
{
	int fd = tcp_socket_in(ns, family);
	if (fd < 0)
		return -1;
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(family, addr, port, &ss);
	if (connect(fd, (struct sockaddr *)&ss, len) < 0) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

int poll_fd(int fd, short events, int timeout_ms)
{
	struct pollfd p = {.fd = fd, .events = events};
	int n;
	do
		n = poll(&p, 1, timeout_ms);
	while (n < 0 && errno == EINTR);
	return n > 0 ? p.revents : 0;
}

bool wait_pending_error(int fd, int timeout_ms)
{
	/* POLLERR is always reported; asking for no event means poll()
	 * returns only when sk_err is set or the socket is hung up. */
	return poll_fd(fd, 0, timeout_ms) & (POLLERR | POLLHUP);
}

bool wait_reset_taken(int fd, int timeout_ms)
{
	const int all = POLLERR | POLLHUP | POLLRDHUP;
	double deadline = now_ms() + timeout_ms;
	for (;;) {
		double left = deadline - now_ms();
		if (left <= 0)
			return false;
		if ((poll_fd(fd, POLLRDHUP, (int)left + 1) & all) == all)
			return true;
	}
}

int so_error(int fd)
{
	int err = 0;
	socklen_t len = sizeof(err);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		return -errno;
	return err;
}

int tcp_state(int fd)
{
	struct tcp_info info;
	socklen_t len = sizeof(info);
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) < 0)
		return -1;
	return info.tcpi_state;
}

const char *tcp_state_name(int state)
{
	static const char *const names[] = {
		[TCP_ESTABLISHED] = "ESTABLISHED",
		[TCP_SYN_SENT] = "SYN_SENT",
		[TCP_SYN_RECV] = "SYN_RECV",
		[TCP_FIN_WAIT1] = "FIN_WAIT1",
		[TCP_FIN_WAIT2] = "FIN_WAIT2",
		[TCP_TIME_WAIT] = "TIME_WAIT",
		[TCP_CLOSE] = "CLOSE",
		[TCP_CLOSE_WAIT] = "CLOSE_WAIT",
		[TCP_LAST_ACK] = "LAST_ACK",
		[TCP_LISTEN] = "LISTEN",
		[TCP_CLOSING] = "CLOSING",
	};
	if (state > 0 && state < (int)(sizeof(names) / sizeof(names[0])) && names[state])
		return names[state];
	return "UNKNOWN";
}

int set_linger_abort(int fd)
{
	struct linger lg = {.l_onoff = 1, .l_linger = 0};
	return setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
}

int tcp_diag_count(const struct netns *ns, int family, int lport, int rport, unsigned state_mask)
{
	int fd = netns_socket(ns, AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -1;
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} msg = {
		.nlh = {.nlmsg_len = sizeof(msg),
			.nlmsg_type = SOCK_DIAG_BY_FAMILY,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP},
		.req = {.sdiag_family = family,
			.sdiag_protocol = IPPROTO_TCP,
			.idiag_states = state_mask},
	};
	int count = 0;
	if (send(fd, &msg, sizeof(msg), 0) < 0)
		goto fail;
	for (;;) {
		char buf[16384];
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0)
			goto fail;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE) {
				close(fd);
				return count;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				errno = -((struct nlmsgerr *)NLMSG_DATA(h))->error;
				goto fail;
			}
			struct inet_diag_msg *d = NLMSG_DATA(h);
			if ((!lport || ntohs(d->id.idiag_sport) == lport) &&
			    (!rport || ntohs(d->id.idiag_dport) == rport))
				count++;
		}
	}
fail:;
	int saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

static long counter_in_file(const char *path, const char *group, const char *name)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	/* Pairs of lines: "TcpExt: Name1 Name2 ..." then "TcpExt: 1 2 ...". */
	char head[8192], vals[8192];
	long result = -1;
	size_t glen = strlen(group);
	while (result < 0 && fgets(head, sizeof(head), f) && fgets(vals, sizeof(vals), f)) {
		if (strncmp(head, group, glen) != 0 || head[glen] != ':')
			continue;
		char *hs, *vs;
		char *h = strtok_r(head + glen + 1, " \n", &hs);
		char *v = strtok_r(vals + glen + 1, " \n", &vs);
		for (; h && v; h = strtok_r(NULL, " \n", &hs), v = strtok_r(NULL, " \n", &vs))
			if (strcmp(h, name) == 0) {
				result = strtol(v, NULL, 10);
				break;
			}
	}
	fclose(f);
	return result;
}

/* /proc/net/snmp6 has one "Icmp6InDestUnreachs  3" pair per line. */
static long counter_in_snmp6(const char *name)
{
	FILE *f = fopen("/proc/thread-self/net/snmp6", "re");
	if (!f)
		return -1;
	char key[128];
	long value, result = -1;
	while (fscanf(f, "%127s %ld", key, &value) == 2)
		if (strcmp(key, name) == 0) {
			result = value;
			break;
		}
	fclose(f);
	return result;
}

long netstat_counter(const struct netns *ns, const char *group, const char *name)
{
	if (netns_enter(ns) < 0)
		return -1;
	/* thread-self: /proc/net follows the namespace of the reading thread. */
	long v;
	if (strcmp(group, "snmp6") == 0)
		v = counter_in_snmp6(name);
	else if ((v = counter_in_file("/proc/thread-self/net/netstat", group, name)) < 0)
		v = counter_in_file("/proc/thread-self/net/snmp", group, name);
	netns_leave();
	return v;
}

void close_fd_list(const int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}
