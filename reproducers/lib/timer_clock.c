/* An interval on the kernel's timer clock: timer_clock.h. */
#include "lib/timer_clock.h"

#include <sys/times.h>
#include <unistd.h>

#include "record/harness.h"

static long long jiffies_ticks(void)
{
	struct tms unused;
	return (long long)times(&unused);
}

struct timer_clock timer_clock_now(void)
{
	struct timer_clock c;
	c.ticks = jiffies_ticks();
	c.ms = now_ms();
	return c;
}

double timer_clock_tick_ms(void)
{
	long hz = sysconf(_SC_CLK_TCK);
	return 1000.0 / (double)(hz > 0 ? hz : 100);
}

double timer_clock_kernel_ms(struct timer_clock since)
{
	return (double)(jiffies_ticks() - since.ticks) * timer_clock_tick_ms();
}
