/*
 * accept-addrlen-truncated: accept() with an address buffer too small for
 * the peer's address succeeds, writes only as many bytes as *addrlen
 * allows, and returns the address's full size in *addrlen.  Four
 * connections each: a buffer large enough (sockaddr_storage), one too
 * small (IPv6: 16 bytes, the size of a sockaddr_in, for a 28-byte
 * sockaddr_in6; IPv4: 8 bytes for a 16-byte sockaddr_in), *addrlen 0, and
 * *addrlen -1, the one value the kernel refuses (EINVAL).  Every buffer is
 * filled with a pattern and followed by a guard area of the same pattern,
 * so a byte written past the length allowed would show.
 *
 * do_accept() (net/socket.c) asks ops->getname(newsock, ..., 2)
 * (inet_getname() / inet6_getname()) for the peer's address and its
 * length klen, then move_addr_to_user() reads the caller's length, cuts it
 * to klen, refuses it when negative (-EINVAL, nothing written, *addrlen
 * left as it was), copies that many bytes (none for 0) and writes back
 * klen, not the length copied ("fromlen shall refer to the value before
 * truncation.. 1003.1g", its comment).  The EINVAL comes after the
 * dequeue: do_accept()'s error path closes the new socket, and the
 * connection with it (accept-bad-address shows what the peer sees).
 *
 * accept(2): "The addrlen argument is a value-result argument: the caller
 * must initialize it to contain the size (in bytes) of the structure
 * pointed to by addr; on return it will contain the actual size of the
 * peer address.  The returned address is truncated if the buffer provided
 * is too small; in this case, addrlen will return a value greater than was
 * supplied to the call."  RETURN VALUE: "On error, -1 is returned, errno
 * is set to indicate the error, and addrlen is left unchanged."  EINVAL:
 * "addrlen is invalid (e.g., is negative)".  Linux agrees with each (the
 * old Korean edition has the value-result sentence, not the truncation).
 *
 * Summary: accept() with an address buffer too small for the peer's
 *   address: truncated, *addrlen says the full size; a negative *addrlen
 *   is EINVAL
 * Kernel path: do_accept(): ops->getname(newsock, ..., 2) gives klen;
 *   move_addr_to_user(): min(*addrlen, klen) bytes copied, klen written
 *   back; *addrlen < 0 -> -EINVAL, nothing written
 * Handling: not an error: compare *addrlen with the size supplied, and use
 *   a struct sockaddr_storage to hold any family's address (EINVAL: fatal:
 *   a bug in the caller)
 */
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/connection.h"
#include "lib/sockets.h"

#define PATTERN	  0xa5
#define GUARD_LEN 16

/* "the first N bytes of the peer's address", or where the bytes differ. */
static void observe_written(struct run *r, const char *label, const unsigned char *buf,
			    const unsigned char *ref, size_t n)
{
	size_t same = 0;
	while (same < n && buf[same] == ref[same])
		same++;
	if (n == 0)
		observe(r, AT(HOST_SERVER), label, "buffer[0 .. n), n = 0", "no byte");
	else if (same == n)
		observe(r, AT(HOST_SERVER), label,
			"buffer[0 .. n) against the client's getsockname()",
			"the first %zu bytes of the peer's address", n);
	else
		observe(r, AT(HOST_SERVER), label,
			"buffer[0 .. n) against the client's getsockname()",
			"differs from byte %zu", same);
}

/* The bytes from `from` to the guard's end: still the pattern? */
static void observe_untouched(struct run *r, const char *label, const unsigned char *buf,
			      size_t from, size_t to)
{
	size_t i = from;
	while (i < to && buf[i] == PATTERN)
		i++;
	if (i == to)
		observe(r, AT(HOST_SERVER), label, "buffer[n .. end of guard) against the pattern",
			"untouched");
	else
		observe(r, AT(HOST_SERVER), label, "buffer[n .. end of guard) against the pattern",
			"overwritten from byte %zu", i);
}

/* One connection accepted with *addrlen = supplied into a buffer of
 * `room` bytes followed by a guard area.  Steps: "accept CASE", "addrlen
 * CASE", then the bytes: the first n = min(supplied, *addrlen returned)
 * (none when the call failed) against the peer's address, the rest up to the
 * guard's end against the pattern.  Returns RUN_OK or the broken()
 * status. */
