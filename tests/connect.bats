#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run) and json (observe)
# connect(2): a closed port, the router's reject routes, and the client's
# own reject routes.

setup() {
	load test_helper/common-setup
}

@test "closed-port ipv4: connect() ECONNREFUSED (the server host answers RST)" {
	observe closed-port -4
	assert_output - <<'EOF'
connect: ECONNREFUSED
state: CLOSE
EOF
}

@test "closed-port ipv6: connect() ECONNREFUSED (the server host answers RST)" {
	observe closed-port -6
	assert_output - <<'EOF'
connect: ECONNREFUSED
state: CLOSE
EOF
}

# Blackhole on the router: nothing comes back; TCP_USER_TIMEOUT (500 ms)
# bounds the wait, checked when the first SYN retransmission timer fires
# (initial RTO 1 s), so connect() cannot fail before about 1 s.
check_router_blackhole() {
	observe router-blackhole "$1"
	assert_output - <<'EOF'
setsockopt: ok
connect: ETIMEDOUT
EOF
	[ "$(step_ms connect)" -ge 900 ]
}

@test "router-blackhole ipv4: connect() ETIMEDOUT after the first SYN RTO (TCP_USER_TIMEOUT 500 ms)" {
	check_router_blackhole -4
}

@test "router-blackhole ipv6: connect() ETIMEDOUT after the first SYN RTO (TCP_USER_TIMEOUT 500 ms)" {
	check_router_blackhole -6
}

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

# The client's own routes: the error comes from the route lookup in
# connect(), no packet leaves.
@test "local-route-unreachable ipv4: connect() EHOSTUNREACH" {
	observe local-route-unreachable -4
	assert_output "connect: EHOSTUNREACH"
}

@test "local-route-unreachable ipv6: connect() EHOSTUNREACH" {
	observe local-route-unreachable -6
	assert_output "connect: EHOSTUNREACH"
}

@test "local-route-prohibit ipv4: connect() EACCES" {
	observe local-route-prohibit -4
	assert_output "connect: EACCES"
}

@test "local-route-prohibit ipv6: connect() EACCES" {
	observe local-route-prohibit -6
	assert_output "connect: EACCES"
}

@test "local-route-blackhole ipv4: connect() EINVAL" {
	observe local-route-blackhole -4
	assert_output "connect: EINVAL"
}

@test "local-route-blackhole ipv6: connect() EINVAL" {
	observe local-route-blackhole -6
	assert_output "connect: EINVAL"
}

@test "local-route-throw ipv4: connect() ENETUNREACH (throw falls through to no route)" {
	observe local-route-throw -4
	assert_output "connect: ENETUNREACH"
}

@test "local-route-throw ipv6: connect() ENETUNREACH (throw falls through to no route)" {
	observe local-route-throw -6
	assert_output "connect: ENETUNREACH"
}

@test "no-route ipv4: connect() ENETUNREACH" {
	observe no-route -4
	assert_output "connect: ENETUNREACH"
}

@test "no-route ipv6: connect() ENETUNREACH" {
	observe no-route -6
	assert_output "connect: ENETUNREACH"
}
