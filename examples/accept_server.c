/*
 * accept_server: a TCP server on the reference accept loop (accept_loop.c).
 *
 * Build: cc -std=c11 -o accept_server examples/accept_server.c examples/accept_loop.c
 * Usage: accept_server [-n CONNECTIONS] [-t SECONDS] ADDRESS PORT
 *
 * Listens on ADDRESS PORT (IPv4 or IPv6) and prints, one line each:
 *   ready: listening on ADDRESS PORT
 *   connection N: served PEER, hello sent, held open
 *   connection N: refused (EMFILE: no descriptor), busy sent, closed in order
 *   done: accept() calls C, served S, refused R, retried T, backed off B
 * A served client gets "hello\n" and its connection is held open until the
 * server ends, as a server of long-lived connections holds them: under a
 * low descriptor limit (prlimit --nofile=8 accept_server ...) the
 * descriptors run out, and the loop then refuses each further client at
 * once with "busy\n" (its reserved descriptor) instead of spinning on
 * EMFILE while the client waits.  Ends after CONNECTIONS connections
 * (served or refused; default: no limit) or SECONDS (default 60).
 * Exit status: 0; 1 when the loop stopped on a fatal errno (a bug, or a
 * dead listener) or set-up failed; 2 on a usage error.
 */
#define _POSIX_C_SOURCE 200809L
#include "accept_loop.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct server {
	int *held; /* the served connections, held open until the end */
	size_t n_held, cap_held;
	unsigned long number; /* connections so far, served or refused */
};

static const char *errno_name(int err)
{
	switch (err) {
	case EMFILE: return "EMFILE: no descriptor";
	case ENFILE: return "ENFILE: the system's file table is full";
	case EBADF: return "EBADF";
	case EINVAL: return "EINVAL";
	case ENOTSOCK: return "ENOTSOCK";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EFAULT: return "EFAULT";
	default: return strerror(err);
	}
}

static void peer_name(int fd, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	snprintf(buf, len, "?");
	if (getpeername(fd, (struct sockaddr *)&ss, &sl) < 0)
		return;
	if (ss.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, buf, (socklen_t)len);
	else if (ss.ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, buf, (socklen_t)len);
}

/* The loop's serve(): greet, and hold the connection. */
static void serve(int fd, void *arg)
{
	struct server *s = arg;
	char peer[INET6_ADDRSTRLEN];
	peer_name(fd, peer, sizeof(peer));
	s->number++;
	/* MSG_DONTWAIT: a greeting must never block the accept loop. */
	if (send(fd, "hello\n", 6, MSG_NOSIGNAL | MSG_DONTWAIT) != 6) {
		printf("connection %lu: served %s, hello not sent (%s), closed\n", s->number, peer,
		       strerror(errno));
		close(fd);
		return;
	}
	if (s->n_held == s->cap_held) {
		size_t cap = s->cap_held ? s->cap_held * 2 : 16;
		int *more = realloc(s->held, cap * sizeof(*more));
		if (!more) {
			printf("connection %lu: served %s, hello sent, closed (no memory to hold "
			       "it)\n",
			       s->number, peer);
			close(fd);
			return;
		}
		s->held = more;
		s->cap_held = cap;
	}
	s->held[s->n_held++] = fd;
	printf("connection %lu: served %s, hello sent, held open\n", s->number, peer);
}

static void refused(int err, void *arg)
{
	struct server *s = arg;
	s->number++;
	printf("connection %lu: refused (%s), busy sent, closed in order\n", s->number,
	       errno_name(err));
}

static int listener(const char *address, const char *port_text)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	socklen_t len;
	char *end;
	long port = strtol(port_text, &end, 10);
	if (*port_text == '\0' || *end != '\0' || port < 1 || port > 65535)
		return -2;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	if (inet_pton(AF_INET, address, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((unsigned short)port);
		len = sizeof(*sin);
	} else if (inet_pton(AF_INET6, address, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((unsigned short)port);
		len = sizeof(*sin6);
	} else {
		return -2;
	}
	int fd = socket(ss.ss_family, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	int one = 1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 128) < 0) {
		int err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

static double monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int usage(void)
{
	fprintf(stderr, "usage: accept_server [-n CONNECTIONS] [-t SECONDS] ADDRESS PORT\n");
	return 2;
}

int main(int argc, char **argv)
{
	unsigned long max_connections = 0;
	long seconds = 60;
	int opt;
	while ((opt = getopt(argc, argv, "n:t:")) != -1) {
		switch (opt) {
		case 'n': max_connections = strtoul(optarg, NULL, 10); break;
		case 't': seconds = strtol(optarg, NULL, 10); break;
		default: return usage();
		}
	}
	if (argc - optind != 2 || seconds <= 0)
		return usage();
	/* Each line as it happens, also into a pipe or a file. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	int lfd = listener(argv[optind], argv[optind + 1]);
	if (lfd == -2)
		return usage();
	if (lfd < 0) {
		fprintf(stderr, "accept_server: cannot listen on %s %s: %s\n", argv[optind],
			argv[optind + 1], strerror(errno));
		return 1;
	}
	struct server s = {0};
	struct accept_loop loop = {
		.listen_fd = lfd,
		.serve = serve,
		.arg = &s,
		.busy_message = "busy\n",
		.refused_hook = refused,
		.max_connections = max_connections,
	};
	if (accept_loop_init(&loop) < 0) {
		fprintf(stderr, "accept_server: cannot prepare the accept loop: %s\n",
			strerror(errno));
		return 1;
	}
	printf("ready: listening on %s %s\n", argv[optind], argv[optind + 1]);
	int rc = accept_loop_run(&loop, monotonic_ms() + seconds * 1e3);
	if (rc < 0)
		printf("stopped: accept() failed with %s (a bug, or the listener is gone)\n",
		       errno_name(loop.fatal_errno));
	printf("done: accept() calls %lu, served %lu, refused %lu, retried %lu, backed off %lu\n",
	       loop.accept_calls, loop.served, loop.refused, loop.retried, loop.backoffs);
	accept_loop_fini(&loop);
	for (size_t i = 0; i < s.n_held; i++)
		close(s.held[i]);
	free(s.held);
	close(lfd);
	return rc < 0 ? 1 : 0;
}
