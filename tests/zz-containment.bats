#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run) and json (observe)
# Runs last: every packet stayed inside namespaces the runs created, and
# nothing of sockerr is left behind.

setup() {
	load test_helper/common-setup
}

@test "containment: the root network namespace is exactly as before the suite (links, addresses, routes, rules, nft, tcp and core sysctls)" {
	[ -f "$ROOT_SNAPSHOT_BEFORE" ]
	run diff -u "$ROOT_SNAPSHOT_BEFORE" <(root_namespace_snapshot)
	assert_success
	assert_output ""
}

@test "containment: no sockerr namespace is left after the suite" {
	run sockerr_namespaces
	assert_output ""
}

@test "containment: no veth link in the root namespace" {
	run ip -o link show type veth
	assert_output ""
}
