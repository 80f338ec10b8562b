#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run) and json (observe)
# Writing to a peer that shut down its sending side and still reads
# (write-after-peer-shutdown): no EPIPE, no ECONNRESET, no SIGPIPE; the
# peer reads the data.  The TCP errors article's "writing data to a
# fin_wait2 service TCP ... is not a problem", where the peer half-closed.
# Successful calls show their return value here (a byte count, 0 for EOF),
# so that data, EOF and success are told apart (assert_steps_ret, rst-steps).

load ../test_helper/rst-steps

# The client reads EOF (CLOSE_WAIT), the server waits in FIN_WAIT2; the
# client's write (SIGPIPE at its default, in a child) returns 4 and the
# child exits normally; the server reads the 4 bytes, both states stay, no
# error is pending; the client's close() is the server's EOF.
check_write_after_peer_shutdown() {
	assert_steps_ret write-after-peer-shutdown "$1" - <<'EOF'
server shutdown: 0
recv: 0
client state: CLOSE_WAIT
server state: FIN_WAIT2
send: 4
child: exited 0
server recv: 4
client state: CLOSE_WAIT
server state: FIN_WAIT2
SO_ERROR: 0
client close: 0
server recv: 0
EOF
}

@test "write-after-peer-shutdown ipv4: send() in CLOSE_WAIT returns 4, no signal; the half-closed server reads it" {
	check_write_after_peer_shutdown -4
}

@test "write-after-peer-shutdown ipv6: send() in CLOSE_WAIT returns 4, no signal; the half-closed server reads it" {
	check_write_after_peer_shutdown -6
}
