#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run) and json (observe)
# ECONNRESET and EPIPE: the RSTs an established connection meets (the
# peer closes with unread data, aborts with linger 0, forgot the connection
# in a reboot, overflowed its accept queue, resets after its FIN) and the
# EPIPE of a write after shutdown(SHUT_WR) or after an RST in CLOSE_WAIT.
# Successful calls show their return value here (a byte count, 0 for EOF),
# so that data, EOF and success are told apart.

setup() {
	load test_helper/common-setup
}

# observe_ret NAME -4|-6: as observe, but "label: ret" for calls that
# succeeded.
observe_ret() {
	observe "$@"
	run jq -r '.steps[] | "\(.name): \(.value // .errno // .ret)"' <<<"$json"
}

# After an RST: the socket is closed, readable, writable, in error and hung up.
POLL_AFTER_RST='POLLIN|POLLOUT|POLLERR|POLLHUP|POLLRDHUP'

# Connection 1: the reply the server sent before its RST is still read,
# then the reset once, then EOF.  Connection 2: SO_ERROR consumes the
# error, so recv() sees only EOF.
check_reset_unread_data() {
	observe_ret reset-unread-data "$1"
	assert_output - <<EOF
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

check_reset_linger_zero() {
	observe_ret reset-linger-zero "$1"
	assert_output - <<EOF
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

# The server's close sends nothing (no segment counted, the client stays
# ESTABLISHED); the client's next segment draws the RST.
check_reset_peer_rebooted() {
	observe_ret reset-peer-rebooted "$1"
	assert_output - <<EOF
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

# connect() succeeds (the SYN-ACK came); the segment that completes the
# handshake on the server meets a full accept queue and is answered by an RST.
check_reset_backlog_overflow() {
	observe_ret reset-backlog-overflow "$1"
	assert_output - <<EOF
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

# An RST after the FIN is never reported by recv(): the data, then 0 for
# ever; the pending error is EPIPE (tcp_reset() in CLOSE_WAIT).
check_reset_after_eof() {
	observe_ret reset-after-eof "$1"
	assert_output - <<EOF
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
	run jq -r .posix_expects <<<"$json"
	assert_output --partial ECONNRESET
}

@test "reset-after-eof ipv4: recv() data, then 0 (not ECONNRESET); SO_ERROR EPIPE" {
	check_reset_after_eof -4
}

@test "reset-after-eof ipv6: recv() data, then 0 (not ECONNRESET); SO_ERROR EPIPE" {
	check_reset_after_eof -6
}

# EPIPE from the shutdown flag alone: with MSG_NOSIGNAL, with SIGPIPE
# ignored, and a default sender killed by SIGPIPE; the other direction
# still delivers.
check_pipe_after_shutdown() {
	observe_ret pipe-after-shutdown "$1"
	assert_output - <<'EOF'
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
