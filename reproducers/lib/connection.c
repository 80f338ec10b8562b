/* One established TCP connection, the shared fixture: connection.h. */
#include "lib/connection.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/sockets.h"

static int port_of(const struct connection_options *o)
{
	return o && o->port ? o->port : SERVER_PORT;
}

/* connection_add() but for the clean-up of a failure. */
static int make_connection(struct run *r, int listener, const struct connection_options *o,
			   struct connection *c)
{
	const char *server = topology_server_addr(&r->topo, r->family);
	int port = port_of(o);
	c->listener = c->client = c->server = -1;
	c->client = tcp_socket_in(&r->topo.client, r->family);
	if (c->client < 0)
		return broken(r, "client socket: %m");
	if (o && o->sndbuf > 0 &&
	    setsockopt(c->client, SOL_SOCKET, SO_SNDBUF, &o->sndbuf, sizeof(o->sndbuf)) < 0)
		return broken(r, "SO_SNDBUF on the client: %m");
	struct sockaddr_storage ss;
	socklen_t len;
	if (o && o->client_addr) {
		len = sockaddr_of(r->family, o->client_addr, 0, &ss);
		if (bind(c->client, (struct sockaddr *)&ss, len) < 0)
			return broken(r, "bind the client to %s: %m", o->client_addr);
	}
	/* Non-blocking while connecting, so a lost handshake cannot hang. */
	int fl = fcntl(c->client, F_GETFL);
	fcntl(c->client, F_SETFL, fl | O_NONBLOCK);
	len = sockaddr_of(r->family, server, port, &ss);
	/* A set-up call (the SYN's cause, drawn before it): -1 EINPROGRESS,
	 * the socket being non-blocking. */
	if (setup_call(r, ON_FD(c->client), "connect",
		       connect(c->client, (struct sockaddr *)&ss, len), "connect(%d, %s)",
		       c->client, sockaddr_str((struct sockaddr *)&ss)) < 0 &&
	    errno != EINPROGRESS)
		return broken(r, "connect to %s:%d: %m", server, port);
	if (!(poll_fd(c->client, POLLOUT, CONNECTION_HANDSHAKE_MS) & POLLOUT) ||
	    so_error(c->client) != 0)
		return broken(r, "the handshake with %s:%d did not complete", server, port);
	fcntl(c->client, F_SETFL, fl & ~O_NONBLOCK);
	if (!(poll_fd(listener, POLLIN, CONNECTION_HANDSHAKE_MS) & POLLIN))
		return broken(r, "the connection never reached the accept queue");
	if (o && o->leave_queued)
		return RUN_OK;
	c->server = (int)setup_call(r, ON_FD(listener), "accept",
				    accept4(listener, NULL, NULL, SOCK_CLOEXEC),
				    "accept4(%d, NULL, NULL, SOCK_CLOEXEC)", listener);
	if (c->server < 0)
		return broken(r, "accept: %m");
	return RUN_OK;
}

int connection_add(struct run *r, int listener, const struct connection_options *o,
		   struct connection *c)
{
	int status = make_connection(r, listener, o, c);
	if (status != RUN_OK)
		connection_close(c);
	return status;
}

int server_listener(struct run *r, int port, int backlog)
{
	const char *server = topology_server_addr(&r->topo, r->family);
	int lfd = listen_at_server(r, server, port, backlog);
	if (lfd < 0)
		broken(r, "listen on %s:%d: %m", server, port);
	return lfd;
}

int listen_at_server(struct run *r, const char *addr, int port, int backlog)
{
	int lfd = tcp_bound_in(&r->topo.server, r->family, addr, port);
	if (lfd >= 0 && setup_call(r, ON_FD(lfd), "listen", listen(lfd, backlog), "listen(%d, %d)",
				   lfd, backlog) < 0) {
		int saved = errno;
		close(lfd);
		errno = saved;
		lfd = -1;
	}
	return lfd;
}

int connect_from_client(struct run *r, const char *addr, int port)
{
	int fd = tcp_socket_in(&r->topo.client, r->family);
	if (fd < 0)
		return -1;
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(r->family, addr, port, &ss);
	if (setup_call(r, ON_FD(fd), "connect", connect(fd, (struct sockaddr *)&ss, len),
		       "connect(%d, %s)", fd, sockaddr_str((struct sockaddr *)&ss)) < 0) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

int connection_open(struct run *r, const struct connection_options *o, struct connection *c)
{
	c->listener = c->client = c->server = -1;
	int listener = server_listener(r, port_of(o), 8);
	if (listener < 0)
		return RUN_BROKEN;
	if (o && o->rcvbuf > 0 &&
	    setsockopt(listener, SOL_SOCKET, SO_RCVBUF, &o->rcvbuf, sizeof(o->rcvbuf)) < 0) {
		close(listener);
		return broken(r, "SO_RCVBUF on the listener: %m");
	}
	int status = connection_add(r, listener, o, c);
	if (status != RUN_OK) {
		close(listener);
		return status;
	}
	c->listener = listener;
	return RUN_OK;
}

int connection_to(struct run *r, int listener, int *client, int *server)
{
	struct connection c;
	int status = connection_add(r, listener, NULL, &c);
	*client = c.client;
	*server = c.server;
	return status;
}

void connection_close(struct connection *c)
{
	int *fds[] = {&c->server, &c->client, &c->listener};
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}
