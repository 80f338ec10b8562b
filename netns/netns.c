/* netns: namespaces, veth, addresses, routes, sysctls over rtnetlink.
 * See netns.h for the contract. */
#include "netns.h"

#include <dirent.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <netlink/cache.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>
#include <nftables/libnftables.h>

static char last_error[512];

const char *netns_error(void)
{
	return last_error[0] ? last_error : "no error";
}

__attribute__((format(printf, 1, 2))) static int fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- teardown registry --------------------------------------------- */

#define MAX_REGISTERED 32
/* Full paths, prepared at registration so that the teardown needs nothing
 * but umount2() and unlink(), both async-signal-safe. */
static char registered[MAX_REGISTERED][sizeof(NETNS_RUN_DIR) + NETNS_NAME_MAX + 1];
static volatile sig_atomic_t n_registered;
static bool keep_namespaces;

void netns_set_keep(bool keep)
{
	keep_namespaces = keep;
}

bool netns_keep(void)
{
	return keep_namespaces;
}

static void remove_mount_file(const char *path)
{
	/* MNT_DETACH: the namespace itself lives on while a socket or fd
	 * still refers to it, and dies with the last one. */
	umount2(path, MNT_DETACH);
	unlink(path);
}

void netns_teardown(void)
{
	if (keep_namespaces)
		return;
	while (n_registered > 0) {
		n_registered--;
		remove_mount_file(registered[n_registered]);
	}
}

static void teardown_on_signal(int sig)
{
	netns_teardown();
	signal(sig, SIG_DFL);
	raise(sig);
}

