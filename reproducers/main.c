/*
 * sockerr: the catalogue runner.
 *
 * Each (scenario, family) runs in a child process of its own: its
 * namespaces are named after the child's pid, its signal dispositions,
 * rlimits and descriptors cannot leak into the next run, and a crash or a
 * hang (killed at --timeout) is reported as a broken run, after which the
 * parent removes whatever namespaces the child left behind.  The child sends
 * its struct run back through a pipe; the parent renders it.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "registry.h"

#define EXIT_USAGE 2

static void usage(FILE *out)
{
	fputs("usage: sockerr list [--json] [--errno ERRNO] [--syscall CALL]\n"
	      "       sockerr run NAME... | --all  [-4|-6] [--json] [--keep] [--summary]\n"
	      "                                    [--output FILE] [--timeout SECONDS]\n"
	      "       sockerr cleanup\n"
	      "\n"
	      "  list      the catalogue, one scenario per line (name errno syscall summary)\n"
	      "  run       run scenarios (both families unless -4 or -6) and print each step;\n"
	      "            --json: one JSON object per run and line; --summary: a table at\n"
	      "            the end instead of the steps; --output: also write all runs as\n"
	      "            one JSON document; --keep: leave the namespaces up to inspect\n"
	      "  cleanup   remove namespaces left by runs that are gone (kept ones too)\n"
	      "\n"
	      "exit: 0 ran, 1 broken setup, 2 usage, 4 skipped\n",
	      out);
}

static int usage_error(const char *fmt, const char *arg)
{
	fputs("sockerr: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\n", stderr);
	usage(stderr);
	return EXIT_USAGE;
}

static bool need_root(void)
{
	if (geteuid() == 0)
		return true;
	fputs("sockerr: must run as root: it creates network namespaces (try sudo)\n", stderr);
	return false;
}

/* ---- list ------------------------------------------------------------ */

static bool matches(const struct scenario *sc, const char *err, const char *call)
{
	if (err && strcasecmp(sc->errno_name, err) != 0)
		return false;
	if (call && !strstr(sc->syscall, call))
		return false;
	return true;
}

static void list_json_families(FILE *out, unsigned families)
{
	fputc('[', out);
	if (families & FAMILY_IPV4)
		fputs("\"ipv4\"", out);
	if (families & FAMILY_IPV6)
		fputs((families & FAMILY_IPV4) ? ",\"ipv6\"" : "\"ipv6\"", out);
	if (families & FAMILY_NONE)
		fputs("\"none\"", out);
	fputc(']', out);
}

static int cmd_list(int argc, char **argv)
{
	bool json = false;
	const char *err = NULL, *call = NULL;
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"errno", required_argument, NULL, 'e'},
		{"syscall", required_argument, NULL, 's'},
		{0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'e': err = optarg; break;
		case 's': call = optarg; break;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return usage_error("list takes no argument '%s'", argv[optind]);
	bool first = true;
	if (json)
		putchar('[');
	for (int i = 0; i < catalogue_size; i++) {
		const struct scenario *sc = catalogue[i];
		if (!matches(sc, err, call))
			continue;
		if (!json) {
			printf("%-26s %-13s %-10s %s%s\n", sc->name, sc->errno_name, sc->syscall,
			       sc->policy ? "[policy] " : "", sc->summary);
			continue;
		}
		fputs(first ? "\n{\"name\":" : ",\n{\"name\":", stdout);
		first = false;
		json_string(stdout, sc->name);
		fputs(",\"errno\":", stdout);
		json_string(stdout, sc->errno_name);
		fputs(",\"syscall\":", stdout);
		json_string(stdout, sc->syscall);
		fputs(",\"summary\":", stdout);
		json_string(stdout, sc->summary);
		fputs(",\"families\":", stdout);
		list_json_families(stdout, sc->families);
		fputs(",\"topology\":", stdout);
		json_string(stdout, topology_name(sc->topology));
		fputs(",\"posix_expects\":", stdout);
		json_string(stdout, sc->posix_expects);
		fputs(",\"kernel_path\":", stdout);
		json_string(stdout, sc->kernel_path);
		fputs(",\"policy\":", stdout);
		json_string(stdout, sc->policy);
		putchar('}');
	}
	if (json)
		puts("\n]");
	return 0;
}

/* ---- run ------------------------------------------------------------- */

struct run_options {
	bool json, keep, summary;
	int family; /* AF_UNSPEC: both */
	int timeout_s;
	FILE *output;
};

static volatile sig_atomic_t stop_signal;
static volatile pid_t running_child;

static void forward_signal(int sig)
{
	stop_signal = sig;
	if (running_child > 0)
		kill(running_child, sig);
}

static bool ipv6_available(void)
{
	struct stat st;
	return stat("/proc/sys/net/ipv6", &st) == 0;
}

