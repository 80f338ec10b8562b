# Common set-up for every bats file: the assertion libraries, the binary
# under test, and `observe`, which reads one scenario's run for one family
# from the suite's fixture (or `observe_live`, which runs it) and turns its
# JSON into one line per step: "name: result", where result is
# the errno name of a failed call, "ok" for a call that succeeded, or the
# observed value (SO_ERROR, a TCP state, "killed by SIGPIPE").
# shellcheck shell=bash
# status, output and stderr are set by bats' run:
# shellcheck disable=SC2154

bats_require_minimum_version 1.5.0
# bats sources this file again for every test, and the libraries' load.bash
# files start a dirname subshell for each of their fifteen sources: 0.18 s
# of CPU per test, a third of the suite's.  One concatenated copy, made
# once per bats run (tests/setup_suite.bash, or here), is sourced instead.
assertion_libraries() {
	local copy=${BATS_RUN_TMPDIR:?}/assertion-libraries.bash dir lib tmp
	if [ ! -f "$copy" ]; then
		tmp=$(mktemp "$copy.XXXXXX")
		for lib in bats-support bats-assert; do
			for dir in ${BATS_LIB_PATH//:/ } /usr/lib/bats; do
				[ -f "$dir/$lib/load.bash" ] && break
			done
			# shellcheck disable=SC2016 # the text of load.bash, not an expansion
			sed -n 's|^source "$(dirname "${BASH_SOURCE\[0\]}")/\(.*\)"$|\1|p' \
				"$dir/$lib/load.bash" | while read -r src; do cat "$dir/$lib/$src"; done >>"$tmp"
		done
		mv "$tmp" "$copy"
	fi
	echo "$copy"
}
# shellcheck disable=SC1090 # the libraries, concatenated
declare -F assert_output >/dev/null || source "$(assertion_libraries)"

SOCKERR=${SOCKERR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/sockerr}
export SOCKERR

# observe NAME -4|-6|none: the scenario's run for that family; $json holds
# its record, $output and $lines its steps.  "none" is for scenarios
# without a network (they run once, family "none").  A skipped run is a
# bats skip with the runner's reason; a broken one fails the test with it.
# The run is read from the suite's fixture (scripts/catalogue-fixture: the
# catalogue run once per binary, $SOCKERR_FIXTURE/runs/NAME-FAMILY.json,
# the object `sockerr run NAME -4 --json` prints), not run again.
observe() {
	local name=$1 family=$2 file
	case $family in
	-4) family=ipv4 ;;
	-6) family=ipv6 ;;
	none) ;;
	*)
		fail "observe $name: family -4, -6 or none, not '$family'"
		return 1
		;;
	esac
	# (return, not errexit: observe_outcomes calls it in an || list)
	if [ -z "${SOCKERR_FIXTURE:-}" ]; then
		fail "observe: no SOCKERR_FIXTURE (tests/setup_suite.bash makes it)"
		return 1
	fi
	file=$SOCKERR_FIXTURE/runs/$name-$family
	if [ ! -f "$file.json" ]; then
		fail "observe: no run $name $family in the fixture $SOCKERR_FIXTURE"
		return 1
	fi
	# What observe_record would make of it, made by the fixture in one
	# pass: read without a process (a test's CPU is mostly forks).
	local status_ reason
	{
		read -r status_
		IFS= read -r reason
	} <"$file.status"
	case $status_ in
	ran) ;;
	skipped) skip "$reason" ;;
	*)
		echo "sockerr run $name $family: $status_: $reason" >&2
		return 1
		;;
	esac
	IFS= read -r json <"$file.json"
	observed=$file
	mapfile -t lines <"$file.steps"
	local IFS=$'\n'
	output="${lines[*]}"
	status=0
}

# assert_steps NAME -4|-6|none EXPECTED|-: observe, then assert_output
# EXPECTED (or, with -, the heredoc) on its steps: the whole list, written
# in the test.  $json and $output stay set, for further asserts.
#   assert_steps no-route -4 "connect: ENETUNREACH"
#   assert_steps closed-port "$family" - <<EOF
assert_steps() {
	observe "$1" "$2" || return 1
	shift 2
	assert_output "$@"
}

