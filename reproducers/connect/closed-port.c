/*
 * closed-port: connect() to a port on which nobody listens.
 *
 * The SYN reaches the server host, which has no socket for it:
 * tcp_v4_rcv() / tcp_v6_rcv() jump to no_tcp_socket and answer with an RST
 * (tcp_v4_send_reset() / tcp_v6_send_reset()).  The client, in SYN_SENT,
 * takes the RST in tcp_rcv_synsent_state_process() -> tcp_reset(), which
 * picks ECONNREFUSED for a socket in SYN_SENT.
 *
 * POSIX connect(): ECONNREFUSED, "The target address was not listening for
 * connections or refused the connection request."  Linux agrees.
 *
 * Summary: connect() to a port nobody listens on: the server host answers RST
 * Kernel path: tcp_v4_rcv()/tcp_v6_rcv() no_tcp_socket ->
 *   tcp_v4_send_reset()/tcp_v6_send_reset(); client:
 *   tcp_rcv_synsent_state_process() -> tcp_reset() (SYN_SENT: ECONNREFUSED)
 * Handling: back off and free resources: nothing listens there now; close the
 *   socket, try the host's next address, retry later with backoff
 */
#include <netinet/in.h>
#include <unistd.h>

#include "record/harness.h"
#include "lib/sockets.h"
#include "lib/sock_observe.h"

SCENARIO(closed_port, .errno_name = "ECONNREFUSED", .syscall = "connect", .order = 220)
{
	struct sockaddr_storage ss;
	const char *server = topology_server_addr(&r->topo, r->family);
	socklen_t len = sockaddr_of(r->family, server, CLOSED_PORT, &ss);
	int fd = tcp_socket_in(&r->topo.client, r->family);
	if (fd < 0)
		return broken_netns(r);
	step(r, ON_FD(fd), "connect", connect(fd, (struct sockaddr *)&ss, len), "connect(%d, %s)",
	     fd, sockaddr_str((struct sockaddr *)&ss));
	observe_state(r, "state", fd);
	close(fd);
	return RUN_OK;
}
