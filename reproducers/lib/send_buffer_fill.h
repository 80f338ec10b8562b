/*
 * A connection with small buffers at both ends, and its client's send
 * buffer filled until it stays full: the set-up of the scenarios of
 * send()'s EAGAIN (send-buffer-full, send-timeout).
 *
 * Once sk_wmem_queued reaches sk_sndbuf, sk_stream_memory_free() is false
 * and tcp_sendmsg_locked() goes to wait_for_space: sk_stream_wait_memory()
 * (net/core/stream.c) returns -EAGAIN at once for MSG_DONTWAIT, or after
 * SO_SNDTIMEO.  Small SO_SNDBUF / SO_RCVBUF keep the amount (and the time)
 * small.
 */
#ifndef SOCKERR_SEND_BUFFER_FILL_H
#define SOCKERR_SEND_BUFFER_FILL_H

#include "lib/connection.h"

/* Asked for with SO_SNDBUF / SO_RCVBUF; the kernel doubles it. */
#define SMALL_BUF 4096
/* The connection of the buffer scenarios: small buffers at both ends, so
 * that a few sends fill them. */
extern const struct connection_options small_buffers;
/* The size of each send that fills the buffer. */
#define CHUNK 1024

/* Fill the client's send buffer so that it stays full: queue until EAGAIN,
 * wait (1 ms polls, 2 s bound) until every segment sent is acknowledged,
 * and again, until a round queues nothing (the last segments wait for the
 * peer's delayed ACK or a tail loss probe: about 0.1 s; the peer counts
 * TCPToZeroWindowAdv once its window closes).  The peer's window is then
 * closed and nothing is in flight, so no ACK can make room before the
 * peer reads.  Returns the bytes queued in all, -1 on failure; *first
 * gets those queued before the first EAGAIN. */
long fill_send_buffer(int fd, long *first);

#endif