void netns_install_cleanup(void)
{
	static bool installed;
	if (installed)
		return;
	installed = true;
	atexit(netns_teardown);
	struct sigaction sa = {.sa_handler = teardown_on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* ---- entering and leaving ------------------------------------------ */

static int original_ns_fd = -1;

static int remember_original(void)
{
	if (original_ns_fd >= 0)
		return 0;
	original_ns_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (original_ns_fd < 0)
		return fail("Unable to open /proc/self/ns/net: %s", strerror(errno));
	return 0;
}

int netns_enter(const struct netns *ns)
{
	if (remember_original() < 0)
		return -1;
	if (setns(ns->fd, CLONE_NEWNET) < 0)
		return fail("Unable to enter %s: %s", ns->name, strerror(errno));
	return 0;
}

int netns_leave(void)
{
	if (original_ns_fd < 0)
		return 0;
	if (setns(original_ns_fd, CLONE_NEWNET) < 0)
		return fail("Unable to return to the original namespace: %s", strerror(errno));
	return 0;
}

int netns_socket(const struct netns *ns, int domain, int type, int protocol)
{
	if (netns_enter(ns) < 0)
		return -1;
	int fd = socket(domain, type, protocol);
	int saved = errno;
	netns_leave();
	errno = saved;
	if (fd < 0)
		fail("Unable to create a socket in %s: %s", ns->name, strerror(errno));
	return fd;
}

/* ---- sysctls --------------------------------------------------------- */

static void sysctl_path(const char *key, char *path, size_t len)
{
	snprintf(path, len, "/proc/sys/%s", key);
	for (char *p = path + strlen("/proc/sys/"); *p; p++)
		if (*p == '.')
			*p = '/';
}

int netns_sysctl_set(const struct netns *ns, const char *key, const char *value)
{
	char path[256];
	sysctl_path(key, path, sizeof(path));
	if (netns_enter(ns) < 0)
		return -1;
	/* /proc/sys/net resolves to the namespace of the task that opens it. */
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int saved = errno;
	netns_leave();
	if (fd < 0) {
		errno = saved;
		return fail("Unable to set %s in %s: %s", key, ns->name, strerror(saved));
	}
	ssize_t n = write(fd, value, strlen(value));
	saved = errno;
	close(fd);
	if (n < 0) {
		errno = saved;
		return fail("Unable to set %s=%s in %s: %s", key, value, ns->name, strerror(saved));
	}
	return 0;
}

int netns_sysctl_get(const struct netns *ns, const char *key, char *buf, size_t len)
{
	char path[256];
	sysctl_path(key, path, sizeof(path));
	if (netns_enter(ns) < 0)
		return -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	netns_leave();
	if (fd < 0)
		return fail("Unable to read %s in %s: %s", key, ns->name, strerror(errno));
	ssize_t n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return fail("Unable to read %s: %s", key, strerror(errno));
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* ---- namespaces ------------------------------------------------------ */

/* As iproute2 does: /run/netns is a shared mount point, so that a netns
 * mount removed here is removed in every mount namespace. */
static int prepare_run_dir(void)
{
	static bool prepared;
	if (prepared)
		return 0;
	if (mkdir("/run", 0755) < 0 && errno != EEXIST)
		return fail("Unable to create /run: %s", strerror(errno));
	if (mkdir(NETNS_RUN_DIR, 0755) < 0 && errno != EEXIST)
		return fail("Unable to create " NETNS_RUN_DIR ": %s", strerror(errno));
	bool made_mount = false;
	while (mount("", NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL) < 0) {
		if (errno != EINVAL || made_mount)
			return fail("Unable to make " NETNS_RUN_DIR " a shared mount: %s",
				    strerror(errno));
		if (mount(NETNS_RUN_DIR, NETNS_RUN_DIR, "none", MS_BIND | MS_REC, NULL) < 0)
			return fail("Unable to bind-mount " NETNS_RUN_DIR ": %s", strerror(errno));
		made_mount = true;
	}
	prepared = true;
	return 0;
}

static int link_up(const struct netns *ns, const char *ifname);

/* In a namespace just created, as the calling thread's: no tentative IPv6
 * addresses (DAD would make the first seconds of every scenario depend on
 * a timer; set before any link exists so link-local addresses are born
 * usable too; a kernel without IPv6 has no such keys, and its IPv6 runs
 * skip), and lo up (SIOCSIFFLAGS: dev_ioctl() serves it from any socket,
 * in the socket's namespace). */
static int settle_new_namespace(const char *name)
{
	static const char *const dad[] = {"/proc/sys/net/ipv6/conf/all/accept_dad",
					  "/proc/sys/net/ipv6/conf/default/accept_dad"};
	for (size_t i = 0; i < sizeof(dad) / sizeof(dad[0]); i++) {
		int fd = open(dad[i], O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (write(fd, "0", 1) < 0)
			fail("Unable to set %s in %s: %s", dad[i], name, strerror(errno));
		close(fd);
	}
	int sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return fail("Unable to bring lo up in %s: socket: %s", name, strerror(errno));
	struct ifreq ifr = {0};
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	int rc = ioctl(sock, SIOCGIFFLAGS, &ifr);
	if (rc == 0) {
		ifr.ifr_flags |= IFF_UP;
		rc = ioctl(sock, SIOCSIFFLAGS, &ifr);
	}
	int saved = errno;
	close(sock);
	if (rc < 0)
		return fail("Unable to bring lo up in %s: %s", name, strerror(saved));
	return 0;
}

bool netns_tag_valid(void)
{
	const char *tag = getenv("SOCKERR_TAG");
	if (!tag)
		return true;
	size_t n = strlen(tag);
	if (n < 1 || n > NETNS_TAG_MAX || !islower((unsigned char)tag[0]) ||
	    strcmp(tag, "keep") == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!islower((unsigned char)tag[i]) && !isdigit((unsigned char)tag[i]))
			return false;
	return true;
}

const char *netns_prefix(void)
{
	static char prefix[sizeof("sockerr--") + NETNS_TAG_MAX];
	if (!prefix[0]) {
		const char *tag = getenv("SOCKERR_TAG");
		if (tag && netns_tag_valid())
			snprintf(prefix, sizeof(prefix), "sockerr-%s-", tag);
		else
			snprintf(prefix, sizeof(prefix), "sockerr-");
	}
	return prefix;
}

int netns_create(struct netns *ns, const char *role)
{
	ns->fd = -1;
	snprintf(ns->name, sizeof(ns->name), "%s%s%d-%s", netns_prefix(),
		 keep_namespaces ? "keep-" : "", (int)getpid(), role);
	if (remember_original() < 0 || prepare_run_dir() < 0)
		return -1;
	if (n_registered >= MAX_REGISTERED)
		return fail("Too many namespaces in one run (%d)", MAX_REGISTERED);

	char *path = registered[n_registered];
	snprintf(path, sizeof(registered[0]), NETNS_RUN_DIR "/%s", ns->name);
	int fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0)
		return fail("Unable to create %s: %s", path, strerror(errno));
	close(fd);
	n_registered++; /* registered before the mount: teardown unlinks it */

	if (unshare(CLONE_NEWNET) < 0)
		return fail("Unable to create a network namespace: %s", strerror(errno));
	if (mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL) < 0) {
		int saved = errno;
		netns_leave();
		return fail("Unable to bind-mount the namespace on %s: %s", path, strerror(saved));
	}
	/* While inside: the first settings, with no setns() round trips. */
	int rc = settle_new_namespace(ns->name);
	netns_leave();
	if (rc < 0)
		return -1;
	ns->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (ns->fd < 0)
		return fail("Unable to open %s: %s", path, strerror(errno));
	return 0;
}

/* ---- rtnetlink ------------------------------------------------------- */

static struct nl_sock *open_route_socket(const struct netns *ns)
{
	if (netns_enter(ns) < 0)
		return NULL;
	/* A netlink socket talks to the namespace it was created in. */
	struct nl_sock *sk = nl_socket_alloc();
	int err = sk ? nl_connect(sk, NETLINK_ROUTE) : -NLE_NOMEM;
	netns_leave();
	if (err < 0) {
		fail("Unable to open rtnetlink in %s: %s", ns->name, nl_geterror(err));
		nl_socket_free(sk);
		return NULL;
	}
	/* libnl peeks at each message to size its buffer: two recvmsg() per
	 * reply.  Our replies are small; one 32 KiB buffer holds any of them. */
	nl_socket_disable_msg_peek(sk);
	nl_socket_set_msg_buf_size(sk, 32768);
	return sk;
}

/* While a topology is built, one rtnetlink socket per namespace serves
 * every request: opening one costs two setns(), a socket, a bind and
 * three more calls, and a routed topology makes some thirty requests.
 * Keyed by the namespace's fd, which stays the same during a build; the
 * sockets are closed when the build ends, so that they keep no namespace
 * alive after its teardown. */
#define SOCKET_CACHE_SIZE 4
static struct {
	int ns_fd;
	struct nl_sock *sk;
} socket_cache[SOCKET_CACHE_SIZE];
static bool socket_caching;

static void socket_cache_begin(void)
{
	socket_caching = true;
}

static void socket_cache_end(void)
{
	for (int i = 0; i < SOCKET_CACHE_SIZE; i++) {
		nl_socket_free(socket_cache[i].sk);
		socket_cache[i].sk = NULL;
	}
	socket_caching = false;
}

static struct nl_sock *route_socket(const struct netns *ns)
{
	if (!socket_caching)
		return open_route_socket(ns);
	int free_slot = -1;
	for (int i = 0; i < SOCKET_CACHE_SIZE; i++) {
		if (socket_cache[i].sk && socket_cache[i].ns_fd == ns->fd)
			return socket_cache[i].sk;
		if (!socket_cache[i].sk && free_slot < 0)
			free_slot = i;
	}
	struct nl_sock *sk = open_route_socket(ns);
	if (sk && free_slot >= 0) {
		socket_cache[free_slot].ns_fd = ns->fd;
		socket_cache[free_slot].sk = sk;
	}
	return sk;
}

/* Every route_socket() is paired with this. */
static void release_route_socket(struct nl_sock *sk)
{
	for (int i = 0; socket_caching && i < SOCKET_CACHE_SIZE; i++)
		if (socket_cache[i].sk == sk)
			return;
	nl_socket_free(sk);
}

static int lookup_ifindex(struct nl_sock *sk, const struct netns *ns, const char *ifname)
{
	struct rtnl_link *link = NULL;
	int err = rtnl_link_get_kernel(sk, 0, ifname, &link);
	if (err < 0)
		return fail("Unable to find link %s in %s: %s", ifname, ns->name, nl_geterror(err));
	int idx = rtnl_link_get_ifindex(link);
	rtnl_link_put(link);
	return idx;
}

int netns_ifindex(const struct netns *ns, const char *ifname)
{
	struct nl_sock *sk = route_socket(ns);
	if (!sk)
		return -1;
	int idx = lookup_ifindex(sk, ns, ifname);
	release_route_socket(sk);
	return idx;
}

int netns_link_set_up(const struct netns *ns, const char *ifname, bool up)
{
	struct nl_sock *sk = route_socket(ns);
	if (!sk)
		return -1;
	struct rtnl_link *link = NULL, *change = rtnl_link_alloc();
	int err = rtnl_link_get_kernel(sk, 0, ifname, &link);
	if (err >= 0) {
		if (up)
			rtnl_link_set_flags(change, IFF_UP);
		else
			rtnl_link_unset_flags(change, IFF_UP);
		err = rtnl_link_change(sk, link, change, 0);
	}
	if (err < 0)
		fail("Unable to set link %s %s in %s: %s", ifname, up ? "up" : "down", ns->name,
		     nl_geterror(err));
	rtnl_link_put(change);
	if (link)
		rtnl_link_put(link);
	release_route_socket(sk);
	return err < 0 ? -1 : 0;
}

static int link_up(const struct netns *ns, const char *ifname)
{
	return netns_link_set_up(ns, ifname, true);
}

/* The readiness polls below wait for kernel work queued at set-up
 * (linkwatch, addrconf), which usually ends within a fraction of a
 * millisecond: poll in 100 us steps, against a deadline. */
static double monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void sleep_briefly(void)
{
	struct timespec step = {0, 100000};
	nanosleep(&step, NULL);
}

/* Carrier comes up at once, but the end brought up first gets its real
 * qdisc only when the linkwatch work runs dev_activate(); until then every
 * packet it sends goes to noop_qdisc and is dropped.  linkwatch sets
 * operstate UP in the same pass (rfc2863_policy()), and IPv6 calls a link
 * ready only then (addrconf_link_ready(): netif_oper_up()), so poll for
 * that.  netns_veth() numbers the ends so that this takes milliseconds. */
static int wait_oper_up(const struct netns *ns, const char *ifname, int timeout_ms)
{
	struct nl_sock *sk = route_socket(ns);
	if (!sk)
		return -1;
	int rc = -1;
	bool state_timeout = true;
	for (double deadline = monotonic_ms() + timeout_ms; monotonic_ms() <= deadline;) {
		struct rtnl_link *link = NULL;
		int err = rtnl_link_get_kernel(sk, 0, ifname, &link);
		if (err < 0) {
			fail("Unable to find link %s in %s: %s", ifname, ns->name,
			     nl_geterror(err));
			state_timeout = false;
			break;
		}
		uint8_t state = rtnl_link_get_operstate(link);
		rtnl_link_put(link);
		if (state == IF_OPER_UP) {
			rc = 0;
			break;
		}
		sleep_briefly();
	}
	if (rc < 0 && state_timeout)
		fail("Link %s in %s not operationally up after %d ms", ifname, ns->name,
		     timeout_ms);
	release_route_socket(sk);
	return rc;
}

/* A veth gets one queue per possible CPU by default (veth_get_num_queues())
 * and veth_init_queues() then cuts the real number of tx queues back to
 * one: netif_set_real_num_tx_queues() on a registered device calls
 * synchronize_net(), an expedited RCU grace period under RTNL, once per
 * end.  Asking for one queue from the start (IFLA_NUM_TX_QUEUES and
 * IFLA_NUM_RX_QUEUES, which veth_init_queues() honours) gives the same
 * device without the two grace periods. */
static void set_one_queue(struct rtnl_link *link)
{
	rtnl_link_set_num_tx_queues(link, 1);
	rtnl_link_set_num_rx_queues(link, 1);
}

int netns_veth(const struct netns *a, const char *a_name, const struct netns *b, const char *b_name)
{
	struct nl_sock *sk = route_socket(a);
	if (!sk)
		return -1;
	/* Created from inside a, its peer born straight into b: the root
	 * namespace never sees either end.
	 *
	 * The two ends get different ifindexes.  Left to the kernel, both are
	 * the first free index of a fresh namespace (2), and then
	 * linkwatch_urgent_event() (net/core/link_watch.c) finds
	 * dev->ifindex == dev_get_iflink(dev) (veth_get_iflink() is the
	 * peer's index) and treats the carrier-on of the end whose qdisc is
	 * already active as non-urgent: linkwatch_fire_event() queues it, and
	 * __linkwatch_run_queue() in urgent-only mode puts it back until the
	 * once-per-second limit (linkwatch_nextevent) expires.  Its operstate
	 * then stays LOWERLAYERDOWN/DOWN for up to 1 s; whether it does
	 * depends on whether another linkwatch pass ran in the last second
	 * (slow machines, qemu, parallel runs).  With distinct indexes both
	 * events are urgent and handled at once.  An index already taken in a
	 * namespace (a fallback tunnel device, a second veth) fails the
	 * request with EEXIST (__rtnl_newlink() on 6.1) or EBUSY
	 * (register_netdevice()), and the next pair of indexes is tried. */
	int err = 0;
	for (int idx = 2; idx < 2 + 2 * 16; idx += 2) {
		struct rtnl_link *link = rtnl_link_veth_alloc();
		struct rtnl_link *peer = rtnl_link_veth_get_peer(link);
		rtnl_link_set_name(link, a_name);
		rtnl_link_set_name(peer, b_name);
		rtnl_link_set_ifindex(link, idx);
		rtnl_link_set_ifindex(peer, idx + 1);
		set_one_queue(link);
		set_one_queue(peer);
		rtnl_link_set_ns_fd(peer, b->fd);
		err = rtnl_link_add(sk, link, NLM_F_CREATE | NLM_F_EXCL);
		rtnl_link_put(peer); /* rtnl_link_veth_get_peer() took a reference */
		rtnl_link_veth_release(link);
		if (err != -NLE_EXIST && err != -NLE_BUSY)
			break;
	}
	release_route_socket(sk);
	if (err < 0)
		return fail("Unable to add veth %s (%s) -- %s (%s): %s", a_name, a->name, b_name,
			    b->name, nl_geterror(err));
	if (link_up(a, a_name) < 0 || link_up(b, b_name) < 0)
		return -1;
	if (wait_oper_up(a, a_name, 2000) < 0 || wait_oper_up(b, b_name, 2000) < 0)
		return -1;
	return 0;
}

int netns_addr_add(const struct netns *ns, const char *ifname, const char *cidr)
{
	struct nl_sock *sk = route_socket(ns);
	if (!sk)
		return -1;
	struct nl_addr *local = NULL;
	struct rtnl_addr *addr = rtnl_addr_alloc();
	int idx = lookup_ifindex(sk, ns, ifname);
	int err = 0;
	if (idx < 0)
		goto out;
	err = nl_addr_parse(cidr, AF_UNSPEC, &local);
	if (err < 0) {
		fail("Unable to parse address %s: %s", cidr, nl_geterror(err));
		goto out;
	}
	rtnl_addr_set_ifindex(addr, idx);
	rtnl_addr_set_local(addr, local);
	if (nl_addr_get_family(local) == AF_INET6)
		rtnl_addr_set_flags(addr, IFA_F_NODAD);
	err = rtnl_addr_add(sk, addr, 0);
	if (err < 0)
		fail("Unable to add address %s to %s in %s: %s", cidr, ifname, ns->name,
		     nl_geterror(err));
out:
	nl_addr_put(local);
	rtnl_addr_put(addr);
	release_route_socket(sk);
	return (idx < 0 || err < 0) ? -1 : 0;
}

const char *netns_route_type_name(enum netns_route_type type)
{
	switch (type) {
	case ROUTE_UNICAST: return "unicast";
	case ROUTE_UNREACHABLE: return "unreachable";
	case ROUTE_PROHIBIT: return "prohibit";
	case ROUTE_BLACKHOLE: return "blackhole";
	case ROUTE_THROW: return "throw";
	}
	return "?";
}

static int rtn_type(enum netns_route_type type)
{
	switch (type) {
	case ROUTE_UNREACHABLE: return RTN_UNREACHABLE;
	case ROUTE_PROHIBIT: return RTN_PROHIBIT;
	case ROUTE_BLACKHOLE: return RTN_BLACKHOLE;
	case ROUTE_THROW: return RTN_THROW;
	case ROUTE_UNICAST: break;
	}
	return RTN_UNICAST;
}

int netns_route_add(const struct netns *ns, int family, const char *dst, enum netns_route_type type,
		    const char *gateway, const char *ifname)
{
	struct nl_sock *sk = route_socket(ns);
	if (!sk)
		return -1;
	struct rtnl_route *route = rtnl_route_alloc();
	struct nl_addr *dst_addr = NULL, *gw_addr = NULL;
	int err = nl_addr_parse(dst, family, &dst_addr);
	if (err < 0) {
		fail("Unable to parse route destination %s: %s", dst, nl_geterror(err));
		goto out;
	}
	rtnl_route_set_family(route, family);
	rtnl_route_set_dst(route, dst_addr);
	rtnl_route_set_table(route, RT_TABLE_MAIN);
	rtnl_route_set_protocol(route, RTPROT_STATIC);
	rtnl_route_set_type(route, rtn_type(type));
	rtnl_route_set_scope(route, (type == ROUTE_UNICAST && !gateway) ? RT_SCOPE_LINK
									: RT_SCOPE_UNIVERSE);
	if (type == ROUTE_UNICAST) {
		struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
		if (gateway) {
			err = nl_addr_parse(gateway, family, &gw_addr);
			if (err < 0) {
				rtnl_route_nh_free(nh);
				fail("Unable to parse gateway %s: %s", gateway, nl_geterror(err));
				goto out;
			}
			rtnl_route_nh_set_gateway(nh, gw_addr);
		}
		if (ifname) {
			int idx = lookup_ifindex(sk, ns, ifname);
			if (idx < 0) {
				rtnl_route_nh_free(nh);
				err = -1;
				goto out;
			}
			rtnl_route_nh_set_ifindex(nh, idx);
		}
		rtnl_route_add_nexthop(route, nh);
	}
	err = rtnl_route_add(sk, route, NLM_F_CREATE | NLM_F_EXCL);
	if (err < 0)
		fail("Unable to add %s route %s%s%s in %s: %s", netns_route_type_name(type), dst,
		     gateway ? " via " : "", gateway ? gateway : "", ns->name, nl_geterror(err));
out:
	nl_addr_put(dst_addr);
	nl_addr_put(gw_addr);
	rtnl_route_put(route);
	release_route_socket(sk);
	return err < 0 ? -1 : 0;
}

int netns_forwarding(const struct netns *ns)
{
	if (netns_sysctl_set(ns, "net/ipv4/ip_forward", "1") < 0)
		return -1;
	if (netns_sysctl_set(ns, "net/ipv6/conf/all/forwarding", "1") < 0 && errno != ENOENT)
		return -1;
	return 0;
}

int netns_nft(const struct netns *ns, const char *ruleset)
{
	if (netns_enter(ns) < 0)
		return -1;
	/* The context opens its netlink socket here, inside ns. */
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
	int rc = -1;
	if (!nft) {
		fail("Unable to create an nftables context in %s", ns->name);
		goto out;
	}
	nft_ctx_buffer_output(nft);
	nft_ctx_buffer_error(nft);
	rc = nft_run_cmd_from_buffer(nft, ruleset);
	if (rc != 0) {
		const char *msg = nft_ctx_get_error_buffer(nft);
		fail("Unable to load nft rules in %s: %s", ns->name,
		     msg && *msg ? msg : "(no message)");
		rc = -1;
	}
	nft_ctx_free(nft);
out:
	netns_leave();
	return rc;
}

/* ---- stale namespaces ------------------------------------------------ */

/* Seconds since the epoch at which pid started, from /proc/PID/stat, or -1
 * when there is no such process or it is a zombie (dead, not yet reaped:
 * kill(pid, 0) would still succeed on it). */
static double process_start_time(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *p = strrchr(buf, ')'); /* the command name may hold spaces */
	if (!p)
		return -1;
	char state;
	unsigned long long start_ticks = 0;
	/* fields 3 (state) ... 22 (starttime) */
	if (sscanf(p + 1,
		   " %c %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s "
		   "%*s %*s %llu",
		   &state, &start_ticks) != 2)
		return -1;
	if (state == 'Z' || state == 'X')
		return -1;
	static long long boot_time = -1;
	if (boot_time < 0) {
		FILE *st = fopen("/proc/stat", "re");
		char line[256];
		while (st && fgets(line, sizeof(line), st))
			if (sscanf(line, "btime %lld", &boot_time) == 1)
				break;
		if (st)
			fclose(st);
	}
	return (double)boot_time + (double)start_ticks / (double)sysconf(_SC_CLK_TCK);
}

bool netns_owner_alive(pid_t pid, const char *path)
{
	double started = process_start_time(pid);
	if (started < 0)
		return false;
	struct stat st;
	if (stat(path, &st) == 0 && started > (double)st.st_mtime + 2)
		return false;
	return true;
}

int netns_reap_stale(bool include_kept, pid_t only_pid, void *out)
{
	DIR *dir = opendir(NETNS_RUN_DIR);
	if (!dir)
		return 0;
	int removed = 0;
	struct dirent *de;
	while ((de = readdir(dir))) {
		const char *p = de->d_name;
		if (strncmp(p, netns_prefix(), strlen(netns_prefix())) != 0)
			continue;
		p += strlen(netns_prefix());
		bool kept = strncmp(p, "keep-", 5) == 0;
		if (kept)
			p += 5;
		char *end;
		long pid = strtol(p, &end, 10);
		if (end == p || *end != '-' || pid <= 0)
			continue;
		if (kept && !include_kept)
			continue;
		char path[sizeof(NETNS_RUN_DIR) + 256 + 1];
		snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", de->d_name);
		if (only_pid > 0 ? pid != only_pid : netns_owner_alive((pid_t)pid, path))
			continue;
		remove_mount_file(path);
		if (out)
			fprintf(out, "removed %s\n", de->d_name);
		removed++;
	}
	closedir(dir);
	return removed;
}

/* ---- readiness ------------------------------------------------------- */

/* Is the solicited-node group of addr (ff02::1:ffXX:XXXX) joined in ns?
 * Reads /proc/net/igmp6 of the calling thread's namespace. */
static bool solicited_node_joined(const struct in6_addr *addr)
{
	char want[33];
	snprintf(want, sizeof(want), "ff0200000000000000000001ff%02x%02x%02x", addr->s6_addr[13],
		 addr->s6_addr[14], addr->s6_addr[15]);
	FILE *f = fopen("/proc/thread-self/net/igmp6", "re");
	if (!f)
		return true; /* no MLD state to wait for */
	char line[256];
	bool found = false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, want) != NULL;
	fclose(f);
	return found;
}

/* Number of IPv6 addresses in ns not yet usable: still tentative, or whose
 * solicited-node group is not joined yet.  -1 on error. */
static int ipv6_addresses_not_ready(const struct netns *ns)
{
	struct nl_sock *sk = route_socket(ns);
	if (!sk)
		return -1;
	struct nl_cache *cache = NULL;
	int err = rtnl_addr_alloc_cache(sk, &cache);
	release_route_socket(sk);
	if (err < 0)
		return fail("Unable to list addresses in %s: %s", ns->name, nl_geterror(err));
	int not_ready = 0;
	if (netns_enter(ns) < 0) {
		nl_cache_free(cache);
		return -1;
	}
	for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;
		struct nl_addr *local = rtnl_addr_get_local(a);
		if (rtnl_addr_get_family(a) != AF_INET6 || !local ||
		    nl_addr_get_len(local) != sizeof(struct in6_addr))
			continue;
		const struct in6_addr *in6 = nl_addr_get_binary_addr(local);
		if (IN6_IS_ADDR_LOOPBACK(in6))
			continue;
		if ((rtnl_addr_get_flags(a) & IFA_F_TENTATIVE) || !solicited_node_joined(in6))
			not_ready++;
	}
	netns_leave();
	nl_cache_free(cache);
	return not_ready;
}

