#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run) and json (observe)
# The runner's contract: list, the JSON records, exit codes, errors.

load test_helper/common-setup

@test "list: one scenario per line, name first, every design-card scenario present" {
	run "$SOCKERR" list
	assert_success
	for name in rst-before-accept accept-peer-port-zero write-after-rst closed-port \
		router-blackhole router-unreachable local-route-unreachable \
		local-route-prohibit local-route-blackhole local-route-throw no-route; do
		assert_line --regexp "^$name "
	done
}

@test "list --json: an array whose objects carry name, errno, syscall and summary" {
	run "$SOCKERR" list --json
	assert_success
	run jq -e 'type == "array" and length > 0 and
		all(.[]; (.name|type) == "string" and (.errno|test("^E[A-Z]+$")) and
			(.syscall|type) == "string" and (.summary|length) > 0)' <<<"$output"
	assert_success
}

@test "list finds scenarios by what a log line says: errno names, numbers, aliases, messages; read/write" {
	run "$SOCKERR" list --errno 'Too many open files'
	assert_success
	assert_line --regexp '^accept-fd-limit +EMFILE '
	assert_equal "$("$SOCKERR" list --errno 24)" "$output"
	assert_equal "$("$SOCKERR" list --errno emfile)" "$output"
	run "$SOCKERR" list --errno EWOULDBLOCK
	assert_line --regexp '^accept-nonblocking-empty +EAGAIN '
	run "$SOCKERR" list --syscall read
	assert_line --regexp '^recv-timeout +EAGAIN +recv '
	run "$SOCKERR" list --syscall write
	assert_line --regexp '^write-after-rst +EPIPE +send '
	# Every errno a scenario's steps produce (the committed results), not
	# only its topic: the step is named.
	run "$SOCKERR" list --errno 'connection reset by peer' --syscall recv
	assert_line --regexp '^rst-before-accept +ECONNRESET +accept .*\[step recv: ECONNRESET\]$'
	assert_line --regexp '^reset-linger-zero +ECONNRESET +recv '
	run bash -c '"$1" list --json --errno ECONNRESET --syscall recv | jq -r ".[] | select(.name == \"rst-before-accept\") | .matched_step"' _ "$SOCKERR"
	assert_output "recv: ECONNRESET"
}

@test "list: a filter that matches nothing says so, exit 1; a word that is no errno, exit 2 in one line" {
	run --separate-stderr "$SOCKERR" list --syscall frobnicate
	assert_failure 1
	assert_equal "$stderr" "sockerr: no scenario matches --syscall frobnicate"
	run --separate-stderr "$SOCKERR" list --errno 'Not an error at all'
	assert_failure 2
	assert_equal "$stderr" "sockerr: --errno takes an errno name, number or message (ECONNRESET, 104, 'Connection reset by peer'), not 'Not an error at all' (sockerr help: the usage)"
}

@test "list --errno and --syscall filter the catalogue" {
	run "$SOCKERR" list --errno ECONNABORTED
	assert_success
	assert_line --regexp '^accept-peer-port-zero +ECONNABORTED +accept4? '
	assert_line --regexp '^aborted-socket-destroyed +ECONNABORTED '
	run bash -c "\"$SOCKERR\" list --errno ECONNABORTED | awk '\$2 != \"ECONNABORTED\"'"
	assert_output ""
	run "$SOCKERR" list --syscall connect
	assert_success
	refute_line --regexp '^rst-before-accept '
	assert_line --regexp '^closed-port '
}

@test "run --json: one object per family with the documented fields" {
	run --separate-stderr "$SOCKERR" run closed-port --json
	assert_success
	assert_equal "${#lines[@]}" 2
	run jq -s -e --arg k "$(uname -r)" '
		map(.family) == ["ipv4", "ipv6"] and
		all(.[]; .scenario == "closed-port" and .kernel == $k and
			(.steps | length) > 0 and
			all(.steps[]; has("call") and has("ret") and has("errno") and has("ms")) and
			has("posix_expects") and (.kernel_path | test("tcp_reset")))' <<<"$output"
	assert_success
}

@test "run text output: one strace-like line per step, with the errno name and time" {
	run "$SOCKERR" run closed-port -4
	assert_success
	assert_line --regexp '^  connect\([0-9]+, 192\.0\.2\.2:9\) = -1 ECONNREFUSED \(Connection refused\) +\[ +[0-9.]+ ms\]$'
	assert_line --partial 'kernel: '
}

@test "unknown scenario: one line that says so and where the usage is, exit 2" {
	run --separate-stderr "$SOCKERR" run no-such-scenario
	assert_failure 2
	assert_equal "$stderr" "sockerr: unknown scenario 'no-such-scenario' (see: sockerr list) (sockerr help: the usage)"
}

