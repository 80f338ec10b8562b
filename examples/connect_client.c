/*
 * connect_client: connects to the first of its addresses that answers,
 * through the reference connect loop (connect_loop.c).
 *
 * Build: cc -std=c11 -o connect_client examples/connect_client.c examples/connect_loop.c
 * Usage: connect_client [-t MS] [-r ROUNDS] [-b MS] ADDRESS:PORT...
 *        (an IPv6 address in brackets: [2001:db8::1]:80)
 *
 * Tries each address in order, each for at most -t MS (default 3000),
 * round after round (-r, default 3), pausing -b MS (default 100, doubled
 * each round) between rounds.  One line per attempt and per pause:
 *   192.0.2.2:9: ECONNREFUSED, next address
 *   198.51.100.2:7000: ETIMEDOUT (no answer within 500 ms), next address
 *   192.0.2.2:8: ECONNREFUSED, no address left in this round
 *   round 1: no address answered, backing off 100 ms
 *   192.0.2.254:7000: connected
 * then, when connected, the first line the server sent ("received: hello"),
 * or "gave up after N rounds: ERRNO".
 * Exit status: 0 connected; 1 gave up; 3 stopped on a caller's bug (the
 * errno says which); 2 usage.
 */
#define _POSIX_C_SOURCE 200809L
#include "connect_loop.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct client {
	char *const *names; /* the addresses as given */
	size_t n;
	int timeout_ms;
};

static const char *errno_name(int err)
{
	static const struct {
		int err;
		const char *name;
	} names[] = {
		{ECONNREFUSED, "ECONNREFUSED"},
		{ETIMEDOUT, "ETIMEDOUT"},
		{EHOSTUNREACH, "EHOSTUNREACH"},
		{ENETUNREACH, "ENETUNREACH"},
		{ENETDOWN, "ENETDOWN"},
		{EHOSTDOWN, "EHOSTDOWN"},
		{ECONNRESET, "ECONNRESET"},
		{EACCES, "EACCES"},
		{EPERM, "EPERM"},
		{EAFNOSUPPORT, "EAFNOSUPPORT"},
		{EADDRNOTAVAIL, "EADDRNOTAVAIL"},
		{EADDRINUSE, "EADDRINUSE"},
		{EMFILE, "EMFILE"},
		{ENFILE, "ENFILE"},
		{ENOBUFS, "ENOBUFS"},
		{ENOMEM, "ENOMEM"},
		{EINVAL, "EINVAL"},
		{EBADF, "EBADF"},
		{EISCONN, "EISCONN"},
		{EALREADY, "EALREADY"},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].err == err)
			return names[i].name;
	return strerror(err);
}

static const char *action_text(enum connect_action action)
{
	switch (action) {
	case CONNECT_DONE: return "connected";
	case CONNECT_WAIT: return "waiting";
	case CONNECT_NEXT_ADDRESS: return "next address";
	case CONNECT_BACK_OFF: return "short of resources, ending the round";
	case CONNECT_FATAL: return "a bug in the caller, stopping";
	}
	return "?";
}

static void report(const struct connect_event *ev, void *arg)
{
	const struct client *c = arg;
	if (ev->pause_ms) {
		printf("round %d: no address answered, backing off %d ms\n", ev->round,
		       ev->pause_ms);
		return;
	}
	const char *name = c->names[ev->index];
	if (ev->err == 0)
		printf("%s: connected\n", name);
	else if (ev->own_timeout)
		printf("%s: ETIMEDOUT (no answer within %d ms), %s\n", name, c->timeout_ms,
		       action_text(ev->action));
	else if (ev->action == CONNECT_NEXT_ADDRESS && ev->index + 1 == c->n)
		printf("%s: %s, no address left in this round\n", name, errno_name(ev->err));
	else
		printf("%s: %s, %s\n", name, errno_name(ev->err), action_text(ev->action));
}

/* "192.0.2.1:80" or "[2001:db8::1]:80"; 0 when malformed. */
static int parse_address(const char *text, struct connect_address *a)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon = strrchr(text, ':');
	if (!colon || (size_t)(colon - text) >= sizeof(host))
		return 0;
	memcpy(host, text, (size_t)(colon - text));
	host[colon - text] = '\0';
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || port < 1 || port > 65535)
		return 0;
	memset(a, 0, sizeof(*a));
	struct sockaddr_in *sin = (struct sockaddr_in *)&a->addr;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a->addr;
	size_t hl = strlen(host);
	if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
		host[hl - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &sin6->sin6_addr) != 1)
			return 0;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((unsigned short)port);
		a->len = sizeof(*sin6);
		return 1;
	}
	if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
		return 0;
	sin->sin_family = AF_INET;
	sin->sin_port = htons((unsigned short)port);
	a->len = sizeof(*sin);
	return 1;
}

static int usage(void)
{
	fprintf(stderr, "usage: connect_client [-t MS] [-r ROUNDS] [-b MS] ADDRESS:PORT...\n");
	return 2;
}

/* The first line the server sends, if one comes within timeout_ms. */
static void print_greeting(int fd, int timeout_ms)
{
	char buf[128];
	size_t have = 0;
	struct pollfd p = {.fd = fd, .events = POLLIN};
	while (have < sizeof(buf) - 1 && !memchr(buf, '\n', have)) {
		if (poll(&p, 1, timeout_ms) <= 0)
			break;
		ssize_t n = read(fd, buf + have, sizeof(buf) - 1 - have);
		if (n <= 0)
			break;
		have += (size_t)n;
	}
	buf[have] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (have)
		printf("received: %s\n", buf);
}

int main(int argc, char **argv)
{
	struct connect_loop loop = {.report = report};
	int opt;
	while ((opt = getopt(argc, argv, "t:r:b:")) != -1) {
		int value = atoi(optarg);
		if (value <= 0)
			return usage();
		switch (opt) {
		case 't': loop.attempt_timeout_ms = value; break;
		case 'r': loop.rounds = value; break;
		case 'b': loop.back_off_ms = value; break;
		default: return usage();
		}
	}
	int n = argc - optind;
	if (n < 1)
		return usage();
	struct connect_address *addresses = calloc((size_t)n, sizeof(*addresses));
	if (!addresses)
		return 1;
	for (int i = 0; i < n; i++)
		if (!parse_address(argv[optind + i], &addresses[i])) {
			fprintf(stderr, "connect_client: not ADDRESS:PORT: '%s'\n",
				argv[optind + i]);
			free(addresses);
			return usage();
		}
	struct client c = {.names = argv + optind,
			   .n = (size_t)n,
			   .timeout_ms = loop.attempt_timeout_ms ? loop.attempt_timeout_ms : 3000};
	loop.addresses = addresses;
	loop.n_addresses = (size_t)n;
	loop.arg = &c;
	/* Each line as it happens, also into a pipe or a file. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	int fd = connect_loop_run(&loop);
	int rc = 0;
	if (fd >= 0) {
		print_greeting(fd, c.timeout_ms);
		close(fd);
	} else if (loop.fatal_errno) {
		printf("stopped: %s\n", errno_name(loop.fatal_errno));
		rc = 3;
	} else {
		printf("gave up after %d rounds: %s\n", loop.rounds ? loop.rounds : 3,
		       errno_name(errno));
		rc = 1;
	}
	free(addresses);
	return rc;
}
