#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run) and json (observe)
# unreachable-ttl-exceeded: connect(2) with a TTL (hop limit) of 1 that
# runs out at the router; its ICMP time exceeded gives EHOSTUNREACH.
# Expectations are written here, not read from the C.

load ../test_helper/unreachable-icmp-race

check_ttl_exceeded() {
	local family=$1 opt=$2
	observe_outcomes unreachable-ttl-exceeded "$family"
	assert_line --index 0 "setsockopt: ok"
	assert_line --index 1 "setsockopt: ok"
	assert_line --index 2 "connect: EHOSTUNREACH"
	[[ $(jq -r '.steps[0].call' <<<"$json") == *"$opt, 1)" ]] || fail "no $opt 1"
	check_icmp_race "ICMP time exceeded in"
}

@test "unreachable-ttl-exceeded ipv4: IP_TTL 1, the router's time exceeded makes connect() EHOSTUNREACH" {
	check_ttl_exceeded -4 IP_TTL
}

@test "unreachable-ttl-exceeded ipv6: IPV6_UNICAST_HOPS 1, the router's time exceeded makes connect() EHOSTUNREACH" {
	check_ttl_exceeded -6 IPV6_UNICAST_HOPS
}
