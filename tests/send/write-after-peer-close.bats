#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run), json (observe), POLL_AFTER_RST (rst-steps)
# Writing to a peer that close()d normally (write-after-peer-close): the
# first write is accepted and answered with an RST; the second fails with
# EPIPE and SIGPIPE, never ECONNRESET; the read after it returns 0.
# Successful calls show their return value here (a byte count, 0 for EOF),
# so that data, EOF and success are told apart (assert_steps_ret, rst-steps).

load ../test_helper/rst-steps

# Both connections: the server's close() (a FIN), the client reads EOF in
# CLOSE_WAIT, the server's socket waits in FIN_WAIT2, the client's first
# write is accepted; the server answers it with an RST and forgets the
# connection.  The TCP errors article expects ECONNRESET from this path:
# the RST arrives in CLOSE_WAIT, where tcp_reset() stores EPIPE instead.
check_write_after_peer_close() {
	local written="server close: 0
recv: 0
client state: CLOSE_WAIT
server state: FIN_WAIT2
send: 4
client poll: $POLL_AFTER_RST
client state: CLOSE
server state: gone"
	assert_steps_ret write-after-peer-close "$1" - <<EOF
$written
send: EPIPE
recv: 0
SO_ERROR: 0
$written
child: killed by SIGPIPE
EOF
	assert_record posix_expects --partial ECONNRESET
}

@test "write-after-peer-close ipv4: first write 4, second EPIPE (not ECONNRESET) with SIGPIPE, then recv() 0" {
	check_write_after_peer_close -4
}

@test "write-after-peer-close ipv6: first write 4, second EPIPE (not ECONNRESET) with SIGPIPE, then recv() 0" {
	check_write_after_peer_close -6
}
