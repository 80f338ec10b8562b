#!/usr/bin/env bats
# local-route-unreachable: connect(2) with an unreachable route to the
# server in the client's own table.
# The client's own routes: the error comes from the route lookup in
# connect(), no packet leaves.

load ../test_helper/common-setup

@test "local-route-unreachable ipv4: connect() EHOSTUNREACH" {
	assert_steps local-route-unreachable -4 "connect: EHOSTUNREACH"
}

@test "local-route-unreachable ipv6: connect() EHOSTUNREACH" {
	assert_steps local-route-unreachable -6 "connect: EHOSTUNREACH"
}
