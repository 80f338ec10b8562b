# shellcheck shell=bash
# Small copies of the committed results/*.json, for the tests of what is
# generated from them (tests/scripts/report.bats, tests/scripts/readme_table.bats): the
# same kernels and files, only a few scenarios' runs, so that each page or
# table built in a test is a few kilobytes instead of megabytes.  The
# scenarios are chosen for what the tests check: a pair topology
# (closed-port), a POSIX difference (rst-before-accept), no network
# (accept-closed-fd), a run skipped on one kernel (forbidden-landlock, 6.1),
# measured steps (recv-timeout), a routed topology whose families differ and
# whose steps are racy (router-unreachable). results/differences.tsv is
# copied too. small_results_difference adds one difference between the two
# oldest kernels and its explanation (tests/scripts/matrix.bats, report.bats).
SMALL_RESULTS_SCENARIOS="closed-port rst-before-accept accept-closed-fd forbidden-landlock recv-timeout router-unreachable"

# small_results DIR: DIR/<file>.json for each results/<file>.json, with
# only the runs of SMALL_RESULTS_SCENARIOS; everything else in the file as
# committed; and DIR/differences.tsv, the committed explanations.
small_results() {
	local dir=$1 root f
	root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	mkdir -p "$dir"
	for f in "$root"/results/*.json; do
		jq --arg keep "$SMALL_RESULTS_SCENARIOS" \
			'($keep | split(" ")) as $k | .runs |= map(select(.scenario as $s | $k | index($s)))' \
			"$f" >"$dir/$(basename "$f")"
	done
	cp "$root/results/differences.tsv" "$dir/differences.tsv"
}

# The invented cause of small_results_difference's difference.
SMALL_RESULTS_CAUSE='tcp_v6_connect() in an invented commit "tcp: refuse sooner" (a fixture of the tests)'

# small_results_difference DIR: after small_results DIR, a difference between
# the two oldest kernels: closed-port ipv6's connect() fails with ETIMEDOUT on
# the oldest (ECONNREFUSED on every other), and a line of DIR/differences.tsv
# says the behaviour changed in the second oldest kernel's version
# (major.minor), for SMALL_RESULTS_CAUSE. Prints that version.
small_results_difference() {
	local dir=$1 files version
	mapfile -t files < <(printf '%s\n' "$dir"/*.json | sort -V)
	jq '(.runs[] | select(.scenario == "closed-port" and .family == "ipv6") | .steps[]
		| select(.name == "connect") | .errno) = "ETIMEDOUT"' "${files[0]}" >"${files[0]}.new"
	mv "${files[0]}.new" "${files[0]}"
	version=$(jq -r '.kernel' "${files[1]}" | grep -oE '^[0-9]+\.[0-9]+')
	printf 'closed-port\tipv6\tconnect\tstep\t%s\t%s\n' "$version" "$SMALL_RESULTS_CAUSE" >>"$dir/differences.tsv"
	echo "$version"
}
