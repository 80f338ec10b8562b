/* Small buffers, and a send buffer filled until it stays full:
 * send_buffer_fill.h. */
#include "lib/send_buffer_fill.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "lib/sockets.h"

const struct connection_options small_buffers = {.sndbuf = SMALL_BUF, .rcvbuf = SMALL_BUF};

/* CHUNK-byte sends with MSG_DONTWAIT until EAGAIN: the bytes queued, or
 * -1 when a send failed otherwise or EAGAIN never came (4096 sends). */
static long queue_until_eagain(int fd)
{
	static const char data[CHUNK];
	long total = 0;
	for (int i = 0; i < 4096; i++) {
		ssize_t n = send(fd, data, sizeof(data), MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0)
			return errno == EAGAIN ? total : -1;
		total += n;
	}
	errno = EOVERFLOW;
	return -1;
}

static int unacked(int fd)
{
	struct tcp_info info;
	socklen_t len = sizeof(info);
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) < 0)
		return -1;
	return (int)info.tcpi_unacked;
}

long fill_send_buffer(int fd, long *first)
{
	long total = 0;
	for (int round = 0; round < 20; round++) {
		long n = queue_until_eagain(fd);
		if (n < 0)
			return -1;
		if (round == 0)
			*first = n;
		total += n;
		if (round > 0 && n == 0)
			return total;
		int i = 0;
		while (unacked(fd) > 0 && i++ < 2000)
			poll_fd(-1, 0, 1);
		if (unacked(fd) != 0)
			return -1;
	}
	return -1;
}
