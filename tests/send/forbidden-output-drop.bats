#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run) and json (observe)
# forbidden-output-drop: a connection forbidden on the client's own host by
# a local nft output drop: what sendto() and connect() return, and what the
# server sees.  Expectations are written here.

load ../test_helper/common-setup

# A local nft output drop: UDP sendto() EPERM at once (counted in
# OutDiscards); TCP connect() is not told (tcp_connect() ignores the
# transmit error) and times out after the SYN retransmission timer
# (TCP_USER_TIMEOUT 500 ms, initial RTO 1 s); without the rule both work.
check_output_drop() {
	assert_outcomes forbidden-output-drop "$1" - <<'EOF'
sendto: EPERM
OutDiscards: +1
connect: ETIMEDOUT
connect waited: for the SYN retransmission timer
TCP OutDiscards: +0
server saw: no connection
sendto without rule: ok
server recv: ok
connect without rule: ok
EOF
	# connect() failed on the timer, not on the first dropped SYN.
	[ "$(step_ms connect)" -ge 900 ]
	assert_record posix_expects --partial ETIMEDOUT
}

@test "forbidden-output-drop ipv4: UDP sendto() EPERM; TCP connect() through the same drop ETIMEDOUT" {
	check_output_drop -4
}

@test "forbidden-output-drop ipv6: UDP sendto() EPERM; TCP connect() through the same drop ETIMEDOUT" {
	check_output_drop -6
}
