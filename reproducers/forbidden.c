/*
 * forbidden-landlock, forbidden-output-drop: a connection forbidden on the
 * client's own host, by a security policy and by a firewall rule.
 *
 * forbidden-landlock: a process restricts itself with Landlock (ABI >= 4:
 * LANDLOCK_ACCESS_NET_CONNECT_TCP handled, one port allowed by a
 * LANDLOCK_RULE_NET_PORT rule) and connects to a listening server on
 * another port.  __sys_connect_file() (net/socket.c) asks
 * security_socket_connect() first; Landlock's hook_socket_connect() ->
 * current_check_access_socket() (security/landlock/net.c) finds no rule for
 * the port and returns -EACCES.  No packet is sent: the errno is injected by
 * a policy (an LSM), not by the network.  The connect(2) man page agrees:
 * "EACCES, EPERM ... the connection request failed because of a local
 * firewall rule" and "EACCES ... if an SELinux policy denied a connection";
 * POSIX connect() has EACCES only for a UNIX socket path.  Landlock's
 * security/landlock/net.c exists from Linux 6.7 (Landlock ABI 4); the
 * Debian 6.1 tree has ABI 2 (security/landlock/syscalls.c:
 * LANDLOCK_ABI_VERSION 2) and no network rules, so the scenario is skipped
 * there.
 *
 * forbidden-output-drop: an nftables rule on the client's output hook drops
 * TCP and UDP packets to the server.  nf_hook_slow() (net/netfilter/core.c)
 * turns NF_DROP into -EPERM.  For UDP the error travels back synchronously:
 * udp_sendmsg() -> udp_send_skb() -> ip_send_skb() -> ip_local_out()
 * (IPv6: udp_v6_send_skb() -> ip6_send_skb() -> ip6_local_out()), which
 * count it in Ip OutDiscards, and sendto() fails with EPERM.  For TCP the
 * same -EPERM comes back from tcp_transmit_skb() inside tcp_connect()
 * (net/ipv4/tcp_output.c), which returns only -ECONNREFUSED and ignores
 * every other transmit error: the SYN is "sent", its retransmission timer
 * runs, and the retransmissions are dropped the same way, so connect()
 * blocks until a timeout: tcp_retransmit_timer() -> tcp_write_timeout() ->
 * tcp_write_err(), ETIMEDOUT (sk_err_soft is never set by a local drop).
 * The connect(2) man page's EPERM ("the connection request failed because
 * of a local firewall rule") therefore does not hold for TCP with a DROP
 * rule (a REJECT rule answers with an RST or ICMP error instead), and
 * send(2) does not list EPERM at all.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/child.h"
#include "record/harness.h"
#include "lib/sockets.h"

/* ---- forbidden-landlock -------------------------------------------- */

/* The Landlock UAPI of Linux >= 6.7 (Debian 12's <linux/landlock.h> is
 * 6.1's and has no network fields), under our own names. */
#define LL_CREATE_RULESET_VERSION (1U << 0)
#define LL_ACCESS_NET_CONNECT_TCP (1ULL << 1)
#define LL_RULE_NET_PORT	  2

struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
};

struct ll_net_port_attr {
	uint64_t allowed_access;
	uint64_t port;
};

#define ALLOWED_PORT   SERVER_PORT
#define FORBIDDEN_PORT (SERVER_PORT + 1)

struct call_result {
	long ret;
	int err;
	long opens; /* client Tcp ActiveOpens delta across the call, -1 unknown */
};

enum { LL_NNP, LL_CREATE, LL_ADD_RULE, LL_RESTRICT, LL_FORBIDDEN, LL_ALLOWED, LL_CALLS };

struct ll_report {
	int done; /* calls made */
	struct call_result res[LL_CALLS];
};

static long active_opens(const struct netns *ns)
{
	return netstat_counter(ns, "Tcp", "ActiveOpens");
}

static void record_call(struct ll_report *rep, int i, long ret)
{
	rep->res[i].ret = ret;
	rep->res[i].err = ret < 0 ? errno : 0;
	rep->res[i].opens = -1;
	rep->done = i + 1;
}

