/* Helpers shared by the simple rows of the accept(2) error table
 * (accept/accept-nonblocking-empty.c, accept/accept-rcvtimeo.c,
 * accept/accept-not-listening.c, accept/accept4-bad-flags.c,
 * accept/accept-bad-address.c, accept/accept-fd-limit.c,
 * accept/accept-file-table-full.c, and lib/accept_table.c; the
 * accept-policy-* scenarios use it too): a listener with one connection
 * waiting in its accept queue, and the two measurements those rows make
 * of it: is it still queued, and what does the client see of it. */
#ifndef SOCKERR_ACCEPT_HELPERS_H
#define SOCKERR_ACCEPT_HELPERS_H

#include <stdbool.h>

#include "record/harness.h"

/* A listener on the server's address and SERVER_PORT, and a client whose
 * handshake completed and whose connection is in the listener's accept
 * queue (the listener polls readable).  The listener is left O_NONBLOCK,
 * so that an accept() meant to find the connection can never hang when it
 * is gone (it says EAGAIN instead).  Returns RUN_OK, or the broken()
 * status with the reason recorded. */
int acctab_pending(struct run *r, int *lfd, int *cfd);

/* A socket of type (SOCK_STREAM | flags) bound to the server's address and
 * port inside the server namespace, listening when listen_too.  -1 with
 * errno. */
int acctab_bound(struct run *r, int type, int port, bool listen_too);

/* The listener still holds a connection in its accept queue. */
bool acctab_queued(int lfd);

/* Number of TCP sockets in the server namespace on SERVER_PORT in any state
 * but LISTEN (request sockets included): 0 means no connection was ever
 * started; -1 with errno. */
int acctab_connections(struct run *r);

/* What the client sees of its connection: poll() for POLLIN | POLLRDHUP up
 * to timeout_ms, then recv(MSG_DONTWAIT), recorded as the step "peer recv".
 * Returns the observed value: "EOF (FIN)", "ECONNRESET (RST)", "data",
 * "nothing (EAGAIN)" or another errno name. */
const char *acctab_peer_view(struct run *r, int cfd, int timeout_ms);

/* Connection fate from the two measurements above. */
const char *acctab_fate(bool still_queued, const char *peer_view);

#endif
