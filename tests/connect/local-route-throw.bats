#!/usr/bin/env bats
# local-route-throw: connect(2) with a throw route to the server in the
# client's own table.
# The client's own routes: the error comes from the route lookup in
# connect(), no packet leaves.

load ../test_helper/common-setup

@test "local-route-throw ipv4: connect() ENETUNREACH (throw falls through to no route)" {
	assert_steps local-route-throw -4 "connect: ENETUNREACH"
}

@test "local-route-throw ipv6: connect() ENETUNREACH (throw falls through to no route)" {
	assert_steps local-route-throw -6 "connect: ENETUNREACH"
}
