/*
 * The client's side of a connection its peer has reset or shut down: the
 * wait for the server's RST and the steps that show what the socket then
 * says (a recv(); its TCP state and SO_ERROR come with lib/sock_observe.h,
 * included here).  Shared by the scenarios of
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

#include "lib/sock_observe.h"
#include "record/harness.h"

/* Wait (2 s bound) until the client's kernel has taken the server's RST:
 * true, or false with the run broken ("the client never saw the server's
 * RST"). */
bool await_server_rst(struct run *r, int cfd);

/* One recv(MSG_DONTWAIT) of up to 512 bytes, recorded as step "recv". */
void recv_step(struct run *r, int fd);

#endif
