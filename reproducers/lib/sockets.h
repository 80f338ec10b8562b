/* Small socket helpers shared by the reproducers: addresses, listeners,
 * waiting on socket state (never on sleep), and reading kernel state
 * (SO_ERROR, TCP_INFO, sock_diag, /proc/net/netstat counters). */
#ifndef SOCKERR_SOCKETS_H
#define SOCKERR_SOCKETS_H

#include <stdbool.h>
#include <sys/socket.h>

#include "netns/netns.h"

#define SERVER_PORT 8080
#define CLOSED_PORT 9 /* discard: nobody listens on it in our namespaces */

socklen_t sockaddr_of(int family, const char *addr, int port, struct sockaddr_storage *ss);
/* "192.0.2.1:8080" or "[2001:db8:1::1]:8080" */
const char *sockaddr_str(const struct sockaddr *sa);
/* "192.0.2.1" or "2001:db8:1::1": the address without the port. */
const char *sockaddr_host(const struct sockaddr *sa);

/* The local port a socket is bound to, or -1. */
int socket_local_port(int fd);

/* A TCP socket created inside ns (SOCK_CLOEXEC). -1 with errno. */
int tcp_socket_in(const struct netns *ns, int family);
/* A TCP socket inside ns bound to addr:port (SO_REUSEADDR), not yet
 * listening: for a fixture that records its listen() (setup_call()).  -1
 * with errno. */
int tcp_bound_in(const struct netns *ns, int family, const char *addr, int port);
/* A listening TCP socket inside ns bound to addr:port. -1 with errno. */
int tcp_listen_in(const struct netns *ns, int family, const char *addr, int port, int backlog);
/* Connect a fresh socket from ns to addr:port and wait (poll) until the
 * handshake completes; -1 with errno on failure. */
int tcp_connect_in(const struct netns *ns, int family, const char *addr, int port);

/* Close each descriptor that is open (>= 0), left to right: the clean-up
 * at a run's end.  close_fds(fd, pfd, lfd). */
#define close_fds(...)                                                                             \
	close_fd_list((const int[]){__VA_ARGS__}, sizeof((const int[]){__VA_ARGS__}) / sizeof(int))
void close_fd_list(const int *fds, size_t n);

/* poll() one fd; returns revents, 0 on timeout. */
int poll_fd(int fd, short events, int timeout_ms);
/* Wait until the socket reports POLLERR (an error is pending: an RST or a
 * hard ICMP error arrived).  Returns true when it did within timeout. */
bool wait_pending_error(int fd, int timeout_ms);
/* Wait until tcp_reset() has run to its end on the socket: POLLERR,
 * POLLHUP and POLLRDHUP all up.  tcp_done_with_error() writes sk_err
 * (POLLERR) before tcp_done() sets TCP_CLOSE (POLLHUP) and, last,
 * sk_shutdown (POLLRDHUP), and poll() takes no lock: a poll() on another
 * CPU may see POLLERR alone while the socket still looks ESTABLISHED.
 * poll() returns at once while POLLERR is up, so the loop spins only over
 * that window.  true when it happened within timeout. */
bool wait_reset_taken(int fd, int timeout_ms);

/* getsockopt(SO_ERROR): the pending error, which the call also clears. */
int so_error(int fd);
/* TCP_INFO's tcpi_state, and its name ("ESTABLISHED", "CLOSE"...). */
int tcp_state(int fd);
const char *tcp_state_name(int state);

/* Set SO_LINGER {1, 0}: close() then aborts with an RST. */
int set_linger_abort(int fd);

/* Number of TCP sockets inside ns with local port lport and remote port
 * rport (0 = any) whose state is in state_mask (1 << TCP_ESTABLISHED ...),
 * from sock_diag; -1 with errno on failure. */
int tcp_diag_count(const struct netns *ns, int family, int lport, int rport, unsigned state_mask);

/* A counter of /proc/net/netstat or /proc/net/snmp ("TcpExt",
 * "LockDroppedIcmps"), or of /proc/net/snmp6 (group "snmp6",
 * "Icmp6InDestUnreachs"), as seen inside ns; -1 when absent. */
long netstat_counter(const struct netns *ns, const char *group, const char *name);

#endif
