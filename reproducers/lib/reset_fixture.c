/* The set-up of the reset-* scenarios: reset_fixture.h. */
#include "lib/reset_fixture.h"

#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/connection.h"
#include "lib/reset_observe.h"
#include "lib/sockets.h"

int with_fds(struct run *r, int (*body)(struct run *r, int *fds))
{
	int fds[N_FDS];
	for (int i = 0; i < N_FDS; i++)
		fds[i] = -1;
	int status = body(r, fds);
	for (int i = 0; i < N_FDS; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return status;
}

void server_close(struct run *r, int *fds, const char *how)
{
	int afd = fds[AFD];
	fds[AFD] = -1;
	step(r, ON_FD(afd), "server close", close(afd), "close(%d) %s", afd, how);
}

int server_connection(struct run *r, int *fds)
{
	if ((fds[LFD] = server_listener(r, SERVER_PORT, 8)) < 0)
		return RUN_BROKEN;
	if (connection_to(r, fds[LFD], &fds[CFD], &fds[AFD]) != RUN_OK)
		return RUN_BROKEN;
	return RUN_OK;
}

bool deliver(int from, int to, const char *msg)
{
	size_t len = strlen(msg);
	return send(from, msg, len, MSG_NOSIGNAL) == (ssize_t)len &&
	       (poll_fd(to, POLLIN, 2000) & POLLIN);
}

void observe_reset_side(struct run *r, enum host who, int fd)
{
	char poll_label[32], call[64], state_label[32];
	snprintf(poll_label, sizeof(poll_label), "%s poll", host_name(who));
	snprintf(call, sizeof(call), "poll(%s, POLLIN|POLLOUT|POLLRDHUP)", host_name(who));
	snprintf(state_label, sizeof(state_label), "%s state", host_name(who));
	observe(r, AT(who), poll_label, call, "%s",
		poll_revents_text(poll_fd(fd, POLLIN | POLLOUT | POLLRDHUP, 0), "none"));
	observe_state(r, state_label, fd);
}

void observe_client(struct run *r, int cfd)
{
	observe_reset_side(r, HOST_CLIENT, cfd);
}

void observe_counter(struct run *r, const char *label, const char *group, const char *name,
		     long before)
{
	long after = netstat_counter(&r->topo.server, group, name);
	char call[96];
	snprintf(call, sizeof(call), "server %s %s", group, name);
	if (before < 0 || after < 0)
		observe(r, AT(HOST_SERVER), label, call, "absent");
	else
		observe(r, AT(HOST_SERVER), label, call, "%+ld", after - before);
}
