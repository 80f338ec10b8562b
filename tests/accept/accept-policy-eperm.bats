#!/usr/bin/env bats
# accept-policy-eperm: EPERM, an errno only a policy layer (seccomp) makes
# accept(2) return.  Expectations are written here, not read from the C.

load ../test_helper/seccomp-accept

@test "accept-policy-eperm ipv4: policy-injected EPERM, connection still queued" {
	check_policy EPERM -4
}

@test "accept-policy-eperm ipv6: policy-injected EPERM, connection still queued" {
	check_policy EPERM -6
}