/* The child: restrict itself, then connect to both ports.  A failed step
 * ends the sequence; the parent records what was done.  _exit(), never
 * exit(): exit() would run the run process's namespace teardown. */
static void landlock_child(const struct netns *client, int fd_forbidden,
			   const struct sockaddr *forbidden, socklen_t flen, int fd_allowed,
			   const struct sockaddr *allowed, socklen_t alen, int out)
{
	struct ll_report rep = {0};
	struct ll_ruleset_attr attr = {.handled_access_net = LL_ACCESS_NET_CONNECT_TCP};
	struct ll_net_port_attr port = {.allowed_access = LL_ACCESS_NET_CONNECT_TCP,
					.port = ALLOWED_PORT};
	long ruleset = -1;

	record_call(&rep, LL_NNP, prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
	if (rep.res[LL_NNP].ret < 0)
		goto report;
	ruleset = syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	record_call(&rep, LL_CREATE, ruleset);
	if (ruleset < 0)
		goto report;
	record_call(&rep, LL_ADD_RULE,
		    syscall(SYS_landlock_add_rule, ruleset, LL_RULE_NET_PORT, &port, 0));
	if (rep.res[LL_ADD_RULE].ret < 0)
		goto report;
	record_call(&rep, LL_RESTRICT, syscall(SYS_landlock_restrict_self, ruleset, 0));
	if (rep.res[LL_RESTRICT].ret < 0)
		goto report;

	long before = active_opens(client);
	record_call(&rep, LL_FORBIDDEN, connect(fd_forbidden, forbidden, flen));
	long after = active_opens(client);
	rep.res[LL_FORBIDDEN].opens = before < 0 || after < 0 ? -1 : after - before;

	before = active_opens(client);
	record_call(&rep, LL_ALLOWED, connect(fd_allowed, allowed, alen));
	after = active_opens(client);
	rep.res[LL_ALLOWED].opens = before < 0 || after < 0 ? -1 : after - before;
report:
	if (ruleset >= 0)
		close((int)ruleset);
	ssize_t n = write(out, &rep, sizeof(rep));
	_exit(n == (ssize_t)sizeof(rep) ? 0 : 1);
}

static void reap(pid_t pid, bool kill_it)
{
	if (kill_it)
		kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

static void record_child_call(struct run *r, const struct ll_report *rep, int i, const char *label,
			      const char *call)
{
	if (rep->done <= i)
		return;
	errno = rep->res[i].err;
	step_as(r, label, rep->res[i].ret, "%s", call);
}

static const char *opens_str(long delta)
{
	return delta < 0 ? "unknown" : delta == 0 ? "no SYN sent" : "a SYN sent";
}

static int forbidden_landlock(struct run *r)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LL_CREATE_RULESET_VERSION);
	if (abi < 0 && errno == ENOSYS)
		return skipped(r,
			       "the kernel has no Landlock (before Linux 5.13, or "
			       "CONFIG_SECURITY_LANDLOCK off): landlock_create_ruleset() ENOSYS");
	if (abi < 0 && errno == EOPNOTSUPP)
		return skipped(r, "Landlock is built in but not enabled at boot (lsm=)");
	if (abi < 0)
		return broken(r, "landlock_create_ruleset(NULL, 0, VERSION): %m");
	if (abi < 4)
		return skipped(r,
			       "Landlock ABI %ld < 4: this kernel has no Landlock network rules "
			       "(LANDLOCK_ACCESS_NET_CONNECT_TCP arrived with ABI 4, Linux 6.7)",
			       abi);
	observe(r, "Landlock ABI", "landlock_create_ruleset(NULL, 0, VERSION)", "%s",
		">= 4 (network rules)");
	note(r, "Landlock ABI version %ld", abi);

	const char *server = topology_server_addr(&r->topo, r->family);
	int lfd_allowed = tcp_listen_in(&r->topo.server, r->family, server, ALLOWED_PORT, 8);
	int lfd_forbidden = tcp_listen_in(&r->topo.server, r->family, server, FORBIDDEN_PORT, 8);
	int fd_forbidden = tcp_socket_in(&r->topo.client, r->family);
	int fd_allowed = tcp_socket_in(&r->topo.client, r->family);
	int fd_plain = tcp_socket_in(&r->topo.client, r->family);
	if (lfd_allowed < 0 || lfd_forbidden < 0 || fd_forbidden < 0 || fd_allowed < 0 ||
	    fd_plain < 0)
		return broken(r, "listeners on %s ports %d and %d, client sockets: %m", server,
			      ALLOWED_PORT, FORBIDDEN_PORT);
	struct sockaddr_storage forbidden, allowed;
	socklen_t flen = sockaddr_of(r->family, server, FORBIDDEN_PORT, &forbidden);
	socklen_t alen = sockaddr_of(r->family, server, ALLOWED_PORT, &allowed);

	int report;
	pid_t pid = fork_reporter(&report);
	if (pid < 0)
		return broken(r, "fork: %m");
	if (pid == 0)
		landlock_child(&r->topo.client, fd_forbidden, (struct sockaddr *)&forbidden, flen,
			       fd_allowed, (struct sockaddr *)&allowed, alen, report);

	struct ll_report rep;
	bool got = (poll_fd(report, POLLIN, 5000) & POLLIN) &&
		   read(report, &rep, sizeof(rep)) == (ssize_t)sizeof(rep);
	close(report);
	reap(pid, !got);
	if (!got)
		return broken(r, "the Landlock child reported nothing within 5 s");

	char call[160];
	record_child_call(r, &rep, LL_NNP, "no_new_privs", "prctl(PR_SET_NO_NEW_PRIVS, 1)");
	record_child_call(r, &rep, LL_CREATE, "create_ruleset",
			  "landlock_create_ruleset({.handled_access_net = CONNECT_TCP})");
	snprintf(call, sizeof(call), "landlock_add_rule(NET_PORT {CONNECT_TCP, port %d})",
		 ALLOWED_PORT);
	record_child_call(r, &rep, LL_ADD_RULE, "add_rule", call);
	record_child_call(r, &rep, LL_RESTRICT, "restrict_self", "landlock_restrict_self()");
	snprintf(call, sizeof(call), "connect(%d, %s) in the restricted child", fd_forbidden,
		 sockaddr_str((struct sockaddr *)&forbidden));
	record_child_call(r, &rep, LL_FORBIDDEN, "connect forbidden port", call);
	if (rep.done > LL_FORBIDDEN)
		observe(r, "forbidden port wire", "client Tcp ActiveOpens across that connect()",
			"%s", opens_str(rep.res[LL_FORBIDDEN].opens));
	snprintf(call, sizeof(call), "connect(%d, %s) in the restricted child", fd_allowed,
		 sockaddr_str((struct sockaddr *)&allowed));
	record_child_call(r, &rep, LL_ALLOWED, "connect allowed port", call);
	if (rep.done > LL_ALLOWED)
		observe(r, "allowed port wire", "client Tcp ActiveOpens across that connect()",
			"%s", opens_str(rep.res[LL_ALLOWED].opens));

	/* The control: the same port from the unrestricted parent, so the
	 * EACCES cannot be blamed on the network. */
	step_as(r, "connect unrestricted", connect(fd_plain, (struct sockaddr *)&forbidden, flen),
		"connect(%d, %s) in the unrestricted parent", fd_plain,
		sockaddr_str((struct sockaddr *)&forbidden));
	note(r, "policy: the EACCES comes from Landlock (an LSM hook), not from the network: the "
		"restricted connect() sent no SYN, and the same port accepts an unrestricted "
		"process");

	close(fd_plain);
	close(fd_allowed);
	close(fd_forbidden);
	close(lfd_forbidden);
	close(lfd_allowed);
	return RUN_OK;
}

