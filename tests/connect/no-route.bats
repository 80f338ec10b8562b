#!/usr/bin/env bats
# no-route: connect(2) to a prefix the client has no route for.
# The client's own routes: the error comes from the route lookup in
# connect(), no packet leaves.

load ../test_helper/common-setup

@test "no-route ipv4: connect() ENETUNREACH" {
	assert_steps no-route -4 "connect: ENETUNREACH"
}

@test "no-route ipv6: connect() ENETUNREACH" {
	assert_steps no-route -6 "connect: ENETUNREACH"
}
