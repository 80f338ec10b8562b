#!/usr/bin/env bats
# accept-not-listening: EINVAL on a bound TCP socket without listen().
# Expectations are written here, not read from the C.

load ../test_helper/common-setup

@test "accept-not-listening ipv4: accept() EINVAL" {
	assert_steps accept-not-listening -4 "accept: EINVAL"
}

@test "accept-not-listening ipv6: accept() EINVAL" {
	assert_steps accept-not-listening -6 "accept: EINVAL"
}
