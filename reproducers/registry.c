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

const struct scenario *const catalogue[] = {
	&scenario_rst_before_accept,
	&scenario_accept_peer_port_zero,
	&scenario_write_after_rst,
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
