/*
 * The reader/writer loop sockerr recommends for a connected TCP socket,
 * built from what the recv(2) and send(2) scenarios measured on Linux.  See
 * io_loop.c for the reasoning behind each errno's handling.
 */
#ifndef SOCKERR_IO_LOOP_H
#define SOCKERR_IO_LOOP_H

#include <stddef.h>

/* How a read or a write ended. */
enum io_end {
	IO_DONE,      /* io_read: some bytes read; io_write_all: all written */
	IO_EOF,	      /* io_read returned 0: the peer closed in order (FIN) */
	IO_RESET,     /* ECONNRESET: the peer aborted the connection (RST) */
	IO_PEER_GONE, /* EPIPE: the connection is over; nothing more can be sent */
	IO_LOST,      /* ETIMEDOUT, EHOSTUNREACH, ...: the kernel gave up on the peer */
	IO_TIMEOUT,   /* the caller's timeout passed; the connection may be fine */
	IO_FATAL,     /* EBADF, EFAULT, EINVAL, ENOTCONN, ENOTSOCK: a bug in the caller */
};

struct io_result {
	enum io_end end;
	size_t bytes; /* read, or written (also when the write ended early) */
	int err;      /* the errno behind end (0 for IO_DONE, IO_EOF, IO_TIMEOUT) */
};

/* Read what is there, up to len bytes, waiting at most timeout_ms (-1: no
 * limit) for something to arrive.  The socket may be blocking or not. */
struct io_result io_read(int fd, void *buf, size_t len, int timeout_ms);

/* Write all len bytes, waiting at most timeout_ms in all (-1: no limit) for
 * room in the send buffer.  Never raises SIGPIPE. */
struct io_result io_write_all(int fd, const void *buf, size_t len, int timeout_ms);

/* What the loop makes of an errno from recv() or send(): for tables and
 * tests.  EAGAIN and EINTR give IO_DONE: they are handled inside. */
enum io_end io_end_of(int err);

/* "EOF", "ECONNRESET", ...: a word for each end, for messages. */
const char *io_end_name(enum io_end end);

#endif
