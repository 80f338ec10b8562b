/*
 * The client's side of a connection its peer has reset or shut down: the
 * wait for the server's RST and the steps that show what the socket then
 * says (its TCP state, SO_ERROR, a recv()).  Shared by the scenarios of
 * recv()'s ECONNRESET (reset-*), of send()'s EPIPE (pipe-*) and by
 * write-after-rst.
 *
 * The client's tcp_reset() (net/ipv4/tcp_input.c) stores the errno in
 * sk_err and tcp_done() shuts both directions; sk_err makes poll() report
 * POLLERR, which is what the wait looks for (wait_pending_error()).
 */
#ifndef SOCKERR_RESET_OBSERVE_H
#define SOCKERR_RESET_OBSERVE_H

#include <stdbool.h>

#include "record/harness.h"

/* Wait (2 s bound) until the client's kernel has taken the server's RST:
 * true, or false with the run broken ("the client never saw the server's
 * RST"). */
bool await_server_rst(struct run *r, int cfd);

/* The socket's TCP state as step LABEL (getsockopt(TCP_INFO)). */
void observe_state(struct run *r, const char *label, int fd);
/* The pending error as step "SO_ERROR" (reading it also clears it). */
void observe_so_error(struct run *r, int fd);
/* One recv(MSG_DONTWAIT) of up to 512 bytes, recorded as step "recv". */
void recv_step(struct run *r, int fd);

#endif
