/*
 * The pieces the unreachable-* scenarios (neighbour, ttl-exceeded,
 * net-icmp, link-down: the ways a TCP connect() learns that a host or a
 * network cannot be reached) share: a connect() to an address recorded
 * under a label, TCP_USER_TIMEOUT, the client's ICMP counters for either
 * family, and, for the routed cases, a connect() that the router answers
 * with an ICMP error, with the socket-lock race around it (lib/lock_race.h).
 */
#ifndef SOCKERR_UNREACHABLE_CONNECT_H
#define SOCKERR_UNREACHABLE_CONNECT_H

#include "record/harness.h"

/* TCP_USER_TIMEOUT as a safety net only: the ICMP-driven errors come long
 * before. */
#define SAFETY_TIMEOUT_MS 3000

/* connect(fd) to addr's SERVER_PORT, recorded as the step label. */
long unreachable_connect_to(struct run *r, const char *label, int fd, const char *addr);

/* setsockopt(TCP_USER_TIMEOUT, ms), recorded as a step. */
void unreachable_set_user_timeout(struct run *r, int fd, unsigned ms);

/* The client's counter for the run's family: v4group's v4name for IPv4,
 * snmp6's v6name for IPv6 (netstat_counter()). */
long unreachable_client_counter(struct run *r, const char *v4group, const char *v4name,
				const char *v6name);

/* connect() to the server, recording the ICMP counter named by the
 * arguments and LockDroppedIcmps around it.  veth delivers synchronously:
 * the first ICMP error can come back while tcp_v4_connect()/tcp_v6_connect()
 * still owns the socket (see lib/lock_race.h). */
void connect_expecting_icmp(struct run *r, int fd, const char *label, const char *v4name,
			    const char *v6name);

#endif