static int accept_case(struct run *r, int lfd, const char *name, size_t room, int supplied)
{
	static const struct connection_options queued = {.leave_queued = true};
	struct connection c = CONNECTION_NONE;
	int status = connection_add(r, lfd, &queued, &c);
	if (status != RUN_OK)
		return status;
	struct sockaddr_storage ref;
	memset(&ref, 0, sizeof(ref));
	socklen_t ref_len = sizeof(ref);
	if (getsockname(c.client, (struct sockaddr *)&ref, &ref_len) < 0) {
		connection_close(&c);
		return broken(r, "getsockname on the client: %m");
	}
	unsigned char buf[sizeof(struct sockaddr_storage) + GUARD_LEN];
	memset(buf, PATTERN, sizeof(buf));
	socklen_t len = (socklen_t)supplied;
	char label[40];
	snprintf(label, sizeof(label), "accept %s", name);
	c.server = (int)step(r, ON_FD(lfd), label, accept(lfd, (struct sockaddr *)buf, &len),
			     "accept(%d, %zu-byte buffer + %d guard bytes, &addrlen = %d)", lfd,
			     room, GUARD_LEN, supplied);
	snprintf(label, sizeof(label), "addrlen %s", name);
	observe(r, ON_FD(lfd), label, "*addrlen after the call", "%d", (int)len);
	/* What the kernel may have written: min(*addrlen supplied, returned). */
	size_t n = c.server < 0 || supplied <= 0 ? 0
		   : (socklen_t)supplied < len	 ? (size_t)supplied
						 : len;
	if (n >= sizeof(sa_family_t)) {
		sa_family_t fam;
		memcpy(&fam, buf, sizeof(fam));
		snprintf(label, sizeof(label), "family %s", name);
		observe(r, ON_FD(lfd), label, "the buffer's sa_family", "%s",
			fam == AF_INET6	 ? "AF_INET6"
			: fam == AF_INET ? "AF_INET"
					 : "other");
	}
	if (n >= 4) {
		in_port_t port;
		memcpy(&port, buf + 2, sizeof(port));
		snprintf(label, sizeof(label), "port %s", name);
		observe(r, ON_FD(lfd), label, "the buffer's port against the client's", "%s",
			ntohs(port) == socket_local_port(c.client) ? "the client's port"
								   : "another port");
	}
	snprintf(label, sizeof(label), "written %s", name);
	observe_written(r, label, buf, (const unsigned char *)&ref, n);
	snprintf(label, sizeof(label), "past %s", name);
	observe_untouched(r, label, buf, n, room + GUARD_LEN);
	connection_close(&c);
	return RUN_OK;
}

SCENARIO(accept_addrlen_truncated, .errno_name = "EINVAL", .syscall = "accept", .order = 220)
{
	int lfd = server_listener(r, SERVER_PORT, 8);
	if (lfd < 0)
		return RUN_BROKEN;
	/* Each connection is queued before its accept (connection_add()
	 * waits for the listener to poll readable); O_NONBLOCK only keeps a
	 * lost one from hanging the run. */
	fcntl(lfd, F_SETFL, fcntl(lfd, F_GETFL) | O_NONBLOCK);
	/* Too small: a sockaddr_in's size for an IPv6 peer, half of it for
	 * an IPv4 one. */
	size_t small = r->family == AF_INET6 ? sizeof(struct sockaddr_in) : 8;
	const size_t large = sizeof(struct sockaddr_storage);
	int status = accept_case(r, lfd, "large", large, (int)large);
	if (status == RUN_OK)
		status = accept_case(r, lfd, "small", small, (int)small);
	if (status == RUN_OK)
		status = accept_case(r, lfd, "zero", small, 0);
	/* The value-result's limit: a negative length is refused after the
	 * dequeue (the connection is lost: accept-bad-address shows it). */
	if (status == RUN_OK)
		status = accept_case(r, lfd, "negative", small, -1);
	if (status == RUN_OK)
		note(r,
		     "move_addr_to_user() copies min(*addrlen, klen) bytes and writes klen back: "
		     "the size before truncation (1003.1g); a negative *addrlen is -EINVAL before "
		     "anything is written or written back");
	close(lfd);
	return status;
}
