/*
 * write-after-peer-shutdown: the server half-closes with shutdown(SHUT_WR)
 * and goes on reading.  The client reads the EOF (CLOSE_WAIT), then
 * writes: the write succeeds, no signal, and the server reads the data.
 * A FIN closes one direction only.
 *
 * shutdown(SHUT_WR) sends a FIN (tcp_shutdown() -> tcp_close_state():
 * FIN_WAIT1, then FIN_WAIT2 once the client ACKs it) and sets only
 * SEND_SHUTDOWN on the server's socket.  The client's tcp_fin()
 * (net/ipv4/tcp_input.c) moves it to CLOSE_WAIT and sets RCV_SHUTDOWN and
 * SOCK_DONE, nothing on its sending side: tcp_sendmsg_locked() lets a
 * send() through in ESTABLISHED and CLOSE_WAIT alike and finds neither
 * sk_err nor SEND_SHUTDOWN.  At the server, tcp_rcv_state_process() in
 * FIN_WAIT2 queues the data (tcp_data_queue()): the RST of
 * write-after-peer-close comes only when RCV_SHUTDOWN is set, which a
 * close() does and a shutdown(SHUT_WR) does not.  The client's close()
 * afterwards is the server's EOF.  The send is made with SIGPIPE's default
 * disposition, in a child, so that a signal would show.
 *
 * The TCP errors article (EPIPE): "writing data to a fin_wait2 service TCP
 * (with an ACK response to the fin shard) is not a problem".  True of a
 * peer that half-closed and still reads, as here; not of one that
 * close()d (write-after-peer-close).  POSIX shutdown(): SHUT_WR disables
 * further send operations, on that socket only.
 *
 * Summary: the server shuts down its sending side and still reads; the
 *   client, in CLOSE_WAIT, writes, and the server reads it
 * Kernel path: server: tcp_shutdown() -> tcp_close_state() (FIN_WAIT1 ->
 *   FIN_WAIT2, SEND_SHUTDOWN only); client: tcp_fin(): CLOSE_WAIT,
 *   RCV_SHUTDOWN; tcp_sendmsg_locked(): CLOSE_WAIT, no sk_err, no
 *   SEND_SHUTDOWN -> the data is queued; server: tcp_rcv_state_process():
 *   FIN_WAIT2 without RCV_SHUTDOWN -> tcp_data_queue()
 * Handling: no error: a half close; the side that got EOF may go on writing
 *   until it is done, then close
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "record/harness.h"
#include "lib/connection.h"
#include "lib/reset_observe.h"
#include "lib/sigpipe_send.h"
#include "lib/sockets.h"

static void server_recv_step(struct run *r, int afd, const char *what)
{
	char buf[64];
	step(r, ON_FD(afd), "server recv", recv(afd, buf, sizeof(buf), MSG_DONTWAIT),
	     "recv(%d, %zu, MSG_DONTWAIT) [server: %s]", afd, sizeof(buf), what);
}

SCENARIO(write_after_peer_shutdown, .errno_name = "EPIPE", .syscall = "send", .order = 216)
{
	struct connection c;
	int rc = connection_open(r, NULL, &c);
	if (rc != RUN_OK)
		return rc;
	int status = RUN_OK;
	step(r, ON_FD(c.server), "server shutdown", shutdown(c.server, SHUT_WR),
	     "shutdown(%d, SHUT_WR)", c.server);
	if (!(poll_fd(c.client, POLLRDHUP, 2000) & POLLRDHUP)) {
		status = broken(r, "the server's FIN never reached the client");
		goto out;
	}
	recv_step(r, c.client);
	/* The client's ACK of the FIN may be delayed (tcp_fin() enters
	 * pingpong mode): wait for it, so that the write reaches a server in
	 * FIN_WAIT2 (1 ms polls, 2 s bound). */
	for (int i = 0; i < 2000 && tcp_state(c.server) == TCP_FIN_WAIT1; i++)
		poll_fd(-1, 0, 1);
	observe_state(r, "client state", c.client);
	observe_state(r, "server state", c.server);

	send_in_child(r, c.client, 1, "waitpid(writer)");
	if (!(poll_fd(c.server, POLLIN, 2000) & POLLIN)) {
		status = broken(r, "the client's data never reached the server");
		goto out;
	}
	server_recv_step(r, c.server, "the client's data");
	observe_state(r, "client state", c.client);
	observe_state(r, "server state", c.server);
	observe_so_error(r, c.client);

	step(r, ON_FD(c.client), "client close", close(c.client), "close(%d)", c.client);
	c.client = -1;
	if (!(poll_fd(c.server, POLLRDHUP, 2000) & POLLRDHUP)) {
		status = broken(r, "the client's FIN never reached the server");
		goto out;
	}
	server_recv_step(r, c.server, "the client's FIN");
	note(r, "a FIN closes one direction: the server's shutdown(SHUT_WR) left its receive "
		"side open, so the client's write after EOF is delivered, without an error or "
		"a signal");
out:
	connection_close(&c);
	return status;
}
