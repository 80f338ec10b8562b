/*
 * netns: the topology library of sockerr.
 *
 * Builds network namespaces, veth links, addresses, routes and sysctls
 * through rtnetlink (libnl-route-3), never by running ip(8).  Namespaces are
 * made visible to iproute2 under /run/netns exactly as `ip netns add` does
 * (a bind mount of the namespace file), so that `ip -n NAME ...` can inspect
 * a topology kept alive with --keep.
 *
 * Containment: nothing here ever touches the root network namespace.  Every
 * link is created from inside a namespace of ours with its peer moved into
 * another namespace of ours; every sysctl is written after setns() into a
 * namespace of ours.
 *
 * Teardown is registered the moment a resource is created (kselftest's
 * defer.sh habit) and runs last-in first-out on every path: netns_teardown()
 * called explicitly, exit(), or SIGINT/SIGTERM/SIGHUP.  Links, addresses,
 * routes and nft tables live inside the namespaces and die with them, so
 * the namespace mounts are the only thing that can outlive the process; a
 * SIGKILLed run leaves them behind and netns_reap_stale() removes them.
 */
#ifndef SOCKERR_NETNS_H
#define SOCKERR_NETNS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define NETNS_RUN_DIR "/run/netns"
/* Every namespace of ours is named "sockerr-<pid>-<role>"; a kept topology
 * is named "sockerr-keep-<pid>-<role>" so that automatic reaping spares it.
 * With SOCKERR_TAG=<tag> in the environment the prefix is
 * "sockerr-<tag>-": such runs, their reaping and `sockerr cleanup` see only
 * namespaces of that tag, and untagged ones never see theirs (a tag begins
 * with a letter, where an untagged name has its pid), so that two suites
 * can share a machine without removing each other's namespaces. */
#define NETNS_NAME_MAX 64
#define NETNS_TAG_MAX  12

/* "sockerr-" or "sockerr-<tag>-". */
const char *netns_prefix(void);
/* Is SOCKERR_TAG unset, or 1 to NETNS_TAG_MAX lowercase letters and
 * digits, starting with a letter, and not "keep"? */
bool netns_tag_valid(void);

struct netns {
	char name[NETNS_NAME_MAX];
	int fd; /* open fd of the namespace, for setns() */
};

/* Error text of the last failing call of this library ("Unable to add route
 * 198.51.100.2/32 in sockerr-12-router: Object exists"). */
const char *netns_error(void);

/* Names: kept namespaces get the "keep" infix.  Call before creating any. */
void netns_set_keep(bool keep);
bool netns_keep(void);

/* Create a namespace named "<prefix><pid>-<role>" and register its removal.
 * Inside it: lo is up, IPv6 DAD is off (no tentative addresses to wait
 * for).  Returns 0, or -1 with netns_error() set. */
int netns_create(struct netns *ns, const char *role);

/* Enter a namespace for the calling thread / go back to the one the process
 * started in.  Sockets created in between belong to ns for their lifetime. */
int netns_enter(const struct netns *ns);
int netns_leave(void);

/* socket(2) created inside ns. */
int netns_socket(const struct netns *ns, int domain, int type, int protocol);

/* Write a sysctl (path relative to /proc/sys, dots or slashes) inside ns. */
int netns_sysctl_set(const struct netns *ns, const char *key, const char *value);
/* Read it; returns 0 and the value without its newline, -1 if absent. */
int netns_sysctl_get(const struct netns *ns, const char *key, char *buf, size_t len);

/* A veth pair: end a_name in a, end b_name in b, both brought up. */
int netns_veth(const struct netns *a, const char *a_name, const struct netns *b,
	       const char *b_name);
int netns_link_set_up(const struct netns *ns, const char *ifname, bool up);
int netns_ifindex(const struct netns *ns, const char *ifname);

/* Add "ADDR/PLEN" (IPv4 or IPv6) to ifname; IPv6 addresses with NODAD. */
int netns_addr_add(const struct netns *ns, const char *ifname, const char *cidr);

