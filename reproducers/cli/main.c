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
#include <dirent.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "evidence/evidence.h"
#include "evidence/explain.h"
#include "evidence/handout.h"
#include "record/harness.h"
#include "record/json.h"
#include "cli/catalogue.h"
#include "cli/claims.h"
#include "cli/results.h"
#include "record/record.h"

#define EXIT_USAGE 2

static void usage(FILE *out)
{
	fputs("usage: sockerr list [--json] [--errno ERRNO] [--syscall CALL]\n"
	      "       sockerr run NAME... | --all  [-4|-6] [--json] [--keep] [--summary]\n"
	      "                                    [--output FILE] [--timeout SECONDS]\n"
	      "                                    [--jobs N] [--pcap DIR] [--trace]\n"
	      "                                    [--ladder] [--svg DIR] [--explain DIR]\n"
	      "                                    [--evidence all]\n"
	      "       sockerr run NAME [-4|-6] --pace MS | --step  [the options above]\n"
	      "       sockerr explain NAME [-4|-6] [--step] [--no-trace] [--timeout SECONDS]\n"
	      "                            [--pcap DIR] [--svg DIR] [--ladder] [--html DIR]\n"
	      "                            [--evidence all]\n"
	      "       sockerr cleanup\n"
	      "       sockerr claims [--json] [RESULTS.json...]\n"
	      "\n"
	      "  list      the catalogue, one scenario per line (name errno syscall summary)\n"
	      "  run       run scenarios (both families unless -4 or -6) and print each step;\n"
	      "            --json: one JSON object per run and line; --summary: a table at\n"
	      "            the end instead of the steps; --output: also write all runs as\n"
	      "            one JSON document; --keep: leave the namespaces up to inspect;\n"
	      "            --jobs: runs at a time (default 8 per CPU, at most 32; output\n"
	      "            stays in catalogue order); --timeout: per run (default 60)\n"
	      "            evidence: --pcap: one capture per run in DIR, taken in the run's\n"
	      "            namespaces; --trace: kernel tracepoints of the run (one run at\n"
	      "            a time: tracepoints are kernel-wide); --ladder: a sequence\n"
	      "            diagram of packets, calls and kernel events instead of the\n"
	      "            step list; --svg: the same diagram as DIR/<run>.svg; the\n"
	      "            diagrams leave out what cannot explain a result (link\n"
	      "            housekeeping, the teardown after the last step, an error\n"
	      "            report its own close() discards) and say so; --evidence all:\n"
	      "            everything;\n"
	      "            --explain: what explain prints, as DIR/<run>.txt\n"
	      "            slow, to watch live: --pace MS: wait MS ms before each step, the\n"
	      "            namespaces up, and print the ss and nstat commands that show the\n"
	      "            state; --step: wait for Enter on stdin (a terminal, or a pipe)\n"
	      "  explain   run one scenario with its evidence and narrate it for teaching;\n"
	      "            --step: wait for Enter between sections; --no-trace: packets only;\n"
	      "            --pcap, --svg, --ladder: the narrated run's own capture and diagram;\n"
	      "            --html: a one-page handout of it, as DIR/<run>.html\n"
	      "  cleanup   remove namespaces left by runs that are gone (kept ones too),\n"
	      "            and their tracefs instances\n"
	      "  claims    what the man page, POSIX and the folklore say, each statement\n"
	      "            with the scenario that settles it and its verdict on each\n"
	      "            kernel of the results documents (default results/*.json)\n"
	      "\n"
	      "environment: SOCKERR_TAG=<tag>: name namespaces and tracefs instances\n"
	      "            sockerr-<tag>-...; runs and cleanup then see only that tag's\n"
	      "            leftovers, and untagged ones never see them\n"
	      "\n"
	      "exit: 0 ran, 1 broken setup, 2 usage, 4 skipped\n",
	      out);
}

