#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run), json (observe), POLL_AFTER_RST (rst-steps)
# An RST after the peer's FIN: recv() never reports it, SO_ERROR says EPIPE
# (reset-after-eof).
# Successful calls show their return value here (a byte count, 0 for EOF),
# so that data, EOF and success are told apart (assert_steps_ret, rst-steps).

load ../test_helper/rst-steps

# An RST after the FIN is never reported by recv(): the data, then 0 for
# ever; the pending error is EPIPE (tcp_reset() in CLOSE_WAIT).
check_reset_after_eof() {
	assert_steps_ret reset-after-eof "$1" - <<EOF
server shutdown: 0
client state: CLOSE_WAIT
server close: 0
client poll: $POLL_AFTER_RST
client state: CLOSE
recv: 5
recv: 0
recv: 0
SO_ERROR: EPIPE
EOF
	assert_record posix_expects --partial ECONNRESET
}

@test "reset-after-eof ipv4: recv() data, then 0 (not ECONNRESET); SO_ERROR EPIPE" {
	check_reset_after_eof -4
}

@test "reset-after-eof ipv6: recv() data, then 0 (not ECONNRESET); SO_ERROR EPIPE" {
	check_reset_after_eof -6
}