int netns_wait_ipv6_ready(const struct netns *ns, int timeout_ms)
{
	/* addrconf finishes an address from a workqueue: addrconf_dad_begin()
	 * joins its solicited-node group, then clears IFA_F_TENTATIVE (a
	 * NODAD address is never flagged tentative, yet joins as late).  A
	 * neighbour solicitation arriving before the join is dropped, which
	 * costs the first connection a 1 s retransmission.  Poll the state. */
	for (double deadline = monotonic_ms() + timeout_ms; monotonic_ms() <= deadline;) {
		int n = ipv6_addresses_not_ready(ns);
		if (n <= 0)
			return n;
		sleep_briefly();
	}
	return fail("IPv6 addresses in %s not ready after %d ms", ns->name, timeout_ms);
}

/* ---- topologies ------------------------------------------------------ */

const char *topology_name(enum topology_kind kind)
{
	switch (kind) {
	case TOPO_PAIR: return "pair";
	case TOPO_ROUTED: return "routed";
	case TOPO_NONE: break;
	}
	return "none";
}

/* Why IPv6 cannot be used in a namespace just created, or NULL.  Read in
 * the namespace itself: a new namespace's conf/default/disable_ipv6 comes
 * from the boot parameter ipv6.disable_ipv6 (addrconf_init_net()), whatever
 * the host's own conf says; with ipv6.disable=1 there is no net.ipv6 at
 * all.  (conf/all/disable_ipv6 may read 1 and act on no device: it only
 * acts when written.) */
