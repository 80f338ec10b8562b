#!/usr/bin/env bats
# accept-policy-eproto: EPROTO, an errno only a policy layer (seccomp) makes
# accept(2) return.  Expectations are written here, not read from the C.

load ../test_helper/seccomp-accept

@test "accept-policy-eproto ipv4: policy-injected EPROTO, connection still queued" {
	check_policy EPROTO -4
}

@test "accept-policy-eproto ipv6: policy-injected EPROTO, connection still queued" {
	check_policy EPROTO -6
}