static int setup_topology(struct run *r)
{
	switch (r->sc->topology) {
	case TOPO_PAIR: return topology_pair(&r->topo);
	case TOPO_ROUTED: return topology_routed(&r->topo, !r->sc->client_without_default_route);
	case TOPO_NONE: break;
	}
	return 0;
}

/* In the child: build, run, send the record back, exit with the status. */
static void child_run(const struct scenario *sc, int family, bool keep, int out_fd)
{
	static struct run r; /* large: keep it off the stack */
	memset(&r, 0, sizeof(r));
	r.sc = sc;
	r.family = family;
	netns_set_keep(keep);
	netns_install_cleanup();

	int status;
	if (family == AF_INET6 && !ipv6_available())
		status = skipped(&r, "IPv6 is not available on this kernel");
	else if (setup_topology(&r) < 0)
		status = broken_netns(&r);
	else {
		r.t0 = now_ms();
		status = sc->run(&r);
	}
	const char *p = (const char *)&r;
	for (size_t left = sizeof(r); left > 0;) {
		ssize_t n = write(out_fd, p, left);
		if (n <= 0)
			_exit(RUN_BROKEN);
		p += n;
		left -= (size_t)n;
	}
	close(out_fd);
	exit(status); /* runs the namespace teardown */
}

/* Read the child's record, within the deadline.  Returns bytes read. */
static size_t read_record(int fd, struct run *r, int timeout_s, bool *timed_out)
{
	size_t got = 0;
	double deadline = now_ms() + timeout_s * 1000.0;
	*timed_out = false;
	while (got < sizeof(*r)) {
		int left = (int)(deadline - now_ms());
		if (left <= 0) {
			*timed_out = true;
			break;
		}
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int n = poll(&p, 1, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			continue;
		ssize_t k = read(fd, (char *)r + got, sizeof(*r) - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	return got;
}

static int run_one(const struct scenario *sc, int family, const struct run_options *o,
		   struct run *r)
{
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		memset(r, 0, sizeof(*r));
		r->sc = sc;
		r->family = family;
		return broken(r, "pipe: %s", strerror(errno));
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		child_run(sc, family, o->keep, pfd[1]);
	}
	close(pfd[1]);
	if (pid < 0) {
		close(pfd[0]);
		memset(r, 0, sizeof(*r));
		r->sc = sc;
		r->family = family;
		return broken(r, "fork: %s", strerror(errno));
	}
	running_child = pid;
	bool timed_out;
	size_t got = read_record(pfd[0], r, o->timeout_s, &timed_out);
	close(pfd[0]);
	if (timed_out)
		kill(pid, SIGKILL);
	int wstatus = 0;
	while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	running_child = 0;
	/* Whatever the child could not tear down (killed, crashed). */
	netns_reap_stale(false, pid, NULL);

	if (got != sizeof(*r)) {
		memset(r, 0, sizeof(*r));
		r->sc = sc;
		r->family = family;
		if (timed_out)
			return broken(r, "no result within %d s (killed); raise --timeout?",
				      o->timeout_s);
		if (WIFSIGNALED(wstatus))
			return broken(r, "the run died of SIG%s",
				      sigabbrev_np(WTERMSIG(wstatus)) ?: "?");
		return broken(r, "the run exited (%d) without a result", WEXITSTATUS(wstatus));
	}
	r->sc = sc; /* same binary, same address: but never trust a pointer from a pipe */
	int status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
	if (status == RUN_OK || status == RUN_SKIP || (status == RUN_BROKEN && r->reason[0]))
		return status;
	if (WIFSIGNALED(wstatus))
		return broken(r, "the run reported, then died of SIG%s",
			      sigabbrev_np(WTERMSIG(wstatus)) ?: "?");
	return broken(r, "the run reported, then exited %d (a sanitizer report on stderr?)",
		      status);
}

static void print_keep_hint(const struct run *r)
{
	const struct netns *hosts[] = {&r->topo.client, &r->topo.router, &r->topo.server};
	printf("  kept:");
	for (int i = 0; i < 3; i++)
		if (hosts[i]->name[0])
			printf(" %s", hosts[i]->name);
	printf("\n  inspect: ip -n %s addr; ip -n %s route; ip netns exec %s ss -tan\n",
	       r->topo.client.name, r->topo.client.name, r->topo.server.name);
	printf("  remove:  sockerr cleanup\n");
}

static int cmd_run(int argc, char **argv)
{
	struct run_options o = {.family = AF_UNSPEC, .timeout_s = 60};
	bool all = false;
	const char *output_path = NULL;
	static const struct option opts[] = {
		{"all", no_argument, NULL, 'a'},
		{"json", no_argument, NULL, 'j'},
		{"keep", no_argument, NULL, 'k'},
		{"summary", no_argument, NULL, 's'},
		{"output", required_argument, NULL, 'o'},
		{"timeout", required_argument, NULL, 't'},
		{0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "46", opts, NULL)) != -1) {
		switch (c) {
		case '4': o.family = AF_INET; break;
		case '6': o.family = AF_INET6; break;
		case 'a': all = true; break;
		case 'j': o.json = true; break;
		case 'k': o.keep = true; break;
		case 's': o.summary = true; break;
		case 'o': output_path = optarg; break;
		case 't': {
			char *end;
			long t = strtol(optarg, &end, 10);
			if (*end || t <= 0 || t > 3600)
				return usage_error(
					"--timeout takes seconds from 1 to 3600, not '%s'", optarg);
			o.timeout_s = (int)t;
			break;
		}
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	const struct scenario *chosen[64];
	int n_chosen = 0;
	if (all) {
		if (optind < argc)
			return usage_error("--all takes no scenario names ('%s')", argv[optind]);
		for (int i = 0; i < catalogue_size; i++)
			chosen[n_chosen++] = catalogue[i];
	} else {
		if (optind >= argc)
			return usage_error("%s", "run needs scenario names or --all");
		for (int i = optind; i < argc; i++) {
			const struct scenario *sc = scenario_find(argv[i]);
			if (!sc)
				return usage_error("unknown scenario '%s' (see: sockerr list)",
						   argv[i]);
			if (n_chosen < (int)(sizeof(chosen) / sizeof(chosen[0])))
				chosen[n_chosen++] = sc;
		}
	}
	if (!need_root())
		return RUN_BROKEN;
	if (output_path) {
		o.output = fopen(output_path, "w");
		if (!o.output) {
			fprintf(stderr, "sockerr: cannot write %s: %s\n", output_path,
				strerror(errno));
			return RUN_BROKEN;
		}
		fputs("{\"kernel\":", o.output);
		json_string(o.output, kernel_release());
		fprintf(o.output, ",\"generated\":%lld,\"runs\":[\n", (long long)time(NULL));
	}

	struct sigaction sa = {.sa_handler = forward_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	netns_reap_stale(false, 0, NULL); /* left by runs that were SIGKILLed */

	static struct run r;
	char *summary = NULL;
	size_t summary_len = 0;
	FILE *table = open_memstream(&summary, &summary_len);
	int runs = 0, n_broken = 0, n_skipped = 0;
	for (int i = 0; i < n_chosen && !stop_signal; i++) {
		const struct scenario *sc = chosen[i];
		int fams[3], n_fams = 0;
		if (sc->families & FAMILY_NONE)
			fams[n_fams++] = AF_UNSPEC;
		if ((sc->families & FAMILY_IPV4) && o.family != AF_INET6)
			fams[n_fams++] = AF_INET;
		if ((sc->families & FAMILY_IPV6) && o.family != AF_INET)
			fams[n_fams++] = AF_INET6;
		for (int f = 0; f < n_fams && !stop_signal; f++) {
			int status = run_one(sc, fams[f], &o, &r);
			runs++;
			n_broken += status == RUN_BROKEN;
			n_skipped += status == RUN_SKIP;
			if (o.json)
				render_json(stdout, &r, status);
			else if (!o.summary) {
				render_text(stdout, &r, status);
				if (o.keep && status == RUN_OK)
					print_keep_hint(&r);
				putchar('\n');
			}
			render_summary_row(table, &r, status);
			if (o.output) {
				if (runs > 1)
					fputs(",", o.output);
				render_json(o.output, &r, status);
			}
			fflush(stdout);
		}
	}
	fclose(table);
	if (o.summary) {
		printf("sockerr on Linux %s\n\n", kernel_release());
		render_summary_header(stdout);
		fputs(summary, stdout);
		printf("\n%d runs: %d ran, %d skipped, %d broken\n", runs,
		       runs - n_skipped - n_broken, n_skipped, n_broken);
		if (output_path)
			printf("results: %s\n", output_path);
	}
	free(summary);
	if (o.output) {
		fputs("]}\n", o.output);
		fclose(o.output);
	}
	if (stop_signal) {
		signal(stop_signal, SIG_DFL);
		raise(stop_signal);
	}
	if (n_broken)
		return RUN_BROKEN;
	if (runs > 0 && n_skipped == runs)
		return RUN_SKIP;
	return RUN_OK;
}

static int cmd_cleanup(int argc, char **argv)
{
	(void)argv;
	if (argc > 1)
		return usage_error("cleanup takes no argument '%s'", argv[1]);
	if (!need_root())
		return RUN_BROKEN;
	int n = netns_reap_stale(true, 0, stdout);
	printf("%d namespace%s removed\n", n, n == 1 ? "" : "s");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(cmd, "list"))
		return cmd_list(argc - 1, argv + 1);
	if (!strcmp(cmd, "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(cmd, "cleanup"))
		return cmd_cleanup(argc - 1, argv + 1);
	return usage_error("unknown command '%s'", cmd);
}