# observe_live NAME -4|-6|none: as observe, but runs the scenario now, for
# a test whose run must be its own (a knob, an environment, a signal).
observe_live() {
	local name=$1 family=$2
	observed=
	[ "$family" = none ] && family=
	run --separate-stderr "$SOCKERR" run "$name" ${family:+"$family"} --json
	if [ "$status" -ne 0 ] && [ "$status" -ne 4 ]; then
		echo "sockerr run $name ${family:-} exited $status: $stderr" >&2
		jq -r '.reason // empty' <<<"$output" >&2
		return 1
	fi
	observe_record "$name" "${family:-none}" "$output"
}

# observe_record NAME FAMILY JSON: skip, fail or set $json, $output, $lines.
observe_record() {
	local status_
	status_=$(jq -r .status <<<"$3")
	case $status_ in
	ran) ;;
	skipped) skip "$(jq -r .reason <<<"$3")" ;;
	*)
		echo "sockerr run $1 $2: $status_: $(jq -r '.reason // empty' <<<"$3")" >&2
		return 1
		;;
	esac
	json=$3
	run jq -r '.steps[] | "\(.name): \(.value // .errno // "ok")"' <<<"$json"
}

# assert_record FIELD ARG...: assert_output ARG... on the field .FIELD of
# the run's record ($json), as jq -r prints it ("null" when it is null):
#   assert_record connection "still queued"
#   assert_record posix_expects --partial ECONNABORTED
# $output is then that field, for further asserts.
assert_record() {
	local field=$1
	shift
	run jq -r ".$field" <<<"$json"
	assert_output "$@"
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

# The prefix of this suite's namespaces and tracefs instances: sockerr-, or
# sockerr-<tag>- where SOCKERR_TAG is set (scripts/run-tests tags each
# serial suite, so that two can run side by side).  Untagged, it matches
# every namespace of sockerr, tagged or not.
SOCKERR_PREFIX=sockerr-${SOCKERR_TAG:+$SOCKERR_TAG-}

sockerr_namespaces() {
	# ip complains ("Peer netns reference is invalid") about a namespace
	# that another test's run is tearing down at that moment.
	ip netns list 2>/dev/null | awk '{print $1}' | grep "^$SOCKERR_PREFIX" || true
}

# kernel_before MAJOR.MINOR: true when the running kernel is older. For
# expectations that legitimately differ between kernels: the test says
# which kernel change it depends on next to the assertion.
kernel_before() {
	local want=$1 have
	have=$(uname -r | grep -oE '^[0-9]+\.[0-9]+')
	[ "$(printf '%s\n%s\n' "$have" "$want" | sort -V | head -n 1)" = "$have" ] && [ "$have" != "$want" ]
}

# kernel_at_least X.Y: true when the running kernel (uname -r: the guest's,
# in a VM) is X.Y or newer.  For a test that states each kernel's
# expectation; it cites, next to the call, the kernel change (version,
# function or commit subject) the expectation follows.
kernel_at_least() {
	local want=$1 have
	have=$(uname -r | grep -oE '^[0-9]+\.[0-9]+')
	[ "$(printf '%s\n%s\n' "$want" "$have" | sort -V | head -n 1)" = "$want" ]
}

# outcomes: after observe, leave in $output only the steps that are not
# measurements (byte counts, elapsed times: they vary from run to run by
# design and are checked against bounds with `measured` instead).  A call
# whose count is measured (measured_ret()) stays, as its errno or "ok".
outcomes() {
	if [ -n "${observed:-}" ]; then
		mapfile -t lines <"$observed.outcomes"
		local IFS=$'\n'
		output="${lines[*]}"
		status=0
		return
	fi
	run jq -r '.steps[] | select(.measured and .value != null | not) | "\(.name): \(.value // .errno // "ok")"' <<<"$json"
}

# observe_outcomes NAME -4|-6: observe, then outcomes.
observe_outcomes() {
	observe "$@" || return 1
	outcomes
}

# assert_outcomes NAME -4|-6 EXPECTED|-: as assert_steps, on the outcomes.
assert_outcomes() {
	observe_outcomes "$1" "$2" || return 1
	shift 2
	assert_output "$@"
}

# measured NAME: the value of the first measured step NAME; a number is
# rounded down to an integer, for [ -ge ] comparisons.
measured() {
	jq -r --arg n "$1" '[.steps[] | select(.name == $n and .measured)][0].value
		| (tonumber? | floor) // .' <<<"$json"
}
