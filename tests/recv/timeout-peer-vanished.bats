#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run) and json (observe)
# timeout-peer-vanished: ETIMEDOUT when the server vanishes behind the
# router mid-transfer (TCP_USER_TIMEOUT), reported once by recv() or
# SO_ERROR.  Expectations are written here, not read from the C.  Measured
# steps (milliseconds) vary from run to run: the sequence below leaves
# them out and bounds them separately, from below only: a kernel timer
# never fires before its expiry, but a loaded machine can make it late by
# any amount (make bench and make soak print how late).

load ../test_helper/common-setup

# step_ret NAME: the return value of the first step NAME.
step_ret() {
	jq -r --arg n "$1" '[.steps[] | select(.name == $n)][0].ret' <<<"$json"
}

# TCP_USER_TIMEOUT 500 ms after the first retransmission timeout.  The
# error is reported once: recv() takes it and SO_ERROR is then 0; or
# SO_ERROR takes it and recv() then returns 0 (end of file).  The server
# never learns.
check_timeout_peer_vanished() {
	observe timeout-peer-vanished "$1"
	outcomes
	# Racy by construction: the scenario samples poll() every 1 ms while
	# the timer on another CPU runs tcp_done_with_error(), which writes
	# sk_err (POLLERR), then tcp_done() sets TCP_CLOSE (POLLHUP), then
	# sk_shutdown = SHUTDOWN_MASK (POLLIN); tcp_poll() reads them without
	# the lock, sk_err last after smp_rmb().  The complete set is the three
	# prefixes of that order: POLLERR was seen in qemu (6.1, 6.12), and
	# POLLERR|POLLHUP in a fresh-clone CI run on 6.18 (issue 13).
	assert_line --regexp '^poll: (POLLERR|POLLERR\|POLLHUP|POLLIN\|POLLERR\|POLLHUP)$'
	local steps=$output
	run grep -v '^poll: ' <<<"$steps"
	assert_output - <<'EOF'
send: ok
server recv: ok
setsockopt: ok
setsockopt: ok
send: ok
send: ok
clock starts: the first retransmission
elapsed: not before the bound
recv: ETIMEDOUT
SO_ERROR after recv: 0
state: CLOSE
SO_ERROR: ETIMEDOUT
recv after SO_ERROR: ok
send after: EPIPE
server state: ESTABLISHED
EOF
	assert_equal "$(step_ret 'recv after SO_ERROR')" 0
	# The error comes after TCP_USER_TIMEOUT counted from the first
	# retransmission timeout (one RTO, at least 200 ms, after the send).
	local ms
	ms=$(measured 'error ms')
	[ "$ms" -ge 650 ]
}

@test "timeout-peer-vanished ipv4: recv() ETIMEDOUT after TCP_USER_TIMEOUT, reported once (SO_ERROR 0 after)" {
	check_timeout_peer_vanished -4
}

@test "timeout-peer-vanished ipv6: recv() ETIMEDOUT after TCP_USER_TIMEOUT, reported once (SO_ERROR 0 after)" {
	check_timeout_peer_vanished -6
}