static const char *ipv6_unusable(const struct netns *ns)
{
	char v[16];
	if (netns_sysctl_get(ns, "net/ipv6/conf/default/disable_ipv6", v, sizeof(v)) < 0)
		return "IPv6 is not available on this kernel";
	if (strcmp(v, "1") == 0)
		return "IPv6 is disabled in the run's namespaces: a new namespace starts with "
		       "net.ipv6.conf.default.disable_ipv6=1 (boot parameter ipv6.disable_ipv6=1)";
	return NULL;
}

static void check_ipv6(struct topology *t)
{
	const char *why = ipv6_unusable(&t->client);
	snprintf(t->ipv6_missing, sizeof(t->ipv6_missing), "%s", why ? why : "");
}

static int add_addrs(const struct topology *t, const struct netns *ns, const char *ifname,
		     const char *v4, const char *v6)
{
	char cidr[64];
	snprintf(cidr, sizeof(cidr), "%s/24", v4);
	if (netns_addr_add(ns, ifname, cidr) < 0)
		return -1;
	if (t->ipv6_missing[0])
		return 0;
	snprintf(cidr, sizeof(cidr), "%s/64", v6);
	return netns_addr_add(ns, ifname, cidr);
}

int topology_wait_ready(const struct topology *t)
{
	const struct netns *hosts[] = {&t->client, &t->router, &t->server};
	for (int i = 0; i < 3; i++)
		if (hosts[i]->fd >= 0 && hosts[i]->name[0] &&
		    netns_wait_ipv6_ready(hosts[i], 2000) < 0)
			return -1;
	return 0;
}

