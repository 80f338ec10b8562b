#!/usr/bin/env bats
# local-route-prohibit: connect(2) with a prohibit route to the server in
# the client's own table.
# The client's own routes: the error comes from the route lookup in
# connect(), no packet leaves.

load ../test_helper/common-setup

@test "local-route-prohibit ipv4: connect() EACCES" {
	assert_steps local-route-prohibit -4 "connect: EACCES"
}

@test "local-route-prohibit ipv6: connect() EACCES" {
	assert_steps local-route-prohibit -6 "connect: EACCES"
}
