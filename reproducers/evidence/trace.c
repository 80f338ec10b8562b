/*
 * trace: the kernel's own account of a run, from tracepoints recorded in a
 * private tracefs instance (libtracefs) and decoded with libtraceevent.
 *
 * Each traced run (the run's child process) makes an instance named
 * "sockerr-<pid>" with its own ring buffer, on the "mono" trace clock
 * (CLOCK_MONOTONIC, the clock of now_ms(), so an event's time sits on the
 * same axis as the steps), and enables there:
 *   tcp:tcp_send_reset        an RST leaves (tcp_v4_send_reset(),
 *                             tcp_v6_send_reset(), tcp_send_active_reset())
 *   tcp:tcp_receive_reset     tcp_reset(): an RST was accepted by a socket
 *   sock:inet_sk_error_report sk_error_report(): sk_err is set, the
 *                             waiter woken; "error" is the errno to come
 *   sock:inet_sock_set_state  every TCP state change (tcp_set_state())
 *   tcp:tcp_retransmit_skb    __tcp_retransmit_skb(): a segment sent again
 *   skb:kfree_skb             a packet dropped, with the drop reason
 *
 * Tracepoints are kernel-wide: the instance sees every namespace of the
 * machine, and every run of sockerr uses the same documentation addresses,
 * even, now and then, the same ephemeral port (the port offset hashes
 * addresses and port, which every run shares).  What is kept is what can be
 * tied to this run:
 *   - an event must have a local or remote address of the run's topology
 *     (its family only);
 *   - it happened in the run's process or one it forked (common_pid; the
 *     forks come from sched:sched_process_fork, filtered to the run's
 *     pid), in process context: the run's own system calls.  Not in a
 *     softirq or hardirq that happened to run there (common_flags): a
 *     timer or a packet of another namespace is processed in whatever
 *     task the CPU was running, the run's process included;
 *   - or it is tied to such an event: the same socket (the nearest event
 *     with its skaddr, ports compatible, within one socket's life), the
 *     same connection (addresses and both ports) where no second socket
 *     had them, or a connection the capture saw cross the run's links
 *     (same condition).  Events in a softirq (the peer's answer, a
 *     retransmission, the ETIMEDOUT that ends it) are reached so.  An
 *     event with no socket pointer (inet_sk_error_report, an RST sent for
 *     no socket) whose connection is ambiguous goes with the nearest event
 *     of that connection on the same CPU in the same task: the same
 *     kernel path wrote both.
 * kfree_skb carries no address at all, only the skb, its protocol, the
 * drop reason and the code location (6.18 adds rx_sk, the receiving
 * socket; 6.1 has not).  A drop is kept when it is the segment a kept
 * tcp_send_reset answered (the next event of that skb), when rx_sk is a
 * socket of the run, when it happened in the run's process context, or
 * when its skb is one the run sent: net:net_dev_start_xmit (not shown)
 * gives the skb of every packet handed to a device, and the last one
 * before the drop with that skb is the run's, sent from its process
 * context or by a kept socket in a softirq (a retransmission, an RST:
 * the event next to that socket's on the same CPU).  veth hands that same
 * skb to the peer namespace, so the router's drop of a retransmitted SYN
 * is tied to the run on whatever CPU and in whatever task it ran
 * (ksoftirqd, under load).  A packet that waited for the neighbour (the
 * first SYN: ARP or neighbour discovery first) leaves from the softirq
 * that took the answer, in whatever task; its drop cannot be tied and is
 * left out.  Drops with reason NOT_SPECIFIED are kept: on 6.18 the
 * router's discard of a packet for an unreachable or blackhole IPv4 route
 * (ip_error()) still gives no reason, and it is the drop a scenario is
 * about; the location names the function.  (On 6.1 more paths say
 * NOT_SPECIFIED, some for packets handled rather than dropped, such as
 * icmpv6_rcv() freeing a neighbour solicitation.)
 *
 * Formats differ by kernel and are read from the events' own format files:
 * on 6.1 tcp_send_reset has sport/dport/family/saddr[4]/saddr_v6[16] and
 * fires only for a full socket (no event for the RST answering a SYN to a
 * closed port); on 6.18 it has saddr[28]/daddr[28] holding a sockaddr_in
 * or sockaddr_in6, a "reason" (sk_rst_reason), no family, and fires for
 * socket-less RSTs too.  kfree_skb's location prints as %p on 6.1, %pS on
 * 6.18; it is resolved here from /proc/kallsyms either way.  The drop
 * reasons' numbers change between kernels (NOT_SPECIFIED is 1 on 6.1, 2 on
 * 6.18, after SKB_CONSUMED; NETFILTER_DROP is 11 on 6.12, 12 on 6.18 and
 * 7.2, after UNIX_DISCONNECT): their names come from each format's
 * __print_symbolic table, never from numbers compiled in.  tcp_send_reset
 * has the 6.18 layout from 6.10 on ("trace: tcp: fully support
 * trace_tcp_send_reset"; 6.12 and 7.2 alike).  tcp_retransmit_skb gains an
 * "err" field in 6.17 ("tcp: trace retransmit failures in
 * tcp_retransmit_skb"), and then fires for a retransmission that failed
 * too: a non-zero err is shown.  Fields are read by name, so fields added
 * at the end (net_dev_start_xmit's net_cookie on 7.2) change nothing.
 * Before 6.15 ("inet: consolidate inet_csk_clone_lock()") the LISTEN ->
 * SYN_RECV state change of a new child fires before its addresses are
 * set: 6.12 shows it as "ADDR:PORT > 0.0.0.0:0"; the child's skaddr still
 * ties it to the connection.
 *
 * Cleanup: the instance is removed at the end of the run, on exit(), and on
 * SIGINT/SIGTERM/SIGHUP (a handler that removes it and then calls the one
 * the netns library installed, which tears the namespaces down and
 * re-raises).  A SIGKILLed run leaves it behind: trace_reap_stale() removes
 * instances whose process is gone (sockerr cleanup, and every traced run
 * before it starts).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include <tracefs.h>

#include "evidence/evidence.h"
#include "record/harness.h"

#ifndef TRACEFS_MAGIC
#define TRACEFS_MAGIC 0x74726163
#endif

/* Per CPU.  A run records a few dozen events of its own; the rest of the
 * machine's TCP traffic and packet drops share the buffer. */
#define BUFFER_KB 1024
/* Events collected before attribution; beyond this they are counted as
 * dropped. */
#define MAX_CANDIDATES 8192

