# Common set-up for every bats file: the assertion libraries, the binary
# under test, and `observe`, which runs one scenario for one family and
# turns its JSON into one line per step: "name: result", where result is
# the errno name of a failed call, "ok" for a call that succeeded, or the
# observed value (SO_ERROR, a TCP state, "killed by SIGPIPE").
# shellcheck shell=bash
# status, output and stderr are set by bats' run:
# shellcheck disable=SC2154

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

SOCKERR=${SOCKERR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/sockerr}
export SOCKERR

# observe NAME -4|-6|none: run the scenario; $json holds its record,
# $output and $lines its steps.  "none" is for scenarios without a network
# (they run once, family "none").  A skipped run is a bats skip with the
# runner's reason; a broken one fails the test with it.
observe() {
	local name=$1 family=$2
	[ "$family" = none ] && family=
	run --separate-stderr "$SOCKERR" run "$name" ${family:+"$family"} --json
	if [ "$status" -eq 4 ]; then
		skip "$(jq -r .reason <<<"$output")"
	fi
	if [ "$status" -ne 0 ]; then
		echo "sockerr run $name ${family:-} exited $status: $stderr" >&2
		jq -r '.reason // empty' <<<"$output" >&2
		return 1
	fi
	json=$output
	run jq -r '.steps[] | "\(.name): \(.value // .errno // "ok")"' <<<"$json"
}

# step_ms NAME: milliseconds since the scenario started at which the first
# step called NAME returned.
step_ms() {
	jq -r --arg n "$1" '[.steps[] | select(.name == $n)][0].ms | floor' <<<"$json"
}

# step_value NAME: the value (or errno, or "ok") of the first step NAME.
step_result() {
	jq -r --arg n "$1" '[.steps[] | select(.name == $n)][0] | .value // .errno // "ok"' <<<"$json"
}

sockerr_namespaces() {
	# ip complains ("Peer netns reference is invalid") about a namespace
	# that another test's run is tearing down at that moment.
	ip netns list 2>/dev/null | awk '{print $1}' | grep '^sockerr-' || true
}

# kernel_before MAJOR.MINOR: true when the running kernel is older. For
# expectations that legitimately differ between kernels: the test says
# which kernel change it depends on next to the assertion.
kernel_before() {
	local want=$1 have
	have=$(uname -r | grep -oE '^[0-9]+\.[0-9]+')
	[ "$(printf '%s\n%s\n' "$have" "$want" | sort -V | head -n 1)" = "$have" ] && [ "$have" != "$want" ]
}

# outcomes: after observe, leave in $output only the steps that are not
# measurements (byte counts, elapsed times: they vary from run to run by
# design and are checked against bounds with `measured` instead).
outcomes() {
	run jq -r '.steps[] | select(.measured | not) | "\(.name): \(.value // .errno // "ok")"' <<<"$json"
}

# observe_outcomes NAME -4|-6: observe, then outcomes.
observe_outcomes() {
	observe "$@" || return 1
	outcomes
}

# measured NAME: the value of the first measured step NAME; a number is
# rounded down to an integer, for [ -ge ] comparisons.
measured() {
	jq -r --arg n "$1" '[.steps[] | select(.name == $n and .measured)][0].value
		| (tonumber? | floor) // .' <<<"$json"
}
