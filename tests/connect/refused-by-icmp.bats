#!/usr/bin/env bats
# refused-by-icmp: ECONNREFUSED from a firewall on the router that answers
# the SYN with an ICMP port unreachable.  Expectations are written here,
# not read from the C.  Measured steps (milliseconds) vary from run to
# run: the sequence below leaves them out and bounds them separately, from
# below only: a kernel timer never fires before its expiry, but a loaded
# machine can make it late by any amount (make bench and make soak print
# how late).

load ../test_helper/common-setup

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
