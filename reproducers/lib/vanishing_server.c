/* The server that vanishes behind the router: vanishing_server.h. */
#include "lib/vanishing_server.h"

#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>

#include "lib/sock_timeo.h"

int server_vanishes(struct run *r)
{
	const char *server = topology_server_addr(&r->topo, r->family);
	const char *l3 = r->family == AF_INET6 ? "ip6" : "ip";
	char ruleset[512];
	snprintf(ruleset, sizeof(ruleset),
		 "table inet sockerr {\n"
		 "  chain forward {\n"
		 "    type filter hook forward priority 0; policy accept;\n"
		 "    %s daddr %s drop\n"
		 "    %s saddr %s drop\n"
		 "  }\n"
		 "}\n",
		 l3, server, l3, server);
	if (netns_nft(&r->topo.router, ruleset) < 0)
		return -1;
	note(r, "router nft forward: drop everything to and from %s", server);
	return 0;
}

void set_int_sockopt(struct run *r, int fd, int level, int opt, const char *name, int val)
{
	step(r, ON_FD(fd), "setsockopt", setsockopt(fd, level, opt, &val, sizeof(val)),
	     "setsockopt(%d, %s, %d)", fd, name, val);
}

void safety_timeout(int fd, int opt)
{
	set_timeo(fd, opt, SAFETY_TIMEOUT_S * 1000);
}

void timing_lower_bound(struct run *r, struct where where, const char *what, double ms,
			double bound_ms, int timers)
{
	measure(r, where, "elapsed ms", what, "%.0f", ms);
	char call[160];
	snprintf(call, sizeof(call), "%s, against the lower bound of %.0f ms", what, bound_ms);
	observe(r, where, "elapsed", call, "%s", lower_bound_class(ms, bound_ms, timers));
}

void timer_lower_bound(struct run *r, struct where where, const char *what,
		       struct timer_clock since, double bound_ms)
{
	double kernel_ms = timer_clock_kernel_ms(since);
	measure(r, where, "elapsed ms", what, "%.0f", now_ms() - since.ms);
	char call[200];
	snprintf(call, sizeof(call),
		 "%s, on the timers' clock (jiffies, times()), against the lower bound of %.0f ms",
		 what, bound_ms);
	/* One clock tick of times()'s rounding; the wheel never ends a timer
	 * early in jiffies. */
	observe(r, where, "elapsed", call, "%s",
		kernel_ms >= bound_ms - timer_clock_tick_ms() ? "not before the bound"
							      : "before the bound");
}
