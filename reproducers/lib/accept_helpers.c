/* See accept_helpers.h. */
#include "lib/accept_helpers.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/connection.h"
#include "lib/sockets.h"

int acctab_bound(struct run *r, int type, int port, bool listen_too)
{
	const char *server = topology_server_addr(&r->topo, r->family);
	int fd = netns_socket(&r->topo.server, r->family, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(r->family, server, port, &ss);
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 ||
	    (listen_too &&
	     setup_call(r, ON_FD(fd), "listen", listen(fd, 8), "listen(%d, 8)", fd) < 0)) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

int acctab_pending(struct run *r, int *lfd, int *cfd)
{
	static const struct connection_options queued = {.leave_queued = true};
	struct connection c;
	int status = connection_open(r, &queued, &c);
	*lfd = c.listener; /* -1 on failure, as *cfd */
	*cfd = c.client;
	if (status == RUN_OK)
		fcntl(*lfd, F_SETFL, fcntl(*lfd, F_GETFL) | O_NONBLOCK);
	return status;
}

bool acctab_queued(int lfd)
{
	return poll_fd(lfd, POLLIN, 0) & POLLIN;
}

int acctab_connections(struct run *r)
{
	/* TCP_ESTABLISHED (1) .. TCP_NEW_SYN_RECV (12), without TCP_LISTEN. */
	unsigned mask = ((1u << 13) - 2) & ~(1u << TCP_LISTEN);
	return tcp_diag_count(&r->topo.server, r->family, SERVER_PORT, 0, mask);
}

const char *acctab_peer_view(struct run *r, int cfd, int timeout_ms)
{
	static char value[48];
	poll_fd(cfd, POLLIN | POLLRDHUP, timeout_ms);
	char c;
	long n = step(r, AT(HOST_CLIENT), "peer recv", recv(cfd, &c, 1, MSG_DONTWAIT),
		      "client recv(%d, 1, MSG_DONTWAIT) after poll(POLLIN|POLLRDHUP, %d ms)", cfd,
		      timeout_ms);
	int err = errno;
	if (n == 0)
		return "EOF (FIN)";
	if (n > 0)
		return "data";
	if (err == ECONNRESET)
		return "ECONNRESET (RST)";
	if (err == EAGAIN)
		return "nothing (EAGAIN)";
	snprintf(value, sizeof(value), "%s", errno_name(err));
	return value;
}

const char *acctab_fate(bool still_queued, const char *peer_view)
{
	if (still_queued)
		return CONNECTION_STILL_QUEUED;
	if (!strcmp(peer_view, "EOF (FIN)") || !strcmp(peer_view, "ECONNRESET (RST)"))
		return CONNECTION_DEQUEUED_CLOSED;
	return CONNECTION_HANDED_OVER;
}
