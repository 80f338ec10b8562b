/*
 * The SYN retransmission timers of 6.1 on every kernel: kernels from 6.5
 * on have net.ipv4.tcp_syn_linear_timeouts (default 4: the first SYN RTOs
 * stay at 1 s, tcp_retransmit_timer()), so a scenario that counts on
 * 1 s + 2 s for TCP_SYNCNT 1 sets it to 0 in the client's namespace (a
 * per-namespace sysctl: nothing global changes).
 */
#ifndef SOCKERR_SYN_TIMERS_H
#define SOCKERR_SYN_TIMERS_H

struct run;

/* Where the knob exists, set it to 0 in the client namespace and note the
 * old value.  RUN_OK, or the run broken. */
int syn_timers_exponential(struct run *r);

#endif
