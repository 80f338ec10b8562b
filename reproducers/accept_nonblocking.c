/* STUB: to be written. */
#include "harness.h"

static int not_yet(struct run *r)
{
	return skipped(r, "not written yet");
}

const struct scenario scenario_accept_nonblocking_empty = {
	.name = "accept-nonblocking-empty",
	.errno_name = "EAGAIN",
	.syscall = "accept4",
	.summary = "not written yet",
	.kernel_path = "?",
	.topology = TOPO_PAIR,
	.families = FAMILY_BOTH,
	.run = not_yet,
};

const struct scenario scenario_accept_rcvtimeo = {
	.name = "accept-rcvtimeo",
	.errno_name = "EAGAIN",
	.syscall = "accept",
	.summary = "not written yet",
	.kernel_path = "?",
	.topology = TOPO_PAIR,
	.families = FAMILY_BOTH,
	.run = not_yet,
};
