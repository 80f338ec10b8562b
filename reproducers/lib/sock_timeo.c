/* SO_RCVTIMEO / SO_SNDTIMEO in milliseconds: sock_timeo.h. */
#include "lib/sock_timeo.h"

#include <stdio.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "record/harness.h"

int set_timeo(int fd, int opt, int ms)
{
	struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
	return setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof(tv));
}

void observe_timeout_elapsed(struct run *r, struct where where, const struct call_watch *w,
			     const char *call, const char *opt)
{
	char what[96];
	snprintf(what, sizeof(what), "%s(): slept, and for at least %s", call, opt);
	observe(r, where, "elapsed", what, "%s", timeout_class(w, TIMEO_MS));
	snprintf(what, sizeof(what), "time in %s(), ms (%s %d ms)", call, opt, TIMEO_MS);
	measure(r, where, "elapsed ms", what, "%.1f", w->ms);
}