@test "unknown flag and unknown command: exit 2, where the usage is" {
	run --separate-stderr "$SOCKERR" run closed-port --no-such-flag
	assert_failure 2
	assert_output ""
	assert_equal "$stderr" "run: unrecognized option '--no-such-flag'"$'\n'"sockerr: sockerr help: the usage"
	run --separate-stderr "$SOCKERR" frobnicate
	assert_failure 2
	[[ $stderr == *"unknown command 'frobnicate'"* ]]
}

@test "bad --timeout value: exit 2 with the reason" {
	run --separate-stderr "$SOCKERR" run closed-port --timeout 0
	assert_failure 2
	[[ $stderr == *"--timeout takes seconds"* ]]
}

@test "a bad SOCKERR_TAG (a digit first, 'keep', a capital, too long): exit 2 with the reason, no run" {
	local tag
	for tag in 1a keep Ab abcdefghijklm ''; do
		run --separate-stderr env SOCKERR_TAG="$tag" "$SOCKERR" run closed-port -4
		assert_failure 2
		assert_output ""
		[[ $stderr == "sockerr: SOCKERR_TAG takes 1 to 12 lowercase letters and digits, starting with a letter, not \"keep\"; not '$tag'"* ]]
	done
}

@test "not root: one clear line, exit 1" {
	local dir
	dir=$(mktemp -d /tmp/sockerr-nonroot.XXXXXX)
	chmod 755 "$dir"
	install -m 755 "$SOCKERR" "$dir/sockerr"
	run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$dir/sockerr" run closed-port
	rm -rf "$dir"
	assert_failure 1
	assert_equal "$stderr" "sockerr: must run as root: it creates network namespaces (try sudo)"
}

# The table and the document of a few runs, live: --summary takes the
# place of --ladder on stdout, so the fixture's run (--ladder) cannot print
# it.  The whole catalogue's results are the fixture's, checked below.
@test "run --summary --output: a table of every run and a results document" {
	local out=$BATS_TEST_TMPDIR/results.json
	run --separate-stderr "$SOCKERR" run rst-before-accept accept-closed-fd --summary --output "$out"
	assert_success
	assert_line --regexp '^SCENARIO +FAM +OBSERVED'
	assert_line --regexp '^rst-before-accept +ipv4 '
	assert_line --regexp '^rst-before-accept +ipv6 '
	assert_line --regexp '^accept-closed-fd +none '
	assert_line --regexp '^ +accept=ok .*recv=ECONNRESET send=EPIPE$'
	assert_line --regexp '^ +POSIX/man page: accept\(\) fails with ECONNABORTED$'
	assert_line --regexp '^3 runs: 3 ran, 0 skipped, 0 broken, in [0-9.]+ s \([0-9]+ at a time\)$'
	assert_line "results: $out"
	run jq -e --arg k "$(uname -r)" '
		.kernel == $k and (.runs | map("\(.scenario) \(.family) \(.status)")) ==
			["rst-before-accept ipv4 ran", "rst-before-accept ipv6 ran", "accept-closed-fd none ran"]
		and (.wall_ms | type) == "number" and (.jobs | type) == "number"' "$out"
	assert_success
}

# The fixture's run (scripts/catalogue-fixture): `sockerr run --all
# --output`, with the evidence options.
@test "run --all --output: a results document of the whole catalogue, every run ran" {
	local out=$SOCKERR_FIXTURE/catalogue.json
	# Every run ran, except accept-file-table-full off a disposable kernel
	# (fs.file-max is global), which skips with its reason, and, on kernels
	# before 6.7 (no Landlock network rules, ABI < 4), forbidden-landlock.
	local landlock_may_skip=false disposable=false
	kernel_before 6.7 && landlock_may_skip=true
	[ "${SOCKERR_DISPOSABLE_KERNEL:-}" = 1 ] && disposable=true
	run jq -e --arg k "$(uname -r)" --argjson ll "$landlock_may_skip" --argjson d "$disposable" '
		.kernel == $k and (.runs | length) >= 100 and
		all(.runs[]; .status == "ran" or
			(.scenario == "accept-file-table-full" and ($d | not) and .status == "skipped" and
			 (.reason | test("disposable kernel"))) or
			($ll and .scenario == "forbidden-landlock" and .status == "skipped" and
			 (.reason | test("Landlock ABI"))))' "$out"
	assert_success
	# One record per scenario and family of the catalogue, in its order.
	run jq -r '.runs[] | "\(.scenario) \(.family)"' "$out"
	assert_output "$("$SOCKERR" list --json | jq -r '.[] | .name as $n | .families[] | "\($n) \(.)"')"
	# and the runner said so: exit 0 (1 for a broken run, 4 all skipped)
	assert_equal "$(cat "$SOCKERR_FIXTURE/run.status")" 0
}

