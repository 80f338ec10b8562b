/* A socket's TCP state and pending error as observations: sock_observe.h. */
#include "lib/sock_observe.h"

#include "lib/sockets.h"

void observe_state(struct run *r, const char *label, int fd)
{
	observe(r, NOWHERE, label, "getsockopt(TCP_INFO).tcpi_state", "%s",
		tcp_state_name(tcp_state(fd)));
}

void observe_so_error(struct run *r, int fd)
{
	int err = so_error(fd);
	observe(r, NOWHERE, "SO_ERROR", "getsockopt(SO_ERROR)", "%s",
		err < 0 ? "getsockopt failed" : errno_name(err));
}
