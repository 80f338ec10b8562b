/*
 * The harness every reproducer uses: it records what each system call
 * returned and renders it as text (strace/packetdrill-like lines) and JSON.
 * A reproducer observes; it never decides pass or fail.  The bats tests
 * hold the expectations.
 */
#ifndef SOCKERR_HARNESS_H
#define SOCKERR_HARNESS_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/socket.h>

#include "netns/netns.h"

/* Exit codes, as kselftest. */
enum run_status { RUN_OK = 0, RUN_BROKEN = 1, RUN_SKIP = 4 };

enum family_mask {
	FAMILY_IPV4 = 1 << 0,
	FAMILY_IPV6 = 1 << 1,
	FAMILY_NONE = 1 << 2, /* no network involved: runs once, family "none" */
	FAMILY_BOTH = FAMILY_IPV4 | FAMILY_IPV6,
};

struct run;
struct evidence;

/* The hosts of a topology, where a step's socket lives (the ladder's
 * columns).  HOST_NONE: not known (a descriptor that is no socket). */
enum host { HOST_NONE = -1, HOST_CLIENT = 0, HOST_ROUTER = 1, HOST_SERVER = 2 };
const char *host_name(int host); /* "client", "router", "server", "?" */

/* What a scenario needs of its namespaces: the topology (kind) and, for
 * a routed one, whether the client gets a default route. */
enum client_routes {
	CLIENT_DEFAULT_ROUTE = 0, /* a default route via the router */
	CLIENT_CONNECTED_ONLY,	  /* only its connected prefix */
};
struct topology_spec {
	enum topology_kind kind;
	enum client_routes client_routes;
};

/* A scenario file declares its scenario with SCENARIO() (below); a field
 * left out takes its default: families FAMILY_BOTH, topology a pair
 * (none for FAMILY_NONE), NULL and 0 elsewhere.  The name and the texts
 * (summary, posix_expects, kernel_path, handling, intrinsic_wait) are not
 * written in the descriptor: the catalogue fills them in, the name from
 * the identifier, the texts from the tagged lines of the file's header
 * comment (scripts/scenario-texts). */
struct scenario {
	const char *name;
	const char *errno_name; /* the errno the scenario is about */
	const char *syscall;	/* the call that returns it */
	const char *summary;	/* one line */
	/* What POSIX or the man page expects where Linux does something
	 * else; NULL where they agree. */
	const char *posix_expects;
	const char *kernel_path; /* kernel function(s) that produce the result */
	/* NULL, or the policy layer injecting the errno ("seccomp", "landlock") */
	const char *policy;
	/* What a program should do with this errno, starting with its class:
	 * "retry at once", "retry when ready", "back off and free resources",
	 * "fatal: a bug in the caller" or "fatal: the connection is gone (not
	 * a bug in the caller)" (or a few words where none fits).  One class
	 * per errno and situation: a policy's denial is "back off" wherever it
	 * comes from (an immediate retry gets the same answer); a connection
	 * the peer or the network ended is "fatal: the connection is gone". */
	const char *handling;
	/* The namespaces the scenario needs. */
	struct topology_spec topology;
	unsigned families;
	/* What the scenario must wait out by design: a kernel timer that is
	 * the condition itself (a SYN retransmission, a keepalive probe, a
	 * socket timeout the scenario set), in ms, and a few words naming it.
	 * 0 and NULL where nothing is waited out.  The parallel runner starts
	 * the longest waits first; make bench sets them against the time
	 * measured, so everything else is overhead. */
	int intrinsic_wait_ms;
	const char *intrinsic_wait;
	/* A knob global to the kernel that the run changes ("fs.file-max"),
	 * NULL for none: such a run has the kernel to itself, no other run in
	 * flight, since the knob would make concurrent runs fail. */
	const char *global_knob;
	/* Its place in the catalogue: scenarios sort by the system call
	 * they are about (catalogue_folder()), then by this, then by name. */
	int order;
	int (*run)(struct run *r);
};

