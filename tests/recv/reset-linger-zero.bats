#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run), json (observe), POLL_AFTER_RST (rst-steps)
# ECONNRESET from recv() after the peer's abortive close with linger 0
# (reset-linger-zero), and the EPIPE of a send() after it.
# Successful calls show their return value here (a byte count, 0 for EOF),
# so that data, EOF and success are told apart (assert_steps_ret, rst-steps).

load ../test_helper/rst-steps

check_reset_linger_zero() {
	assert_steps_ret reset-linger-zero "$1" - <<EOF
server close: 0
server counter: +1
client poll: $POLL_AFTER_RST
client state: CLOSE
recv: ECONNRESET
recv: 0
send: EPIPE
EOF
}

@test "reset-linger-zero ipv4: abortive close; recv() ECONNRESET, then 0; send() EPIPE" {
	check_reset_linger_zero -4
}

@test "reset-linger-zero ipv6: abortive close; recv() ECONNRESET, then 0; send() EPIPE" {
	check_reset_linger_zero -6
}
