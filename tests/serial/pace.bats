#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr and lines (bats run)
# The slow mode, to watch a run live: run NAME --pace MS waits MS ms before
# each step, run NAME --step waits for Enter on stdin; at each pause the
# run's namespaces are up, and its stderr names the next step and the
# commands (ss, nstat) that show the state now.  The record is an unpaced
# run's.  Serial: the tests look at namespaces while a run is paused, and
# stop a paused run.

load ../test_helper/common-setup

teardown() {
	# A run a failed test left paused: its runner forwards the signal, the
	# run tears its namespaces down.
	if [ -n "${runner:-}" ] && kill -0 "$runner" 2>/dev/null; then
		kill -TERM "$runner"
		wait "$runner" || true
	fi
	exec 4>&-
}

# usage_error LINE ARGS...: sockerr ARGS exits 2, prints nothing on stdout,
# and on stderr exactly one line: LINE and where the usage is.
usage_error() {
	local line=$1
	shift
	run --separate-stderr "$SOCKERR" "$@"
	assert_failure 2
	assert_output ""
	assert_equal "$stderr" "$line (sockerr help: the usage)"
}

# The steps of a run's JSON, what pacing must not change: name, errno,
# value, and the descriptor numbers in the call as shown and in what it
# returned (a pause opens none).
steps_of() {
	jq -c '[.status, (.steps[] | [.name, .errno, .value, .call, .ret])]' <<<"$1"
}

# stepped_run NAME -4|-6: sockerr run NAME --step in the background
# ($runner), its Enters from a fifo this shell holds on fd 4, its stdout
# and stderr in $out and $err; returns once the run waits before step 1.
stepped_run() {
	local enter=$BATS_TEST_TMPDIR/enter
	out=$BATS_TEST_TMPDIR/stdout err=$BATS_TEST_TMPDIR/stderr
	mkfifo "$enter"
	"$SOCKERR" run "$1" "$2" --step <"$enter" >"$out" 2>"$err" 3>&- &
	runner=$!
	exec 4>"$enter"
	wait_for_pause 1
}

# wait_for_pause N: wait (polling) until the run's stderr says it waits
# before step N; fails after 10 s, or when the run has ended.
wait_for_pause() {
	local i
	for ((i = 0; i < 1000; i++)); do
		grep -q "^== next: step $1, " "$err" && return 0
		kill -0 "$runner" 2>/dev/null || break
		sleep 0.01
	done
	echo "the run never paused before step $1; its stderr:" >&2
	cat "$err" >&2
	return 1
}

# command_for ROLE TOOL: the command line the run printed to run TOOL (ss,
# nstat) in its namespace of ROLE.
command_for() {
	sed -n "s/^    \(ip netns exec .*-$1 $2 .*\)\$/\1/p" "$err"
}

@test "run --pace: the commands name the run's namespaces, each pause names its step, the record is an unpaced run's" {
	run --separate-stderr "$SOCKERR" run closed-port -4 --json
	assert_success
	local unpaced=$output
	run --separate-stderr "$SOCKERR" run closed-port -4 --json --pace 1
	assert_success
	local paced=$output
	assert_equal "$(steps_of "$paced")" "$(steps_of "$unpaced")"
	# The pauses go to stderr, the record to stdout, as without them.
	run jq -r .scenario <<<"$paced"
	assert_output closed-port
	output=$stderr
	mapfile -t lines <<<"$stderr"
	local pid
	pid=$(sed -n 's|^    ls -l /proc/\([0-9]*\)/fd$|\1|p' <<<"$output")
	[[ $pid =~ ^[0-9]+$ ]]
	local ns=$SOCKERR_PREFIX$pid
	assert_line --index 0 "sockerr: a paced run of closed-port [ipv4]: it waits 1 ms before each step, the namespaces up."
	assert_line "    ip netns exec $ns-client ss -tanoi"
	assert_line "    ip netns exec $ns-server ss -tanoi"
	assert_line "    ip netns exec $ns-client nstat -as 'Tcp*'"
	assert_line "    ip netns exec $ns-server nstat -as 'Tcp*'"
	assert_line "== next: step 1, connect  (waiting 1 ms)"
	# At the next pause, what the step before returned.
	assert_line --regexp '^  connect\(7, 192\.0\.2\.2:9\) = -1 ECONNREFUSED +\[ *[0-9.]+ ms\]$'
	assert_line "== next: step 2, state  (waiting 1 ms)"
	# The commands once, a line per pause after them.
	run grep -c 'ss -tanoi$' <<<"$stderr"
	assert_output 2
	run grep -c '^== next: ' <<<"$stderr"
	assert_output 2
	# The run is over: its namespaces are gone.
	run sockerr_namespaces
	assert_output ""
}

