/* The clock of TCP_USER_TIMEOUT: user_timeout_clock.h. */
#include "lib/user_timeout_clock.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "lib/sockets.h"
#include "lib/vanishing_server.h"

/* When the first retransmission timeout fired, on the kernel's clock:
 * -1 before it has.  tcpi_retransmits (icsk_retransmits) leaves 0 when it
 * fires (tail loss probes do not count), and tcpi_last_data_sent is the
 * time since the last data transmission, retransmissions included
 * (tcp_event_data_sent() from __tcp_transmit_skb() sets tp->lsndtime).
 * While tcpi_retransmits is 1 that transmission is the first RTO's, so
 * however late this is sampled, now - tcpi_last_data_sent is when it left
 * (to a jiffy).  Sampled only after a second RTO, the time is the second
 * one's: later, never earlier. */
static double first_rto_at(int fd)
{
	struct tcp_info info;
	socklen_t len = sizeof(info);
	double now = now_ms();
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) < 0 || info.tcpi_retransmits == 0)
		return -1;
	return now - info.tcpi_last_data_sent;
}

int watch_until(int sock, int watch_fd, short events, struct rto_watch *w)
{
	w->t_rto = w->t_err = -1;
	double deadline = w->t_send + (SAFETY_TIMEOUT_S + 2) * 1000.0;
	for (;;) {
		int ev = poll_fd(watch_fd, events, 1);
		if (w->t_rto < 0)
			w->t_rto = first_rto_at(sock);
		if (ev) {
			w->t_err = now_ms();
			return ev;
		}
		if (now_ms() > deadline)
			return 0;
	}
}

/* Where the TCP_USER_TIMEOUT clock starts.  The error cannot come before
 * the timer that reports it (load only delays it, and its observation),
 * and the first RTO's time is the kernel's own (first_rto_at()), so an
 * error no earlier than USER_TIMEOUT_MS after the first retransmission
 * says the clock started there, however busy the machine.  Counted from
 * the send it would come one RTO (200 ms or more) earlier. */
void report_user_timeout_clock(struct run *r, struct where where, const struct rto_watch *w)
{
	if (w->t_rto < 0 || w->t_err < 0) {
		observe(r, where, "first RTO",
			"first retransmission timeout (TCP_INFO tcpi_retransmits)", "%s",
			w->t_err < 0 ? "no error seen" : "none seen");
		return;
	}
	double from_send = w->t_err - w->t_send, from_rto = w->t_err - w->t_rto;
	measure(r, where, "first RTO ms", "first retransmission timeout, ms after the send", "%.0f",
		w->t_rto - w->t_send);
	measure(r, where, "error ms", "error, ms after the send", "%.0f", from_send);
	/* Two ticks: the timer's, and tcpi_last_data_sent's jiffy. */
	observe(r, where, "clock starts",
		"TCP_USER_TIMEOUT counted from (error not before it after the first RTO)", "%s",
		from_rto >= USER_TIMEOUT_MS - 2 * TICK_SLACK_MS
			? "the first retransmission"
			: "before the first retransmission");
	timing_lower_bound(r, where, "error after the first retransmission timeout", from_rto,
			   USER_TIMEOUT_MS, 2);
	note(r,
	     "the error came %.0f ms after the data was sent: the first RTO retransmission "
	     "(after %.0f ms, a tail loss probe may come before it) sets tp->retrans_stamp, "
	     "and TCP_USER_TIMEOUT runs from there",
	     from_send, w->t_rto - w->t_send);
}

void note_retries2(struct run *r)
{
	char val[32];
	if (netns_sysctl_get(&r->topo.client, "net.ipv4.tcp_retries2", val, sizeof(val)) == 0)
		note(r,
		     "without TCP_USER_TIMEOUT the bound is the client namespace's "
		     "net.ipv4.tcp_retries2 = %s (15: about 924.6 s, tcp_model_timeout() "
		     "with a 200 ms RTO base), not waited for here",
		     val);
}
