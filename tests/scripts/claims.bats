#!/usr/bin/env bats
# shellcheck disable=SC2154 # status and output (bats run)
# sockerr claims: each claim (claims/*.txt) against the results documents;
# scripts/claims-compile, which turns the claims files into C; and
# catalogue-check's part: a claim predicting a step the runs lack fails.

load ../test_helper/common-setup

setup() {
	root=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	dir=$BATS_TEST_TMPDIR
	# A results document of one kernel with two scenarios' runs:
	# closed-port as observed, accept-closed-fd with its accept() made to
	# succeed.
	jq '{kernel: "9.9.0-test", runs: [.runs[] | select(.scenario == "closed-port"
		or .scenario == "accept-closed-fd")
		| if .scenario == "accept-closed-fd" then .steps |= map(if .name == "accept"
		then .errno = null | .ret = 5 else . end) else . end]}' \
		"$root/results/6.1.0-57-amd64.json" >"$dir/test.json"
}

# verdict ID: the claim's verdict and observation on the test kernel.
verdict() {
	run jq -r --arg id "$1" '.[] | select(.id == $id) | .verdicts[]
		| "\(.kernel) \(.verdict): \(.observed // "")"' <<<"$claims"
}

@test "claims: holds, Linux differs, not run, no Linux path, other stacks, each against the results" {
	claims=$("$SOCKERR" claims --json "$dir/test.json")
	verdict article-econnrefused
	assert_output "9.9.0-test holds: ECONNREFUSED"
	verdict accept2-ebadf
	assert_output "9.9.0-test Linux differs: ok"
	verdict accept2-nonblocking-eagain
	assert_output "9.9.0-test not run: "
	verdict accept2-bsd-five-errors
	assert_output "9.9.0-test not observed here: "
	verdict table-ebadf
	assert_output "9.9.0-test sockerr agrees: sockerr: fatal"
}

@test "claims: every claim has its words, a source and a scenario; text output names each" {
	run "$SOCKERR" claims "$dir/test.json"
	assert_success
	assert_line "article-econnrefused  [TCP errors article, ECONNREFUSED]"
	assert_line "  settled by closed-port: connect = ECONNREFUSED"
	assert_line --regexp '^  9\.9\.0-test +holds: ECONNREFUSED$'
	run bash -c '"$1" claims --json "$2" | jq -r ".[] | select(.says == null or .source == null or .scenario == null) | .id"' _ "$SOCKERR" "$dir/test.json"
	assert_output ""
}

@test "claims: a file that is not a results document is refused" {
	echo '{"x": 1}' >"$dir/bad.json"
	run "$SOCKERR" claims "$dir/bad.json"
	assert_failure 1
	assert_output --partial "is not a results document"
}

@test "claims: list --json names the claims each scenario settles" {
	run bash -c '"$1" list --json | jq -r ".[] | select(.name == \"closed-port\") | .claims | join(\" \")"' _ "$SOCKERR"
	assert_output --partial "article-econnrefused"
}

@test "catalogue-check: a claim predicting a step its scenario's runs lack is named" {
	jq '.runs |= map(if .scenario == "closed-port" then .steps |= map(.name = "renamed") else . end)' \
		"$dir/test.json" >"$dir/renamed.json"
	run env CATALOGUE_RESULTS="$dir/renamed.json" "$root/scripts/catalogue-check" "$SOCKERR"
	assert_failure 1
	assert_line "catalogue-check: claim article-econnrefused on 9.9.0-test: closed-port has no step connect"
}

@test "claims-compile: a claim without a scenario, a bad prediction, an id twice: each named with its line" {
	printf '%s\n' 'id: a-claim' 'source: s' 'says: w' 'predicts: x = y' '' \
		'id: b-claim' 'source: s' 'says: w' 'scenario: closed-port' 'predicts: maybe' '' \
		'id: a-claim' 'source: s' 'says: w' '  going on' 'scenario: closed-port' 'predicts: no linux path' \
		>"$dir/claims.txt"
	run "$root/scripts/claims-compile" "$dir/claims.txt"
	assert_failure 1
	assert_line "scripts/claims-compile: $dir/claims.txt:1: the claim a-claim has no scenario:"
	assert_line --partial "$dir/claims.txt:6: predicts: \"maybe\" is none of"
	assert_line "scripts/claims-compile: $dir/claims.txt:12: \"no linux path\" needs a why:"
	assert_line "scripts/claims-compile: $dir/claims.txt:12: id a-claim comes twice"
}

@test "claims-compile: the generated C compiles; a value goes on over indented lines" {
	printf '%s\n' 'id: a-claim' 'source: s' 'says: the "first"' '  and the second' \
		'scenario: closed-port' 'predicts: connect = ECONNREFUSED' >"$dir/claims.txt"
	run "$root/scripts/claims-compile" "$dir/claims.txt"
	assert_success
	assert_line --partial '"the \"first\" and the second"'
	"$root/scripts/claims-compile" "$dir/claims.txt" >"$dir/claims.c"
	run cc -std=gnu11 -iquote "$root" -iquote "$root/reproducers" -c -o "$dir/claims.o" "$dir/claims.c"
	assert_success
}

@test "report --claims: the claims table after the matrix, a row per claim, each verdict in its kernel's column" {
	"$SOCKERR" claims --json "$dir/test.json" >"$dir/claims.json"
	run "$root/scripts/report" --claims "$dir/claims.json" "$dir/test.json"
	assert_success
	assert_line '<h2 id="claims">What you may have read, and what Linux does</h2>'
	run grep -c 'data-claim=' <<<"$output"
	assert_output "$(jq length "$dir/claims.json")"
	run "$root/scripts/report" --claims "$dir/claims.json" "$dir/test.json"
	assert_line --partial '<tr id="c-article-econnrefused" data-claim="article-econnrefused"><td>TCP errors article, ECONNREFUSED</td>'
	assert_line --partial '(<a href="#s-closed-port">closed-port</a>)</td><td class="ok">holds</td>'
	assert_line --partial '<td class="err">Linux differs: ok</td>'
}