@test "run --step: a pause before every step (none in a fixture's set-up), answered from a pipe; the record is an unpaced run's" {
	run --separate-stderr "$SOCKERR" run rst-before-accept -4 --json
	assert_success
	local unpaced=$output
	# shellcheck disable=SC2016 # $SOCKERR is expanded by bash -c
	run --separate-stderr bash -c 'yes "" | "$SOCKERR" run rst-before-accept -4 --json --step'
	assert_success
	local paced=$output
	# The peer's port differs from run to run, the rest not: accept()
	# returns the descriptor it would without pauses.
	assert_equal "$(jq -c '[.steps[] | [.name, .errno, .ret]]' <<<"$paced")" \
		"$(jq -c '[.steps[] | [.name, .errno, .ret]]' <<<"$unpaced")"
	run grep -c '^== next: step [0-9]*, .*  \[Enter: go on\]$' <<<"$stderr"
	assert_output "$(jq '.steps | length' <<<"$paced")"
}

@test "run --step, paused: the printed ss and nstat show the queued connection, then the RST's effect; the input ends, the run finishes and cleans up" {
	stepped_run rst-before-accept -4
	local ss_server nstat_server
	ss_server=$(command_for server ss)
	nstat_server=$(command_for server nstat)
	[[ $ss_server == "ip netns exec ${SOCKERR_PREFIX}"*"-server ss -tanoi" ]]
	# Before step 1 (the client's abortive close): the listener, and the
	# handshake's child in its accept queue, established.
	run bash -c "$ss_server"
	assert_success
	assert_line --regexp '^LISTEN +[0-9]+ +[0-9]+ +192\.0\.2\.2:8080 '
	assert_line --regexp '^ESTAB +.* 192\.0\.2\.2:8080 +192\.0\.2\.1:[0-9]+'
	run bash -c "$nstat_server"
	assert_success
	assert_line --regexp '^TcpPassiveOpens +1 '
	refute_line --regexp '^TcpEstabResets '
	# Enter: the client's close() sends the RST; before step 2 the child
	# is closed (the scenario waits for that), and the counter moved.
	printf '\n' >&4
	wait_for_pause 2
	run bash -c "$ss_server"
	assert_line --regexp '^LISTEN '
	refute_line --regexp '^ESTAB '
	run bash -c "$nstat_server"
	assert_line --regexp '^TcpEstabResets +1 '
	# The end of the input: no more pauses, the run goes on to its end.
	exec 4>&-
	local rc=0
	wait "$runner" || rc=$?
	assert_equal "$rc" 0
	run grep -c '^== next: ' "$err"
	assert_output 2
	run grep -Fx '  (the input ended: no more pauses)' "$err"
	assert_success
	run grep -E '^  recv\(.*ECONNRESET' "$out"
	assert_success
	run sockerr_namespaces
	assert_output ""
}

@test "run --step, paused: SIGTERM to the runner ends the run and removes its namespaces" {
	stepped_run closed-port -4
	local client
	client=$(command_for client ss)
	client=${client#ip netns exec }
	client=${client%% *}
	run sockerr_namespaces
	assert_line "$client"
	kill -TERM "$runner"
	local rc=0
	wait "$runner" || rc=$?
	assert_equal "$rc" 143
	run sockerr_namespaces
	assert_output ""
}

@test "run --pace: the pauses extend the run's timeout (a 2 s timeout, two pauses of 2.5 s)" {
	run --separate-stderr "$SOCKERR" run closed-port -4 --json --timeout 2 --pace 2500
	assert_success
	run jq -r '"\(.status) \(.errno)"' <<<"$output"
	assert_output "ran ECONNREFUSED"
}

@test "--pace and --step: bad values and combinations are one line, exit 2" {
	usage_error "sockerr: --pace takes milliseconds from 1 to 600000, not '0'" \
		run closed-port --pace 0
	usage_error "sockerr: --pace takes milliseconds from 1 to 600000, not 'slow'" \
		run closed-port --pace slow
	usage_error "sockerr: --pace and --step: one or the other" \
		run closed-port --pace 100 --step
	usage_error "sockerr: --pace runs one scenario, not --all" run --all --pace 100
	usage_error "sockerr: --step runs one scenario, not --all" run --all --step
	usage_error "sockerr: --pace and --step run one scenario; 'no-route' is a second" \
		run closed-port no-route --pace 100
	usage_error "sockerr: --pace and --step run one run at a time, not --jobs 2" \
		run closed-port --pace 100 --jobs 2
}

@test "--step without a terminal, pipe or file on stdin (/dev/null): one line, exit 2, no run" {
	run --separate-stderr "$SOCKERR" run closed-port --step </dev/null
	assert_failure 2
	assert_output ""
	assert_equal "$stderr" "sockerr: --step reads Enter from stdin, which is no terminal, pipe or file (--pace MS waits without one) (sockerr help: the usage)"
}
