/* STUB: to be written. */
#include "harness.h"

static int not_yet(struct run *r)
{
	return skipped(r, "not written yet");
}

const struct scenario scenario_accept_signal = {
	.name = "accept-signal",
	.errno_name = "EINTR",
	.syscall = "accept",
	.summary = "not written yet",
	.kernel_path = "?",
	.topology = TOPO_PAIR,
	.families = FAMILY_BOTH,
	.run = not_yet,
};
