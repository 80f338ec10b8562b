/* The socket-lock race of an ICMP error that answers a SYN: lock_race.h. */
#include "lib/lock_race.h"

#include "lib/sockets.h"

void lock_race_start(struct run *r, struct lock_race *lr)
{
	lr->dropped = netstat_counter(&r->topo.client, "TcpExt", "LockDroppedIcmps");
	lr->retrans = netstat_counter(&r->topo.client, "Tcp", "RetransSegs");
	lr->t0 = elapsed_ms(r);
}

void lock_race_end(struct run *r, struct lock_race *lr)
{
	lr->took = elapsed_ms(r) - lr->t0;
	lr->dropped_after = netstat_counter(&r->topo.client, "TcpExt", "LockDroppedIcmps");
}

void lock_race_observe(struct run *r, const struct lock_race *lr, const char *const *count_answers)
{
	racy(r, count_answers,
	     "whether the first ICMP error meets connect() holding the socket lock depends on "
	     "where the router's softirq runs: inline (two ICMP errors, +1 LockDroppedIcmps, "
	     "the error on the retransmission) or in ksoftirqd, under load (one, +0)");
	long dropped = lr->dropped_after - lr->dropped;
	observe(r, AT(HOST_CLIENT), "LockDroppedIcmps", "client TcpExt LockDroppedIcmps (delta)",
		"%+ld", dropped);
	racy_too(r, ANSWERS("+0", "+1"));
	/* Which side of the race it was, on the kernel's count rather than
	 * the clock: the error for the retransmitted SYN, or the first.  (The
	 * socket's own tcpi_total_retrans is gone: a failed connect() calls
	 * tcp_disconnect(), which zeroes it.) */
	observe(r, AT(HOST_CLIENT), "RetransSegs", "client Tcp RetransSegs (delta)", "%+ld",
		netstat_counter(&r->topo.client, "Tcp", "RetransSegs") - lr->retrans);
	racy_too(r, ANSWERS("+0", "+1"));
	if (dropped > 0)
		note(r,
		     "the first ICMP error came back while connect() owned the socket (veth "
		     "delivers synchronously): kept as a soft error; the hard error landed on the "
		     "SYN retransmission, %.0f ms after connect() began",
		     lr->took);
	else if (lr->took >= 900)
		note(r,
		     "no ICMP error was dropped for the socket lock, yet connect() waited for the "
		     "SYN retransmission (%.0f ms): the router answered only the retransmitted SYN",
		     lr->took);
	else
		note(r, "the ICMP error failed connect() directly, after %.0f ms", lr->took);
}
