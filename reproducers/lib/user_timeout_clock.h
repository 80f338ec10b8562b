/*
 * The clock of TCP_USER_TIMEOUT on an established connection whose server
 * vanished with unacknowledged data: what timeout-peer-vanished and
 * timeout-user-timeout share.
 *
 * tcp_retransmit_timer() -> tcp_write_timeout() bounds retransmission by
 * retransmits_timed_out(sk, tcp_retries2, icsk_user_timeout): with
 * TCP_USER_TIMEOUT, that many ms since tp->retrans_stamp; without it,
 * tcp_model_timeout() turns the namespace's net.ipv4.tcp_retries2 (default
 * 15) into about 924.6 s with a 200 ms RTO base.  tp->retrans_stamp is not
 * the time the data was first sent: tcp_retransmit_skb() sets it to the
 * skb's timestamp after __tcp_retransmit_skb() -> __tcp_transmit_skb()
 * refreshed it, i.e. to the first RTO retransmission (a tail loss probe,
 * tcp_send_loss_probe() -> __tcp_retransmit_skb(), does not set it).  So
 * the error comes TCP_USER_TIMEOUT after the first retransmission timeout,
 * one RTO (more after a tail loss probe) later than tcp(7) suggests;
 * tcp_clamp_rto_to_user_timeout() makes the last timer fire on time.
 *
 * tcp(7) says TCP_USER_TIMEOUT is "the maximum amount of time ... that
 * transmitted data may remain unacknowledged"; Linux starts that clock at
 * the first retransmission timeout, not at the transmission.
 */
#ifndef SOCKERR_USER_TIMEOUT_CLOCK_H
#define SOCKERR_USER_TIMEOUT_CLOCK_H

#include "record/harness.h"

#define USER_TIMEOUT_MS 500

/* now_ms() when the unacknowledged data was sent, when the first
 * retransmission timeout fired and when the error was reported. */
struct rto_watch {
	double t_send, t_rto, t_err;
};

/* Busy-wait (1 ms polls) until watch_fd reports events, noting when the
 * retransmission timer of sock first fired (from TCP_INFO).  Returns the
 * revents of watch_fd, 0 after SAFETY_TIMEOUT_S + 2 s from w->t_send. */
int watch_until(int sock, int watch_fd, short events, struct rto_watch *w);

/* Where the TCP_USER_TIMEOUT clock starts, from what watch_until() saw:
 * the first RTO's and the error's times, and whether the error came
 * USER_TIMEOUT_MS after the first retransmission.  Made where the socket
 * of the timer is (ON_FD(sock)). */
void report_user_timeout_clock(struct run *r, struct where where, const struct rto_watch *w);

/* Notes the client namespace's net.ipv4.tcp_retries2, the bound without
 * TCP_USER_TIMEOUT. */
void note_retries2(struct run *r);

#endif