enum tp {
	TP_SEND_RESET,
	TP_RECEIVE_RESET,
	TP_ERROR_REPORT,
	TP_SET_STATE,
	TP_RETRANSMIT,
	TP_KFREE_SKB,
	TP_XMIT,
	TP_FORK,
	N_TP
};

static const struct {
	const char *system, *event;
} tracepoints[N_TP] = {
	[TP_SEND_RESET] = {"tcp", "tcp_send_reset"},
	[TP_RECEIVE_RESET] = {"tcp", "tcp_receive_reset"},
	[TP_ERROR_REPORT] = {"sock", "inet_sk_error_report"},
	[TP_SET_STATE] = {"sock", "inet_sock_set_state"},
	[TP_RETRANSMIT] = {"tcp", "tcp_retransmit_skb"},
	[TP_KFREE_SKB] = {"skb", "kfree_skb"},
	/* Not shown: a packet handed to a device (dev_hard_start_xmit()),
	 * which ties a drop to the run by its skb. */
	[TP_XMIT] = {"net", "net_dev_start_xmit"},
	/* Not shown: the processes the run forks, whose events are its own. */
	[TP_FORK] = {"sched", "sched_process_fork"},
};

/* snprintf that may cut: details and notes are bounded on purpose. */
__attribute__((format(printf, 3, 4))) static void put(char *dst, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(dst, len, fmt, ap);
	va_end(ap);
}

/* ---- the tracing directory ------------------------------------------ */

/* SOCKERR_TRACEFS_DIR points libtracefs elsewhere (a test shows the
 * "unavailable" path with an empty directory). */
static void use_tracing_dir(void)
{
	static bool done;
	if (done)
		return;
	done = true;
	const char *dir = getenv("SOCKERR_TRACEFS_DIR");
	if (dir && *dir) {
		static char copy[PATH_MAX];
		put(copy, sizeof(copy), "%s", dir);
		tracefs_set_tracing_dir(copy);
	}
}

/* Why private instances cannot be made, or NULL when they can. */
static const char *tracing_unusable(char *why, size_t len)
{
	use_tracing_dir();
	errno = 0;
	const char *dir = tracefs_tracing_dir();
	if (!dir) {
		put(why, len, "tracefs is not mounted and cannot be (%s)",
		    errno ? strerror(errno) : "no tracefs in /proc/filesystems?");
		return why;
	}
	struct statfs fs;
	if (statfs(dir, &fs) < 0) {
		put(why, len, "tracefs at %s: %s", dir, strerror(errno));
		return why;
	}
	if (fs.f_type != TRACEFS_MAGIC) {
		put(why, len, "%s is not a tracefs mount", dir);
		return why;
	}
	FILE *f = fopen("/sys/kernel/security/lockdown", "re");
	if (f) {
		char mode[128] = "";
		if (!fgets(mode, sizeof(mode), f))
			mode[0] = 0;
		fclose(f);
		if (strstr(mode, "[confidentiality]")) {
			put(why, len,
			    "the kernel is locked down (confidentiality): tracefs cannot be "
			    "read");
			return why;
		}
	}
	char path[PATH_MAX];
	struct stat st;
	put(path, sizeof(path), "%s/instances", dir);
	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
		put(why, len, "%s has no instances directory", dir);
		return why;
	}
	for (int i = 0; i < N_TP; i++)
		if (!tracefs_event_file_exists(NULL, tracepoints[i].system, tracepoints[i].event,
					       "enable")) {
			put(why, len, "the kernel has no tracepoint %s:%s", tracepoints[i].system,
			    tracepoints[i].event);
			return why;
		}
	return NULL;
}

/* ---- removing instances on every path -------------------------------- */

/* The instance of this process, as a path: rmdir() is all it takes, and is
 * async-signal-safe. */
static char live_path[PATH_MAX];
static volatile sig_atomic_t live;
static pid_t live_owner;
static const int cleanup_signals[] = {SIGINT, SIGTERM, SIGHUP};
static struct sigaction previous[3];
static bool handlers_installed;

static void remove_live_instance(void)
{
	/* A process forked by the scenario inherits this: only the owner
	 * removes. */
	if (live && getpid() == live_owner) {
		rmdir(live_path);
		live = 0;
	}
}

static void remove_on_signal(int sig)
{
	int saved = errno;
	remove_live_instance();
	for (int i = 0; i < 3; i++) {
		if (cleanup_signals[i] != sig)
			continue;
		void (*h)(int) = previous[i].sa_handler;
		if (previous[i].sa_flags & SA_SIGINFO)
			break;
		if (h == SIG_IGN) {
			errno = saved;
			return;
		}
		if (h != SIG_DFL) {
			/* The netns teardown: it removes the namespaces and
			 * re-raises with the default action. */
			h(sig);
			errno = saved;
			return;
		}
		break;
	}
	signal(sig, SIG_DFL);
	raise(sig);
	errno = saved;
}

static void install_removal(void)
{
	static bool at_exit;
	if (!at_exit) {
		at_exit = true;
		atexit(remove_live_instance);
	}
	struct sigaction sa = {.sa_handler = remove_on_signal};
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < 3; i++)
		sigaction(cleanup_signals[i], &sa, &previous[i]);
	handlers_installed = true;
}

static void restore_handlers(void)
{
	if (!handlers_installed)
		return;
	for (int i = 0; i < 3; i++)
		sigaction(cleanup_signals[i], &previous[i], NULL);
	handlers_installed = false;
}

/* ---- stale instances -------------------------------------------------- */

int trace_reap_stale(FILE *out)
{
	char why[256];
	if (tracing_unusable(why, sizeof(why)))
		return 0;
	/* A readdir() of our own: tracefs_instances() (libtracefs 1.6)
	 * leaks its compiled regex. */
	char dir[PATH_MAX];
	put(dir, sizeof(dir), "%s/instances", tracefs_tracing_dir());
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	int removed = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		const char *p = de->d_name;
		/* The namespaces' prefix: a tagged run's instances are its
		 * tag's alone (netns.h). */
		if (strncmp(p, netns_prefix(), strlen(netns_prefix())) != 0)
			continue;
		p += strlen(netns_prefix());
		char *end;
		long pid = strtol(p, &end, 10);
		if (end == p || *end || pid <= 0)
			continue;
		char path[PATH_MAX];
		put(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (netns_owner_alive((pid_t)pid, path) || rmdir(path) < 0)
			continue;
		if (out)
			fprintf(out, "removed tracefs instance %s\n", de->d_name);
		removed++;
	}
	closedir(d);
	return removed;
}