/* A usage error: one line, and where the usage is. */
static int usage_error(const char *fmt, const char *arg)
{
	fputs("sockerr: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs(" (sockerr help: the usage)\n", stderr);
	return EXIT_USAGE;
}

/* After getopt's own line about an unknown option: where the usage is. */
static int usage_hint(void)
{
	fputs("sockerr: sockerr help: the usage\n", stderr);
	return EXIT_USAGE;
}

static bool need_root(void)
{
	if (geteuid() == 0)
		return true;
	fputs("sockerr: must run as root: it creates network namespaces (try sudo)\n", stderr);
	return false;
}

/* Namespaces are published under /run/netns, as `ip netns add` does: say
 * once, before any run, when that cannot work, rather than once per run. */
static bool netns_dir_writable(void)
{
	if (mkdir("/run", 0755) < 0 && errno != EEXIST)
		goto fail;
	if (mkdir(NETNS_RUN_DIR, 0755) < 0 && errno != EEXIST)
		goto fail;
	if (access(NETNS_RUN_DIR, W_OK) < 0)
		goto fail;
	return true;
fail:
	fprintf(stderr,
		"sockerr: " NETNS_RUN_DIR " is not writable (%s): each run publishes its "
		"namespaces there, as ip netns add does\n",
		strerror(errno));
	return false;
}

/* ---- list ------------------------------------------------------------ */

/* An errno as a log may print it: a name (ECONNRESET, case aside), an
 * alias (EWOULDBLOCK), a number (104) or strerror()'s text ("Connection
 * reset by peer", case aside).  0 for none. */
static int errno_from_text(const char *text)
{
	static const struct {
		const char *alias;
		int e;
	} aliases[] = {
		{"EWOULDBLOCK", EWOULDBLOCK}, {"EDEADLOCK", EDEADLOCK}, {"ENOTSUP", ENOTSUP}};
	char *end;
	long n = strtol(text, &end, 10);
	if (*text && !*end)
		return n > 0 && n < 4096 && strerrorname_np((int)n) ? (int)n : 0;
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (!strcasecmp(text, aliases[i].alias))
			return aliases[i].e;
	for (int e = 1; e < 4096; e++) {
		const char *name = strerrorname_np(e);
		if (name && (!strcasecmp(name, text) || !strcasecmp(strerror(e), text)))
			return e;
	}
	return 0;
}

/* The family of calls a system call belongs to: "read" -> "recv". */
static const char *call_family(const char *call, char *buf, size_t size)
{
	static const char *const more[][2] = {{"readv", "recv"},    {"writev", "send"},
					      {"recvmmsg", "recv"}, {"sendmmsg", "send"},
					      {"pread", "recv"},    {"pwrite", "send"}};
	for (size_t i = 0; i < sizeof(more) / sizeof(more[0]); i++)
		if (!strcmp(call, more[i][0])) {
			snprintf(buf, size, "%s", more[i][1]);
			return buf;
		}
	return catalogue_folder(call, buf, size);
}

/* Whether a step's label names a call of the family: "recv", "client
 * recv", "accept O_NONBLOCK", "accept4", "1 accept". */
static bool label_names(const char *label, const char *family)
{
	size_t n = strlen(family);
	for (const char *p = label; (p = strstr(p, family)); p++) {
		bool start = p == label || p[-1] == ' ';
		bool stop = !isalpha((unsigned char)p[n]);
		if (start && stop)
			return true;
	}
	return false;
}

/* What list looks for: an errno (0: any) and a family of calls (NULL:
 * any), in the scenario's topic and in the steps of its runs. */
struct list_filter {
	int err;
	const char *family;
	const struct kernel_results *results;
	int n_results;
};

/* Whether the scenario matches; where a step of a run (not its topic)
 * matched, its label and errno go into why ("recv: ECONNRESET"). */
static bool matches(const struct scenario *sc, const struct list_filter *f, char *why, size_t size)
{
	char folder[32];
	why[0] = '\0';
	bool topic = (!f->err || !strcasecmp(sc->errno_name, strerrorname_np(f->err))) &&
		     (!f->family ||
		      !strcmp(catalogue_folder(sc->syscall, folder, sizeof(folder)), f->family) ||
		      label_names(sc->syscall, f->family));
	/* The steps are searched for an errno (with the family of the call
	 * that returned it, when one is given), not for a call alone. */
	if (topic || !f->err)
		return topic;
	for (int k = 0; k < f->n_results; k++) {
		json_object *runs = f->results[k].runs;
		size_t n = json_object_array_length(runs);
		for (size_t i = 0; i < n; i++) {
			json_object *run = json_object_array_get_idx(runs, i), *steps;
			const char *name = results_str(run, "scenario");
			if (!name || strcmp(name, sc->name) ||
			    !json_object_object_get_ex(run, "steps", &steps))
				continue;
			size_t m = json_object_array_length(steps);
			for (size_t j = 0; j < m; j++) {
				json_object *step = json_object_array_get_idx(steps, j);
				const char *label = results_str(step, "name");
				const char *e = results_str(step, "errno");
				if (!label ||
				    (f->err && (!e || strcmp(e, strerrorname_np(f->err)))) ||
				    (f->family && !label_names(label, f->family)))
					continue;
				snprintf(why, size, "%s: %s", label, e ? e : "ok");
				return true;
			}
		}
	}
	return false;
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
		default: return usage_hint();
		}
	}
	if (optind < argc)
		return usage_error("list takes no argument '%s'", argv[optind]);
	struct list_filter f = {0};
	char family[32];
	if (err && !(f.err = errno_from_text(err)))
		return usage_error("--errno takes an errno name, number or message (ECONNRESET, "
				   "104, 'Connection reset by peer'), not '%s'",
				   err);
	if (call)
		f.family = call_family(call, family, sizeof(family));
	/* The steps of the committed runs, when there are any here: a
	 * scenario is found by every errno its steps produce. */
	struct kernel_results *results = NULL;
	if ((err || call) && !results_load(0, NULL, &results, &f.n_results))
		return 1;
	f.results = results;
	int shown = 0;
	bool first = true;
	if (json)
		putchar('[');
	for (int i = 0; i < catalogue_size; i++) {
		const struct scenario *sc = catalogue[i];
		char why[128];
		if (!matches(sc, &f, why, sizeof(why)))
			continue;
		shown++;
		if (!json) {
			printf("%-26s %-13s %-10s %s%s", sc->name, sc->errno_name, sc->syscall,
			       sc->policy ? "[policy] " : "", sc->summary);
			printf(why[0] ? "  [step %s]\n" : "\n", why);
			continue;
		}
		fputs(first ? "\n{\"name\":" : ",\n{\"name\":", stdout);
		first = false;
		json_string(stdout, sc->name);
		json_field_string(stdout, "errno", sc->errno_name);
		json_field_string(stdout, "syscall", sc->syscall);
		json_field_string(stdout, "summary", sc->summary);
		json_key(stdout, "families");
		list_json_families(stdout, sc->families);
		json_field_string(stdout, "topology", topology_name(sc->topology.kind));
		json_field_string(stdout, "posix_expects", sc->posix_expects);
		json_field_string(stdout, "kernel_path", sc->kernel_path);
		json_field_string(stdout, "handling", sc->handling);
		json_field_string(stdout, "policy", sc->policy);
		json_field_string(stdout, "global_knob", sc->global_knob);
		/* Where it lives: reproducers/<folder>/<name>.c, by one rule
		 * (catalogue_folder()) that scripts/catalogue-check holds the
		 * files to. */
		char folder[32];
		json_field_string(stdout, "folder",
				  catalogue_folder(sc->syscall, folder, sizeof(folder)));
		json_field_string(stdout, "file", scenario_file(sc));
		claims_json_of_scenario(stdout, sc->name);
		if (why[0])
			json_field_string(stdout, "matched_step", why);
		putchar('}');
	}
	if (json)
		puts("\n]");
	results_free(results, f.n_results);
	if (shown == 0 && (err || call)) {
		fprintf(stderr, "sockerr: no scenario matches%s%s%s%s\n", err ? " --errno " : "",
			err ? err : "", call ? " --syscall " : "", call ? call : "");
		return 1;
	}
	return 0;
}

