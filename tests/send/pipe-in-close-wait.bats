#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run) and json (observe)
# EPIPE from a send() after an RST in CLOSE_WAIT, with SIGPIPE from the
# first call (pipe-in-close-wait).
# Successful calls show their return value here (a byte count, 0 for EOF),
# so that data, EOF and success are told apart (assert_steps_ret, rst-steps).

load ../test_helper/rst-steps

# An RST in CLOSE_WAIT sets EPIPE: the first send() fails with it and, unlike
# an ECONNRESET, raises SIGPIPE at once; recv() says 0 and leaves it pending.
check_pipe_in_close_wait() {
	observe_ret pipe-in-close-wait "$1"
	local reset='server shutdown: 0
client state: CLOSE_WAIT
server close: 0
client state: CLOSE'
	assert_output - <<EOF
$reset
send: EPIPE
send: EPIPE
recv: 0
SO_ERROR: 0
$reset
recv: 0
SO_ERROR: EPIPE
$reset
child: killed by SIGPIPE
$reset
send: EPIPE
EOF
}

@test "pipe-in-close-wait ipv4: send() EPIPE with SIGPIPE from the first call; recv() 0" {
	check_pipe_in_close_wait -4
}

@test "pipe-in-close-wait ipv6: send() EPIPE with SIGPIPE from the first call; recv() 0" {
	check_pipe_in_close_wait -6
}
