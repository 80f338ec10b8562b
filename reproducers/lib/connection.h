/*
 * One established TCP connection from the client to the server: the
 * fixture behind every scenario that starts from "listen, connect,
 * accept".  The sockets are made in this order (listener, client,
 * accepted), so the descriptors a scenario's steps show are the same from
 * run to run.
 */
#ifndef SOCKERR_CONNECTION_H
#define SOCKERR_CONNECTION_H

#include <stdbool.h>

#include "record/harness.h"

struct connection {
	int listener; /* the server's listener; -1 when not this fixture's */
	int client;   /* the client's socket: the side a scenario usually tests */
	int server;   /* the accepted socket; -1 when left queued */
};

#define CONNECTION_NONE                                                                            \
	{                                                                                          \
		.listener = -1, .client = -1, .server = -1                                         \
	}

struct connection_options {
	int port; /* the server's port; SERVER_PORT when 0 */
	/* > 0: the client's SO_SNDBUF, set before connect() (it also stops
	 * autotuning), and the listener's SO_RCVBUF, set before the SYN
	 * arrives, so the accepted socket inherits it and its window (and
	 * window scale) is chosen for it. */
	int sndbuf, rcvbuf;
	/* Leave the connection in the listener's accept queue (the listener
	 * polls readable) instead of accepting it. */
	bool leave_queued;
	/* The client's source address, bound (port 0) before connect(): one
	 * the scenario added to the client's interface.  NULL: no bind(), the
	 * kernel picks the topology's client address. */
	const char *client_addr;
};

/* A listener on the server's address and port: its fd, or -1 with the run
 * broken ("listen on ADDR:PORT: ..."). */
int server_listener(struct run *r, int port, int backlog);

/* A scenario's own listener at addr:port in the server's namespace, its
 * listen() recorded as a set-up call (the ladder draws it before the
 * handshake it allows): tcp_listen_in() for a run.  -1 with errno. */
int listen_at_server(struct run *r, const char *addr, int port, int backlog);
/* A scenario's own blocking connect() from the client's namespace to
 * addr:port, recorded as a set-up call: tcp_connect_in() for a run.  The
 * socket, or -1 with errno. */
int connect_from_client(struct run *r, const char *addr, int port);

/* A listener on the server's address, and a connection to it: handshake
 * completed (bounded at CONNECTION_HANDSHAKE_MS, so a lost handshake
 * cannot hang the run), the client left blocking, the connection accepted
 * unless o->leave_queued.  o may be NULL.  Returns RUN_OK, or the broken()
 * status with the reason recorded and nothing left open (c holds -1s; a
 * connection_close() of it does nothing). */
int connection_open(struct run *r, const struct connection_options *o, struct connection *c);

/* Another connection to an existing listener (c->listener stays -1: the
 * listener is not c's to close).  On failure, as connection_open(): the
 * broken() status, nothing of c left open. */
int connection_add(struct run *r, int listener, const struct connection_options *o,
		   struct connection *c);

/* connection_add() for a caller that keeps its descriptors in slots of
 * its own: *client and *server get the two ends (-1 where none was made,
 * both on failure; the caller closes what it got). */
int connection_to(struct run *r, int listener, int *client, int *server);

/* Close what c holds and mark it closed. */
void connection_close(struct connection *c);

#define CONNECTION_HANDSHAKE_MS 5000

#endif
