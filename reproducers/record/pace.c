/* A slow run: pace.h. */
#include "record/pace.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* In the recording process, what the pauses have shown so far: the
 * commands (once, at the first pause), the steps and set-up calls up to
 * these counts, and whether --step's input has ended (no more waiting). */
static bool commands_shown;
static int steps_shown, setup_shown;
static bool input_ended;

/* The commands that show the state at a pause, with the run's own
 * namespaces.  ss -tanoi: every TCP socket (listeners and the queued
 * children too), its state (SYN-RECV, CLOSE-WAIT...), its timer (-o:
 * timer:(on,1.2sec,2) for a retransmission, keepalive) and its tcp_info.
 * nstat -as: the counters' totals (-a), not the increase since nstat's
 * previous use: its history file is one per user in /tmp, shared by every
 * namespace, so increments would mix hosts; -s leaves that file alone.
 * Zeros are left out, so a counter that moves appears. */
static void show_commands(const struct run *r)
{
	const struct netns *hosts[] = {&r->topo.client, &r->topo.router, &r->topo.server};
	bool network = r->sc->topology.kind != TOPO_NONE;
	fprintf(stderr, "sockerr: a paced run of %s [%s]: ", r->sc->name, family_name(r->family));
	if (r->pace_ms < 0)
		fputs("it waits for Enter before each step", stderr);
	else
		fprintf(stderr, "it waits %d ms before each step", r->pace_ms);
	fprintf(stderr, "%s.\n  The state at a pause, from another terminal:\n",
		network ? ", the namespaces up" : " (no network, no namespaces)");
	for (int h = HOST_CLIENT; h <= HOST_SERVER; h++)
		if (h != HOST_ROUTER && hosts[h]->name[0])
			fprintf(stderr, "    ip netns exec %s ss -tanoi\n", hosts[h]->name);
	for (int h = HOST_CLIENT; h <= HOST_SERVER; h++) {
		if (!hosts[h]->name[0])
			continue;
		/* The router has no socket: what it forwards and the ICMP
		 * errors it sends. */
		fprintf(stderr, "    ip netns exec %s nstat -as %s\n", hosts[h]->name,
			h == HOST_ROUTER ? "'Ip*Forw*' 'Icmp*'" : "'Tcp*'");
	}
	fprintf(stderr, "    ls -l /proc/%d/fd\n", (int)getpid());
	if (network)
		fputs("  ss: sockets, states, timers (-o) and tcp_info (-i); nstat: counter "
		      "totals, "
		      "zeros left out;\n",
		      stderr);
	fputs("  /proc/PID/fd: the run's descriptors.  A pause lets the kernel's timers run on.\n",
	      stderr);
}

/* One recorded call or observation, as the run's text shows it. */
static void show_step(const struct step *s, const char *what)
{
	char line[320];
	int n = snprintf(line, sizeof(line), "%s%s ", what, s->call);
	size_t used = n < 0 ? 0 : (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;
	if (s->value[0])
		snprintf(line + used, sizeof(line) - used, "-> %s", s->value);
	else if (s->ret < 0 && s->err)
		snprintf(line + used, sizeof(line) - used, "= %ld %s", s->ret, errno_name(s->err));
	else
		snprintf(line + used, sizeof(line) - used, "= %ld", s->ret);
	fprintf(stderr, "  %-62s [%8.1f ms]\n", line, s->ms);
}

/* What happened since the last pause: the steps and the fixtures'
 * set-up calls, in the order they returned. */
static void show_done(const struct run *r)
{
	while (steps_shown < r->n_steps || setup_shown < r->n_setup) {
		bool setup = steps_shown == r->n_steps ||
			     (setup_shown < r->n_setup &&
			      r->setup_calls[setup_shown].ms <= r->steps[steps_shown].ms);
		if (setup)
			show_step(&r->setup_calls[setup_shown++], "set-up: ");
		else
			show_step(&r->steps[steps_shown++], "");
	}
}

static void wait_ms(int ms)
{
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) == EINTR)
		;
}

/* A line from stdin, the terminal or what a script writes (the runner
 * made sure it is one of them: run --step), a byte at a time so that
 * nothing of the next pause's line is taken.  No descriptor is opened:
 * a step's descriptor numbers stay what they are in an unpaced run. */
static void wait_enter(void)
{
	char c;
	ssize_t n;
	while ((n = read(STDIN_FILENO, &c, 1)) == 1 || (n < 0 && errno == EINTR))
		if (n == 1 && c == '\n')
			return;
	input_ended = true;
	fputs("  (the input ended: no more pauses)\n", stderr);
}

void pace_before_step(struct run *r, const char *label)
{
	/* A process the scenario forked records nothing: it does not pace. */
	if (r->stream_fd < 0 || r->stream_pid != getpid() || input_ended)
		return;
	int saved = errno; /* an observation's %m comes after this */
	if (!commands_shown) {
		show_commands(r);
		commands_shown = true;
	}
	show_done(r);
	fprintf(stderr, "== next: step %d, %s%s%s", r->n_steps + 1, r->case_key,
		r->case_key[0] ? ": " : "", label);
	if (r->pace_ms < 0) {
		fputs("  [Enter: go on]\n", stderr);
		wait_enter();
	} else {
		fprintf(stderr, "  (waiting %d ms)\n", r->pace_ms);
		wait_ms(r->pace_ms);
	}
	errno = saved;
}
