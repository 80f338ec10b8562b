/*
 * io_peer: both ends of a one-request exchange on the reader/writer loop
 * (io_loop.c): a server that answers one request, and a client that sends
 * it and reads the answer until the connection ends.
 *
 * Build: cc -std=c11 -o io_peer examples/io_peer.c examples/io_loop.c
 * Usage: io_peer serve [--abort] [-t SECONDS] ADDRESS PORT
 *        io_peer request [--write-after-end] [-t SECONDS] ADDRESS PORT
 *
 * serve listens on ADDRESS PORT, prints "ready: listening on ADDRESS PORT",
 * accepts one connection, reads one request line, answers "reply\n" and
 * closes in order (FIN).  --abort plays a misbehaving peer instead: it
 * closes right after the request with SO_LINGER {1, 0}, which aborts the
 * connection (RST) -- the reset-by-client condition.
 *
 * request connects, writes "request\n", then reads until the connection
 * ends, one line per event:
 *   write: 8 bytes
 *   read: 6 bytes
 *   read: EOF (the peer closed in order)
 *   read: ECONNRESET (the peer aborted the connection)
 * --write-after-end then writes once more, as a careless program would,
 * to show that the write fails with EPIPE and the process lives on:
 *   write after the end: EPIPE (nothing more can be sent; no SIGPIPE)
 * SIGPIPE is left at its default on purpose here: MSG_NOSIGNAL alone keeps
 * the process alive.
 * Each wait is bounded by SECONDS (default 10).
 * Exit status: 0 when the exchange ended in order (EOF after the reply);
 * 1 when it did not (reset, lost, timeout) or set-up failed; 2 usage.
 */
#define _POSIX_C_SOURCE 200809L
#include "io_loop.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int timeout_ms = 10000;

static int usage(void)
{
	fprintf(stderr, "usage: io_peer serve [--abort] [-t SECONDS] ADDRESS PORT\n"
			"       io_peer request [--write-after-end] [-t SECONDS] ADDRESS PORT\n");
	return 2;
}

/* ADDRESS PORT as a socket address; its length, or 0 when malformed. */
static socklen_t address_of(const char *address, const char *port_text, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	char *end;
	long port = strtol(port_text, &end, 10);
	if (*port_text == '\0' || *end != '\0' || port < 1 || port > 65535)
		return 0;
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, address, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((unsigned short)port);
		return sizeof(*sin);
	}
	if (inet_pton(AF_INET6, address, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((unsigned short)port);
		return sizeof(*sin6);
	}
	return 0;
}

static void say_end(const char *what, struct io_result r)
{
	switch (r.end) {
	case IO_DONE: printf("%s: %zu bytes\n", what, r.bytes); break;
	case IO_EOF: printf("%s: EOF (the peer closed in order)\n", what); break;
	case IO_RESET: printf("%s: ECONNRESET (the peer aborted the connection)\n", what); break;
	case IO_PEER_GONE:
		printf("%s: EPIPE (nothing more can be sent; no SIGPIPE)\n", what);
		break;
	case IO_LOST: printf("%s: connection lost (%s)\n", what, strerror(r.err)); break;
	case IO_TIMEOUT: printf("%s: nothing within %d ms\n", what, timeout_ms); break;
	case IO_FATAL: printf("%s: %s (a bug in the caller)\n", what, strerror(r.err)); break;
	}
}

/* Read one line (up to its '\n'); the result of the last read. */
static struct io_result read_line(int fd, char *buf, size_t len)
{
	size_t have = 0;
	struct io_result r = {.end = IO_DONE};
	while (have < len && !memchr(buf, '\n', have)) {
		r = io_read(fd, buf + have, len - have, timeout_ms);
		if (r.end != IO_DONE)
			break;
		have += r.bytes;
	}
	r.bytes = have;
	return r;
}

static int serve(const struct sockaddr_storage *ss, socklen_t len, const char *address,
		 const char *port, bool abort_connection)
{
	int lfd = socket(ss->ss_family, SOCK_STREAM, 0);
	int one = 1;
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(lfd, (const struct sockaddr *)ss, len) < 0 || listen(lfd, 1) < 0) {
		fprintf(stderr, "io_peer: cannot listen on %s %s: %s\n", address, port,
			strerror(errno));
		return 1;
	}
	printf("ready: listening on %s %s\n", address, port);
	struct pollfd p = {.fd = lfd, .events = POLLIN};
	int fd = -1;
	while (fd < 0) {
		int n = poll(&p, 1, timeout_ms);
		if (n == 0) {
			printf("accept: nobody within %d ms\n", timeout_ms);
			close(lfd);
			return 1;
		}
		fd = n < 0 ? -1 : accept(lfd, NULL, NULL);
		if (fd < 0 && errno != EINTR && errno != ECONNABORTED && errno != EAGAIN) {
			printf("accept: %s\n", strerror(errno));
			close(lfd);
			return 1;
		}
	}
	close(lfd);
	char buf[256];
	struct io_result r = read_line(fd, buf, sizeof(buf));
	say_end("request", r);
	if (r.end != IO_DONE) {
		close(fd);
		return 1;
	}
	if (abort_connection) {
		/* The misbehaving peer: an abort instead of an answer. */
		struct linger abort_now = {.l_onoff = 1, .l_linger = 0};
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_now, sizeof(abort_now));
		close(fd);
		printf("aborted: close() with SO_LINGER {1, 0} sent RST\n");
		return 0;
	}
	say_end("reply", io_write_all(fd, "reply\n", 6, timeout_ms));
	close(fd);
	printf("closed in order\n");
	return 0;
}

static int request(const struct sockaddr_storage *ss, socklen_t len, const char *address,
		   const char *port, bool write_after_end)
{
	int fd = socket(ss->ss_family, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (const struct sockaddr *)ss, len) < 0) {
		fprintf(stderr, "io_peer: cannot connect to %s %s: %s\n", address, port,
			strerror(errno));
		return 1;
	}
	struct io_result r = io_write_all(fd, "request\n", 8, timeout_ms);
	say_end("write", r);
	char buf[256];
	while (r.end == IO_DONE) {
		r = io_read(fd, buf, sizeof(buf), timeout_ms);
		say_end("read", r);
	}
	enum io_end how = r.end;
	if (write_after_end)
		say_end("write after the end", io_write_all(fd, "more\n", 5, timeout_ms));
	close(fd);
	return how == IO_EOF ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	bool serving = strcmp(argv[1], "serve") == 0;
	if (!serving && strcmp(argv[1], "request") != 0)
		return usage();
	bool abort_connection = false, write_after_end = false;
	int i = 2;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (serving && strcmp(argv[i], "--abort") == 0)
			abort_connection = true;
		else if (!serving && strcmp(argv[i], "--write-after-end") == 0)
			write_after_end = true;
		else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc && atoi(argv[i + 1]) > 0)
			timeout_ms = atoi(argv[++i]) * 1000;
		else
			return usage();
	}
	if (argc - i != 2)
		return usage();
	struct sockaddr_storage ss;
	socklen_t len = address_of(argv[i], argv[i + 1], &ss);
	if (!len)
		return usage();
	/* Each line as it happens, also into a pipe or a file. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (serving)
		return serve(&ss, len, argv[i], argv[i + 1], abort_connection);
	return request(&ss, len, argv[i], argv[i + 1], write_after_end);
}
