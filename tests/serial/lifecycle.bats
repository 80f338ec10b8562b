#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run) and json (observe)
# Namespaces: named per run, kept on request, removed on every path.

load ../test_helper/common-setup

# wait_for_namespaces [REGEX]: wait (polling) until namespaces whose
# names start with REGEX exist (this suite's, $SOCKERR_PREFIX, by
# default); fails after 10 s.
wait_for_namespaces() {
	local prefix=${1:-$SOCKERR_PREFIX} i
	for ((i = 0; i < 1000; i++)); do
		# 2>/dev/null: as in sockerr_namespaces
		ip netns list 2>/dev/null | grep -q "^$prefix" && return 0
		sleep 0.01
	done
	return 1
}

# killed_run -4|-6 [TAG]: a run that lasts (timeout-syn-dropped: two SYN
# timeouts, 3 s, so that a loaded machine that runs this shell late still
# finds it alive), under SOCKERR_TAG=TAG when given, SIGKILLed with its
# child once its namespaces exist: nothing of theirs can clean up.
killed_run() {
	local family=$1 tag=${2:-} pid
	env ${tag:+"SOCKERR_TAG=$tag"} setsid "$SOCKERR" run timeout-syn-dropped "$family" \
		>/dev/null 3>&- &
	pid=$!
	wait_for_namespaces "${tag:+sockerr-$tag-[0-9]}"
	# The runner and its child at once (their process group).
	kill -KILL -- "-$pid"
	wait "$pid" || true
}

@test "--keep leaves the topology up for ip -n, and cleanup removes it" {
	run "$SOCKERR" run closed-port -4 --keep
	assert_success
	assert_line --regexp "^  inspect: ip -n ${SOCKERR_PREFIX}keep-[0-9]+-client addr"
	local client
	client=$(sockerr_namespaces | grep -- '-client$' | head -n 1)
	[[ $client == "$SOCKERR_PREFIX"keep-*-client ]]
	run ip -n "$client" addr show dev eth0
	assert_output --partial 192.0.2.1/24
	# A later run must not reap a kept topology...
	run "$SOCKERR" run closed-port -4
	assert_success
	run sockerr_namespaces
	assert_output --partial "$client"
	# ...but cleanup does.
	run "$SOCKERR" cleanup
	assert_success
	assert_line "removed $client"
	run sockerr_namespaces
	assert_output ""
}

@test "a run killed with SIGKILL leaves namespaces that the next run or cleanup removes" {
	killed_run -4
	run sockerr_namespaces
	refute_output ""
	# The next run passes, and reaps what the dead run left.
	run "$SOCKERR" run closed-port -4
	assert_success
	run sockerr_namespaces
	assert_output ""
}

@test "cleanup removes namespaces of a SIGKILLed run" {
	killed_run -6
	run "$SOCKERR" cleanup
	assert_success
	assert_line --regexp "^removed ${SOCKERR_PREFIX}[0-9]+-client\$"
	run sockerr_namespaces
	assert_output ""
}

check_signal_cleans_up() {
	local sig=$1
	# A run that lasts 3 s (see killed_run).
	"$SOCKERR" run timeout-syn-dropped -4 >/dev/null 3>&- &
	local pid=$!
	wait_for_namespaces
	kill "-$sig" "$pid"
	# The runner re-raises the signal after the teardown: 128 + signo.
	# (wait here, not under `run`: a subshell cannot wait for our child.)
	local rc=0
	wait "$pid" || rc=$?
	assert_equal "$rc" "$((128 + $(kill -l "$sig")))"
	run sockerr_namespaces
	assert_output ""
}

@test "SIGTERM to the runner: the run tears its namespaces down itself" {
	check_signal_cleans_up TERM
}

@test "SIGINT to the runner: the run tears its namespaces down itself" {
	check_signal_cleans_up INT
}

@test "SOCKERR_TAG: this suite's runs and cleanup leave another tag's leftovers alone; that tag's cleanup removes them" {
	# A tag no suite uses: this suite's own with a "z" after it.
	local other=${SOCKERR_TAG:-x}z
	killed_run -4 "$other"
	run "$SOCKERR" run closed-port -4
	assert_success
	run "$SOCKERR" cleanup
	assert_success
	refute_output --partial "sockerr-$other-"
	# 2>/dev/null: ip complains about a namespace another suite is
	# tearing down at that moment (sockerr_namespaces does the same).
	run bash -c "ip netns list 2>/dev/null | grep -c '^sockerr-$other-[0-9]'"
	refute_output 0
	run env SOCKERR_TAG="$other" "$SOCKERR" cleanup
	assert_success
	assert_line --regexp "^removed sockerr-$other-[0-9]+-client\$"
	run bash -c "ip netns list 2>/dev/null | grep -c '^sockerr-$other-' || true"
	assert_output 0
}
