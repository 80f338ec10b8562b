/* STUB: to be written. */
#include "harness.h"

static int not_yet(struct run *r)
{
	return skipped(r, "not written yet");
}

const struct scenario scenario_accept_policy_eperm = {
	.name = "accept-policy-eperm",
	.errno_name = "EPERM",
	.syscall = "accept",
	.summary = "not written yet",
	.kernel_path = "?",
	.topology = TOPO_PAIR,
	.families = FAMILY_BOTH,
	.run = not_yet,
};

const struct scenario scenario_accept_policy_eproto = {
	.name = "accept-policy-eproto",
	.errno_name = "EPROTO",
	.syscall = "accept",
	.summary = "not written yet",
	.kernel_path = "?",
	.topology = TOPO_PAIR,
	.families = FAMILY_BOTH,
	.run = not_yet,
};

const struct scenario scenario_accept_policy_enobufs = {
	.name = "accept-policy-enobufs",
	.errno_name = "ENOBUFS",
	.syscall = "accept",
	.summary = "not written yet",
	.kernel_path = "?",
	.topology = TOPO_PAIR,
	.families = FAMILY_BOTH,
	.run = not_yet,
};

const struct scenario scenario_accept_policy_enomem = {
	.name = "accept-policy-enomem",
	.errno_name = "ENOMEM",
	.syscall = "accept",
	.summary = "not written yet",
	.kernel_path = "?",
	.topology = TOPO_PAIR,
	.families = FAMILY_BOTH,
	.run = not_yet,
};
