/* The client's side of a connection its peer has reset or shut down:
 * reset_observe.h. */
#include "lib/reset_observe.h"

#include <sys/socket.h>

#include "lib/sockets.h"

bool await_server_rst(struct run *r, int cfd)
{
	if (wait_pending_error(cfd, 2000))
		return true;
	broken(r, "the client never saw the server's RST");
	return false;
}

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

void recv_step(struct run *r, int fd)
{
	char buf[512];
	step(r, ON_FD(fd), "recv", recv(fd, buf, sizeof(buf), MSG_DONTWAIT),
	     "recv(%d, %zu, MSG_DONTWAIT)", fd, sizeof(buf));
}
