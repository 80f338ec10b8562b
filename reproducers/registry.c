#include "registry.h"

#include <string.h>

/* Each scenario file defines its struct scenario; they are listed here so
 * that the catalogue's order is chosen, not an accident of link order. */
extern const struct scenario scenario_rst_before_accept;
extern const struct scenario scenario_accept_peer_port_zero;
extern const struct scenario scenario_write_after_rst;
extern const struct scenario scenario_closed_port;
extern const struct scenario scenario_router_blackhole;
extern const struct scenario scenario_router_unreachable;
extern const struct scenario scenario_local_route_unreachable;
extern const struct scenario scenario_local_route_prohibit;
extern const struct scenario scenario_local_route_blackhole;
extern const struct scenario scenario_local_route_throw;
extern const struct scenario scenario_no_route;
/* the accept(2) error table */
extern const struct scenario scenario_accept_nonblocking_empty;
extern const struct scenario scenario_accept_rcvtimeo;
extern const struct scenario scenario_accept_closed_fd;
extern const struct scenario scenario_accept_not_socket;
extern const struct scenario scenario_accept_udp_socket;
extern const struct scenario scenario_accept_not_listening;
extern const struct scenario scenario_accept4_bad_flags;
extern const struct scenario scenario_accept_bad_address;
extern const struct scenario scenario_accept_fd_limit;
extern const struct scenario scenario_accept_file_table_full;
extern const struct scenario scenario_accept_signal;
extern const struct scenario scenario_accept_listener_destroyed;
extern const struct scenario scenario_accept_policy_eperm;
extern const struct scenario scenario_accept_policy_eproto;
extern const struct scenario scenario_accept_policy_enobufs;
extern const struct scenario scenario_accept_policy_enomem;
extern const struct scenario scenario_accept_pending_error;
extern const struct scenario scenario_accept_loop_fd_exhaustion;
/* the common TCP errors */
extern const struct scenario scenario_recv_nonblocking_empty;
extern const struct scenario scenario_recv_timeout;
extern const struct scenario scenario_send_buffer_full;
extern const struct scenario scenario_send_timeout;
extern const struct scenario scenario_connect_timeout_option;
extern const struct scenario scenario_signal_during_call;
extern const struct scenario scenario_reset_unread_data;
extern const struct scenario scenario_reset_linger_zero;
extern const struct scenario scenario_reset_peer_rebooted;
extern const struct scenario scenario_reset_backlog_overflow;
extern const struct scenario scenario_reset_after_eof;
extern const struct scenario scenario_pipe_after_shutdown;
extern const struct scenario scenario_pipe_in_close_wait;
extern const struct scenario scenario_refused_by_firewall;
extern const struct scenario scenario_refused_by_icmp;
extern const struct scenario scenario_timeout_syn_dropped;
extern const struct scenario scenario_timeout_peer_vanished;
extern const struct scenario scenario_timeout_keepalive;
extern const struct scenario scenario_timeout_user_timeout;
extern const struct scenario scenario_unreachable_neighbour;
extern const struct scenario scenario_unreachable_ttl_exceeded;
extern const struct scenario scenario_unreachable_net_icmp;
extern const struct scenario scenario_unreachable_link_down;
extern const struct scenario scenario_icmp_matrix;
extern const struct scenario scenario_forbidden_landlock;
extern const struct scenario scenario_forbidden_output_drop;
extern const struct scenario scenario_aborted_socket_destroyed;

const struct scenario *const catalogue[] = {
	/* accept(2) */
	&scenario_rst_before_accept,
	&scenario_accept_peer_port_zero,
	&scenario_accept_nonblocking_empty,
	&scenario_accept_rcvtimeo,
	&scenario_accept_closed_fd,
	&scenario_accept_not_socket,
	&scenario_accept_udp_socket,
	&scenario_accept_not_listening,
	&scenario_accept4_bad_flags,
	&scenario_accept_bad_address,
	&scenario_accept_signal,
	&scenario_accept_fd_limit,
	&scenario_accept_file_table_full,
	&scenario_accept_policy_eperm,
	&scenario_accept_policy_eproto,
	&scenario_accept_policy_enobufs,
	&scenario_accept_policy_enomem,
	&scenario_accept_pending_error,
	&scenario_accept_listener_destroyed,
	&scenario_accept_loop_fd_exhaustion,
	/* send(2) after a reset */
	&scenario_write_after_rst,
	/* connect(2) */
	&scenario_closed_port,
	&scenario_router_blackhole,
	&scenario_router_unreachable,
	&scenario_local_route_unreachable,
	&scenario_local_route_prohibit,
	&scenario_local_route_blackhole,
	&scenario_local_route_throw,
	&scenario_no_route,
	/* the common TCP errors (issue 4) */
	&scenario_recv_nonblocking_empty,
	&scenario_recv_timeout,
	&scenario_send_buffer_full,
	&scenario_send_timeout,
	&scenario_connect_timeout_option,
	&scenario_signal_during_call,
	&scenario_reset_unread_data,
	&scenario_reset_linger_zero,
	&scenario_reset_peer_rebooted,
	&scenario_reset_backlog_overflow,
	&scenario_reset_after_eof,
	&scenario_pipe_after_shutdown,
	&scenario_pipe_in_close_wait,
	&scenario_refused_by_firewall,
	&scenario_refused_by_icmp,
	&scenario_timeout_syn_dropped,
	&scenario_timeout_peer_vanished,
	&scenario_timeout_keepalive,
	&scenario_timeout_user_timeout,
	&scenario_unreachable_neighbour,
	&scenario_unreachable_ttl_exceeded,
	&scenario_unreachable_net_icmp,
	&scenario_unreachable_link_down,
	&scenario_icmp_matrix,
	&scenario_forbidden_landlock,
	&scenario_forbidden_output_drop,
	&scenario_aborted_socket_destroyed,
};

const int catalogue_size = sizeof(catalogue) / sizeof(catalogue[0]);

const struct scenario *scenario_find(const char *name)
{
	for (int i = 0; i < catalogue_size; i++)
		if (strcmp(catalogue[i]->name, name) == 0)
			return catalogue[i];
	return NULL;
}