/* ---- run ------------------------------------------------------------- */

#define MAX_JOBS 64

struct run_options {
	bool json, keep, summary, ladder, colour;
	int family; /* AF_UNSPEC: both */
	int timeout_s;
	int jobs;
	int pace_ms; /* run --pace MS, --step (-1): struct run's pace_ms */
	FILE *output;
	const char *svg_dir;
	const char *explain_dir;
	enum evidence_view view;    /* of the diagrams: --evidence all */
	struct evidence_options ev; /* what each run collects */
};

/* One (scenario, family) run: where it is in the output order, and while
 * it is in flight, its child and the pipe its record comes through. */
struct job {
	const struct scenario *sc;
	int family;
	struct run *r; /* allocated when started, freed once rendered */
	int status;
	bool started, done;
	pid_t pid;
	int fd;
	struct record_reader reader; /* the record as it streams in */
	double started_ms, deadline_ms;
	int pace_ms; /* a paced run: its deadline moves with its pauses */
};

static volatile sig_atomic_t stop_signal;
static volatile pid_t running_children[MAX_JOBS];

static void forward_signal(int sig)
{
	stop_signal = sig;
	for (int i = 0; i < MAX_JOBS; i++)
		if (running_children[i] > 0)
			kill(running_children[i], sig);
}

static bool ipv6_available(void)
{
	struct stat st;
	return stat("/proc/sys/net/ipv6", &st) == 0;
}

static int setup_topology(struct run *r)
{
	switch (r->sc->topology.kind) {
	case TOPO_PAIR: return topology_pair(&r->topo);
	case TOPO_ROUTED:
		return topology_routed(&r->topo,
				       r->sc->topology.client_routes == CLIENT_DEFAULT_ROUTE);
	case TOPO_NONE: break;
	}
	return 0;
}

/* The evidence's descriptors (packet sockets, tracefs files) go at
 * EVIDENCE_FD_FLOOR and above, so that the descriptors a scenario's calls
 * return are the same with evidence or without, and whatever order the
 * capture's threads (one per host) opened theirs in: 2 guest runs in 4
 * gave one of them a number one higher.  Every free descriptor below the
 * floor holds /dev/null while the evidence opens, then is closed again. */
#define EVIDENCE_FD_FLOOR 256
struct fd_floor {
	int null; /* /dev/null, the descriptor the others are copies of */
	bool held[EVIDENCE_FD_FLOOR];
};

static void evidence_fds_above(struct fd_floor *f, bool needed)
{
	memset(f, 0, sizeof(*f));
	f->null = needed ? open("/dev/null", O_RDONLY | O_CLOEXEC) : -1;
	if (f->null < 0)
		return;
	for (int fd = 0; fd < EVIDENCE_FD_FLOOR; fd++)
		if (fd != f->null && fcntl(fd, F_GETFD) < 0 && errno == EBADF &&
		    dup3(f->null, fd, O_CLOEXEC) == fd)
			f->held[fd] = true;
}

static void evidence_fds_above_end(const struct fd_floor *f)
{
	for (int fd = 0; fd < EVIDENCE_FD_FLOOR; fd++)
		if (f->held[fd])
			close(fd);
	if (f->null >= 0)
		close(f->null);
}

/* In the child: build, run, send the record back, exit with the status. */
static void child_run(const struct scenario *sc, int family, const struct run_options *o,
		      int out_fd, pid_t runner)
{
	bool keep = o->keep;
	static struct run r;
	memset(&r, 0, sizeof(r));
	r.sc = sc;
	r.family = family;
	r.pace_ms = o->pace_ms;
	record_stream_start(&r, out_fd);
	if (o->ev.capture || o->ev.trace || o->ev.trace_unavailable)
		r.evidence = evidence_new();
	netns_set_keep(keep);
	netns_install_cleanup();
	/* A runner killed with SIGKILL cannot forward anything: its runs get
	 * SIGTERM from the kernel instead and tear their namespaces down. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != runner)
		raise(SIGTERM);

	int status;
	double setup_start = now_ms();
	bool no_ipv6 = family == AF_INET6 && !ipv6_available();
	int built = no_ipv6 ? -1 : setup_topology(&r);
	if (built == 0) /* its namespaces' names, for --keep's hint */
		record_send(&r, RECORD_TOPOLOGY, &r.topo, sizeof(r.topo));
	if (no_ipv6)
		status = skipped(&r, "IPv6 is not available on this kernel");
	else if (built < 0)
		status = broken_netns(&r);
	else if (family == AF_INET6 && r.topo.ipv6_missing[0])
		status = skipped(&r, "%s", r.topo.ipv6_missing);
	else {
		r.setup_ms = now_ms() - setup_start;
		/* t0 first for the clocks of capture and trace, then again so
		 * that opening them (an RCU grace period per packet ring) does
		 * not shift the steps: what they see before it is < 0 ms. */
		r.t0 = now_ms();
		struct fd_floor floor;
		evidence_fds_above(&floor, o->ev.capture || o->ev.trace);
		if (o->ev.capture)
			capture_start(&r, &o->ev);
		if (o->ev.trace)
			trace_start(&r, &o->ev);
		else if (o->ev.trace_unavailable)
			snprintf(r.evidence->trace_note, sizeof(r.evidence->trace_note), "%s",
				 o->ev.trace_unavailable);
		evidence_fds_above_end(&floor);
		r.t0 = now_ms();
		status = sc->run(&r);
		/* The capture first: the trace keeps the events of the ports
		 * it saw. */
		if (o->ev.capture)
			capture_finish(&r);
		if (o->ev.trace)
			trace_finish(&r);
	}
	evidence_send(&r);
	if (!record_stream_end(&r))
		_exit(RUN_BROKEN);
	close(out_fd);
	exit(status); /* runs the namespace teardown */
}

