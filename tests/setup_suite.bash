# shellcheck shell=bash
# Before the suite: snapshot the root network namespace, unless
# scripts/run-tests already did (it runs several bats suites and checks
# containment once, after all of them).

setup_suite() {
	if [ -z "${ROOT_SNAPSHOT_BEFORE:-}" ]; then
		# shellcheck source=tests/test_helper/root-snapshot.bash
		. "$BATS_TEST_DIRNAME/test_helper/root-snapshot.bash"
		export ROOT_SNAPSHOT_BEFORE="$BATS_RUN_TMPDIR/root-namespace-before"
		root_namespace_snapshot >"$ROOT_SNAPSHOT_BEFORE"
	fi
}
