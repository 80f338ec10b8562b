#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run), json (observe), POLL_AFTER_RST (rst-steps)
# ECONNRESET from recv() when the peer's accept queue overflowed after
# connect() succeeded, under tcp_abort_on_overflow (reset-backlog-overflow).
# Successful calls show their return value here (a byte count, 0 for EOF),
# so that data, EOF and success are told apart (assert_steps_ret, rst-steps).

load ../test_helper/rst-steps

# connect() succeeds (the SYN-ACK came); the segment that completes the
# handshake on the server meets a full accept queue and is answered by an RST.
check_reset_backlog_overflow() {
	assert_steps_ret reset-backlog-overflow "$1" - <<EOF
overflowing connect: 0
client state: ESTABLISHED
accept queue: readable (full, never accepted)
overflowing send: 1
ListenOverflows: +1
client poll: $POLL_AFTER_RST
client state: CLOSE
recv: ECONNRESET
EOF
}

@test "reset-backlog-overflow ipv4: connect() ok, then RST from the full queue; recv() ECONNRESET" {
	check_reset_backlog_overflow -4
}

@test "reset-backlog-overflow ipv6: connect() ok, then RST from the full queue; recv() ECONNRESET" {
	check_reset_backlog_overflow -6
}
