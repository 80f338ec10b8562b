#!/usr/bin/env bats
# local-route-blackhole: connect(2) with a blackhole route to the server
# in the client's own table.
# The client's own routes: the error comes from the route lookup in
# connect(), no packet leaves.

load ../test_helper/common-setup

@test "local-route-blackhole ipv4: connect() EINVAL" {
	assert_steps local-route-blackhole -4 "connect: EINVAL"
}

@test "local-route-blackhole ipv6: connect() EINVAL" {
	assert_steps local-route-blackhole -6 "connect: EINVAL"
}
