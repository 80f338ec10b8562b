/* The SYN retransmission timers of 6.1 on every kernel: syn_timers.h. */
#include "lib/syn_timers.h"

#include "record/harness.h"

#define KNOB "net.ipv4.tcp_syn_linear_timeouts"

int syn_timers_exponential(struct run *r)
{
	char linear[32];
	if (netns_sysctl_get(&r->topo.client, KNOB, linear, sizeof(linear)) < 0)
		return RUN_OK; /* 6.1: no such knob, the timers double from the first */
	if (netns_sysctl_set(&r->topo.client, KNOB, "0") < 0)
		return broken_netns(r);
	note(r,
	     "client namespace: " KNOB " %s -> 0 (newer than 6.1: with linear timeouts the first "
	     "SYN RTOs stay at 1 s; 0 gives 6.1's 1 s + 2 s)",
	     linear);
	return RUN_OK;
}
