#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run), json (observe), POLL_AFTER_RST (rst-steps)
# ECONNRESET from recv() when the peer forgot the connection, as in a
# reboot: the client's next segment draws the RST (reset-peer-rebooted).
# Successful calls show their return value here (a byte count, 0 for EOF),
# so that data, EOF and success are told apart (assert_steps_ret, rst-steps).

load ../test_helper/rst-steps

# The server's close sends nothing (no segment counted, the client stays
# ESTABLISHED); the client's next segment draws the RST.
check_reset_peer_rebooted() {
	assert_steps_ret reset-peer-rebooted "$1" - <<EOF
server TCP_REPAIR: 0
server close: 0
server sent at close: +0
server sockets: 0
client state: ESTABLISHED
send: 5
client captured: RST
server RSTs: +1
client poll: $POLL_AFTER_RST
client state: CLOSE
recv: ECONNRESET
send: EPIPE
EOF
}

@test "reset-peer-rebooted ipv4: silent close, the client's next segment draws an RST; recv() ECONNRESET" {
	check_reset_peer_rebooted -4
}

@test "reset-peer-rebooted ipv6: silent close, the client's next segment draws an RST; recv() ECONNRESET" {
	check_reset_peer_rebooted -6
}
