# shellcheck shell=bash
# Before the suite: snapshot the root network namespace, unless
# scripts/run-tests already did (it runs several bats suites and checks
# containment once, after all of them); and the catalogue fixture
# (scripts/catalogue-fixture: the whole catalogue run once, which the tests
# read instead of each running its scenario), unless scripts/run-tests
# already made it for this binary and exported SOCKERR_FIXTURE.

setup_suite() {
	local root
	root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	if [ -z "${ROOT_SNAPSHOT_BEFORE:-}" ]; then
		# shellcheck source=tests/test_helper/root-snapshot.bash
		. "$root/tests/test_helper/root-snapshot.bash"
		export ROOT_SNAPSHOT_BEFORE="$BATS_RUN_TMPDIR/root-namespace-before"
		root_namespace_snapshot >"$ROOT_SNAPSHOT_BEFORE"
	fi
	local sockerr=${SOCKERR:-$root/build/sockerr}
	if [ -z "${SOCKERR_FIXTURE:-}" ]; then
		export SOCKERR_FIXTURE="$BATS_RUN_TMPDIR/fixture"
		local rc=0
		"$root/scripts/catalogue-fixture" "$sockerr" "$SOCKERR_FIXTURE" \
			>"$BATS_RUN_TMPDIR/fixture.log" 2>&1 || rc=$?
		# A broken run or explanation: said here, and the tests that read
		# it fail with its reason.  No results at all: nothing to test.
		if [ "$rc" -ne 0 ]; then
			sed 's/^/# /' "$BATS_RUN_TMPDIR/fixture.log" >&3
			[ -s "$SOCKERR_FIXTURE/catalogue.json" ] || return 1
		fi
	fi
	# The fixture must be this binary's run, not another's left in the
	# environment.
	local made_by
	made_by=$(cat "$SOCKERR_FIXTURE/binary" 2>/dev/null || true)
	if [ "$made_by" != "$(realpath "$sockerr")" ]; then
		echo "SOCKERR_FIXTURE=$SOCKERR_FIXTURE is the run of '$made_by', not of $sockerr" >&2
		return 1
	fi
}
