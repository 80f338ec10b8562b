#!/usr/bin/env bats
# timeout-syn-dropped: ETIMEDOUT from connect() when the server vanishes
# behind the router and every SYN is dropped.  Expectations are written
# here, not read from the C.  Measured steps (milliseconds) vary from run
# to run: the sequence below leaves them out and bounds them separately,
# from below only: a kernel timer never fires before its expiry, but a
# loaded machine can make it late by any amount (make bench and make soak
# print how late).

load ../test_helper/common-setup

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