static int build_pair(struct topology *t)
{
	memset(t, 0, sizeof(*t));
	t->kind = TOPO_PAIR;
	t->router.fd = -1;
	if (netns_create(&t->client, "client") < 0 || netns_create(&t->server, "server") < 0)
		return -1;
	check_ipv6(t);
	if (netns_veth(&t->client, "eth0", &t->server, "eth0") < 0)
		return -1;
	if (add_addrs(t, &t->client, "eth0", PAIR_CLIENT4, PAIR_CLIENT6) < 0 ||
	    add_addrs(t, &t->server, "eth0", PAIR_SERVER4, PAIR_SERVER6) < 0)
		return -1;
	return topology_wait_ready(t);
}

static int build_routed(struct topology *t, bool client_default_route)
{
	memset(t, 0, sizeof(*t));
	t->kind = TOPO_ROUTED;
	if (netns_create(&t->client, "client") < 0 || netns_create(&t->router, "router") < 0 ||
	    netns_create(&t->server, "server") < 0)
		return -1;
	check_ipv6(t);
	if (netns_veth(&t->client, "eth0", &t->router, "to-client") < 0 ||
	    netns_veth(&t->router, "to-server", &t->server, "eth0") < 0)
		return -1;
	if (add_addrs(t, &t->client, "eth0", ROUTED_CLIENT4, ROUTED_CLIENT6) < 0 ||
	    add_addrs(t, &t->router, "to-client", ROUTED_ROUTER_C4, ROUTED_ROUTER_C6) < 0 ||
	    add_addrs(t, &t->router, "to-server", ROUTED_ROUTER_S4, ROUTED_ROUTER_S6) < 0 ||
	    add_addrs(t, &t->server, "eth0", ROUTED_SERVER4, ROUTED_SERVER6) < 0)
		return -1;
	if (netns_forwarding(&t->router) < 0)
		return -1;
	/* The router answers every packet that needs an ICMP error: the
	 * default rate limit would make a second error depend on timing. */
	if (netns_sysctl_set(&t->router, "net/ipv4/icmp_ratelimit", "0") < 0)
		return -1;
	netns_sysctl_set(&t->router, "net/ipv6/icmp/ratelimit", "0");
	bool v6 = !t->ipv6_missing[0];
	if (client_default_route &&
	    (netns_route_add(&t->client, AF_INET, "default", ROUTE_UNICAST, ROUTED_ROUTER_C4,
			     "eth0") < 0 ||
	     (v6 && netns_route_add(&t->client, AF_INET6, "default", ROUTE_UNICAST,
				    ROUTED_ROUTER_C6, "eth0") < 0)))
		return -1;
	if (netns_route_add(&t->server, AF_INET, "default", ROUTE_UNICAST, ROUTED_ROUTER_S4,
			    "eth0") < 0 ||
	    (v6 && netns_route_add(&t->server, AF_INET6, "default", ROUTE_UNICAST, ROUTED_ROUTER_S6,
				   "eth0") < 0))
		return -1;
	return topology_wait_ready(t);
}

int topology_pair(struct topology *t)
{
	socket_cache_begin();
	int rc = build_pair(t);
	socket_cache_end();
	return rc;
}

int topology_routed(struct topology *t, bool client_default_route)
{
	socket_cache_begin();
	int rc = build_routed(t, client_default_route);
	socket_cache_end();
	return rc;
}

const char *topology_client_addr(const struct topology *t, int family)
{
	(void)t; /* both topologies give the client the same addresses */
	return family == AF_INET6 ? PAIR_CLIENT6 : PAIR_CLIENT4;
}

const char *topology_server_addr(const struct topology *t, int family)
{
	if (t->kind == TOPO_ROUTED)
		return family == AF_INET6 ? ROUTED_SERVER6 : ROUTED_SERVER4;
	return family == AF_INET6 ? PAIR_SERVER6 : PAIR_SERVER4;
}

const char *topology_router_addr(const struct topology *t, int family, bool server_side)
{
	(void)t;
	if (server_side)
		return family == AF_INET6 ? ROUTED_ROUTER_S6 : ROUTED_ROUTER_S4;
	return family == AF_INET6 ? ROUTED_ROUTER_C6 : ROUTED_ROUTER_C4;
}
