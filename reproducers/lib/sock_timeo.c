/* SO_RCVTIMEO / SO_SNDTIMEO in milliseconds: sock_timeo.h. */
#include "lib/sock_timeo.h"

#include <sys/socket.h>
#include <sys/time.h>

int set_timeo(int fd, int opt, int ms)
{
	struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
	return setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof(tv));
}