/* ---- forbidden-output-drop ----------------------------------------- */

/* TCP_USER_TIMEOUT bounds the blocked connect(): checked when the first
 * SYN retransmission timer fires (initial RTO 1 s). */
#define USER_TIMEOUT_MS 500
#define SYN_COUNT	1

static long out_discards(struct run *r)
{
	if (r->family == AF_INET6)
		return netstat_counter(&r->topo.client, "snmp6", "Ip6OutDiscards");
	return netstat_counter(&r->topo.client, "Ip", "OutDiscards");
}

static int drop_rule(struct run *r, const char *server)
{
	char rules[512];
	snprintf(rules, sizeof(rules),
		 "table inet sockerr {\n"
		 "  chain output {\n"
		 "    type filter hook output priority 0;\n"
		 "    %s daddr %s meta l4proto { tcp, udp } drop\n"
		 "  }\n"
		 "}\n",
		 r->family == AF_INET6 ? "ip6" : "ip", server);
	return netns_nft(&r->topo.client, rules);
}

static int forbidden_output_drop(struct run *r)
{
	const char *server = topology_server_addr(&r->topo, r->family);
	if (drop_rule(r, server) < 0)
		return skipped(r, "nftables is not usable in the client namespace: %s",
			       netns_error());
	note(r, "client nft: output hook, %s daddr %s meta l4proto { tcp, udp } drop",
	     r->family == AF_INET6 ? "ip6" : "ip", server);

	int lfd = tcp_listen_in(&r->topo.server, r->family, server, SERVER_PORT, 8);
	int usrv = netns_socket(&r->topo.server, r->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int ucli = netns_socket(&r->topo.client, r->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int tcli = tcp_socket_in(&r->topo.client, r->family);
	struct sockaddr_storage dst;
	socklen_t dlen = sockaddr_of(r->family, server, SERVER_PORT, &dst);
	if (lfd < 0 || usrv < 0 || ucli < 0 || tcli < 0 ||
	    bind(usrv, (struct sockaddr *)&dst, dlen) < 0)
		return broken(r, "server listener and UDP socket on %s, client sockets: %m",
			      sockaddr_str((struct sockaddr *)&dst));

	/* UDP: the drop comes back as sendto()'s return value. */
	long discards = out_discards(r);
	step(r, sendto(ucli, "x", 1, 0, (struct sockaddr *)&dst, dlen), "sendto(%d, 1, %s)", ucli,
	     sockaddr_str((struct sockaddr *)&dst));
	long discards_after = out_discards(r);
	observe(r, "OutDiscards", "client IP OutDiscards (delta) across sendto()", "+%ld",
		discards_after - discards);

	/* TCP through the same rule. */
	unsigned timeout = USER_TIMEOUT_MS;
	int syncnt = SYN_COUNT;
	if (setsockopt(tcli, IPPROTO_TCP, TCP_USER_TIMEOUT, &timeout, sizeof(timeout)) < 0 ||
	    setsockopt(tcli, IPPROTO_TCP, TCP_SYNCNT, &syncnt, sizeof(syncnt)) < 0)
		return broken(r, "setsockopt(TCP_USER_TIMEOUT / TCP_SYNCNT): %m");
	note(r, "TCP socket: TCP_USER_TIMEOUT %u ms, TCP_SYNCNT %d", timeout, syncnt);
	discards = out_discards(r);
	double t = elapsed_ms(r);
	step(r, connect(tcli, (struct sockaddr *)&dst, dlen), "connect(%d, %s) (blocking)", tcli,
	     sockaddr_str((struct sockaddr *)&dst));
	double took = elapsed_ms(r) - t;
	discards_after = out_discards(r);
	measure(r, "connect time", "connect() elapsed", "%.0f ms", took);
	/* The class that matters: it waited for the retransmission timer
	 * (not before the 1 s initial RTO) instead of failing on the first
	 * SYN.  From below only: load can make it late, never early. */
	observe(r, "connect waited", "connect() elapsed, against the 1 s initial RTO", "%s",
		took < 1000 - TICK_SLACK_MS ? "less than the initial RTO"
					    : "for the SYN retransmission timer");
	observe(r, "TCP OutDiscards", "client IP OutDiscards (delta) across connect()", "+%ld",
		discards_after - discards);
	int state_mask = (1 << TCP_SYN_RECV) | (1 << TCP_ESTABLISHED);
	int seen = tcp_diag_count(&r->topo.server, r->family, SERVER_PORT, 0, (unsigned)state_mask);
	observe(r, "server saw", "server sock_diag: connections on the port", "%s",
		seen < 0    ? "unknown"
		: seen == 0 ? "no connection"
			    : "a connection");
	note(r,
	     "tcp_connect() ignores the -EPERM of the first SYN (only -ECONNREFUSED is "
	     "returned); the retransmission timer then ends the attempt with ETIMEDOUT after "
	     "%.0f ms",
	     took);

	/* Control: without the rule, the same calls go through. */
	if (netns_nft(&r->topo.client, "delete table inet sockerr\n") < 0)
		return broken(r, "deleting the nft table: %s", netns_error());
	step_as(r, "sendto without rule", sendto(ucli, "x", 1, 0, (struct sockaddr *)&dst, dlen),
		"sendto(%d, 1, %s), rule deleted", ucli, sockaddr_str((struct sockaddr *)&dst));
	char buf[8];
	if (poll_fd(usrv, POLLIN, 2000) & POLLIN)
		step_as(r, "server recv", recv(usrv, buf, sizeof(buf), MSG_DONTWAIT),
			"recv(%d) on the server", usrv);
	else
		observe(r, "server recv", "poll(server UDP socket, POLLIN, 2 s)", "%s",
			"nothing arrived");
	int cfd = step_as(r, "connect without rule",
			  tcp_connect_in(&r->topo.client, r->family, server, SERVER_PORT),
			  "connect() to %s port %d, rule deleted", server, SERVER_PORT);
	if (cfd >= 0)
		close(cfd);

	close(tcli);
	close(ucli);
	close(usrv);
	close(lfd);
	return RUN_OK;
}

SCENARIO(forbidden_landlock) = {
	.name = "forbidden-landlock",
	.errno_name = "EACCES",
	.syscall = "connect",
	.summary = "a Landlock-restricted process connects to a port its ruleset does not allow",
	.posix_expects = NULL, /* connect(2): "EACCES ... an SELinux policy denied a connection" */
	.kernel_path = "__sys_connect_file() -> security_socket_connect() -> Landlock "
		       "hook_socket_connect() -> current_check_access_socket() "
		       "(security/landlock/net.c, Linux >= 6.7): no rule for the port -> "
		       "-EACCES, before any packet",
	.policy = "landlock",
	.handling = "fatal: a policy decision (not a bug in the caller); do not retry, report "
		    "the denied port",
	.order = 540,
	.run = forbidden_landlock,
};

SCENARIO(forbidden_output_drop) = {
	.name = "forbidden-output-drop",
	.errno_name = "EPERM",
	.syscall = "sendto",
	.summary = "a local nft output rule drops packets to the server: UDP sendto() EPERM, TCP "
		   "connect() times out",
	.posix_expects = "send(2) does not list EPERM; connect(2) says EPERM \"because of a local "
			 "firewall rule\", but TCP connect() through a DROP rule times out "
			 "(ETIMEDOUT)",
	.kernel_path = "nf_hook_slow(): NF_DROP -> -EPERM; UDP: ip_local_out() -> ip_send_skb() "
		       "-> udp_send_skb() -> sendto(); TCP: tcp_connect() ignores "
		       "tcp_transmit_skb()'s error, tcp_retransmit_timer() -> tcp_write_timeout() "
		       "-> tcp_write_err() (ETIMEDOUT)",
	.handling = "back off and free resources: a firewall decision; do not retry in a loop",
	.intrinsic_wait_ms = 1000,
	.intrinsic_wait =
		"one SYN RTO: 1 s (TCP_TIMEOUT_INIT), where TCP_USER_TIMEOUT 500 ms is checked",
	.order = 550,
	.run = forbidden_output_drop,
};
