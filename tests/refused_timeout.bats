#!/usr/bin/env bats
# shellcheck disable=SC2154,SC2030,SC2031 # status, output, stderr (bats run) and json (observe)
# ECONNREFUSED from a firewall on the router (a forged RST, an ICMP port
# unreachable) and ETIMEDOUT when the server vanishes behind the router
# (SYNs dropped, a peer gone mid-transfer, keepalive, TCP_USER_TIMEOUT).
# Expectations are written here, not read from the C.  Measured steps
# (milliseconds) vary from run to run: the sequences below leave them out
# and bound them separately, from below only: a kernel timer never fires
# before its expiry, but a loaded machine can make it late by any amount
# (make bench and make soak print how late).

setup() {
	load test_helper/common-setup
}

# step_ret NAME: the return value of the first step NAME.
step_ret() {
	jq -r --arg n "$1" '[.steps[] | select(.name == $n)][0].ret' <<<"$json"
}

# The RST carries the server's address but the router's hop limit (64):
# the server's own SYN-ACK, forwarded by the router, arrives with 63.
# The server saw nothing.
check_refused_by_firewall() {
	local family=$1 server=$2
	observe refused-by-firewall "$family"
	assert_output - <<EOF
connect: ECONNREFUSED
server segments in: +0
listener: nothing queued
reply: RST|ACK
reply source: $server
reply hop limit: 64
connect: ok
server reply hop limit: 63 (SYN|ACK)
EOF
	assert_equal "$(jq -r .posix_expects <<<"$json")" null
}

@test "refused-by-firewall ipv4: connect() ECONNREFUSED from an RST the router forged with the server's address" {
	check_refused_by_firewall -4 198.51.100.2
}

@test "refused-by-firewall ipv6: connect() ECONNREFUSED from an RST the router forged with the server's address" {
	check_refused_by_firewall -6 2001:db8:2::2
}

# The ICMP error comes from the router.  veth delivers synchronously: the
# first ICMP error can meet connect()'s socket lock and be kept as a soft
# error (LockDroppedIcmps +1); connect() then fails on the error for the
# SYN retransmission, after the 1 s initial RTO, with two ICMP errors
# received.  Without the lock, one ICMP error fails connect() without a
# retransmission.  Both orders are legitimate; each must agree with its own
# counters (RetransSegs: a count, not a clock), and the retransmission
# cannot come before the 1 s initial RTO.
check_refused_by_icmp() {
	local family=$1 router=$2
	observe refused-by-icmp "$family"
	local dropped errors resent
	dropped=$(step_result LockDroppedIcmps)
	case $dropped in
	+1)
		errors=2 resent=+1
		[ "$(step_ms connect)" -ge 900 ]
		;;
	+0) errors=1 resent=+0 ;;
	*) fail "LockDroppedIcmps $dropped" ;;
	esac
	assert_output - <<EOF
connect: ECONNREFUSED
server segments in: +0
ICMP: destination unreachable, port unreachable
ICMP source: $router
ICMP errors: $errors
LockDroppedIcmps: $dropped
RetransSegs: $resent
EOF
}

@test "refused-by-icmp ipv4: connect() ECONNREFUSED from the router's ICMP port unreachable" {
	check_refused_by_icmp -4 192.0.2.254
}

@test "refused-by-icmp ipv6: connect() ECONNREFUSED from the router's ICMPv6 port unreachable" {
	check_refused_by_icmp -6 2001:db8:1::fe
}

# TCP_SYNCNT 1: the SYN and one retransmission (RTO 1 s, then 2 s), not
# the 127 s of tcp_syn_retries 6.
check_timeout_syn_dropped() {
	observe timeout-syn-dropped "$1"
	outcomes
	assert_output - <<'EOF'
setsockopt: ok
connect: ETIMEDOUT
elapsed: not before the bound
state: CLOSE
SYNs at the router: 2
RetransSegs: +1
EOF
	local ms
	ms=$(measured 'elapsed ms')
	[ "$ms" -ge 2500 ]
}

@test "timeout-syn-dropped ipv4: connect() ETIMEDOUT after TCP_SYNCNT 1 (2 SYNs, ~3 s)" {
	check_timeout_syn_dropped -4
}

@test "timeout-syn-dropped ipv6: connect() ETIMEDOUT after TCP_SYNCNT 1 (2 SYNs, ~3 s)" {
	check_timeout_syn_dropped -6
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

# Keepalive after 1 s idle, one unanswered probe 1 s apart: the blocked
# recv() fails after about 2 s (not EAGAIN from the 10 s SO_RCVTIMEO).
check_timeout_keepalive() {
	observe timeout-keepalive "$1"
	outcomes
	assert_output - <<'EOF'
setsockopt: ok
setsockopt: ok
setsockopt: ok
setsockopt: ok
recv: ETIMEDOUT
elapsed: not before the bound
keepalive probes: +1
TCPAbortOnTimeout: +1
state: CLOSE
server state: ESTABLISHED
EOF
	local ms
	ms=$(measured 'elapsed ms')
	[ "$ms" -ge 1800 ]
}

@test "timeout-keepalive ipv4: blocked recv() ETIMEDOUT after keepalive 1 s + 1 probe" {
	check_timeout_keepalive -4
}

@test "timeout-keepalive ipv6: blocked recv() ETIMEDOUT after keepalive 1 s + 1 probe" {
	check_timeout_keepalive -6
}

# A send() blocked for buffer space fails with ETIMEDOUT, which POSIX
# send() does not list; the socket is closed, SO_ERROR is then 0 and the
# next send() says EPIPE.
check_timeout_user_timeout() {
	observe timeout-user-timeout "$1"
	outcomes
	assert_output - <<'EOF'
setsockopt: ok
send until full: EAGAIN
send: ETIMEDOUT
clock starts: the first retransmission
elapsed: not before the bound
state: CLOSE
SO_ERROR: 0
send again: EPIPE
EOF
	run jq -r .posix_expects <<<"$json"
	assert_output --partial "TCP_USER_TIMEOUT"
}

@test "timeout-user-timeout ipv4: blocked send() ETIMEDOUT, TCP_USER_TIMEOUT counted from the first retransmission" {
	check_timeout_user_timeout -4
}

@test "timeout-user-timeout ipv6: blocked send() ETIMEDOUT, TCP_USER_TIMEOUT counted from the first retransmission" {
	check_timeout_user_timeout -6
}
