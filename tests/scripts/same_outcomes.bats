#!/usr/bin/env bats
# shellcheck disable=SC2154 # status and output (bats run)
# scripts/same-outcomes, the proof that a reshaping preserved behaviour:
# it must find a changed errno, value, return, status or step list, ignore
# measurements and timings, and judge racy steps by their allowed answers.
# Checked on the committed results of a real run, with one thing changed.

setup() {
	load ../test_helper/common-setup
	results=$(printf '%s\n' "$BATS_TEST_DIRNAME"/../../results/*.json | sort -V | tail -n 1)
	same=$BATS_TEST_DIRNAME/../../scripts/same-outcomes
	changed=$BATS_TEST_TMPDIR/changed.json
}

# change JQ-FILTER: the committed results with one thing changed.
change() {
	jq "$1" "$results" >"$changed"
}

@test "same-outcomes: a document and itself, and timings or measurements changed, compare the same" {
	run "$same" "$results" "$results"
	assert_success
	assert_output --regexp '^same-outcomes: [0-9]+ runs, the same outcomes$'
	change '(.runs[] | .steps[] | .ms) = 1 | (.runs[] | .duration_ms) = 1
		| (.runs[] | .steps[] | select(.measured) | .value) = "12345"'
	run "$same" "$results" "$changed"
	assert_success
}

@test "same-outcomes: a changed errno, value, return, host or status is a difference, named by run and step" {
	change '(.runs[] | select(.scenario == "closed-port" and .family == "ipv6") | .steps[]
		| select(.name == "connect") | .errno) = "ETIMEDOUT"'
	run "$same" "$results" "$changed"
	assert_failure 1
	assert_line --regexp '^closed-port ipv6: step [0-9]+ \(connect\): errno ECONNREFUSED / ETIMEDOUT$'
	change '(.runs[] | select(.scenario == "rst-before-accept" and .family == "ipv4") | .status) = "broken"'
	run "$same" "$results" "$changed"
	assert_failure 1
	assert_line "rst-before-accept ipv4: status ran / broken"
	change '(.runs[] | select(.scenario == "rst-before-accept" and .family == "ipv4") | .steps[0].ret) = 7'
	run "$same" "$results" "$changed"
	assert_failure 1
	assert_line --regexp '^rst-before-accept ipv4: step 1 \(.*\): returned 0 / 7$'
	change '(.runs[] | select(.scenario == "closed-port" and .family == "ipv4") | .steps[0].host) = "router"'
	run "$same" "$results" "$changed"
	assert_failure 1
	assert_line --regexp '^closed-port ipv4: step 1 \(connect\): host client / router$'
}

@test "same-outcomes: a step added, renamed, or a run missing is a difference" {
	change '(.runs[] | select(.scenario == "closed-port" and .family == "ipv4") | .steps) += [{name: "extra", ret: 0}]'
	run "$same" "$results" "$changed"
	assert_failure 1
	assert_line --partial "closed-port ipv4: "
	change '(.runs[] | select(.scenario == "closed-port" and .family == "ipv4") | .steps[0].name) = "renamed"'
	run "$same" "$results" "$changed"
	assert_failure 1
	assert_line --regexp '^closed-port ipv4: step 1 \(renamed\): label .* / renamed$'
	change 'del(.runs[] | select(.scenario == "closed-port" and .family == "ipv4"))'
	run "$same" "$results" "$changed"
	assert_failure 1
	assert_line "closed-port ipv4: only in A"
}

@test "same-outcomes: a racy step is judged by its allowed answers, not by equality" {
	local step='(.runs[] | select(.scenario == "timeout-peer-vanished" and .family == "ipv4") | .steps[] | select(.name == "poll"))'
	jq "$step |= (.racy = true | .allowed = [\"POLLERR\", \"POLLERR|POLLHUP\"] | .value = \"POLLERR\")" \
		"$results" >"$BATS_TEST_TMPDIR/a.json"
	change "$step |= (.racy = true | .allowed = [\"POLLERR\", \"POLLERR|POLLHUP\"] | .value = \"POLLERR|POLLHUP\")"
	run "$same" "$BATS_TEST_TMPDIR/a.json" "$changed"
	assert_success
	change "$step |= (.racy = true | .allowed = [\"POLLERR\", \"POLLERR|POLLHUP\"] | .value = \"POLLHUP\")"
	run "$same" "$BATS_TEST_TMPDIR/a.json" "$changed"
	assert_failure 1
	assert_line --regexp '^timeout-peer-vanished ipv4: step [0-9]+ \(poll\): POLLHUP not among the allowed POLLERR POLLERR\|POLLHUP$'
}

@test "same-outcomes: a usage error is exit 2" {
	run "$same" "$results"
	assert_failure 2
	run "$same" "$results" /nonexistent.json
	assert_failure 2
}

@test "same-outcomes: a call whose count is a measurement is judged by its errno and sign only" {
	local step='(.runs[] | select(.scenario == "send-timeout" and .family == "ipv4") | .steps[0])'
	jq "$step |= (.measured = true | .ret = 7240 | .errno = null)" "$results" >"$BATS_TEST_TMPDIR/a.json"
	change "$step |= (.measured = true | .ret = 8688 | .errno = null)"
	run "$same" "$BATS_TEST_TMPDIR/a.json" "$changed"
	assert_success
	change "$step |= (.measured = true | .ret = -1 | .errno = \"EAGAIN\")"
	run "$same" "$BATS_TEST_TMPDIR/a.json" "$changed"
	assert_failure 1
	assert_line --regexp '^send-timeout ipv4: step 1 \(.*\): errno \(none\) / EAGAIN$'
}

