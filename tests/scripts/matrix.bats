#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run)
# results/MATRIX.md (scripts/matrix, make matrix-check): it opens with "What
# changed between kernels", one row per difference with the kernels on each
# side, the version where the behaviour changed and the cause from
# differences.tsv, then one line per neighbouring pair of kernels (none
# found, and what was compared); `scripts/matrix --check` fails on a
# difference nothing explains. Checked on small copies of the committed
# results (tests/test_helper/small-results.bash: every kernel, a few
# scenarios' runs) with one difference added between the two oldest kernels
# and explained; the MATRIX.md of all of them is `make matrix-check`'s.

setup_file() {
	# shellcheck source=tests/test_helper/small-results.bash
	. "$BATS_TEST_DIRNAME/../test_helper/small-results.bash"
	small_results "$BATS_FILE_TMPDIR/small"
}

setup() {
	load ../test_helper/common-setup
	# shellcheck source=tests/test_helper/small-results.bash
	. "$BATS_TEST_DIRNAME/../test_helper/small-results.bash"
	matrix=$BATS_TEST_DIRNAME/../../scripts/matrix
	dir=$BATS_TEST_TMPDIR/results
	mkdir -p "$dir"
	cp "$BATS_FILE_TMPDIR"/small/* "$dir/"
	# The kernels, oldest first, as MATRIX.md names them (major.minor).
	mapfile -t short < <(for f in "$dir"/*.json; do jq -r .kernel "$f"; done | sort -V | grep -oE '^[0-9]+\.[0-9]+')
	[ "${#short[@]}" -ge 3 ] || skip "fewer than three kernels in results/"
}

@test "matrix: the committed results, cut down, are all explained, and What changed between kernels comes first" {
	run --separate-stderr "$matrix" --check "$dir"/*.json
	assert_success
	run "$matrix" "$dir"/*.json
	assert_success
	# The first section after the title.
	run grep -m 1 '^## ' <<<"$output"
	assert_output "## What changed between kernels"
}

@test "matrix: a difference between two kernels is listed with the versions on each side and its cause" {
	version=$(small_results_difference "$dir")
	run "$matrix" "$dir"/*.json
	assert_success
	section=$(sed -n '/^## What changed between kernels/,/^## /p' <<<"$output")
	# Its row: both sides, the version, the cause; the other kernels
	# together on the side they share.
	rest=$(printf '%s, ' "${short[@]:1}")
	rest=${rest%, }
	grep -qF "| closed-port | ipv6 | connect | ${short[0]}: ETIMEDOUT · $rest: ECONNREFUSED | $version | $version: $SMALL_RESULTS_CAUSE |" <<<"$section" ||
		fail "no row for the difference in: $section"
	# Only IPv6 differs.
	run grep -c '| closed-port |' <<<"$section"
	assert_output 1
	# The pair it separates names it.
	grep -qF -- "- ${short[0]} → ${short[1]}: " <<<"$section" || fail "no line for ${short[0]} → ${short[1]}"
	grep -F -- "- ${short[0]} → ${short[1]}: " <<<"$section" | grep -q closed-port ||
		fail "the line of ${short[0]} → ${short[1]} does not name closed-port"
	# And it is explained.
	run --separate-stderr "$matrix" --check "$dir"/*.json
	assert_success
}

@test "matrix: a pair of kernels without a difference says none were found and what was compared" {
	small_results_difference "$dir" >/dev/null
	run "$matrix" "$dir"/*.json
	last=$((${#short[@]} - 1))
	line=$(grep -F -- "- ${short[last - 1]} → ${short[last]}: " <<<"$output")
	[[ $line =~ none\ found\;\ compared\ ([0-9]+)\ scenarios\ \(ipv4,\ ipv6\ and\ no\ network\),\ ([0-9]+)\ step\ rows ]] ||
		fail "not a none-found line: $line"
	# Every scenario of the cut-down results that ran on both.
	[ "${BASH_REMATCH[1]}" -ge 5 ] || fail "only ${BASH_REMATCH[1]} scenarios compared"
	[ "${BASH_REMATCH[2]}" -gt 20 ] || fail "only ${BASH_REMATCH[2]} step rows compared"
}

@test "matrix --check: fails on a difference nothing explains, on a placeholder, and on a version that does not split the kernels" {
	version=$(small_results_difference "$dir")
	explained=$dir/differences.tsv
	# No line for it.
	grep -v '^closed-port' "$explained" >"$explained.new"
	mv "$explained.new" "$explained"
	run --separate-stderr "$matrix" --check "$dir"/*.json
	assert_failure 1
	[[ $stderr == *"closed-port (ipv6) connect: ${short[0]}: ETIMEDOUT"*"not yet explained"* ]] || fail "stderr: $stderr"
	run "$matrix" "$dir"/*.json
	assert_line --partial "| closed-port | ipv6 | connect | ${short[0]}: ETIMEDOUT"
	assert_line --partial "| ? | **not yet explained** |"
	# A placeholder: the version unknown.
	printf 'closed-port\tipv6\tconnect\tstep\t?\tunder investigation\n' >>"$explained"
	run --separate-stderr "$matrix" --check "$dir"/*.json
	assert_failure 1
	[[ $stderr == *"placeholder"* ]] || fail "stderr: $stderr"
	# A version that is not between the kernels that disagree.
	grep -v '^closed-port' "$explained" >"$explained.new"
	mv "$explained.new" "$explained"
	printf 'closed-port\tipv6\tconnect\tstep\t%s\tsomething later\n' "$(grep -oE '^[0-9]+\.[0-9]+' <<<"${short[2]}")" >>"$explained"
	run --separate-stderr "$matrix" --check "$dir"/*.json
	assert_failure 1
	[[ $stderr == *"no row of differences.tsv has a change between ${short[0]} and ${short[1]}"* ]] || fail "stderr: $stderr"
	# The version of the fixture explains it again.
	printf 'closed-port\tipv6\tconnect\tstep\t%s\tthe change\n' "$version" >>"$explained"
	run --separate-stderr "$matrix" --check "$dir"/*.json
	assert_success
}

@test "matrix: an old four-column line of differences.tsv still explains a difference" {
	small_results_difference "$dir" >/dev/null
	explained=$dir/differences.tsv
	grep -v '^closed-port' "$explained" >"$explained.new"
	printf 'closed-port\t*\tconnect\ttcp_v6_connect() changed\n' >>"$explained.new"
	mv "$explained.new" "$explained"
	run --separate-stderr "$matrix" --check "$dir"/*.json
	assert_success
	run "$matrix" "$dir"/*.json
	assert_line --partial "| closed-port | ipv6 | connect | ${short[0]}: ETIMEDOUT"
	assert_line --partial "| tcp_v6_connect() changed |"
}

@test "matrix: a run skipped on one kernel for what it lacks is a difference; a wait that doubles is; a slower step is not" {
	files=("$dir"/*.json)
	mapfile -t files < <(printf '%s\n' "${files[@]}" | sort -V)
	# forbidden-landlock, skipped on one kernel only in the committed
	# results, is in "What changed" as a status row, explained.
	run "$matrix" "$dir"/*.json
	if jq -e '.runs[] | select(.scenario == "forbidden-landlock" and .status == "skipped")' "${files[0]}" >/dev/null; then
		assert_line --regexp '^\| forbidden-landlock \| ipv4, ipv6 \| \(run\) \| [0-9.]+: skipped: .* · .*: ran \| '
	fi
	# Every step of the oldest kernel ten times slower: no finding.
	jq '(.runs[] | .steps[] | .ms) |= . * 10' "${files[0]}" >"${files[0]}.new"
	mv "${files[0]}.new" "${files[0]}"
	run --separate-stderr "$matrix" --check "$dir"/*.json
	assert_success
	# router-unreachable ipv4's SYN retransmitted after 2 s instead of 1 s
	# on the oldest kernel: every packet from the retransmission on, 1 s
	# later.
	jq '(.runs[] | select(.scenario == "router-unreachable" and .family == "ipv4")) |=
		(([.packets[] | select(.proto == 6 and .flags == "SYN") | .ms] | .[1]) as $retrans
		 | .packets |= map(if .ms >= $retrans then .ms += 1000 else . end))' "${files[0]}" >"${files[0]}.new"
	mv "${files[0]}.new" "${files[0]}"
	run --separate-stderr "$matrix" --check "$dir"/*.json
	assert_failure 1
	[[ $stderr == *"router-unreachable (ipv4) (retransmission waits): ${short[0]}: 2.0 s"*"not yet explained"* ]] || fail "stderr: $stderr"
}
