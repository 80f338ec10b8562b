/* STUB: to be written. */
#include "harness.h"

static int not_yet(struct run *r)
{
	return skipped(r, "not written yet");
}

const struct scenario scenario_accept_closed_fd = {
	.name = "accept-closed-fd",
	.errno_name = "EBADF",
	.syscall = "accept",
	.summary = "not written yet",
	.kernel_path = "?",
	.topology = TOPO_PAIR,
	.families = FAMILY_BOTH,
	.run = not_yet,
};

const struct scenario scenario_accept_not_socket = {
	.name = "accept-not-socket",
	.errno_name = "ENOTSOCK",
	.syscall = "accept",
	.summary = "not written yet",
	.kernel_path = "?",
	.topology = TOPO_PAIR,
	.families = FAMILY_BOTH,
	.run = not_yet,
};

const struct scenario scenario_accept_udp_socket = {
	.name = "accept-udp-socket",
	.errno_name = "EOPNOTSUPP",
	.syscall = "accept",
	.summary = "not written yet",
	.kernel_path = "?",
	.topology = TOPO_PAIR,
	.families = FAMILY_BOTH,
	.run = not_yet,
};

const struct scenario scenario_accept_not_listening = {
	.name = "accept-not-listening",
	.errno_name = "EINVAL",
	.syscall = "accept",
	.summary = "not written yet",
	.kernel_path = "?",
	.topology = TOPO_PAIR,
	.families = FAMILY_BOTH,
	.run = not_yet,
};

const struct scenario scenario_accept4_bad_flags = {
	.name = "accept4-bad-flags",
	.errno_name = "EINVAL",
	.syscall = "accept4",
	.summary = "not written yet",
	.kernel_path = "?",
	.topology = TOPO_PAIR,
	.families = FAMILY_BOTH,
	.run = not_yet,
};

const struct scenario scenario_accept_bad_address = {
	.name = "accept-bad-address",
	.errno_name = "EFAULT",
	.syscall = "accept",
	.summary = "not written yet",
	.kernel_path = "?",
	.topology = TOPO_PAIR,
	.families = FAMILY_BOTH,
	.run = not_yet,
};
