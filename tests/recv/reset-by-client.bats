#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run), json (observe), POLL_AFTER_RST (rst-steps)
# The server's side of a reset (reset-by-client): the client aborts an
# accepted connection with SO_LINGER {1, 0}; the server's recv() reports
# ECONNRESET once ("recv: Connection reset by peer" in a server's log),
# after any data the client sent before the RST, then 0; send() reports
# ECONNRESET if it asks first, then EPIPE.
# Successful calls show their return value here (a byte count, 0 for EOF),
# so that data, EOF and success are told apart (assert_steps_ret, rst-steps).

load ../test_helper/rst-steps

# Connection 1: nothing sent; recv() ECONNRESET once, then EOF; send()
# EPIPE; the error was consumed, SO_ERROR reads 0.
# Connection 2: the 7-byte request queued at the server before the RST is
# read first, then ECONNRESET, then EOF.
# Connection 3: the server read the request and answers: the first send()
# gets ECONNRESET, the next EPIPE, recv() only EOF.
check_reset_by_client() {
	assert_steps_ret reset-by-client "$1" - <<EOF
client close: 0
server counter: +1
server poll: $POLL_AFTER_RST
server state: CLOSE
recv: ECONNRESET
recv: 0
send: EPIPE
SO_ERROR: 0
client close: 0
server counter: +1
server poll: $POLL_AFTER_RST
server state: CLOSE
recv: 7
recv: ECONNRESET
recv: 0
recv: 7
client close: 0
server counter: +1
send: ECONNRESET
send: EPIPE
recv: 0
EOF
}

@test "reset-by-client ipv4: client aborts; server recv() data, ECONNRESET once, then 0; send() ECONNRESET or EPIPE" {
	check_reset_by_client -4
}

@test "reset-by-client ipv6: client aborts; server recv() data, ECONNRESET once, then 0; send() ECONNRESET or EPIPE" {
	check_reset_by_client -6
}
