/*
 * The socket-lock race of an ICMP error that answers a SYN.
 *
 * veth delivers synchronously, so the router's ICMP error for the first
 * SYN may come back while connect() still owns the socket.
 * tcp_v4_err()/tcp_v6_err() then only count it (TcpExt LockDroppedIcmps,
 * __NET_INC_STATS(LINUX_MIB_LOCKDROPPEDICMPS) under sock_owned_by_user())
 * and keep it as a soft error (sk_err_soft); the hard error comes with the
 * ICMP for the SYN retransmission, after the 1 s initial RTO.  When the
 * router's softirq runs in ksoftirqd (under load), the first error finds
 * the socket unowned and fails connect() at once.  Both outcomes are
 * legitimate; which one happened is read from the kernel's counters, never
 * from a clock.
 */
#ifndef SOCKERR_LOCK_RACE_H
#define SOCKERR_LOCK_RACE_H

#include "record/harness.h"

struct lock_race {
	long dropped, retrans; /* the client's counters before connect() */
	long dropped_after;
	double t0, took; /* connect()'s start and duration, for the note */
};

/* Right before connect(). */
void lock_race_start(struct run *r, struct lock_race *lr);
/* Right after connect() returned. */
void lock_race_end(struct run *r, struct lock_race *lr);
/* After the step that counts the ICMP errors the client received (whose
 * answers are `count_answers`, one error or two): marks it racy, records
 * LockDroppedIcmps and RetransSegs as steps of the same race, and notes
 * which side of the race this run was on. */
void lock_race_observe(struct run *r, const struct lock_race *lr, const char *const *count_answers);

#endif
