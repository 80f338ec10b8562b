#!/usr/bin/env bats
# timeout-keepalive: ETIMEDOUT from a blocked recv() on an idle connection
# whose server vanished behind the router, noticed by keepalive.
# Expectations are written here, not read from the C.  Measured steps
# (milliseconds) vary from run to run: the sequence below leaves them out
# and bounds them separately, from below only: a kernel timer never fires
# before its expiry, but a loaded machine can make it late by any amount
# (make bench and make soak print how late).

load ../test_helper/common-setup

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
