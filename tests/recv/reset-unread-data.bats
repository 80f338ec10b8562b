#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run), json (observe), POLL_AFTER_RST (rst-steps)
# ECONNRESET from recv() when the peer closes with the client's request
# unread: an RST instead of a FIN (reset-unread-data).
# Successful calls show their return value here (a byte count, 0 for EOF),
# so that data, EOF and success are told apart (assert_steps_ret, rst-steps).

load ../test_helper/rst-steps

# Connection 1: the reply the server sent before its RST is still read,
# then the reset once, then EOF.  Connection 2: SO_ERROR consumes the
# error, so recv() sees only EOF.
check_reset_unread_data() {
	assert_steps_ret reset-unread-data "$1" - <<EOF
server close: 0
server counter: +1
client poll: $POLL_AFTER_RST
client state: CLOSE
recv: 5
recv: ECONNRESET
recv: 0
server close: 0
server counter: +1
SO_ERROR: ECONNRESET
recv: 0
EOF
}

@test "reset-unread-data ipv4: close with unread data sends RST; recv() data, ECONNRESET, then 0" {
	check_reset_unread_data -4
}

@test "reset-unread-data ipv6: close with unread data sends RST; recv() data, ECONNRESET, then 0" {
	check_reset_unread_data -6
}