static void remember_child(pid_t pid, pid_t old)
{
	for (int i = 0; i < MAX_JOBS; i++)
		if (running_children[i] == old) {
			running_children[i] = pid;
			return;
		}
}

#define RECORD_FD 3

/* The bound on a run's record: RECORD_LIMIT_BYTES, or less when
 * SOCKERR_RECORD_LIMIT says so (how the tests reach it). */
static size_t record_limit(void)
{
	const char *env = getenv("SOCKERR_RECORD_LIMIT");
	char *end;
	unsigned long long v = env ? strtoull(env, &end, 10) : 0;
	return env && *env && !*end && v > 0 && v < RECORD_LIMIT_BYTES ? (size_t)v : 0;
}

/* A run's deadline: its timeout from its start, plus, in a paced run, a
 * pause for each step that came and for the one it may be waiting before
 * now; no deadline for a run that waits for Enter (--step). */
static double paced_deadline(const struct job *j, int timeout_s)
{
	if (j->pace_ms < 0)
		return HUGE_VAL;
	int pauses = j->pace_ms ? j->r->n_steps + 1 : 0;
	return j->started_ms + timeout_s * 1000.0 + (double)pauses * j->pace_ms;
}

/* Fork the job's run.  Returns false when it could not start (the job is
 * then done, and broken). */
static bool job_start(struct job *j, const struct run_options *o)
{
	j->started = true;
	j->r = calloc(1, sizeof(*j->r));
	if (!j->r) {
		fprintf(stderr, "sockerr: out of memory\n");
		exit(RUN_BROKEN);
	}
	/* Never from the pipe: the runner's own. */
	j->r->sc = j->sc;
	j->r->family = j->family;
	j->r->stream_fd = -1;
	j->reader = (struct record_reader){.evidence = evidence_receive, .limit = record_limit()};
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		j->status = broken(j->r, "pipe: %s", strerror(errno));
		j->done = true;
		return false;
	}
	fflush(NULL);
	pid_t runner = getpid();
	j->started_ms = now_ms();
	pid_t pid = fork();
	if (pid == 0) {
		/* Every run starts with the same descriptors, whatever the
		 * runner has open (other runs' pipes): 0-2 and its record pipe
		 * as 3.  The descriptors its calls return, which its steps
		 * record, then do not depend on how many runs are in flight. */
		int out_fd = dup2(pfd[1], RECORD_FD);
		if (out_fd < 0 || fcntl(out_fd, F_SETFD, FD_CLOEXEC) < 0 ||
		    close_range(RECORD_FD + 1, ~0U, 0) < 0)
			_exit(RUN_BROKEN);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		child_run(j->sc, j->family, o, out_fd, runner);
	}
	close(pfd[1]);
	if (pid < 0) {
		close(pfd[0]);
		j->status = broken(j->r, "fork: %s", strerror(errno));
		j->done = true;
		return false;
	}
	j->pid = pid;
	j->fd = pfd[0];
	j->pace_ms = o->pace_ms;
	j->deadline_ms = paced_deadline(j, o->timeout_s);
	remember_child(pid, 0);
	if (stop_signal) /* arrived between fork() and remember_child() */
		kill(pid, stop_signal);
	return true;
}

/* The record is complete, the pipe closed, or the deadline passed: reap
 * the child and judge what it sent. */
