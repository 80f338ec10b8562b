#!/usr/bin/env bats
# unreachable-net-icmp: connect(2) through a router without a route to the
# server's network (its link there is down); its ICMP net unreachable
# (ICMPv6 no-route) gives ENETUNREACH.
# Expectations are written here, not read from the C.

load ../test_helper/unreachable-icmp-race

check_net_icmp() {
	observe_outcomes unreachable-net-icmp "$1"
	assert_line --index 0 "router route: absent"
	assert_line --index 1 "setsockopt: ok"
	assert_line --index 2 "connect: ENETUNREACH"
	check_icmp_race "ICMP unreachable in"
}

@test "unreachable-net-icmp ipv4: the router without a route answers net unreachable, connect() ENETUNREACH" {
	check_net_icmp -4
}

@test "unreachable-net-icmp ipv6: the router without a route answers no-route, connect() ENETUNREACH" {
	check_net_icmp -6
}
