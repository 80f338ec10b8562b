/*
 * forbidden-landlock: a connection forbidden on the client's own host by a
 * security policy.
 *
 * A process restricts itself with Landlock (ABI >= 4:
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
 * Summary: a Landlock-restricted process connects to a port its ruleset does
 *   not allow
 * Kernel path: __sys_connect_file() -> security_socket_connect() -> Landlock
 *   hook_socket_connect() -> current_check_access_socket()
 *   (security/landlock/net.c, Linux >= 6.7): no rule for the port -> -EACCES,
 *   before any packet
 * Handling: back off and free resources: a policy decision (not a bug in the
 *   caller, not the network); the same call gets the same answer until the
 *   policy changes: report the denied port, do not retry in a loop
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/child.h"
#include "record/harness.h"
#include "lib/connection.h"
#include "lib/sockets.h"

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

static void record_child_call(struct run *r, const struct ll_report *rep, int i, struct where where,
			      const char *label, const char *call)
{
	if (rep->done <= i)
		return;
	errno = rep->res[i].err;
	step(r, where, label, rep->res[i].ret, "%s", call);
}

static const char *opens_str(long delta)
{
	return delta < 0 ? "unknown" : delta == 0 ? "no SYN sent" : "a SYN sent";
}

/* connect(2): "EACCES ... an SELinux policy denied a connection" */
SCENARIO(forbidden_landlock, .errno_name = "EACCES", .syscall = "connect", .policy = "landlock",
	 .order = 540)
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
	observe(r, NOWHERE, "Landlock ABI", "landlock_create_ruleset(NULL, 0, VERSION)", "%s",
		">= 4 (network rules)");
	note(r, "Landlock ABI version %ld", abi);

	const char *server = topology_server_addr(&r->topo, r->family);
	int lfd_allowed = listen_at_server(r, server, ALLOWED_PORT, 8);
	int lfd_forbidden = listen_at_server(r, server, FORBIDDEN_PORT, 8);
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
	record_child_call(r, &rep, LL_NNP, AT(HOST_CLIENT), "no_new_privs",
			  "prctl(PR_SET_NO_NEW_PRIVS, 1)");
	record_child_call(r, &rep, LL_CREATE, AT(HOST_CLIENT), "create_ruleset",
			  "landlock_create_ruleset({.handled_access_net = CONNECT_TCP})");
	snprintf(call, sizeof(call), "landlock_add_rule(NET_PORT {CONNECT_TCP, port %d})",
		 ALLOWED_PORT);
	record_child_call(r, &rep, LL_ADD_RULE, AT(HOST_CLIENT), "add_rule", call);
	record_child_call(r, &rep, LL_RESTRICT, AT(HOST_CLIENT), "restrict_self",
			  "landlock_restrict_self()");
	snprintf(call, sizeof(call), "connect(%d, %s) in the restricted child", fd_forbidden,
		 sockaddr_str((struct sockaddr *)&forbidden));
	record_child_call(r, &rep, LL_FORBIDDEN, ON_FD(fd_forbidden), "connect forbidden port",
			  call);
	if (rep.done > LL_FORBIDDEN)
		observe(r, AT(HOST_CLIENT), "forbidden port wire",
			"client Tcp ActiveOpens across that connect()", "%s",
			opens_str(rep.res[LL_FORBIDDEN].opens));
	snprintf(call, sizeof(call), "connect(%d, %s) in the restricted child", fd_allowed,
		 sockaddr_str((struct sockaddr *)&allowed));
	record_child_call(r, &rep, LL_ALLOWED, ON_FD(fd_allowed), "connect allowed port", call);
	if (rep.done > LL_ALLOWED)
		observe(r, AT(HOST_CLIENT), "allowed port wire",
			"client Tcp ActiveOpens across that connect()", "%s",
			opens_str(rep.res[LL_ALLOWED].opens));

	/* The control: the same port from the unrestricted parent, so the
	 * EACCES cannot be blamed on the network. */
	step(r, ON_FD(fd_plain), "connect unrestricted",
	     connect(fd_plain, (struct sockaddr *)&forbidden, flen),
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