static void job_finish(struct job *j, bool timed_out, int timeout_s)
{
	close(j->fd);
	if (timed_out)
		kill(j->pid, SIGKILL);
	int wstatus = 0;
	while (waitpid(j->pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	remember_child(0, j->pid);
	/* Whatever the child could not tear down (killed, crashed). */
	netns_reap_stale(false, j->pid, NULL);
	/* and the tracefs instance of a traced run that was killed */
	if (timed_out || WIFSIGNALED(wstatus))
		trace_reap_stale(NULL);
	j->done = true;
	double duration = now_ms() - j->started_ms;
	struct run *r = j->r;

	if (!j->reader.ended) {
		char why[128];
		if (j->reader.malformed)
			snprintf(why, sizeof(why), "the run's record could not be read");
		else if (timed_out)
			snprintf(why, sizeof(why),
				 "no result within %d s (killed); raise --timeout?", timeout_s);
		else if (WIFSIGNALED(wstatus))
			snprintf(why, sizeof(why), "the run died of SIG%s",
				 sigabbrev_np(WTERMSIG(wstatus)) ?: "?");
		else
			snprintf(why, sizeof(why), "the run exited (%d) without a result",
				 WEXITSTATUS(wstatus));
		/* What the record holds so far (the steps a run that hung
		 * or died sent before it stopped) is kept. */
		j->status = broken(r, "%s", why);
	} else {
		int status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
		if (status == RUN_OK || status == RUN_SKIP ||
		    (status == RUN_BROKEN && r->reason[0]))
			j->status = status;
		else if (WIFSIGNALED(wstatus))
			j->status = broken(r, "the run reported, then died of SIG%s",
					   sigabbrev_np(WTERMSIG(wstatus)) ?: "?");
		else
			j->status = broken(r,
					   "the run reported, then exited %d (a sanitizer report "
					   "on stderr?)",
					   status);
	}
	r->duration_ms = duration;
}

/* Read what the in-flight jobs have sent, until one finishes or the
 * nearest deadline passes. */
static void collect(struct job **flight, int *n_flight, int timeout_s)
{
	struct pollfd pfds[MAX_JOBS];
	double nearest = flight[0]->deadline_ms;
	for (int i = 0; i < *n_flight; i++) {
		pfds[i] = (struct pollfd){.fd = flight[i]->fd, .events = POLLIN};
		if (flight[i]->deadline_ms < nearest)
			nearest = flight[i]->deadline_ms;
	}
	double left = nearest - now_ms(); /* HUGE_VAL: no deadline (--step) */
	int wait = left > 1e9 ? -1 : left > 0 ? (int)left + 1 : 0;
	int n = poll(pfds, (nfds_t)*n_flight, wait);
	if (n < 0 && errno != EINTR) {
		perror("sockerr: poll");
		exit(RUN_BROKEN);
	}
	double now = now_ms();
	for (int i = 0; i < *n_flight; i++) {
		struct job *j = flight[i];
		bool finished = false, timed_out = false;
		if (n > 0 && pfds[i].revents) {
			static char buf[65536];
			ssize_t k = read(j->fd, buf, sizeof(buf));
			if (k > 0)
				record_reader_feed(&j->reader, j->r, buf, (size_t)k);
			if (j->pace_ms)
				j->deadline_ms = paced_deadline(j, timeout_s);
			/* The end of the record, or of the pipe (a process the
			 * scenario forked may still hold it: the end is enough). */
			finished = (k == 0 || (k < 0 && errno != EINTR && errno != EAGAIN) ||
				    j->reader.ended || j->reader.malformed);
		}
		if (!finished && now >= j->deadline_ms)
			finished = timed_out = true;
		if (finished) {
			job_finish(j, timed_out, timeout_s);
			flight[i] = NULL;
		}
	}
	int kept = 0;
	for (int i = 0; i < *n_flight; i++)
		if (flight[i])
			flight[kept++] = flight[i];
	*n_flight = kept;
}

/* Launch order: serial runs go in catalogue order; parallel runs start the
 * longest intrinsic waits first (longest processing time first), so the
 * 3 s SYN-retry run is not the last to begin. */
static const struct job *launch_sort_base;
static int by_wait_desc(const void *a, const void *b)
{
	const struct job *ja = &launch_sort_base[*(const int *)a];
	const struct job *jb = &launch_sort_base[*(const int *)b];
	if (ja->sc->intrinsic_wait_ms != jb->sc->intrinsic_wait_ms)
		return jb->sc->intrinsic_wait_ms - ja->sc->intrinsic_wait_ms;
	return *(const int *)a - *(const int *)b;
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

/* DIR/<scenario>-<family>.<ext>, for --svg and --explain; NULL said on
 * stderr. */
static FILE *open_run_file(const char *dir, const struct run *r, const char *ext)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s-%s.%s", dir, r->sc->name, family_name(r->family), ext);
	FILE *f = fopen(path, "w");
	if (!f)
		fprintf(stderr, "sockerr: cannot write %s: %s\n", path, strerror(errno));
	return f;
}

static void write_svg(const char *dir, const struct run *r, enum evidence_view view)
{
	FILE *f = open_run_file(dir, r, "svg");
	if (!f)
		return;
	render_ladder_svg_view(f, r, view);
	fclose(f);
}

/* What `sockerr explain` prints for this run, as it prints it to a file
 * (no colour, no pauses): the whole catalogue explained in one run. */
static void write_explanation(const char *dir, const struct run *r, int status,
			      enum evidence_view view)
{
	FILE *f = open_run_file(dir, r, "txt");
	if (!f)
		return;
	render_explain(f, r, status, false, false, view);
	fclose(f);
}

/* explain --html: the handout of the narrated run, DIR/<run>.html; -1,
 * said in one line on stderr, when it cannot be written whole. */
static int write_handout(const char *dir, const struct run *r, int status, enum evidence_view view)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s-%s.html", dir, r->sc->name, family_name(r->family));
	if (handout_write(path, r, status, view) == 0)
		return 0;
	fprintf(stderr, "sockerr: cannot write %s: %s\n", path, strerror(errno));
	return -1;
}

/* mkdir -p, for --pcap and --svg. */
static int make_dir(const char *path)
{
	char buf[4096];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(buf, 0755) < 0 && errno != EEXIST)
				return -1;
			*p = '/';
		}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* What a rendered job held: its record, evidence, and the reader's buffer. */
static void job_free(struct job *j)
{
	if (j->r) {
		evidence_free(j->r->evidence);
		run_free(j->r);
		free(j->r);
		j->r = NULL;
	}
	record_reader_free(&j->reader);
}

struct tally {
	int runs, broken, skipped;
	FILE *table;
};

static void render_job(struct job *j, const struct run_options *o, struct tally *t)
{
	struct run *r = j->r;
	int status = j->status;
	t->runs++;
	t->broken += status == RUN_BROKEN;
	t->skipped += status == RUN_SKIP;
	if (o->svg_dir)
		write_svg(o->svg_dir, r, o->view);
	if (o->explain_dir)
		write_explanation(o->explain_dir, r, status, o->view);
	if (o->json)
		render_json(stdout, r, status, render_evidence_json);
	else if (o->ladder && !o->summary) {
		render_ladder_view(stdout, r, 80, o->colour, o->view);
		if (status != RUN_OK)
			ladder_line(stdout,
				    status == RUN_SKIP ? "  skipped: " : "  broken: ", r->reason,
				    80);
		putchar('\n');
	} else if (!o->summary) {
		render_text(stdout, r, status);
		if (o->keep && status == RUN_OK)
			print_keep_hint(r);
		putchar('\n');
	}
	render_summary_row(t->table, r, status);
	if (o->output) {
		if (t->runs > 1)
			fputs(",", o->output);
		render_json(o->output, r, status, render_evidence_json);
	}
	fflush(stdout);
	job_free(j);
}

static int default_jobs(void)
{
	/* Most of a run is spent waiting on a kernel timer, not on a CPU. */
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	long jobs = 8 * (cpus > 0 ? cpus : 1);
	return (int)(jobs > 32 ? 32 : jobs);
}

static int parse_count(const char *flag, const char *what, const char *arg, int max, int *value)
{
	char *end;
	errno = 0;
	long v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < 1 || v > max) {
		fprintf(stderr,
			"sockerr: %s takes %s from 1 to %d, not '%s' (sockerr help: the usage)\n",
			flag, what, max, arg);
		return -1;
	}
	*value = (int)v;
	return 0;
}

