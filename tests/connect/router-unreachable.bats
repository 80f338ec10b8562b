#!/usr/bin/env bats
# router-unreachable: connect(2) through a router whose unreachable route
# for the server answers the SYN with an ICMP error.

load ../test_helper/common-setup

# Unreachable on the router: an ICMP error fails connect().  IPv4 sends
# host unreachable (EHOSTUNREACH); IPv6 sends "no route to destination"
# (code 0), which icmpv6_err_convert() maps to ENETUNREACH.
# veth delivers synchronously, so the error for the first SYN comes back
# while connect() owns the socket: it is only a soft error
# (LockDroppedIcmps +1) and connect() fails with the error for the SYN
# retransmission, about 1 s later.  Should softirq processing ever be
# deferred past connect()'s release of the lock, the first error fails it
# without a retransmission and nothing is counted: those are the two
# allowed outcomes, each tied to the namespace's RetransSegs (a count, not
# a clock) and, for the retransmission, to the 1 s initial RTO it cannot
# come before.
check_router_unreachable() {
	local family=$1 errno=$2
	observe router-unreachable "$family"
	assert_line "connect: $errno"
	local dropped
	dropped=$(step_result LockDroppedIcmps)
	case $dropped in
	+1)
		assert_equal "$(step_result RetransSegs)" +1
		[ "$(step_ms connect)" -ge 900 ]
		;;
	+0) assert_equal "$(step_result RetransSegs)" +0 ;;
	*) fail "LockDroppedIcmps $dropped" ;;
	esac
}

@test "router-unreachable ipv4: connect() EHOSTUNREACH, on the SYN retransmission when the first ICMP met the socket lock" {
	check_router_unreachable -4 EHOSTUNREACH
}

@test "router-unreachable ipv6: connect() ENETUNREACH (ICMPv6 no-route), on the SYN retransmission when the first ICMP met the socket lock" {
	check_router_unreachable -6 ENETUNREACH
}
