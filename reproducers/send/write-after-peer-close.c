/*
 * write-after-peer-close: the most common real path to a write error.  The
 * server close()s normally (nothing unread, no SO_LINGER: a FIN, no RST).
 * The client reads the EOF (CLOSE_WAIT) but writes anyway: once, which
 * succeeds, then again, then reads.
 *
 * The server's close() sends a FIN; once the client ACKs it, the server's
 * socket is an orphan in FIN_WAIT2, normally a timewait socket of substate
 * FIN_WAIT2 (tcp_rcv_state_process(), case TCP_FIN_WAIT1:
 * tcp_time_wait(sk, TCP_FIN_WAIT2, tmo)).  The client's first write is
 * queued and sent: send() returns its count.  The server has closed its
 * receive side, so new data is answered with an RST
 * (tcp_timewait_state_process(), net/ipv4/tcp_minisocks.c: "If new data
 * arrive after half-duplex close, reset" -> TCP_TW_RST; for a full socket,
 * tcp_rcv_state_process() in FIN_WAIT1/FIN_WAIT2 with RCV_SHUTDOWN, "RFC
 * 1122 says we MUST send a reset").  The data is lost.
 *
 * The RST finds the client in CLOSE_WAIT, and tcp_reset()
 * (net/ipv4/tcp_input.c) picks the errno by state: SYN_SENT ECONNREFUSED,
 * CLOSE_WAIT EPIPE, any other ECONNRESET.  So sk_err is EPIPE, and the
 * second write fails in tcp_sendmsg_locked() (sk_err set -> do_error ->
 * sk_stream_error(-EPIPE)): sock_error() hands out EPIPE, and since that
 * is -EPIPE, SIGPIPE comes with it, on this very first failing write.
 * ECONNRESET is never reported on this path.  The read after it returns 0:
 * tcp_recvmsg_locked() tests SOCK_DONE (set by the FIN, tcp_fin()) before
 * sk_err.  The second write is made twice, each on a connection of its own:
 * with MSG_NOSIGNAL, then with SIGPIPE's default disposition in a child
 * that the signal kills.
 *
 * The TCP errors article (ECONNRESET, EPIPE): writing to a FIN_WAIT2 peer
 * "is not a problem", the peer "will immediately respond to rst", and this
 * is how ECONNRESET "usually occurs".  The first write does succeed, but
 * its data is discarded; and the error the RST leaves is EPIPE.  POSIX
 * send() lists both ECONNRESET "forcibly closed by a peer" and EPIPE "no
 * longer connected".  Related scenarios: pipe-in-close-wait (an abort,
 * SO_LINGER {1, 0}, after the FIN), write-after-rst (an RST in
 * ESTABLISHED: ECONNRESET first), reset-after-eof (recv() after it).
 *
 * Summary: the server close()s normally; the client, in CLOSE_WAIT, writes
 *   (accepted, answered with an RST), writes again, reads
 * POSIX expects: ECONNRESET, as the TCP errors article says of a write to a
 *   peer that closed ("Connection reset by peer"); POSIX send() lists it for
 *   a connection "forcibly closed by a peer"
 * Kernel path: server: tcp_timewait_state_process() (FIN_WAIT2 substate; or
 *   tcp_rcv_state_process() for a full socket): new data after close ->
 *   RST; client: tcp_reset(): CLOSE_WAIT -> sk_err = EPIPE;
 *   tcp_sendmsg_locked() -> sk_stream_error(): sock_error() = -EPIPE ->
 *   SIGPIPE on the second write; tcp_recvmsg_locked(): SOCK_DONE before
 *   sk_err -> 0
 * Handling: fatal: the connection is gone (not a bug in the caller, though
 *   writing after EOF is one); treat recv() 0 as the end, close the socket,
 *   use MSG_NOSIGNAL or ignore SIGPIPE; the first write's data was lost
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "record/harness.h"
#include "lib/connection.h"
#include "lib/reset_fixture.h"
#include "lib/reset_observe.h"
#include "lib/sigpipe_send.h"
#include "lib/sockets.h"

/* The TCP state of the server's end of the connection whose client is
 * cfd, from sock_diag in the server's namespace: the server closed its
 * descriptor, so only the kernel's table still has the socket (an orphan,
 * or the timewait socket that replaced it; sock_diag reports a timewait
 * socket's substate).  -1 when no such socket is found. */
