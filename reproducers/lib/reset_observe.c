/* The client's side of a connection its peer has reset or shut down:
 * reset_observe.h. */
#include "lib/reset_observe.h"

#include <sys/socket.h>

#include "lib/sockets.h"

bool await_server_rst(struct run *r, int cfd)
{
	if (wait_reset_taken(cfd, 2000))
		return true;
	broken(r, "the client never saw the server's RST");
	return false;
}

void recv_step(struct run *r, int fd)
{
	char buf[512];
	step(r, ON_FD(fd), "recv", recv(fd, buf, sizeof(buf), MSG_DONTWAIT),
	     "recv(%d, %zu, MSG_DONTWAIT)", fd, sizeof(buf));
}
