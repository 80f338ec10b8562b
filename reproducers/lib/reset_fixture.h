/*
 * The set-up of the five scenarios in which an established connection
 * meets an RST and the client's recv() reports it, or not (reset-*): the
 * descriptors a run opens, kept in slots that one place closes; the
 * server's listener, a connection to it and the server's recorded close;
 * the request and reply they exchange; and what they observe besides
 * lib/reset_observe.h: the client's poll() events and the server's
 * netstat counters.
 */
#ifndef SOCKERR_RESET_FIXTURE_H
#define SOCKERR_RESET_FIXTURE_H

#include <stdbool.h>

#include "lib/connection.h" /* server_listener() */
#include "record/harness.h"

#define REQUEST "request"
#define REPLY	"reply"

/* Every fd a scenario opens goes into a slot of fds[], so that one place
 * closes them on every path (a slot the scenario closed itself is -1). */
enum { LFD, CFD, AFD, CAP, EXTRA, N_FDS = EXTRA + 3 };

/* Run body with fds[] all -1, then close what it left open; body's status. */
int with_fds(struct run *r, int (*body)(struct run *r, int *fds));

/* The server's own close, recorded; the slot is emptied. */
void server_close(struct run *r, int *fds, const char *how);

/* The listener (backlog 8) in fds[LFD] and one connection to it, the
 * client in fds[CFD] and the accepted socket in fds[AFD]: RUN_OK, or
 * RUN_BROKEN with the reason recorded. */
int server_connection(struct run *r, int *fds);

/* Send msg from one end and wait until the other end has it queued. */
bool deliver(int from, int to, const char *msg);

/* What the client's socket says once the RST has been processed: its
 * poll() events and its TCP state. */
void observe_client(struct run *r, int cfd);
/* The same for either side: "<host> poll" and "<host> state" (the host
 * named as the JSON names it). */
void observe_reset_side(struct run *r, enum host who, int fd);

/* A counter of the server namespace, as the change since before. */
void observe_counter(struct run *r, const char *label, const char *group, const char *name,
		     long before);

#endif
