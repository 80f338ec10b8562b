#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run) and json (observe)
# scripts/soak's comparison (scripts/soak.jq) must notice a result that
# varies, ignore measurements, and list documented races apart: checked on
# the committed results of a real run, with one observation changed.

setup() {
	load ../test_helper/common-setup
	# The newest kernel's committed results (any real run will do).
	results=$(printf '%s\n' "$BATS_TEST_DIRNAME"/../../results/*.json | sort -V | tail -n 1)
	report=$BATS_TEST_DIRNAME/../../scripts/soak.jq
}

@test "soak report: the same results twice vary nowhere" {
	run jq -rs -f "$report" "$results" "$results"
	assert_success
	assert_line "varied: 0"
}

@test "soak report: one changed errno is reported, with both answers and their counts" {
	jq '(.runs[] | select(.scenario == "closed-port" and .family == "ipv6") | .steps[]
		| select(.name == "connect") | .errno) = "ETIMEDOUT"' "$results" >"$BATS_TEST_TMPDIR/changed.json"
	run jq -rs -f "$report" "$results" "$results" "$BATS_TEST_TMPDIR/changed.json"
	assert_success
	assert_line "varied: 1"
	assert_line "  closed-port ipv6:"
	assert_line --regexp '^    2 x status=ran .*connect=ECONNREFUSED'
	assert_line --regexp '^    1 x status=ran .*connect=ETIMEDOUT'
}

@test "soak report: a changed measurement is not a variation" {
	jq '(.runs[] | .steps[] | select(.measured) | .value) = "12345"' "$results" >"$BATS_TEST_TMPDIR/measured.json"
	run jq -rs -f "$report" "$results" "$BATS_TEST_TMPDIR/measured.json"
	assert_success
	assert_line "varied: 0"
}

@test "soak report: a step marked racy is listed apart with each answer's count, not as a variation" {
	jq '(.runs[] | select(.scenario == "timeout-peer-vanished" and .family == "ipv4") | .steps[]
		| select(.name == "poll")) |= (.racy = true | .value = "POLLERR")' "$results" >"$BATS_TEST_TMPDIR/racy.json"
	jq '(.runs[] | select(.scenario == "timeout-peer-vanished" and .family == "ipv4") | .steps[]
		| select(.name == "poll")) |= (.racy = true)' "$results" >"$BATS_TEST_TMPDIR/racy2.json"
	run jq -rs -f "$report" "$BATS_TEST_TMPDIR/racy2.json" "$BATS_TEST_TMPDIR/racy.json"
	assert_success
	assert_line "varied: 0"
	assert_line --regexp '^  timeout-peer-vanished ipv4: 1 x poll=POLLERR, 1 x poll=POLLIN\|POLLERR\|POLLHUP$'
}
