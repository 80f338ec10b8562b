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
};

const int catalogue_size = sizeof(catalogue) / sizeof(catalogue[0]);

const struct scenario *scenario_find(const char *name)
{
	for (int i = 0; i < catalogue_size; i++)
		if (strcmp(catalogue[i]->name, name) == 0)
			return catalogue[i];
	return NULL;
}
