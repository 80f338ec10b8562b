/*
 * An interval on the clock the kernel's timers run on: jiffies.
 *
 * A chain of TCP timers (keepalive, SYN retransmission) is armed in
 * jiffies: sk_reset_timer(sk, timer, jiffies + len), and the timer wheel
 * only rounds an expiry up, so on the jiffies clock the chain never ends
 * before the sum of its timeouts.  On CLOCK_MONOTONIC it can, for two
 * reasons that load and emulation bring and the kernel does not:
 *  - the thread is descheduled between the call that armed the timer and
 *    its own clock read (under TCG, with 16 runs on two emulated CPUs, 40
 *    ms and more: timeout-keepalive read 1960 ms for a 2000 ms chain on a
 *    5.10 guest, its clock read after setsockopt(SO_KEEPALIVE) returned);
 *  - jiffies itself is stale when the timer is armed: only the timekeeping
 *    CPU advances it (tick_sched_do_timer() -> tick_do_update_jiffies64()),
 *    and a virtual CPU that is not run for a while (QEMU's round-robin TCG
 *    runs one vCPU at a time) leaves the others reading an old jiffies; the
 *    timer then ends early on the wall clock by the staleness.  Since 5.18
 *    ("tick: Detect and fix jiffies update stall", backported to some
 *    stable series) another CPU takes over after MAX_STALLED_JIFFIES (5)
 *    ticks of it: less, never none.
 * times() returns jiffies as clock ticks (kernel/sys.c: jiffies_64_to_clock_t(
 * get_jiffies_64()), sysconf(_SC_CLK_TCK) a second), read on the same
 * jiffies the timer is armed on: taken before the arming call and after
 * the timer's effect was seen, the interval is never shorter than the
 * chain, whatever the load, up to one clock tick of rounding.
 */
#ifndef SOCKERR_TIMER_CLOCK_H
#define SOCKERR_TIMER_CLOCK_H

struct timer_clock {
	double ms;	 /* CLOCK_MONOTONIC (now_ms()): the reported number */
	long long ticks; /* jiffies as times() clock ticks: what is judged */
};

/* Now, on both clocks.  Read it before the call that arms the timer. */
struct timer_clock timer_clock_now(void);

/* Milliseconds from since to now on the jiffies clock (whole clock ticks). */
double timer_clock_kernel_ms(struct timer_clock since);

/* One clock tick of times(), in ms (10 at USER_HZ 100): the rounding of an
 * interval measured in them. */
double timer_clock_tick_ms(void);

#endif
