#!/usr/bin/env bats
# accept-policy-enomem: ENOMEM, an errno only a policy layer (seccomp) makes
# accept(2) return.  Expectations are written here, not read from the C.

load ../test_helper/seccomp-accept

@test "accept-policy-enomem ipv4: policy-injected ENOMEM, connection still queued" {
	check_policy ENOMEM -4
}

@test "accept-policy-enomem ipv6: policy-injected ENOMEM, connection still queued" {
	check_policy ENOMEM -6
}