/* SCENARIO(rst_before_accept, .errno_name = "ECONNRESET", .syscall = "accept", .order = 10)
 * {
 *	... the run: the body sees struct run *r ...
 * }
 * declares a scenario and defines its run function, the way
 * kselftest_harness.h's TEST(name) { ... } does: the descriptor
 * (.run set to the body), and an entry with a pointer to it, the file that
 * declared it and its identifier, which goes into the linker section
 * sockerr_scenarios; the catalogue reads it through the __start_ and
 * __stop_ symbols the linker provides.  No list to keep by hand.  The
 * scenario's name is its identifier with '-' for '_' ("rst-before-accept"),
 * the name of its file too. */
struct scenario_entry {
	const struct scenario *scenario;
	const char *file;
	const char *id;
};
#define SCENARIO(id, ...)                                                                          \
	static int run_##id(struct run *r);                                                        \
	static const struct scenario scenario_##id = {.run = run_##id, __VA_ARGS__};               \
	static const struct scenario_entry scenario_entry_##id                                     \
		__attribute__((used, section("sockerr_scenarios"), aligned(sizeof(void *)))) = {   \
			&scenario_##id, __FILE__, #id};                                            \
	static int run_##id(struct run *r)

struct step {
	char call[192]; /* "recv(5, 512, 0)" */
	char name[40];	/* short label for tests: "recv", "SO_ERROR" */
	long ret;
	int err;   /* errno when ret < 0, else 0 */
	double ms; /* since the scenario started: when the call returned */
	/* When the call was entered (step_prepare() ran), since the scenario
	 * started: the ladder draws a call from here to ms, so a close()
	 * comes before the RST it causes.  An observation's is its ms. */
	double entered_ms;
	char value[128]; /* an observed value (an errno in SO_ERROR, a state) */
	bool measured;	 /* value is a measurement (see measure()) */
	bool racy;	 /* the kernel may answer either way (see racy()) */
	/* A racy step's allowed answers (its value, or its errno for a
	 * call), separated by newlines: the complete set the kernel code
	 * allows, as the comment at the racy() call cites. */
	char allowed[96];
	/* The host whose socket the call was made on (enum host), as the
	 * recording call said (struct where, below); HOST_NONE for none. */
	int8_t host;
	/* The case the step belongs to in a scenario that runs one set of
	 * steps per case ("3/3 port-unreach" in icmp-matrix; begin_case()),
	 * empty for none.  The step's key is then "CASE: NAME" (step_key()),
	 * and the steps of all cases make a table: a row per case, a column
	 * per name. */
	char case_key[40];
	/* The step's cell in that table when it is shorter than the value
	 * ("soft EHOSTUNREACH" for "recv EAGAIN, SO_ERROR EHOSTUNREACH";
	 * table_cell()); empty: the value, or the errno. */
	char cell[40];
};

/* A step's host as the JSON and the diagrams name it: "client", "router",
 * "server", or HOST_NONE_NAME for a step that belongs to no host (a file,
 * a process, a time), drawn apart. */
#define HOST_NONE_NAME "--"
const char *step_host_name(const struct step *s);

/* A step's key, the label its test and the JSON "name" use: its name, or
 * "CASE: NAME" for a step of a case.  Written into buf, returned. */
const char *step_key(const struct step *s, char *buf, size_t size);

/* A run's record.  In the run's child it is built as the scenario goes and
 * every step and note is sent to the runner as it is recorded (record.h:
 * a stream of messages, no fixed size, no pointer); the runner builds its
 * own copy from them. */
struct run {
	const struct scenario *sc;
	int family; /* AF_INET, AF_INET6, or AF_UNSPEC for FAMILY_NONE */
	struct topology topo;
	double t0;
	int n_steps, steps_room;
	struct step *steps;
	int n_notes, notes_room;
	char **notes;
	char reason[512]; /* why it was skipped or broken */
	/* What became of the pending connection, as measured by the run:
	 * one of the CONNECTION_* words; empty where it does not apply. */
	char connection[64];
	/* Set by the runner: building the topology, and the whole run from
	 * fork() to the child's exit (teardown included), in ms. */
	double setup_ms;
	double duration_ms;
	/* Packets and kernel events, when the runner asked for them (NULL
	 * otherwise): evidence/evidence.h. */
	struct evidence *evidence;
	/* In the child: where the record goes (-1: nowhere), and the process
	 * that sends it (a process a scenario forks records nothing). */
	int stream_fd;
	int stream_pid;
	/* In the runner: why part of the record was not kept (it passed the
	 * bound, RECORD_LIMIT_BYTES); empty when all of it was. */
	char record_truncated[160];
	/* In the child: the case the steps recorded now belong to (empty for
	 * none): begin_case(), end_case(). */
	char case_key[40];
	/* The set-up calls that start what the steps are about (listen(),
	 * connect(), accept() of a fixture: setup_call()): drawn by the
	 * ladder before the handshake they start, never steps of the
	 * scenario (tests and comparisons do not see them). */
	int n_setup, setup_room;
	struct step *setup_calls;
	/* In the child: 0, or the pace of a slow run (run --pace MS): wait
	 * this long before each step, -1 for "until Enter" (run --step). */
	int pace_ms;
};

/* Free what a run's record holds (steps, notes, evidence's storage). */
void run_free(struct run *r);

#define CONNECTION_STILL_QUEUED	   "still queued"
#define CONNECTION_DEQUEUED_CLOSED "dequeued and closed"
#define CONNECTION_HANDED_OVER	   "dequeued and handed over"
#define CONNECTION_NEVER_EXISTED   "never existed"

/* ---- recording ------------------------------------------------------- */

/* Where a step was made: the host whose socket the call was made on, the
 * column the ladder draws it in (JSON "host").  Every recording call says
 * it; nothing is read back from the call's text.
 *
 * Which host: a step is at a host when it is about a socket, a
 * connection, a counter, a route or a process in that host's namespace:
 *  - a call or a look at a socket (its state, SO_ERROR, poll()): the
 *    socket's host; the listener's is the server's;
 *  - a time measured around a call, a count a call returned: the call's;
 *  - a packet captured on a link: the host whose link it is;
 *  - a kernel table (/proc/net/..., sock_diag, nstat) or a route read in
 *    a namespace: that namespace's host;
 *  - a process: the host its calls are made at (a signal delivered to the
 *    client's process, a child killed by SIGPIPE on the client's send()).
 * NOWHERE ("--", drawn apart) only for what no namespace owns: the file
 * table, an rlimit, a global knob (fs.file-max), a process's credentials,
 * what the kernel offers (a Landlock ABI), time alone, a table of cases.
 * tests/step_hosts.bats lists those steps of the networked scenarios, each
 * with its reason, and fails on any other.
 *
 *   ON_FD(fd)        the host of the socket behind descriptor fd, found from
 *                    the socket's network namespace.  The map of
 *                    descriptors to hosts is refreshed before the call as
 *                    well (step_prepare()), so a step whose call closes fd
 *                    still finds the socket's host.  When fd is no socket
 *                    (or none known), the host of the namespace the caller
 *                    is in; none when that is no host's.  accept() and
 *                    accept4() name the listener: an accepted socket lives
 *                    in its listener's namespace, and a failed accept is
 *                    drawn at the listener too.
 *   ON_RESULT        the host of the descriptor the call returned (socket(),
 *                    a helper that opens a socket); when it failed, the
 *                    caller's namespace's, as ON_FD.
 *   AT(HOST_SERVER)  a host named directly (HOST_CLIENT, HOST_ROUTER,
 *                    HOST_SERVER): a counter read in the host's namespace,
 *                    a socket the step has no descriptor of, a capture on
 *                    the host's link, a helper's call in the host.
 *   NOWHERE          no host: see above.
 *
 * In a scenario without a network (TOPO_NONE) every step is nowhere. */
enum where_kind { WHERE_NOWHERE, WHERE_FD, WHERE_RESULT, WHERE_HOST };
struct where {
	enum where_kind kind;
	int n; /* the descriptor (WHERE_FD) or the enum host (WHERE_HOST) */
};
#define ON_FD(fd) ((struct where){WHERE_FD, (fd)})
#define ON_RESULT ((struct where){WHERE_RESULT, -1})
#define AT(host)  ((struct where){WHERE_HOST, (host)})
#define NOWHERE	  ((struct where){WHERE_NOWHERE, -1})

/* Record a call's result, made where `where` says, as step `label` (JSON
 * "name": the key the tests use; 39 characters at most).  fmt is the call
 * as it is shown, and only shown: the label and the host are not taken
 * from it.  errno is read before anything else, so pass the call itself as
 * ret:
 *   step(r, ON_FD(fd), "recv", recv(fd, buf, n, 0), "recv(%d, %zu, 0)", fd, n);
 * Returns ret, with errno as the call left it. */
__attribute__((format(printf, 5, 6))) long(step)(struct run *r, struct where where,
						 const char *label, long ret, const char *fmt, ...);

/* Before the call is made (the comma operator orders it): note which host
 * each open socket belongs to, so that a step on a descriptor the call
 * closes, or one accepted without a step, is drawn at its host; note the
 * time the call is entered; in a slow run (pace_ms), pause before it. */
void step_prepare(struct run *r, const char *label);
#define step(r, where, label, ...)                                                                 \
	(step_prepare((r), (label)), (step)((r), (where), (label), __VA_ARGS__))

/* A set-up call of a fixture (listen(), connect(), accept()): recorded as
 * step() records, into r->setup_calls: the ladder draws it, the step list
 * and the tests do not see it. */
__attribute__((format(printf, 5, 6))) long(setup_call)(struct run *r, struct where where,
						       const char *label, long ret, const char *fmt,
						       ...);
#define setup_call(r, where, label, ...)                                                           \
	(step_prepare((r), NULL), (setup_call)((r), (where), (label), __VA_ARGS__))

/* Record a value that is not a return code as step `label`, made where
 * `where` says; call says what was looked at (shown only).  measured: it
 * is a measurement.  Called as observe() or measure(): */
__attribute__((format(printf, 6, 7))) void observation(struct run *r, bool measured,
						       struct where where, const char *label,
						       const char *call, const char *value_fmt,
						       ...);
/* observe(r, where, label, call, value_fmt, ...): an observed value,
 * SO_ERROR's errno, a TCP state, "killed by SIGPIPE". */
#define observe(r, ...) observation((r), false, __VA_ARGS__)
/* measure(r, where, label, call, value_fmt, ...): a measurement, a count
 * or a rate that varies from run to run and machine to machine (JSON
 * "measured": true).  Comparisons across runs and kernels show it but
 * never count it as a difference. */
#define measure(r, ...) observation((r), true, __VA_ARGS__)

/* The answers a racy step may give: ANSWERS("+0", "+1"). */
#define ANSWERS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Mark the step recorded last as a genuine race: the kernel may answer
 * with any of `allowed` (the complete set the kernel code allows; cite it
 * at the call), for the reason given (also kept as a note).  The JSON
 * lists the set ("allowed"); its test asserts it; scripts/soak lists the
 * step apart from results that vary without a documented reason, and
 * scripts/same-outcomes checks it against the set instead of comparing. */
__attribute__((format(printf, 3, 4))) void racy(struct run *r, const char *const *allowed,
						const char *why_fmt, ...);
/* Another step decided by the same race (no second note). */
void racy_too(struct run *r, const char *const *allowed);

/* The steps recorded from here to end_case() belong to case `key` (39
 * characters at most): one row of the run's table of cases, whose columns
 * are the steps' labels.  A scenario that runs the same steps for many
 * inputs (icmp-matrix: one case per ICMP type and code) records them so;
 * the text output shows the table, the JSON a "rows" array (one object
 * per case: "case" and a field per label). */
__attribute__((format(printf, 2, 3))) void begin_case(struct run *r, const char *key_fmt, ...);
void end_case(struct run *r);

/* The table cell of the step recorded last, where a shorter form says it
 * better than the whole value: table_cell(r, "soft %s", errno_name(e)).
 * Display only: the value stays what tests and comparisons read. */
__attribute__((format(printf, 2, 3))) void table_cell(struct run *r, const char *fmt, ...);

/* The return value of the call recorded last is a count that depends on
 * timing (the bytes a blocked send() queued before its timeout or signal:
 * how many ACKs came back first), not a result: JSON "measured": true, and
 * comparisons across runs and kernels judge only its errno and its sign.
 * The scenario records the class it is about (a short count) as an
 * observation of its own. */
void measured_ret(struct run *r);

/* Record what became of the pending connection (a CONNECTION_* word),
 * from a measurement: the listener still readable, the peer's view. */
void set_connection(struct run *r, const char *fate);

/* A sentence for the reader: why the result is what it is, a bound used. */
__attribute__((format(printf, 2, 3))) void note(struct run *r, const char *fmt, ...);

/* End the run with status (RUN_BROKEN, RUN_SKIP) and a one-line reason;
 * returns status.  Called as broken(r, fmt, ...) (setup failed) or
 * skipped(r, fmt, ...). */
__attribute__((format(printf, 3, 4))) int run_ends(struct run *r, int status, const char *fmt, ...);
#define broken(r, ...)	run_ends((r), RUN_BROKEN, __VA_ARGS__)
#define skipped(r, ...) run_ends((r), RUN_SKIP, __VA_ARGS__)
/* Broken with the netns library's last error. */
int broken_netns(struct run *r);

double now_ms(void);
double elapsed_ms(const struct run *r);

/* ---- time that load cannot change ----------------------------------- */

/* How a call spent its time, measured so that a busy machine cannot change
 * the class.  A wall-clock threshold ("at once": under 50 ms) can: with 16
 * runs on 2 cores a call that never waited is descheduled for longer than
 * that.  What load cannot change:
 *  - whether the thread slept in the call: its voluntary context switches
 *    (getrusage(RUSAGE_THREAD).ru_nvcsw).  __schedule() counts a switch as
 *    voluntary only when the task left the CPU in a sleeping state; being
 *    preempted (a busy CPU, cond_resched()) counts as involuntary
 *    (ru_nivcsw).  A tracer that stops the thread at every system call
 *    (strace without --seccomp-bpf) makes every call look slept.
 *  - that a kernel timer did not fire before its expiry: the timer wheel
 *    only rounds expiries up, and load only delays the wake-up.  A timeout
 *    counted in jiffies starts part-way into one, so it may end up to one
 *    tick (TICK_SLACK_MS, 10 ms at HZ 100, the coarsest) early on the wall
 *    clock.  The time a call took is therefore compared with a lower bound
 *    only; how late it came is a measurement, never a class. */
#define TICK_SLACK_MS 10

struct call_watch {
	double t0, ms;	    /* CLOCK_MONOTONIC at the start; the time taken */
	long nvcsw0, slept; /* voluntary context switches before; during */
};
/* The calling thread's voluntary context switches so far (ru_nvcsw). */
long voluntary_switches(void);
void call_watch_start(struct call_watch *w);
/* Ends the watch; returns ret unchanged and keeps errno. */
long call_watch_end(struct call_watch *w, long ret);
/* WATCHED(&w, recv(...)): the call, watched.  Fits inside step(). */
#define WATCHED(w, call) (call_watch_start(w), call_watch_end((w), (long)(call)))

/* "without sleeping" or "after sleeping". */
const char *sleep_class(const struct call_watch *w);
/* A call that sleeps until a timeout of timeout_ms: "without sleeping",
 * "woken before the timeout" or "after the timeout". */
const char *timeout_class(const struct call_watch *w, double timeout_ms);
/* A duration against the chain of `timers` kernel timers that bounds it
 * from below (each may end one tick early): "before the bound" or "not
 * before the bound".  Never a class for "late": load decides that. */
const char *lower_bound_class(double ms, double bound_ms, int timers);

/* ---- rendering ------------------------------------------------------- */

const char *family_name(int family); /* "ipv4", "ipv6", "none" */
const char *errno_name(int err);     /* "ECONNRESET", "0" for 0 */
const char *kernel_release(void);

void render_text(FILE *out, const struct run *r, int status);
/* The run's JSON object; evidence_json, when not NULL, writes the evidence's
 * fields into it (the record knows nothing of the evidence). */
void render_json(FILE *out, const struct run *r, int status,
		 void (*evidence_json)(FILE *out, const struct run *r));
/* One row of the summary table: "name family  recv=ECONNRESET ..." */
void render_summary_row(FILE *out, const struct run *r, int status);
void render_summary_header(FILE *out);

void json_string(FILE *out, const char *s);

#endif
