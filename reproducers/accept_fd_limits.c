/* STUB: to be written. */
#include "harness.h"

static int not_yet(struct run *r)
{
	return skipped(r, "not written yet");
}

const struct scenario scenario_accept_fd_limit = {
	.name = "accept-fd-limit",
	.errno_name = "EMFILE",
	.syscall = "accept",
	.summary = "not written yet",
	.kernel_path = "?",
	.topology = TOPO_PAIR,
	.families = FAMILY_BOTH,
	.run = not_yet,
};

const struct scenario scenario_accept_file_table_full = {
	.name = "accept-file-table-full",
	.errno_name = "ENFILE",
	.syscall = "accept",
	.summary = "not written yet",
	.kernel_path = "?",
	.topology = TOPO_PAIR,
	.families = FAMILY_BOTH,
	.run = not_yet,
};
