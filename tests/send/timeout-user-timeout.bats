#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run) and json (observe)
# timeout-user-timeout: ETIMEDOUT from a send() blocked for buffer space
# when the server vanished behind the router and TCP_USER_TIMEOUT ran out.
# Expectations are written here, not read from the C.  Measured steps
# (milliseconds) vary from run to run: the sequence below leaves them out.

load ../test_helper/common-setup

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
	assert_record posix_expects --partial "TCP_USER_TIMEOUT"
}

@test "timeout-user-timeout ipv4: blocked send() ETIMEDOUT, TCP_USER_TIMEOUT counted from the first retransmission" {
	check_timeout_user_timeout -4
}

@test "timeout-user-timeout ipv6: blocked send() ETIMEDOUT, TCP_USER_TIMEOUT counted from the first retransmission" {
	check_timeout_user_timeout -6
}
