# shellcheck shell=bash
# Small copies of the committed results/*.json, for the tests of what is
# generated from them (tests/scripts/report.bats, tests/scripts/readme_table.bats): the
# same kernels and files, only a few scenarios' runs, so that each page or
# table built in a test is a few kilobytes instead of megabytes.  The
# scenarios are chosen for what the tests check: a pair topology
# (closed-port), a POSIX difference (rst-before-accept), no network
# (accept-closed-fd), a run skipped on one kernel (forbidden-landlock, 6.1),
# measured steps (recv-timeout), a routed topology whose families differ and
# whose steps are racy (router-unreachable).
SMALL_RESULTS_SCENARIOS="closed-port rst-before-accept accept-closed-fd forbidden-landlock recv-timeout router-unreachable"

# small_results DIR: DIR/<file>.json for each results/<file>.json, with
# only the runs of SMALL_RESULTS_SCENARIOS; everything else in the file as
# committed.
small_results() {
	local dir=$1 root f
	root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	mkdir -p "$dir"
	for f in "$root"/results/*.json; do
		jq --arg keep "$SMALL_RESULTS_SCENARIOS" \
			'($keep | split(" ")) as $k | .runs |= map(select(.scenario as $s | $k | index($s)))' \
			"$f" >"$dir/$(basename "$f")"
	done
}
