#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run) and json (observe)
# EPIPE from a send() after the client's own shutdown(SHUT_WR)
# (pipe-after-shutdown).
# Successful calls show their return value here (a byte count, 0 for EOF),
# so that data, EOF and success are told apart (assert_steps_ret, rst-steps).

load ../test_helper/rst-steps

# EPIPE from the shutdown flag alone: with MSG_NOSIGNAL, with SIGPIPE
# ignored, and a default sender killed by SIGPIPE; the other direction
# still delivers.
check_pipe_after_shutdown() {
	assert_steps_ret pipe-after-shutdown "$1" - <<'EOF'
client shutdown: 0
server recv: 0
client state: FIN_WAIT2
send: EPIPE
send: EPIPE
child: killed by SIGPIPE
SO_ERROR: 0
client recv: 5
EOF
}

@test "pipe-after-shutdown ipv4: send() EPIPE; SIGPIPE kills a default sender; recv() still works" {
	check_pipe_after_shutdown -4
}

@test "pipe-after-shutdown ipv6: send() EPIPE; SIGPIPE kills a default sender; recv() still works" {
	check_pipe_after_shutdown -6
}
