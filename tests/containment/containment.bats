#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run) and json (observe)
# Runs last (scripts/run-tests): every packet stayed inside namespaces the
# runs created, and nothing of sockerr is left behind.  ROOT_SNAPSHOT_BEFORE
# is the snapshot scripts/run-tests took before the first suite.

load ../test_helper/common-setup
load ../test_helper/root-snapshot

@test "containment: the root network namespace is exactly as before the suite (links, addresses, routes, rules, nft, tcp and core sysctls)" {
	[ -f "${ROOT_SNAPSHOT_BEFORE:-}" ] || fail "no snapshot from before the suite: run scripts/run-tests"

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