static void load_ksyms(void);

/* ---- probe -------------------------------------------------------------- */

bool trace_probe(char *why, size_t len)
{
	if (tracing_unusable(why, len))
		return false;
	trace_reap_stale(NULL);
	char name[64];
	put(name, sizeof(name), "%s%d", netns_prefix(), (int)getpid());
	errno = 0;
	struct tracefs_instance *inst = tracefs_instance_create(name);
	if (!inst) {
		put(why, len, "cannot create a tracefs instance in %s/instances: %s",
		    tracefs_tracing_dir(), errno ? strerror(errno) : "?");
		return false;
	}
	int err = tracefs_instance_destroy(inst) < 0 ? errno : 0;
	tracefs_instance_free(inst);
	if (err) {
		put(why, len, "cannot remove the tracefs instance %s: %s", name, strerror(err));
		return false;
	}
	load_ksyms();
	return true;
}

/* ---- start ------------------------------------------------------------- */

static struct tracefs_instance *instance;
static pid_t run_pid;

static void start_failed(struct run *r, const char *what)
{
	put(r->evidence->trace_note, sizeof(r->evidence->trace_note),
	    "tracefs: %s: %s; no kernel events", what, strerror(errno));
	if (instance) {
		tracefs_instance_destroy(instance);
		tracefs_instance_free(instance);
		instance = NULL;
	}
	live = 0;
	restore_handlers();
}

/* Filters the kernel applies before writing to the buffer: cheap, and
 * they keep the machine's other traffic out of it. */
static void set_filter(int tp, const char *filter)
{
	/* Best effort: a field missing on some kernel (tcp_send_reset has no
	 * family from 6.10 on) leaves the event unfiltered. */
	if (tracefs_event_file_write(instance, tracepoints[tp].system, tracepoints[tp].event,
				     "filter", filter) < 0)
		tracefs_event_file_clear(instance, tracepoints[tp].system, tracepoints[tp].event,
					 "filter");
}

/* While an instance file is open the kernel holds a reference on the
 * instance and rmdir() fails with EBUSY: the cleanup signals wait until
 * the instance is configured, or read and removed. */
static void hold_signals(sigset_t *old)
{
	sigset_t set;
	sigemptyset(&set);
	for (int i = 0; i < 3; i++)
		sigaddset(&set, cleanup_signals[i]);
	sigprocmask(SIG_BLOCK, &set, old);
}

static void start(struct run *r);

