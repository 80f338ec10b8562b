#!/usr/bin/env bats
# accept-policy-enobufs: ENOBUFS, an errno only a policy layer (seccomp) makes
# accept(2) return.  Expectations are written here, not read from the C.

load ../test_helper/seccomp-accept

@test "accept-policy-enobufs ipv4: policy-injected ENOBUFS, connection still queued" {
	check_policy ENOBUFS -4
}

@test "accept-policy-enobufs ipv6: policy-injected ENOBUFS, connection still queued" {
	check_policy ENOBUFS -6
}
