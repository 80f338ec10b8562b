/* A socket's TCP state and pending error as observations: sock_observe.h. */
#include "lib/sock_observe.h"

#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "lib/sockets.h"

void observe_state(struct run *r, const char *label, int fd)
{
	observe(r, ON_FD(fd), label, "getsockopt(TCP_INFO).tcpi_state", "%s",
		tcp_state_name(tcp_state(fd)));
}

void observe_so_error(struct run *r, int fd)
{
	int err = so_error(fd);
	observe(r, ON_FD(fd), "SO_ERROR", "getsockopt(SO_ERROR)", "%s",
		err < 0 ? "getsockopt failed" : errno_name(err));
}

const char *poll_revents_text(int revents, const char *none)
{
	static char buf[96];
	static const struct {
		int bit;
		const char *name;
	} bits[] = {{POLLIN, "POLLIN"},	  {POLLOUT, "POLLOUT"},	    {POLLERR, "POLLERR"},
		    {POLLHUP, "POLLHUP"}, {POLLRDHUP, "POLLRDHUP"}, {POLLNVAL, "POLLNVAL"}};
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (revents & bits[i].bit)
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s",
				 buf[0] ? "|" : "", bits[i].name);
	return buf[0] ? buf : none;
}