void trace_start(struct run *r, const struct evidence_options *o)
{
	(void)o;
	sigset_t old;
	hold_signals(&old);
	start(r);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static void start(struct run *r)
{
	if (r->topo.kind == TOPO_NONE) {
		put(r->evidence->trace_note, sizeof(r->evidence->trace_note),
		    "no network of its own: no kernel events to tie to this run");
		return;
	}
	char why[256];
	if (tracing_unusable(why, sizeof(why))) {
		put(r->evidence->trace_note, sizeof(r->evidence->trace_note), "%s", why);
		return;
	}
	trace_reap_stale(NULL);
	run_pid = getpid();
	char name[64];
	put(name, sizeof(name), "%s%d", netns_prefix(), (int)run_pid);
	put(live_path, sizeof(live_path), "%s/instances/%s", tracefs_tracing_dir(), name);
	live_owner = run_pid;
	install_removal();
	live = 1;
	errno = 0;
	instance = tracefs_instance_create(name);
	if (instance && !tracefs_instance_is_new(instance)) {
		/* Left by an earlier process with this pid. */
		tracefs_instance_destroy(instance);
		tracefs_instance_free(instance);
		instance = tracefs_instance_create(name);
	}
	if (!instance) {
		start_failed(r, "cannot create an instance");
		return;
	}
	tracefs_trace_off(instance);
	if (tracefs_instance_file_write(instance, "trace_clock", "mono") < 0) {
		start_failed(r, "cannot set trace_clock to mono");
		return;
	}
	/* Keep the beginning of a run rather than its end when the buffer
	 * fills: the lost events are counted either way. */
	tracefs_option_disable(instance, TRACEFS_OPTION_OVERWRITE);
	ssize_t kb = tracefs_instance_get_buffer_size(instance, 0);
	if (kb >= 0 && kb < BUFFER_KB &&
	    tracefs_instance_set_buffer_size(instance, BUFFER_KB, -1) < 0)
		put(r->evidence->trace_note, sizeof(r->evidence->trace_note),
		    "tracefs: buffer_size_kb %d refused: %s", BUFFER_KB, strerror(errno));

	int fam = r->family == AF_INET6 ? AF_INET6 : AF_INET;
	char f[96];
	put(f, sizeof(f), "family==%d", fam);
	set_filter(TP_SEND_RESET, f);
	set_filter(TP_RECEIVE_RESET, f);
	set_filter(TP_ERROR_REPORT, f);
	set_filter(TP_RETRANSMIT, f);
	put(f, sizeof(f), "protocol==%d&&family==%d", IPPROTO_TCP, fam);
	set_filter(TP_SET_STATE, f);
	/* skb->protocol: ETH_P_IP / ETH_P_IPV6. */
	put(f, sizeof(f), "protocol==%d", fam == AF_INET6 ? 0x86DD : 0x0800);
	set_filter(TP_KFREE_SKB, f);
	set_filter(TP_XMIT, f);
	put(f, sizeof(f), "parent_pid==%d", (int)run_pid);
	set_filter(TP_FORK, f);

	for (int i = 0; i < N_TP; i++) {
		if (tracefs_event_file_write(instance, tracepoints[i].system, tracepoints[i].event,
					     "enable", "1") < 0) {
			char what[96];
			put(what, sizeof(what), "cannot enable %s:%s", tracepoints[i].system,
			    tracepoints[i].event);
			start_failed(r, what);
			return;
		}
	}
	if (tracefs_trace_on(instance) < 0) {
		start_failed(r, "cannot turn tracing on");
		return;
	}
}

/* ---- reading the events ------------------------------------------------ */

struct addr {
	int family;
	unsigned char a[16]; /* IPv4 in the first 4 bytes */
};

struct tev {
	unsigned long long ts;
	int tp;
	int pid;
	bool ours;
	bool in_interrupt; /* a softirq or hardirq: whatever task it interrupted */
	uint64_t skaddr, skbaddr, rx_sk, location;
	bool candidate; /* an address of the run's topology */
	bool ambiguous; /* another socket has the same addresses and ports */
	int oldstate, newstate;
	int cpu;
	struct addr local, remote;
	uint16_t lport, rport;
	int8_t host;
	char how[40]; /* kfree_skb: why it is kept */
	char detail[200];
};

#define MAX_PIDS 64

struct collect {
	struct tep_handle *tep;
	int ids[N_TP];
	int pids[MAX_PIDS]; /* the run's process and those it forked */
	int n_pids;
	struct tev *ev;
	int n, cap, overflow;
};

static const char *tcp_state(unsigned long long s)
{
	static const char *names[] = {
		"UNKNOWN",	    "TCP_ESTABLISHED",	  "TCP_SYN_SENT",  "TCP_SYN_RECV",
		"TCP_FIN_WAIT1",    "TCP_FIN_WAIT2",	  "TCP_TIME_WAIT", "TCP_CLOSE",
		"TCP_CLOSE_WAIT",   "TCP_LAST_ACK",	  "TCP_LISTEN",	   "TCP_CLOSING",
		"TCP_NEW_SYN_RECV", "TCP_BOUND_INACTIVE",
	};
	return s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

/* The name __print_symbolic() gives value of field in the event's own
 * print format (drop and RST reasons, numbered differently by kernel). */
static const char *symbolic(struct tep_print_arg *arg, const char *field, unsigned long long v)
{
	for (; arg; arg = arg->next) {
		const char *s = NULL;
		switch (arg->type) {
		case TEP_PRINT_SYMBOL:
			if (arg->symbol.field && arg->symbol.field->type == TEP_PRINT_FIELD &&
			    strcmp(arg->symbol.field->field.name, field) == 0)
				for (struct tep_print_flag_sym *sym = arg->symbol.symbols; sym;
				     sym = sym->next) {
					char *end;
					unsigned long long n = strtoull(sym->value, &end, 0);
					if (end != sym->value && !*end && n == v)
						return sym->str;
				}
			break;
		case TEP_PRINT_OP:
			s = symbolic(arg->op.left, field, v);
			if (!s)
				s = symbolic(arg->op.right, field, v);
			break;
		case TEP_PRINT_TYPE: s = symbolic(arg->typecast.item, field, v); break;
		default: break;
		}
		if (s)
			return s;
	}
	return NULL;
}

static bool val(struct tep_event *e, struct tep_record *rec, const char *name,
		unsigned long long *v)
{
	return tep_get_field_val(NULL, e, name, rec, v, 0) == 0;
}

static const unsigned char *raw(struct tep_event *e, struct tep_record *rec, const char *name,
				int want)
{
	int len = 0;
	const unsigned char *p = tep_get_field_raw(NULL, e, name, rec, &len, 0);
	return p && len >= want ? p : NULL;
}

/* Addresses and ports of a socket event: family, sport/dport and
 * saddr[4]/saddr_v6[16] (6.1 everywhere; later kernels but for
 * tcp_send_reset), or saddr[28]/daddr[28] holding a sockaddr_in or
 * sockaddr_in6 (tcp_send_reset from 6.10 on). */
static bool read_addrs(struct tep_event *e, struct tep_record *rec, struct tev *t)
{
	unsigned long long fam, sport, dport;
	if (val(e, rec, "family", &fam) && val(e, rec, "sport", &sport) &&
	    val(e, rec, "dport", &dport)) {
		const unsigned char *s, *d;
		int n;
		if (fam == AF_INET) {
			s = raw(e, rec, "saddr", 4);
			d = raw(e, rec, "daddr", 4);
			n = 4;
		} else {
			s = raw(e, rec, "saddr_v6", 16);
			d = raw(e, rec, "daddr_v6", 16);
			n = 16;
		}
		if (!s || !d)
			return false;
		t->local.family = t->remote.family = (int)fam;
		memcpy(t->local.a, s, n);
		memcpy(t->remote.a, d, n);
		t->lport = (uint16_t)sport;
		t->rport = (uint16_t)dport;
		return true;
	}
	const unsigned char *s = raw(e, rec, "saddr", 24), *d = raw(e, rec, "daddr", 24);
	if (!s || !d)
		return false;
	uint16_t f;
	memcpy(&f, s, 2);
	t->local.family = t->remote.family = f;
	uint16_t p;
	memcpy(&p, s + 2, 2);
	t->lport = ntohs(p);
	memcpy(&p, d + 2, 2);
	t->rport = ntohs(p);
	if (f == AF_INET) {
		memcpy(t->local.a, s + 4, 4);
		memcpy(t->remote.a, d + 4, 4);
	} else if (f == AF_INET6) {
		memcpy(t->local.a, s + 8, 16);
		memcpy(t->remote.a, d + 8, 16);
	} else
		return false; /* no address stored (an RST with neither socket nor skb) */
	return true;
}

static const char *endpoint(const struct addr *a, uint16_t port, char *buf, size_t len)
{
	char text[INET6_ADDRSTRLEN] = "?";
	inet_ntop(a->family, a->a, text, sizeof(text));
	if (a->family == AF_INET6)
		put(buf, len, "[%s]:%u", text, port);
	else
		put(buf, len, "%s:%u", text, port);
	return buf;
}

static void describe(struct tep_event *e, struct tep_record *rec, struct tev *t)
{
	char l[64], rm[64], tuple[140];
	put(tuple, sizeof(tuple), "%s > %s", endpoint(&t->local, t->lport, l, sizeof(l)),
	    endpoint(&t->remote, t->rport, rm, sizeof(rm)));
	unsigned long long v, v2;
	switch (t->tp) {
	case TP_SEND_RESET: {
		/* state 0: no socket (an RST for a segment nobody owns). */
		const char *state = "state=?";
		char st[40];
		if (val(e, rec, "state", &v)) {
			put(st, sizeof(st), "state=%s", tcp_state(v));
			state = v ? st : "no socket";
		}
		char reason[48] = "";
		if (val(e, rec, "reason", &v)) {
			const char *s = symbolic(e->print_fmt.args, "reason", v);
			if (s)
				put(reason, sizeof(reason), " reason=%s", s);
			else
				put(reason, sizeof(reason), " reason=%llu", v);
		}
		put(t->detail, sizeof(t->detail), "%s %s%s", state, tuple, reason);
		break;
	}
	case TP_RECEIVE_RESET: put(t->detail, sizeof(t->detail), "%s", tuple); break;
	case TP_ERROR_REPORT:
		if (!val(e, rec, "error", &v))
			v = 0;
		if ((int)v)
			put(t->detail, sizeof(t->detail), "error=%d %s %s", (int)v,
			    errno_name((int)v), tuple);
		else
			put(t->detail, sizeof(t->detail), "error=0 %s", tuple);
		break;
	case TP_SET_STATE:
		if (!val(e, rec, "oldstate", &v))
			v = 0;
		if (!val(e, rec, "newstate", &v2))
			v2 = 0;
		t->oldstate = (int)v;
		t->newstate = (int)v2;
		put(t->detail, sizeof(t->detail), "oldstate=%s newstate=%s %s", tcp_state(v),
		    tcp_state(v2), tuple);
		break;
	case TP_RETRANSMIT: {
		const char *state = val(e, rec, "state", &v) ? tcp_state(v) : "?";
		char err[24] = "";
		if (val(e, rec, "err", &v2) && (int)v2)
			put(err, sizeof(err), " err=%d", (int)v2);
		put(t->detail, sizeof(t->detail), "state=%s %s%s", state, tuple, err);
		break;
	}
	}
}

static int on_record(struct tep_event *e, struct tep_record *rec, int cpu, void *ctx)
{
	struct collect *c = ctx;
	int tp = -1;
	for (int i = 0; i < N_TP; i++)
		if (e->id == c->ids[i])
			tp = i;
	if (tp < 0)
		return 0;
	unsigned long long v;
	if (tp == TP_FORK) { /* filtered to children of the run's process */
		if (val(e, rec, "child_pid", &v) && c->n_pids < MAX_PIDS)
			c->pids[c->n_pids++] = (int)v;
		return 0;
	}
	if (c->n == c->cap) {
		if (c->cap >= MAX_CANDIDATES) {
			c->overflow++;
			return 0;
		}
		int cap = c->cap ? 2 * c->cap : 256;
		struct tev *ev = realloc(c->ev, (size_t)cap * sizeof(*ev));
		if (!ev) {
			c->overflow++;
			return 0;
		}
		c->ev = ev;
		c->cap = cap;
	}
	struct tev *t = &c->ev[c->n];
	memset(t, 0, sizeof(*t));
	t->ts = rec->ts;
	t->tp = tp;
	t->pid = tep_data_pid(c->tep, rec);
	t->in_interrupt =
		(tep_data_flags(c->tep, rec) & (TRACE_FLAG_HARDIRQ | TRACE_FLAG_SOFTIRQ)) != 0;
	t->cpu = cpu;
	t->host = HOST_NONE;
	if (val(e, rec, "skaddr", &v))
		t->skaddr = v;
	if (val(e, rec, "skbaddr", &v))
		t->skbaddr = v;
	if (tp == TP_XMIT) {
		c->n++;
		return 0;
	}
	if (tp == TP_KFREE_SKB) {
		if (val(e, rec, "rx_sk", &v))
			t->rx_sk = v;
		if (val(e, rec, "location", &v))
			t->location = v;
		const char *reason = "?";
		if (val(e, rec, "reason", &v))
			reason = symbolic(e->print_fmt.args, "reason", v);
		/* Kept apart from the location, resolved once the drops of
		 * the run are known. */
		put(t->detail, sizeof(t->detail), "%s", reason ? reason : "?");
		c->n++;
		return 0;
	}
	if (!read_addrs(e, rec, t))
		return 0;
	describe(e, rec, t);
	c->n++;
	return 0;
}

/* ---- attribution ------------------------------------------------------- */

struct topo_addrs {
	int n;
	struct addr a[4];
	int8_t host[4];
};

static void add_addr(struct topo_addrs *ta, int family, const char *text, int host)
{
	if (!text || ta->n >= 4)
		return;
	struct addr *a = &ta->a[ta->n];
	memset(a, 0, sizeof(*a));
	a->family = family;
	if (inet_pton(family, text, a->a) == 1)
		ta->host[ta->n++] = (int8_t)host;
}

static int addr_host(const struct topo_addrs *ta, const struct addr *a)
{
	int n = a->family == AF_INET ? 4 : 16;
	for (int i = 0; i < ta->n; i++)
		if (ta->a[i].family == a->family && memcmp(ta->a[i].a, a->a, n) == 0)
			return ta->host[i];
	return HOST_NONE;
}

static bool same_addr(const struct addr *x, const struct addr *y)
{
	return x->family == y->family && memcmp(x->a, y->a, x->family == AF_INET ? 4 : 16) == 0;
}

/* The same connection: the same two endpoints, either way round, every
 * port known. */
static bool same_tuple(const struct tev *x, const struct tev *y)
{
	if (!x->lport || !x->rport || !y->lport || !y->rport)
		return false;
	if (x->lport == y->lport && x->rport == y->rport)
		return same_addr(&x->local, &y->local) && same_addr(&x->remote, &y->remote);
	if (x->lport == y->rport && x->rport == y->lport)
		return same_addr(&x->local, &y->remote) && same_addr(&x->remote, &y->local);
	return false;
}

/* One socket's events: a port known on both or unknown on one (before
 * connect() picks the source port, a listener, after a disconnect). */
static bool compatible_ports(const struct tev *x, const struct tev *y)
{
	return (!x->lport || !y->lport || x->lport == y->lport) &&
	       (!x->rport || !y->rport || x->rport == y->rport);
}

static bool seen_by_capture(const struct run *r, const struct tev *t)
{
	if (!t->lport || !t->rport)
		return false;
	for (int i = 0; i < r->evidence->n_packets; i++) {
		const struct packet_event *p = &r->evidence->packets[i];
		if ((p->sport == t->lport && p->dport == t->rport) ||
		    (p->sport == t->rport && p->dport == t->lport))
			return true;
	}
	return false;
}

/* A socket's life begins with a set_state out of TCP_CLOSE (socket(),
 * connect(), listen()) or, for a connection's child, out of a listener's
 * state: its skaddr may be that of a socket freed a moment before (the
 * slab reuses it), so the link by skaddr stops there. */
static bool starts_life(const struct tev *t)
{
	return t->tp == TP_SET_STATE && (t->oldstate == 7 /* TCP_CLOSE */ ||
					 (t->oldstate == 10 /* TCP_LISTEN */ && t->newstate != 7));
}

static bool run_pid_of(const struct collect *c, int pid)
{
	if (pid == run_pid)
		return true;
	for (int i = 0; i < c->n_pids; i++)
		if (c->pids[i] == pid)
			return true;
	return false;
}

/* The same local and remote endpoints, every port known. */
static bool same_oriented(const struct tev *x, const struct tev *y)
{
	return x->lport && x->rport && x->lport == y->lport && x->rport == y->rport &&
	       same_addr(&x->local, &y->local) && same_addr(&x->remote, &y->remote);
}

static unsigned long long gap(const struct tev *x, const struct tev *y)
{
	return x->ts > y->ts ? x->ts - y->ts : y->ts - x->ts;
}

/* Is t tied to an event already kept?  Through its socket: the nearest
 * event with its skaddr, before or after, ports compatible, within one
 * life.  Through its connection (same addresses and ports), where no
 * other socket had them.  An event with no socket (inet_sk_error_report,
 * an RST from no socket) where the connection is ambiguous: through the
 * nearest event of the same connection on the same CPU in the same task,
 * which the same kernel code path wrote a moment before or after. */
static bool linked(const struct collect *c, const int *sock, int ns, int a)
{
	const struct tev *t = &c->ev[sock[a]];
	if (t->skaddr) {
		for (int b = a - 1; b >= 0; b--) {
			const struct tev *o = &c->ev[sock[b]];
			if (o->skaddr != t->skaddr)
				continue;
			if (o->ours && compatible_ports(t, o) && !starts_life(t))
				return true;
			break;
		}
		for (int b = a + 1; b < ns; b++) {
			const struct tev *o = &c->ev[sock[b]];
			if (o->skaddr != t->skaddr)
				continue;
			if (o->ours && compatible_ports(t, o) && !starts_life(o))
				return true;
			break;
		}
	}
	if (!t->ambiguous)
		for (int b = 0; b < ns; b++) {
			const struct tev *o = &c->ev[sock[b]];
			if (o->ours && !o->ambiguous && same_tuple(t, o))
				return true;
		}
	if (t->skaddr)
		return false;
	const struct tev *best = NULL;
	for (int dir = -1; dir <= 1; dir += 2)
		for (int b = a + dir; b >= 0 && b < ns; b += dir) {
			const struct tev *o = &c->ev[sock[b]];
			if (o->cpu != t->cpu || !o->candidate || !compatible_ports(t, o) ||
			    (!same_tuple(t, o) && !same_addr(&o->remote, &t->remote)))
				continue;
			if (o->pid == t->pid && (!best || gap(o, t) < gap(best, t)))
				best = o;
			break;
		}
	return best && best->ours;
}

/* A drop tied to the run: the segment a kept tcp_send_reset answered (the
 * next event of that skb, in the same context: tcp_v4_rcv() frees it right
 * after tcp_v4_send_reset()), or a drop at a kept socket (rx_sk, the next
 * event after that socket's own). */
static bool drop_linked(struct collect *c, int i)
{
	struct tev *t = &c->ev[i];
	for (int j = i - 1; t->skbaddr && j >= 0; j--) {
		const struct tev *o = &c->ev[j];
		if (o->skbaddr != t->skbaddr)
			continue;
		if (o->ours && o->tp == TP_SEND_RESET && o->pid == t->pid) {
			put(t->how, sizeof(t->how), "the skb tcp_send_reset answered");
			return true;
		}
		break;
	}
	for (int j = i - 1; t->rx_sk && j >= 0; j--) {
		const struct tev *o = &c->ev[j];
		if (o->tp == TP_KFREE_SKB || o->skaddr != t->rx_sk)
			continue;
		if (o->ours) {
			put(t->how, sizeof(t->how), "at a socket of the run");
			return true;
		}
		break;
	}
	return false;
}

/* The neighbour of event i on its CPU, dir -1 or +1: one CPU's events are
 * in the order it wrote them. */
static const struct tev *cpu_neighbour(const struct collect *c, int i, int dir)
{
	for (int j = i + dir; j >= 0 && j < c->n; j += dir)
		if (c->ev[j].cpu == c->ev[i].cpu)
			return &c->ev[j];
	return NULL;
}

/* A packet a kept socket sent from a softirq, in whatever task it
 * interrupted: a retransmission (__tcp_retransmit_skb() hands the clone
 * to the device, then trace_tcp_retransmit_skb() fires) or an RST
 * (trace_tcp_send_reset() fires, then the reply goes out), with nothing
 * in between on that CPU: bottom halves are off on that path. */
static void tie_sent_in_softirq(struct collect *c)
{
	for (int i = 0; i < c->n; i++) {
		struct tev *t = &c->ev[i];
		if (t->tp != TP_XMIT || t->ours)
			continue;
		const struct tev *next = cpu_neighbour(c, i, 1), *prev = cpu_neighbour(c, i, -1);
		t->ours =
			(next && next->ours && next->tp == TP_RETRANSMIT && next->pid == t->pid) ||
			(prev && prev->ours && prev->tp == TP_SEND_RESET && prev->pid == t->pid);
	}
}

/* A drop of a packet the run sent: the last event before it with its skb
 * is the run's own transmission of it.  veth hands the same skb to the
 * peer namespace (veth_forward_skb()), and routing, forwarding and the nft
 * hooks keep it, so the router's drop of the run's SYN is that skb, on
 * whatever CPU and in whatever task its softirq ran (ksoftirqd, under
 * load).  Not shown as an event of its own. */
static bool sent_by_run(const struct collect *c, int i)
{
	const struct tev *t = &c->ev[i];
	for (int j = i - 1; t->skbaddr && j >= 0; j--) {
		const struct tev *o = &c->ev[j];
		if (o->skbaddr == t->skbaddr)
			return o->tp == TP_XMIT && o->ours;
	}
	return false;
}

static void attribute(const struct run *r, struct collect *c)
{
	struct topo_addrs ta = {0};
	int fam = r->family == AF_INET6 ? AF_INET6 : AF_INET;
	add_addr(&ta, fam, topology_client_addr(&r->topo, fam), HOST_CLIENT);
	add_addr(&ta, fam, topology_server_addr(&r->topo, fam), HOST_SERVER);
	if (r->topo.kind == TOPO_ROUTED) {
		add_addr(&ta, fam, topology_router_addr(&r->topo, fam, false), HOST_ROUTER);
		add_addr(&ta, fam, topology_router_addr(&r->topo, fam, true), HOST_ROUTER);
	}
	int *sock = malloc((size_t)(c->n ? c->n : 1) * sizeof(*sock));
	if (!sock)
		return;
	/* The socket events with an address of the topology (the others
	 * are the machine's other traffic); the run's processes own theirs. */
	int ns = 0;
	for (int i = 0; i < c->n; i++) {
		struct tev *t = &c->ev[i];
		/* Only the run's own code, in process context: a softirq
		 * in the run's process (a timer, a packet's receipt) may be
		 * another namespace's, whichever task it interrupted. */
		bool by_run = run_pid_of(c, t->pid) && !t->in_interrupt;
		if (t->tp == TP_KFREE_SKB || t->tp == TP_XMIT) {
			t->ours = by_run;
			if (by_run)
				put(t->how, sizeof(t->how), "in the run's process");
			continue;
		}
		int lh = addr_host(&ta, &t->local), rh = addr_host(&ta, &t->remote);
		t->candidate = lh != HOST_NONE || rh != HOST_NONE;
		if (!t->candidate)
			continue;
		sock[ns++] = i;
		t->host = (int8_t)lh;
		t->ours = by_run;
	}
	/* Ports are no proof alone: runs in other namespaces pick the same
	 * ephemeral port now and then (the port offset hashes the addresses
	 * and port, which every run shares).  A connection two sockets had is
	 * ambiguous, and so is every event of its addresses and ports. */
	for (int a = 0; a < ns; a++) {
		struct tev *x = &c->ev[sock[a]];
		for (int b = a + 1; x->skaddr && b < ns; b++) {
			struct tev *y = &c->ev[sock[b]];
			if (y->skaddr && y->skaddr != x->skaddr && same_oriented(x, y))
				x->ambiguous = y->ambiguous = true;
		}
	}
	for (int a = 0; a < ns; a++) {
		struct tev *t = &c->ev[sock[a]];
		for (int b = 0; !t->ambiguous && b < ns; b++) {
			const struct tev *o = &c->ev[sock[b]];
			if (o->ambiguous && same_tuple(t, o))
				t->ambiguous = true;
		}
		/* The capture saw this connection cross the run's links. */
		if (!t->ours && !t->ambiguous && r->evidence->captured && seen_by_capture(r, t))
			t->ours = true;
	}
	/* To a fixpoint: a socket's other events, a connection's other
	 * sockets (the server's child, a reset from no socket). */
	for (bool changed = true; changed;) {
		changed = false;
		for (int a = 0; a < ns; a++) {
			struct tev *t = &c->ev[sock[a]];
			if (!t->ours && linked(c, sock, ns, a)) {
				t->ours = true;
				changed = true;
			}
		}
	}
	/* Whose socket, where the local address says nothing (0.0.0.0 after
	 * a disconnect): that of a kept event of the same socket or port. */
	for (int a = 0; a < ns; a++) {
		struct tev *t = &c->ev[sock[a]];
		for (int b = 0; t->ours && t->host == HOST_NONE && b < ns; b++) {
			const struct tev *o = &c->ev[sock[b]];
			if (o->ours && o->host != HOST_NONE &&
			    ((t->skaddr && o->skaddr == t->skaddr) ||
			     (t->lport && o->lport == t->lport &&
			      same_addr(&o->remote, &t->remote))))
				t->host = o->host;
		}
	}
	tie_sent_in_softirq(c);
	/* The drops: only those whose skb or socket is one of a kept event
	 * are looked at closer. */
	int nk = 0;
	for (int a = 0; a < ns; a++) {
		const struct tev *o = &c->ev[sock[a]];
		if (o->ours)
			sock[nk++] = sock[a];
	}
	for (int i = 0; i < c->n; i++) {
		struct tev *t = &c->ev[i];
		if (t->tp != TP_KFREE_SKB)
			continue;
		bool maybe = false;
		for (int k = 0; k < nk && !maybe; k++) {
			const struct tev *o = &c->ev[sock[k]];
			maybe = (o->skbaddr && o->skbaddr == t->skbaddr) ||
				(t->rx_sk && o->skaddr == t->rx_sk);
		}
		/* The closer tie names the drop even where the run's process
		 * already did. */
		if (maybe && drop_linked(c, i))
			t->ours = true;
		else if (!t->ours && sent_by_run(c, i)) {
			t->ours = true;
			put(t->how, sizeof(t->how), "a packet the run sent");
		}
	}
	free(sock);
}

/* ---- symbols ------------------------------------------------------------ */

/* The kernel's text symbols, for a drop's location ("tcp_v4_rcv+0x91").
 * Read once by the runner (trace_probe()), so every run's child inherits
 * them through fork() instead of reading /proc/kallsyms again (a few
 * hundred ms each time).  A module loaded since (nf_tables, on the first
 * nft rule of a fresh boot) makes the child read them again. */
struct ksym {
	uint64_t addr;
	uint32_t name; /* offset in ksym_names */
};
static struct ksym *ksyms;
static size_t n_ksyms;
static char *ksym_names;
static bool ksyms_tried;
static unsigned long long ksyms_modules;

/* The modules loaded, as a hash of their names and addresses (their use
 * counts change all the time); 0 on a kernel without modules. */
static unsigned long long modules_now(void)
{
	FILE *f = fopen("/proc/modules", "re");
	if (!f)
		return 0;
	unsigned long long h = 1469598103934665603ULL;
	char line[512];
	while (fgets(line, sizeof(line), f)) {
		char name[128], addr[64] = "";
		if (sscanf(line, "%127s %*s %*s %*s %*s %63s", name, addr) < 1)
			continue;
		for (const char *p = name; *p; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ULL;
		for (const char *p = addr; *p; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	}
	fclose(f);
	return h;
}

static int by_addr(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void load_ksyms(void)
{
	unsigned long long modules = modules_now();
	if (ksyms_tried && modules == ksyms_modules)
		return;
	ksyms_tried = true;
	ksyms_modules = modules;
	free(ksyms);
	free(ksym_names);
	ksyms = NULL;
	ksym_names = NULL;
	n_ksyms = 0;
	FILE *f = fopen("/proc/kallsyms", "re");
	if (!f)
		return;
	size_t cap = 0, names_len = 0, names_cap = 0;
	char line[512];
	while (fgets(line, sizeof(line), f)) {
		char *end;
		unsigned long long a = strtoull(line, &end, 16);
		/* Text only; all zero where kptr_restrict hides addresses. */
		if (!a || end[0] != ' ' || tolower((unsigned char)end[1]) != 't' || end[2] != ' ')
			continue;
		char *sym = end + 3;
		sym[strcspn(sym, "\n")] = 0;
		for (char *p = sym; *p; p++)
			if (*p == '\t')
				*p = ' '; /* "name\t[module]" -> "name [module]" */
		size_t len = strlen(sym) + 1;
		if (n_ksyms == cap || names_len + len > names_cap) {
			size_t ncap = cap ? 2 * cap : 65536,
			       nnames = names_cap ? 2 * names_cap : 1 << 21;
			struct ksym *k = realloc(ksyms, ncap * sizeof(*k));
			if (k) {
				ksyms = k;
				cap = ncap;
			}
			char *nm = realloc(ksym_names, nnames);
			if (nm) {
				ksym_names = nm;
				names_cap = nnames;
			}
			if (!k || !nm)
				break;
		}
		memcpy(ksym_names + names_len, sym, len);
		ksyms[n_ksyms++] = (struct ksym){.addr = a, .name = (uint32_t)names_len};
		names_len += len;
	}
	fclose(f);
	if (n_ksyms)
		qsort(ksyms, n_ksyms, sizeof(*ksyms), by_addr);
}

/* "function+0xoff", "function+0xoff [module]", or the bare address. */
static void symbolize(uint64_t addr, char *buf, size_t len)
{
	size_t lo = 0, hi = n_ksyms;
	while (lo < hi) { /* the first symbol above addr */
		size_t mid = (lo + hi) / 2;
		if (ksyms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo) {
		put(buf, len, "0x%llx", (unsigned long long)addr);
		return;
	}
	const struct ksym *k = &ksyms[lo - 1];
	const char *name = ksym_names + k->name, *mod = strchr(name, ' ');
	int n = mod ? (int)(mod - name) : (int)strlen(name);
	put(buf, len, "%.*s+0x%llx%s", n, name, (unsigned long long)(addr - k->addr),
	    mod ? mod : "");
}

static void resolve_locations(struct collect *c)
{
	bool any = false;
	for (int i = 0; i < c->n && !any; i++)
		any = c->ev[i].ours && c->ev[i].tp == TP_KFREE_SKB;
	if (!any)
		return;
	load_ksyms(); /* a no-op where the runner did it and no module came since */
	for (int i = 0; i < c->n; i++) {
		struct tev *t = &c->ev[i];
		if (!t->ours || t->tp != TP_KFREE_SKB)
			continue;
		char where[120], reason[64];
		symbolize(t->location, where, sizeof(where));
		put(reason, sizeof(reason), "%s", t->detail);
		put(t->detail, sizeof(t->detail), "reason=%s location=%s (%s)", reason, where,
		    t->how);
	}
}

/* The formats of our six events only: tracefs_local_events_system() would
 * also parse /proc/kallsyms, saved_cmdlines and printk_formats. */
static struct tep_handle *load_formats(void)
{
	struct tep_handle *tep = tep_alloc();
	if (!tep)
		return NULL;
	int size = 0;
	char *buf = tracefs_instance_file_read(NULL, "events/header_page", &size);
	if (!buf) {
		tep_free(tep);
		return NULL;
	}
	tep_parse_header_page(tep, buf, (unsigned long)size, (int)sizeof(long));
	free(buf);
	tep_set_long_size(tep, (int)sizeof(long));
	tep_set_page_size(tep, (int)sysconf(_SC_PAGESIZE));
	for (int i = 0; i < N_TP; i++) {
		buf = tracefs_event_file_read(NULL, tracepoints[i].system, tracepoints[i].event,
					      "format", &size);
		if (buf)
			tep_parse_event(tep, buf, (unsigned long)size, tracepoints[i].system);
		free(buf);
	}
	return tep;
}

/* ---- finish -------------------------------------------------------------- */

static int by_time(const void *a, const void *b)
{
	const struct tev *x = a, *y = b;
	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

/* Events the kernel could not write: the buffer was full. */
static int kernel_lost(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_CONF);
	long long lost = 0;
	for (long cpu = 0; cpu < cpus; cpu++) {
		char file[64];
		put(file, sizeof(file), "per_cpu/cpu%ld/stats", cpu);
		char *s = tracefs_instance_file_read(instance, file, NULL);
		if (!s)
			continue;
		const char *keys[] = {"overrun:", "dropped events:"};
		for (int k = 0; k < 2; k++) {
			char *p = strstr(s, keys[k]);
			if (p)
				lost += strtoll(p + strlen(keys[k]), NULL, 10);
		}
		free(s);
	}
	return lost > INT_MAX ? INT_MAX : (int)lost;
}

void trace_finish(struct run *r)
{
	if (!instance)
		return;
	sigset_t old;
	hold_signals(&old);
	struct evidence *ev = r->evidence;
	tracefs_trace_off(instance);
	int lost = kernel_lost();
	struct collect c = {0};
	c.tep = load_formats();
	if (!c.tep)
		put(ev->trace_note, sizeof(ev->trace_note),
		    "tracefs: cannot read the event formats: %s", strerror(errno));
	else {
		for (int i = 0; i < N_TP; i++) {
			struct tep_event *e = tep_find_event_by_name(c.tep, tracepoints[i].system,
								     tracepoints[i].event);
			c.ids[i] = e ? e->id : -1;
		}
		if (tracefs_iterate_raw_events(c.tep, instance, NULL, 0, on_record, &c) < 0)
			put(ev->trace_note, sizeof(ev->trace_note),
			    "tracefs: cannot read the events: %s", strerror(errno));
		else
			ev->traced = true;
	}
	if (tracefs_instance_destroy(instance) < 0 && !ev->trace_note[0])
		put(ev->trace_note, sizeof(ev->trace_note),
		    "tracefs: the instance could not be removed (%s); sockerr cleanup will",
		    strerror(errno));
	tracefs_instance_free(instance);
	instance = NULL;
	live = 0;
	restore_handlers();
	sigprocmask(SIG_SETMASK, &old, NULL);

	if (ev->traced) {
		if (c.n)
			qsort(c.ev, (size_t)c.n, sizeof(*c.ev), by_time);
		attribute(r, &c);
		resolve_locations(&c);
		ev->events_dropped = lost + c.overflow;
		for (int i = 0; i < c.n; i++) {
			const struct tev *t = &c.ev[i];
			if (!t->ours || t->tp == TP_XMIT)
				continue;
			if (ev->n_events == EVIDENCE_MAX_EVENTS) {
				ev->events_dropped++;
				continue;
			}
			struct kernel_event *k = evidence_add_event(ev);
			k->ms = (double)t->ts / 1e6 - r->t0;
			k->host = t->host;
			put(k->name, sizeof(k->name), "%s", tracepoints[t->tp].event);
			put(k->detail, sizeof(k->detail), "%s", t->detail);
		}
	}
	free(c.ev);
	if (c.tep)
		tep_free(c.tep);
}
