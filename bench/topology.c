/* bench-topology: the netns library's topologies built and torn down N times.
 *
 * For make bench (scripts/bench): each iteration builds a topology exactly
 * as the runner does for a scenario (topology_routed() with the client's
 * default route, or topology_pair()), then tears it down the way a run ends
 * (netns_teardown() and the namespace fds closed).  Setup and teardown are
 * timed apart, per iteration, and reported as median and p90, once as a
 * JSON line for scripts and once as a sentence for people.
 *
 * Teardown here is what a run pays: the namespace mounts go and the last
 * reference drops; the kernel then dismantles the namespace (veths,
 * routes) asynchronously in cleanup_net(), as it does after `ip netns del`.
 *
 * usage: bench-topology [N] [routed|pair]...   (default: 50, both)
 */
#include "../netns/netns.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Nearest-rank percentile of n sorted values. */
static double percentile(const double *sorted, int n, int pct)
{
	int rank = (pct * n + 99) / 100;
	if (rank < 1)
		rank = 1;
	return sorted[rank - 1];
}

static double median(const double *sorted, int n)
{
	return n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

struct stats {
	double median, p90, min, max;
};

static struct stats summarise(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return (struct stats){median(v, n), percentile(v, n, 90), v[0], v[n - 1]};
}

static void close_hosts(struct topology *t)
{
	struct netns *hosts[] = {&t->client, &t->router, &t->server};
	for (int i = 0; i < 3; i++)
		if (hosts[i]->name[0] && hosts[i]->fd >= 0) { /* unset: never created */
			close(hosts[i]->fd);
			hosts[i]->fd = -1;
		}
}

static int bench(enum topology_kind kind, int n)
{
	double *setup = calloc((size_t)n, sizeof(double));
	double *teardown = calloc((size_t)n, sizeof(double));
	double *total = calloc((size_t)n, sizeof(double));
	if (!setup || !teardown || !total) {
		fprintf(stderr, "bench-topology: out of memory\n");
		return 1;
	}
	int rc = 0;
	for (int i = 0; i < n; i++) {
		struct topology t;
		double t0 = now_ms();
		int err = kind == TOPO_ROUTED ? topology_routed(&t, true) : topology_pair(&t);
		double t1 = now_ms();
		netns_teardown();
		close_hosts(&t);
		double t2 = now_ms();
		if (err < 0) {
			fprintf(stderr, "bench-topology: %s topology, iteration %d: %s\n",
				topology_name(kind), i + 1, netns_error());
			rc = 1;
			break;
		}
		setup[i] = t1 - t0;
		teardown[i] = t2 - t1;
		total[i] = t2 - t0;
	}
	if (rc == 0) {
		struct stats s = summarise(setup, n), d = summarise(teardown, n),
			     a = summarise(total, n);
		printf("{\"bench\":\"topology\",\"via\":\"library\",\"topology\":\"%s\","
		       "\"iterations\":%d,"
		       "\"setup_ms\":{\"median\":%.3f,\"p90\":%.3f,\"min\":%.3f,\"max\":%.3f},"
		       "\"teardown_ms\":{\"median\":%.3f,\"p90\":%.3f,\"min\":%.3f,\"max\":%.3f},"
		       "\"total_ms\":{\"median\":%.3f,\"p90\":%.3f,\"min\":%.3f,\"max\":%.3f}}\n",
		       topology_name(kind), n, s.median, s.p90, s.min, s.max, d.median, d.p90,
		       d.min, d.max, a.median, a.p90, a.min, a.max);
		printf("%s topology via the library, %d iterations: setup median %.2f ms (p90 "
		       "%.2f), teardown median %.2f ms (p90 %.2f), both median %.2f ms (p90 "
		       "%.2f)\n",
		       topology_name(kind), n, s.median, s.p90, d.median, d.p90, a.median, a.p90);
		fflush(stdout);
	}
	free(setup);
	free(teardown);
	free(total);
	return rc;
}

int main(int argc, char **argv)
{
	int n = 50;
	enum topology_kind kinds[8];
	int n_kinds = 0;
	for (int i = 1; i < argc; i++) {
		char *end;
		long v = strtol(argv[i], &end, 10);
		if (end != argv[i] && *end == '\0' && v > 0 && v <= 100000)
			n = (int)v;
		else if (strcmp(argv[i], "routed") == 0 && n_kinds < 8)
			kinds[n_kinds++] = TOPO_ROUTED;
		else if (strcmp(argv[i], "pair") == 0 && n_kinds < 8)
			kinds[n_kinds++] = TOPO_PAIR;
		else {
			fprintf(stderr, "usage: bench-topology [N] [routed|pair]...\n");
			return 2;
		}
	}
	if (n_kinds == 0) {
		kinds[n_kinds++] = TOPO_ROUTED;
		kinds[n_kinds++] = TOPO_PAIR;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "bench-topology: must run as root\n");
		return 1;
	}
	/* Removed on every path: exit, SIGINT/SIGTERM/SIGHUP. */
	netns_install_cleanup();
	for (int k = 0; k < n_kinds; k++)
		if (bench(kinds[k], n) != 0)
			return 1;
	return 0;
}
