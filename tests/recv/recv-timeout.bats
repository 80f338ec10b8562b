#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run) and json (observe)
# recv-timeout: the EAGAIN of a blocking recv() whose SO_RCVTIMEO runs out.
# Expectations are written here, not read from the C.  Measured steps
# (milliseconds) vary from run to run: the sequence below leaves them out
# and bounds them separately.

load ../test_helper/common-setup

check_recv_timeout() {
	observe recv-timeout "$1"
	outcomes
	assert_output - <<'EOF'
setsockopt: ok
recv: EAGAIN
elapsed: after the timeout
state: ESTABLISHED
EOF
	# The raw time is a measurement; it agrees with the class above.  A
	# timer never fires early (one 10 ms tick of slack), but load may make
	# it late by any amount: no upper bound here, make bench prints it.
	local ms
	ms=$(measured 'elapsed ms')
	[ "${ms%.*}" -ge 190 ]
}

@test "recv-timeout ipv4: blocking recv() with SO_RCVTIMEO EAGAIN after the timeout" {
	check_recv_timeout -4
}

@test "recv-timeout ipv6: blocking recv() with SO_RCVTIMEO EAGAIN after the timeout" {
	check_recv_timeout -6
}