enum netns_route_type {
	ROUTE_UNICAST,
	ROUTE_UNREACHABLE,
	ROUTE_PROHIBIT,
	ROUTE_BLACKHOLE,
	ROUTE_THROW,
};
const char *netns_route_type_name(enum netns_route_type type);

/* Add a route to dst ("default" or "ADDR/PLEN").  Unicast routes go via
 * gateway (may be NULL for on-link) on ifname (may be NULL with a gateway).
 * family is AF_INET or AF_INET6 (needed for "default"). */
int netns_route_add(const struct netns *ns, int family, const char *dst, enum netns_route_type type,
		    const char *gateway, const char *ifname);

/* Wait (polling, 100 us steps) until no IPv6 address in ns is tentative. */
int netns_wait_ipv6_ready(const struct netns *ns, int timeout_ms);

/* Forwarding for both families inside ns. */
int netns_forwarding(const struct netns *ns);

/* Run nft(8) syntax inside ns through libnftables.  Returns 0 or -1. */
int netns_nft(const struct netns *ns, const char *ruleset);

/* Remove every namespace registered by this process, last created first
 * (unless kept).  Idempotent; async-signal-safe. */
void netns_teardown(void);

/* Install the teardown on exit and on SIGINT/SIGTERM/SIGHUP (the signal is
 * re-raised after the teardown so the exit status stays honest). */
void netns_install_cleanup(void);

/* Remove namespaces of ours whose owning process is gone.  With
 * include_kept, kept topologies go too.  only_pid > 0 restricts the sweep
 * to that process's namespaces (whether it is alive or not).  Returns the
 * number removed; names are printed to out when it is not NULL. */
int netns_reap_stale(bool include_kept, pid_t only_pid, void *out /* FILE* */);

/* Does the process pid, which made the file at path (a namespace mount, a
 * tracefs instance), still live?  A zombie has ended; a pid that started
 * after the file was made is a reused pid, not the owner. */
bool netns_owner_alive(pid_t pid, const char *path);

/* The two topologies, dual-stack.  Addresses come from the documentation
 * ranges (RFC 5737, RFC 3849), so a packet that ever escaped would be
 * recognisably ours and routed nowhere. */
#define PAIR_CLIENT4 "192.0.2.1"
#define PAIR_SERVER4 "192.0.2.2"
#define PAIR_CLIENT6 "2001:db8:1::1"
#define PAIR_SERVER6 "2001:db8:1::2"

#define ROUTED_CLIENT4	 "192.0.2.1"
#define ROUTED_ROUTER_C4 "192.0.2.254"
#define ROUTED_ROUTER_S4 "198.51.100.254"
#define ROUTED_SERVER4	 "198.51.100.2"
#define ROUTED_CLIENT6	 "2001:db8:1::1"
#define ROUTED_ROUTER_C6 "2001:db8:1::fe"
#define ROUTED_ROUTER_S6 "2001:db8:2::fe"
#define ROUTED_SERVER6	 "2001:db8:2::2"

enum topology_kind { TOPO_NONE, TOPO_PAIR, TOPO_ROUTED };

struct topology {
	enum topology_kind kind;
	struct netns client, router, server; /* router unused in a pair */
	/* interface names: client "eth0", server "eth0", router "to-client"
	 * and "to-server" */
	/* Empty when the topology has IPv6; else why it has not (the kernel
	 * has no IPv6, or new namespaces are born with it disabled), and only
	 * the IPv4 half is built. */
	char ipv6_missing[256];
};

/* client(eth0) <-> server(eth0). */
int topology_pair(struct topology *t);

/* client(eth0) <-> (to-client)router(to-server) <-> server(eth0); the
 * router forwards; client and server have default routes via the router
 * unless client_default_route is false. */
int topology_routed(struct topology *t, bool client_default_route);

/* Every host's IPv6 addresses usable (called by the builders). */
int topology_wait_ready(const struct topology *t);

const char *topology_name(enum topology_kind kind);

/* Addresses of a topology's hosts as strings for a family. */
const char *topology_client_addr(const struct topology *t, int family);
const char *topology_server_addr(const struct topology *t, int family);
const char *topology_router_addr(const struct topology *t, int family, bool server_side);

#endif
