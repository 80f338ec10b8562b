/* See accept_table.h. */
#include "lib/accept_table.h"

#include <poll.h>

#include "lib/accept_helpers.h"
#include "lib/sockets.h"

void acctab_record_never_existed(struct run *r)
{
	int n = acctab_connections(r);
	observe(r, AT(HOST_SERVER), "connections",
		"sock_diag: TCP sockets on the server port, LISTEN aside", "%s",
		n < 0	 ? "sock_diag failed"
		: n == 0 ? "none"
			 : "some");
	if (n == 0)
		set_connection(r, CONNECTION_NEVER_EXISTED);
}

void acctab_exchange_byte(struct run *r, int cfd, int afd)
{
	step(r, AT(HOST_CLIENT), "client send", send(cfd, "x", 1, MSG_NOSIGNAL),
	     "client send(%d, 1, MSG_NOSIGNAL)", cfd);
	char c = 0;
	long n = 0;
	if (poll_fd(afd, POLLIN, 2000) & POLLIN)
		n = step(r, ON_FD(afd), "server recv", recv(afd, &c, 1, MSG_DONTWAIT),
			 "recv(%d, 1, MSG_DONTWAIT)", afd);
	observe(r, ON_FD(afd), "byte", "the byte the server received", "%s",
		n == 1 && c == 'x' ? "arrived" : "missing");
}