# A racy step carries the complete set of answers its code allows (each
# cited where racy() is called); scripts/same-outcomes judges it by that
# set.  Its test asserts the set too: this holds the two together.
@test "run --all --output: every racy step lists its allowed answers, and answered one of them" {
	run jq -r '.runs[] | "\(.scenario) \(.family)" as $run | .steps[] | select(.racy)
		| select((.allowed | type) != "array" or (.allowed | length) < 2
			or ((.value // .errno) as $a | .allowed | index($a) | not))
		| "\($run) \(.name): \(.value // .errno) of \(.allowed)"' "$SOCKERR_FIXTURE/catalogue.json"
	assert_success
	assert_output ""
	# The races the catalogue knows: the ICMP socket-lock race (three
	# steps per run; seven in connect-timeout-after-icmp, two sockets) and
	# poll()'s sample in timeout-peer-vanished.
	run jq '[.runs[].steps[] | select(.racy)] | length' "$SOCKERR_FIXTURE/catalogue.json"
	assert_output 40
}

# observe reads the fixture's records (the --output document, evidence
# keys left out) in place of `sockerr run NAME --json`: they must be the
# same objects, key for key, step field for step field.
@test "the fixture's records have the shape of run --json's, key for key" {
	local shape='[paths | map(if type == "number" then 0 else . end)] | unique'
	run --separate-stderr "$SOCKERR" run closed-port accept-closed-fd rst-before-accept --json
	assert_success
	local line name
	while IFS= read -r line; do
		name=$(jq -r '"\(.scenario)-\(.family)"' <<<"$line")
		assert_equal "$(jq -c keys_unsorted "$SOCKERR_FIXTURE/runs/$name.json")" "$(jq -c keys_unsorted <<<"$line")"
		assert_equal "$(jq -c "$shape" "$SOCKERR_FIXTURE/runs/$name.json")" "$(jq -c "$shape" <<<"$line")"
	done <<<"$output"
	[ "${#lines[@]}" -eq 5 ]
}

# The record streams from the run to the runner as it is made: a run that
# dies shows what it did before.  timeout-syn-dropped blocks in connect()
# for 3 s by design (TCP_SYNCNT 1, the router drops the SYNs); once its
# socket is in SYN_SENT, its steps before connect() have been sent, and the
# run is killed there: by the socket's state, not by a clock.
@test "run: a run killed in the middle keeps the steps it sent before" {
	local tag=stream$$ out=$BATS_TEST_TMPDIR/out.json ns="" seen=""
	SOCKERR_TAG=$tag "$SOCKERR" run timeout-syn-dropped -4 --json >"$out" &
	local runner=$!
	# Until the socket is in SYN_SENT, or the run ended without getting
	# there (then its record says why: a loaded VM guest can break a run's
	# set-up); no count of tries, which load would stretch or cut short.
	while kill -0 "$runner" 2>/dev/null; do
		ns=$(ip netns list 2>/dev/null | awk -v p="sockerr-$tag-" \
			'index($1, p) == 1 && $1 ~ /-client$/ { print $1 }')
		if [ -n "$ns" ] && ip netns exec "$ns" ss -Htn state syn-sent 2>/dev/null | grep -q .; then
			seen=$ns
			break
		fi
		sleep 0.05
	done
	[ -n "$seen" ] || fail "the run ended before its client socket was seen in SYN_SENT: $(jq -r '"\(.status): \(.reason)"' "$out" 2>&1)"
	ns=$seen
	local pid=${ns#"sockerr-$tag-"}
	kill -KILL "${pid%-client}"
	wait "$runner" || true
	run jq -r '"\(.status): \(.reason)", (.steps[] | "\(.name): \(.ret)")' "$out"
	assert_output - <<EOF
broken: the run died of SIGKILL
setsockopt: 0
EOF
}

# No fixed limits: a run's record is bounded in the runner only, and a run
# past the bound says so (SOCKERR_RECORD_LIMIT lowers the 64 MiB bound to
# reach it here).  Its status and result still arrive.
@test "run: a record past its bound keeps its status and says what it left out" {
	SOCKERR_RECORD_LIMIT=1200 run "$SOCKERR" run closed-port -4 --json
	assert_success
	run jq -r '.status, (.steps | length), .record_truncated' <<<"$output"
	assert_output - <<EOF
ran
1
the record passed its bound of 1200 bytes: 1 later messages (steps, notes, packets, events) were not kept
EOF
	run "$SOCKERR" run closed-port -4 --json
	run jq -r '.record_truncated' <<<"$output"
	assert_output null
}

