#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run) and json (observe)
# The kill test (scripts/kill-test): run --all interrupted at random
# moments, ten times with SIGKILL (then `sockerr cleanup`), and with SIGINT
# and SIGTERM (the runner cleans up itself).  Nothing may be left, and the
# next run must pass.

load ../test_helper/common-setup

@test "kill test: SIGKILL x10 at random moments during run --all, then cleanup: no namespace left, the next run passes; SIGINT and SIGTERM clean up themselves" {
	run "$BATS_TEST_DIRNAME/../../scripts/kill-test" 10
	echo "$output"
	assert_success
	assert_line --regexp '^kill-test: 20 interruptions \([0-9]+ with namespaces up\), 0 failures$'
	# The kills must have hit runs in flight, or the test proves nothing:
	# every other one waits for namespaces up before it is sent.
	local hit
	hit=$(sed -nE 's/^kill-test: 20 interruptions \(([0-9]+) with namespaces up\).*/\1/p' <<<"$output")
	[ "$hit" -ge 10 ]
	run sockerr_namespaces
	assert_output ""
}