/* After a --timeout without a count of seconds (said, with the usage). */
#define BAD_OPTION (-2)

/* The next option of run or explain, from getopt_long(): the ones they
 * share, -4, -6 and --timeout, go into o here and are not returned.  -1
 * at the end, BAD_OPTION, or the option for the caller. */
static int next_run_option(int argc, char **argv, const char *shortopts, const struct option *opts,
			   struct run_options *o)
{
	int c;
	while ((c = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
		switch (c) {
		case '4': o->family = AF_INET; break;
		case '6': o->family = AF_INET6; break;
		case 't':
			if (parse_count("--timeout", "seconds", optarg, 3600, &o->timeout_s) < 0)
				return BAD_OPTION;
			break;
		case 'V':
			if (!strcmp(optarg, "all"))
				o->view = EVIDENCE_ALL;
			else if (!strcmp(optarg, "focused"))
				o->view = EVIDENCE_FOCUSED;
			else {
				usage_error("--evidence takes 'all' or 'focused', not '%s'",
					    optarg);
				return BAD_OPTION;
			}
			break;
		default: return c;
		}
	}
	return -1;
}

/* Whether stdin can give --step its Enters: a terminal, a pipe or a file
 * (a script answers), not /dev/null or a closed descriptor. */
static bool step_input_usable(void)
{
	struct stat st;
	if (isatty(STDIN_FILENO))
		return true;
	return fstat(STDIN_FILENO, &st) == 0 &&
	       (S_ISFIFO(st.st_mode) || S_ISREG(st.st_mode) || S_ISSOCK(st.st_mode));
}

/* run --pace MS and --step: one scenario, one run at a time (its families
 * one after the other), watched by a class.  The pace goes into o (-1 for
 * --step).  0, or EXIT_USAGE after a usage error (said). */
static int paced_options(struct run_options *o, bool step_mode, bool all, int n_names, char **names,
			 const char *jobs_arg)
{
	if (!o->pace_ms && !step_mode)
		return 0;
	if (o->pace_ms && step_mode)
		return usage_error("%s", "--pace and --step: one or the other");
	if (all)
		return usage_error("%s runs one scenario, not --all",
				   step_mode ? "--step" : "--pace");
	if (n_names > 1)
		return usage_error("--pace and --step run one scenario; '%s' is a second",
				   names[1]);
	if (jobs_arg && o->jobs > 1)
		return usage_error("--pace and --step run one run at a time, not --jobs %s",
				   jobs_arg);
	if (step_mode && !step_input_usable())
		return usage_error("%s",
				   "--step reads Enter from stdin, which is no terminal, pipe "
				   "or file (--pace MS waits without one)");
	o->pace_ms = step_mode ? -1 : o->pace_ms;
	o->jobs = 1;
	return 0;
}

static int cmd_run(int argc, char **argv)
{
	struct run_options o = {.family = AF_UNSPEC, .timeout_s = 60, .jobs = default_jobs()};
	bool all = false;
	const char *output_path = NULL;
	static const struct option opts[] = {
		{"all", no_argument, NULL, 'a'},
		{"json", no_argument, NULL, 'J'},
		{"keep", no_argument, NULL, 'k'},
		{"summary", no_argument, NULL, 's'},
		{"output", required_argument, NULL, 'o'},
		{"timeout", required_argument, NULL, 't'},
		{"jobs", required_argument, NULL, 'j'},
		{"pcap", required_argument, NULL, 'P'},
		{"trace", no_argument, NULL, 'T'},
		{"ladder", no_argument, NULL, 'L'},
		{"svg", required_argument, NULL, 'S'},
		{"explain", required_argument, NULL, 'E'},
		{"pace", required_argument, NULL, 'p'},
		{"step", no_argument, NULL, 'x'},
		{"evidence", required_argument, NULL, 'V'},
		{0},
	};
	const char *jobs_arg = NULL;
	bool step_mode = false;
	int c;
	while ((c = next_run_option(argc, argv, "46j:", opts, &o)) != -1) {
		switch (c) {
		case 'a': all = true; break;
		case 'J': o.json = true; break;
		case 'k': o.keep = true; break;
		case 's': o.summary = true; break;
		case 'o': output_path = optarg; break;
		case 'P': o.ev.pcap_dir = optarg; break;
		case 'T': o.ev.trace = true; break;
		case 'L': o.ladder = true; break;
		case 'S': o.svg_dir = optarg; break;
		case 'E': o.explain_dir = optarg; break;
		case 'j':
			if (parse_count("--jobs", "a number of runs", optarg, MAX_JOBS, &o.jobs) <
			    0)
				return EXIT_USAGE;
			jobs_arg = optarg;
			break;
		case 'p':
			if (parse_count("--pace", "milliseconds", optarg, 600000, &o.pace_ms) < 0)
				return EXIT_USAGE;
			break;
		case 'x': step_mode = true; break;
		case BAD_OPTION: return EXIT_USAGE;
		default: return usage_hint();
		}
	}
	if (paced_options(&o, step_mode, all, argc - optind, argv + optind, jobs_arg))
		return EXIT_USAGE;
	const struct scenario *chosen[128];
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
	if (!need_root() || !netns_dir_writable())
		return RUN_BROKEN;
	const char *dirs[] = {o.ev.pcap_dir, o.svg_dir, o.explain_dir};
	for (int i = 0; i < 3; i++)
		if (dirs[i] && make_dir(dirs[i]) < 0) {
			fprintf(stderr, "sockerr: cannot create %s: %s\n", dirs[i],
				strerror(errno));
			return RUN_BROKEN;
		}
	/* A diagram or a trace needs the packets: the trace keeps the events
	 * of the ports the capture saw. */
	o.ev.capture = o.ev.pcap_dir || o.ev.trace || o.ladder || o.svg_dir || o.explain_dir;
	/* Tracepoints are kernel-wide and every run's topology has the same
	 * addresses: traced runs take turns. */
	if (o.ev.trace)
		o.jobs = 1;
	char why[256];
	if (o.ev.trace && !trace_probe(why, sizeof(why))) {
		fprintf(stderr, "sockerr: no kernel events (--trace): %s\n", why);
		o.ev.trace = false;
		o.ev.trace_unavailable = why;
	}
	o.colour = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");

	static struct job jobs[3 * 128];
	int n_jobs = 0;
	for (int i = 0; i < n_chosen; i++) {
		const struct scenario *sc = chosen[i];
		int fams[3], n_fams = 0;
		if (sc->families & FAMILY_NONE)
			fams[n_fams++] = AF_UNSPEC;
		if ((sc->families & FAMILY_IPV4) && o.family != AF_INET6)
			fams[n_fams++] = AF_INET;
		if ((sc->families & FAMILY_IPV6) && o.family != AF_INET)
			fams[n_fams++] = AF_INET6;
		for (int f = 0; f < n_fams; f++)
			jobs[n_jobs++] = (struct job){.sc = sc, .family = fams[f]};
	}
	static int launch[3 * 128];
	for (int i = 0; i < n_jobs; i++)
		launch[i] = i;
	if (o.jobs > 1) {
		launch_sort_base = jobs;
		qsort(launch, (size_t)n_jobs, sizeof(launch[0]), by_wait_desc);
	}

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

	char *summary = NULL;
	size_t summary_len = 0;
	struct tally t = {.table = open_memstream(&summary, &summary_len)};
	struct job *flight[MAX_JOBS];
	int n_flight = 0, next_launch = 0, next_render = 0;
	bool exclusive_in_flight = false;
	double wall_start = now_ms();
	while (next_render < n_jobs) {
		while (!stop_signal && next_launch < n_jobs && n_flight < o.jobs &&
		       !exclusive_in_flight) {
			struct job *j = &jobs[launch[next_launch]];
			/* A run that changes a kernel-wide knob has the kernel alone. */
			if (j->sc->global_knob && n_flight > 0)
				break;
			next_launch++;
			if (job_start(j, &o)) {
				flight[n_flight++] = j;
				exclusive_in_flight = j->sc->global_knob != NULL;
			}
		}
		if (n_flight > 0) {
			collect(flight, &n_flight, o.timeout_s);
			exclusive_in_flight = false;
			for (int i = 0; i < n_flight; i++)
				exclusive_in_flight |= flight[i]->sc->global_knob != NULL;
		}
		/* Output stays in catalogue order, whatever order runs end in. */
		while (next_render < n_jobs && jobs[next_render].done)
			render_job(&jobs[next_render++], &o, &t);
		if (n_flight == 0 && (stop_signal || next_launch == n_jobs)) {
			/* Stopped: render what ended, skip what never began. */
			for (; next_render < n_jobs; next_render++)
				if (jobs[next_render].done)
					render_job(&jobs[next_render], &o, &t);
		}
	}
	double wall_ms = now_ms() - wall_start;
	fclose(t.table);
	if (o.summary) {
		printf("sockerr on Linux %s\n\n", kernel_release());
		render_summary_header(stdout);
		fputs(summary, stdout);
		printf("\n%d runs: %d ran, %d skipped, %d broken, in %.1f s (%d at a time)\n",
		       t.runs, t.runs - t.skipped - t.broken, t.skipped, t.broken, wall_ms / 1000,
		       o.jobs);
		if (output_path)
			printf("results: %s\n", output_path);
	}
	free(summary);
	if (o.output) {
		struct rusage self, children;
		getrusage(RUSAGE_SELF, &self);
		getrusage(RUSAGE_CHILDREN, &children);
		fprintf(o.output,
			"],\"jobs\":%d,\"wall_ms\":%.3f,"
			"\"peak_rss_kb\":{\"runner\":%ld,\"largest_run\":%ld}}\n",
			o.jobs, wall_ms, self.ru_maxrss, children.ru_maxrss);
		fclose(o.output);
	}
	if (stop_signal) {
		signal(stop_signal, SIG_DFL);
		raise(stop_signal);
	}
	if (t.broken)
		return RUN_BROKEN;
	if (t.runs > 0 && t.skipped == t.runs)
		return RUN_SKIP;
	return RUN_OK;
}

/* The executable of pid, or "" when it cannot be read. */
static void exe_of(pid_t pid, char *buf, size_t len)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	ssize_t n = readlink(path, buf, len - 1);
	buf[n > 0 ? n : 0] = '\0';
}

