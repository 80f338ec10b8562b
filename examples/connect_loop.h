/*
 * The connect loop sockerr recommends, built from what the connect(2)
 * scenarios measured on Linux.  See connect_loop.c for the reasoning
 * behind each errno's handling.
 */
#ifndef SOCKERR_CONNECT_LOOP_H
#define SOCKERR_CONNECT_LOOP_H

#include <stddef.h>
#include <sys/socket.h>

struct connect_address {
	struct sockaddr_storage addr;
	socklen_t len;
};

/* What the loop does with an errno from socket(), connect() or SO_ERROR. */
enum connect_action {
	CONNECT_DONE,	      /* 0: connected */
	CONNECT_WAIT,	      /* EINPROGRESS, EINTR: the handshake goes on; poll */
	CONNECT_NEXT_ADDRESS, /* this address failed: try the next one */
	CONNECT_BACK_OFF,     /* this host is short of something: end the round, pause */
	CONNECT_FATAL,	      /* a bug in the caller: stop */
};
enum connect_action connect_loop_action(int err);

/* One attempt's outcome, or one pause, for the caller's log. */
struct connect_event {
	int round;	 /* 1, 2, ... */
	size_t index;	 /* the address tried (attempts only) */
	int err;	 /* 0: connected; ETIMEDOUT also for the loop's own timeout */
	int own_timeout; /* err is ETIMEDOUT because attempt_timeout_ms passed */
	enum connect_action action;
	int pause_ms; /* a pause: its length (attempts: 0) */
};

struct connect_loop {
	const struct connect_address *addresses; /* tried in this order */
	size_t n_addresses;
	int attempt_timeout_ms; /* per address (0: 3000) */
	int rounds;		/* over the whole list before giving up (0: 3) */
	int back_off_ms;	/* first pause between rounds, doubled each time (0: 100) */
	int back_off_max_ms;	/* the longest pause (0: 5000) */
	/* Optional (NULL: silent): told of each attempt and each pause. */
	void (*report)(const struct connect_event *ev, void *arg);
	void *arg;

	/* Results. */
	size_t connected_index; /* the address of the returned descriptor */
	int attempts;
	int fatal_errno; /* the errno that stopped the loop as a bug, or 0 */
};

/* Connect to the first address that answers, round after round with a
 * pause between rounds.  Returns the connected, blocking descriptor; or -1
 * with errno: the last attempt's errno after the last round, or the fatal
 * errno (also in fatal_errno: EINVAL for an empty list). */
int connect_loop_run(struct connect_loop *loop);

#endif
