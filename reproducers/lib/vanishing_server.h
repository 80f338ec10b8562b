/*
 * The server that vanishes behind the router: what the ETIMEDOUT
 * scenarios (timeout-syn-dropped, timeout-peer-vanished, timeout-keepalive,
 * timeout-user-timeout) share.
 *
 * ETIMEDOUT is the error of "the server host crashed": nothing comes back
 * and a timer of the client's own gives up.  The router in the middle
 * drops every packet to or from the server (nft, forward chain), as if the
 * server had vanished; no RST and no ICMP error ever reaches the client.
 * The scenarios shorten the kernel's timers with socket options and report
 * the elapsed times against the bound the timers set from below.
 */
#ifndef SOCKERR_VANISHING_SERVER_H
#define SOCKERR_VANISHING_SERVER_H

#include "record/harness.h"
#include "lib/timer_clock.h"

/* A bound on any blocking call here, in case the kernel's timer never
 * fires: the call then returns EAGAIN, which the tests reject. */
#define SAFETY_TIMEOUT_S 10

/* The router drops every packet to or from the server.  -1 when nft is
 * not usable in the router namespace (netns_error()). */
int server_vanishes(struct run *r);

/* setsockopt(fd, level, opt, val) as an int, recorded as a step. */
void set_int_sockopt(struct run *r, int fd, int level, int opt, const char *name, int val);

/* SO_RCVTIMEO or SO_SNDTIMEO (opt) of SAFETY_TIMEOUT_S on fd. */
void safety_timeout(int fd, int opt);

/* An elapsed time that is the point of the scenario: the number is a
 * measurement; the class only says whether it came before the chain of
 * `timers` kernel timers that bounds it from below (see
 * lower_bound_class()): load can make it late, never early.  Made where
 * the timed call was (a time around a call is its host's). */
void timing_lower_bound(struct run *r, struct where where, const char *what, double ms,
			double bound_ms, int timers);

/* The same for a chain of kernel timers armed by a call made after since
 * (timer_clock_now()): the number from CLOCK_MONOTONIC, the class from
 * jiffies (lib/timer_clock.h), so that neither load nor an emulated CPU
 * can make it "before the bound". */
void timer_lower_bound(struct run *r, struct where where, const char *what,
		       struct timer_clock since, double bound_ms);

#endif