/* pid's state letter (R, S, Z...) and parent, from /proc/PID/stat.  Returns
 * false when there is no such process. */
static bool proc_state(pid_t pid, char *state, pid_t *ppid)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	const char *after_comm = strrchr(buf, ')'); /* comm may hold spaces */
	int parent;
	if (!after_comm || sscanf(after_comm + 1, " %c %d", state, &parent) != 2)
		return false;
	*ppid = parent;
	return true;
}

/* Wait up to timeout_ms for pid to exit; true when it has. */
static bool wait_exit(pid_t pid, int timeout_ms)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return errno == ESRCH;
	struct pollfd p = {.fd = pidfd, .events = POLLIN};
	int n;
	while ((n = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
		;
	close(pidfd);
	return n > 0;
}

/* A run whose runner was SIGKILLed gets SIGTERM from the kernel
 * (PR_SET_PDEATHSIG) and is tearing down its namespaces, or a run died and
 * its exit has not been collected yet (a zombie).  Neither is a live run:
 * wait for the first (5 s, then SIGKILL), and count both as gone, so that
 * cleanup leaves nothing behind right after a kill.  A run whose runner
 * lives is left alone.  Returns the number of namespaces removed. */
static int settle_orphaned_runs(void)
{
	int removed = 0;
	DIR *dir = opendir(NETNS_RUN_DIR);
	if (!dir)
		return 0;
	struct dirent *de;
	while ((de = readdir(dir))) {
		const char *p = de->d_name;
		size_t skip = strlen(netns_prefix());
		if (strncmp(p, netns_prefix(), skip) != 0)
			continue;
		char *end;
		long pid = strtol(p + skip, &end, 10);
		if (end == p + skip || *end != '-' || pid <= 0)
			continue; /* kept ones ("keep-") have no owner */
		char state;
		pid_t ppid;
		if (!proc_state((pid_t)pid, &state, &ppid))
			continue; /* gone: netns_reap_stale() takes it */
		char exe[512], parent_exe[512];
		exe_of((pid_t)pid, exe, sizeof(exe));
		exe_of(ppid, parent_exe, sizeof(parent_exe));
		bool orphan = state == 'Z' || ppid <= 1 || strcmp(exe, parent_exe) != 0;
		if (!orphan)
			continue;
		if (state != 'Z' && !wait_exit((pid_t)pid, 5000)) {
			kill((pid_t)pid, SIGKILL);
			wait_exit((pid_t)pid, 1000);
		}
		removed += netns_reap_stale(false, (pid_t)pid, stdout);
	}
	closedir(dir);
	return removed;
}

static int cmd_cleanup(int argc, char **argv)
{
	(void)argv;
	if (argc > 1)
		return usage_error("cleanup takes no argument '%s'", argv[1]);
	if (!need_root())
		return RUN_BROKEN;
	int n = settle_orphaned_runs();
	n += netns_reap_stale(true, 0, stdout);
	printf("%d namespace%s removed\n", n, n == 1 ? "" : "s");
	int instances = trace_reap_stale(stdout);
	if (instances)
		printf("%d tracefs instance%s removed\n", instances, instances == 1 ? "" : "s");
	return 0;
}

/* ---- explain --------------------------------------------------------- */

static int cmd_explain(int argc, char **argv)
{
	struct run_options o = {.family = AF_INET, .timeout_s = 60, .jobs = 1};
	bool step_mode = false, trace = true;
	static const struct option opts[] = {
		{"step", no_argument, NULL, 's'},
		{"no-trace", no_argument, NULL, 'n'},
		{"timeout", required_argument, NULL, 't'},
		{"pcap", required_argument, NULL, 'P'},
		{"svg", required_argument, NULL, 'S'},
		{"ladder", no_argument, NULL, 'L'},
		{"html", required_argument, NULL, 'H'},	    /* handout.c */
		{"evidence", required_argument, NULL, 'V'}, /* all, focused */
		{0},
	};
	const char *html_dir = NULL;
	int c;
	while ((c = next_run_option(argc, argv, "46", opts, &o)) != -1) {
		switch (c) {
		case 's': step_mode = true; break;
		case 'n': trace = false; break;
		/* The narrated run's own evidence, not a second run's. */
		case 'P': o.ev.pcap_dir = optarg; break;
		case 'S': o.svg_dir = optarg; break;
		case 'L': o.ladder = true; break;
		case 'H': html_dir = optarg; break;
		case BAD_OPTION: return EXIT_USAGE;
		default: return usage_hint();
		}
	}
	if (optind != argc - 1)
		return usage_error("%s", "explain takes one scenario name");
	const struct scenario *sc = scenario_find(argv[optind]);
	if (!sc)
		return usage_error("unknown scenario '%s' (see: sockerr list)", argv[optind]);
	if (!need_root() || !netns_dir_writable())
		return RUN_BROKEN;
	const char *dirs[] = {o.ev.pcap_dir, o.svg_dir, html_dir};
	for (int i = 0; i < 3; i++)
		if (dirs[i] && make_dir(dirs[i]) < 0) {
			fprintf(stderr, "sockerr: cannot create %s: %s\n", dirs[i],
				strerror(errno));
			return RUN_BROKEN;
		}
	if (sc->families == FAMILY_NONE)
		o.family = AF_UNSPEC;
	else if (!(sc->families & (o.family == AF_INET ? FAMILY_IPV4 : FAMILY_IPV6)))
		return usage_error("'%s' does not run on this family", sc->name);
	o.ev.capture = true;
	o.ev.trace = trace;
	char why[256];
	if (trace && !trace_probe(why, sizeof(why))) {
		fprintf(stderr, "sockerr: no kernel events: %s\n", why);
		o.ev.trace = false;
		o.ev.trace_unavailable = why;
	}
	o.colour = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");

	struct sigaction sa = {.sa_handler = forward_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	netns_reap_stale(false, 0, NULL);

	struct job j = {.sc = sc, .family = o.family};
	struct job *flight[1] = {&j};
	int n_flight = 0;
	if (job_start(&j, &o))
		n_flight = 1;
	while (n_flight > 0)
		collect(flight, &n_flight, o.timeout_s);
	if (stop_signal) {
		signal(stop_signal, SIG_DFL);
		raise(stop_signal);
	}
	render_explain(stdout, j.r, j.status, step_mode, o.colour, o.view);
	if (o.ladder) {
		putchar('\n');
		render_ladder_view(stdout, j.r, 80, o.colour, o.view);
	}
	if (o.svg_dir)
		write_svg(o.svg_dir, j.r, o.view);
	int status = j.status;
	if (html_dir && write_handout(html_dir, j.r, status, o.view) < 0 && status == RUN_OK)
		status = RUN_BROKEN;
	job_free(&j);
	return status;
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
	if (!strcmp(cmd, "claims"))
		return cmd_claims(argc - 1, argv + 1);
	if (!netns_tag_valid())
		return usage_error(
			"SOCKERR_TAG takes 1 to 12 lowercase letters and digits, starting "
			"with a letter, not \"keep\"; not '%s'",
			getenv("SOCKERR_TAG"));
	if (!strcmp(cmd, "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(cmd, "explain"))
		return cmd_explain(argc - 1, argv + 1);
	if (!strcmp(cmd, "cleanup"))
		return cmd_cleanup(argc - 1, argv + 1);
	return usage_error("unknown command '%s'", cmd);
}