static int server_state(struct run *r, int cfd)
{
	int cport = socket_local_port(cfd);
	for (int st = TCP_ESTABLISHED; st <= TCP_CLOSING; st++)
		if (tcp_diag_count(&r->topo.server, r->family, SERVER_PORT, cport, 1u << st) > 0)
			return st;
	return -1;
}

static void observe_server_state(struct run *r, int cfd)
{
	int st = server_state(r, cfd);
	observe(r, AT(HOST_SERVER), "server state", "sock_diag(server, the closed socket)", "%s",
		st < 0 ? "gone" : tcp_state_name(st));
}

/* A connection whose server has close()d, read to its EOF by the client,
 * written to once, and reset by the server in answer: returns the client
 * fd once the RST has been processed, -1 with the run broken. */
static int written_after_close(struct run *r, int lfd)
{
	int cfd, afd;
	if (connection_to(r, lfd, &cfd, &afd) != RUN_OK)
		return -1;
	step(r, ON_FD(afd), "server close", close(afd), "close(%d), nothing unread, no SO_LINGER",
	     afd);
	if (!(poll_fd(cfd, POLLRDHUP, 2000) & POLLRDHUP)) {
		broken(r, "the server's FIN never reached the client");
		goto fail;
	}
	recv_step(r, cfd);
	observe_state(r, "client state", cfd);
	/* The client's ACK of the FIN may be delayed (tcp_fin() enters
	 * pingpong mode): wait until the server's socket has it, so that the
	 * write reaches a peer in FIN_WAIT2 (1 ms polls, 2 s bound). */
	for (int i = 0; i < 2000 && server_state(r, cfd) != TCP_FIN_WAIT2; i++)
		poll_fd(-1, 0, 1);
	observe_server_state(r, cfd);
	step(r, ON_FD(cfd), "send", send(cfd, "data", 4, MSG_NOSIGNAL),
	     "send(%d, 4, MSG_NOSIGNAL) #1 [in CLOSE_WAIT]", cfd);
	if (!await_server_rst(r, cfd))
		goto fail;
	observe_client(r, cfd);
	observe_server_state(r, cfd);
	return cfd;
fail:
	close(cfd);
	return -1;
}

SCENARIO(write_after_peer_close, .errno_name = "EPIPE", .syscall = "send", .order = 215)
{
	int lfd = server_listener(r, SERVER_PORT, 8);
	if (lfd < 0)
		return RUN_BROKEN;

	note(r, "connection 1: the second write with MSG_NOSIGNAL, then a read");
	int cfd = written_after_close(r, lfd);
	if (cfd < 0)
		goto broken;
	step(r, ON_FD(cfd), "send", send(cfd, "data", 4, MSG_NOSIGNAL),
	     "send(%d, 4, MSG_NOSIGNAL) #2 [after the RST]", cfd);
	recv_step(r, cfd);
	observe_so_error(r, cfd);
	close(cfd);

	note(r, "connection 2: the second write with SIGPIPE's default disposition");
	if ((cfd = written_after_close(r, lfd)) < 0)
		goto broken;
	send_in_child(r, cfd, 1, "waitpid(writer)");
	close(cfd);

	note(r,
	     "the first write is accepted and its data discarded by the peer, whose RST finds "
	     "the client in CLOSE_WAIT: tcp_reset() stores EPIPE, not ECONNRESET, and the second "
	     "write reports it, with SIGPIPE");
	close(lfd);
	return RUN_OK;
broken:
	close(lfd);
	return RUN_BROKEN;
}
