#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output (bats run)
# The VM runner's smoke test, part of `make check` so that the runner does
# not rot: boot one Debian kernel under qemu (SOCKERR_SMOKE_KERNEL, default
# 6.1, fetched once into the cache), run a few scenarios in it, and compare
# each step with the results committed for that kernel series
# (results/<release>.json, written by `make compare`). The whole comparison
# on every kernel is `make compare`.

setup_file() {
	bats_require_minimum_version 1.5.0
	REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	SMOKE_OUT=$BATS_FILE_TMPDIR/vm
	SMOKE_SCENARIOS="closed-port rst-before-accept router-unreachable accept-file-table-full"
	export REPO SMOKE_OUT SMOKE_SCENARIOS
	SMOKE_KERNEL_DIR=$("$REPO/scripts/vm/kernel" "${SOCKERR_SMOKE_KERNEL:-6.1}")
	export SMOKE_KERNEL_DIR
	local job=$BATS_FILE_TMPDIR/job
	{
		echo 'uname -r >/run/sockerr-vm/uname'
		echo "build/sockerr run $SMOKE_SCENARIOS --output /run/sockerr-vm/results.json"
		# The evidence on that kernel: its tracepoints' formats differ
		# from the running kernel's (6.1's tcp_send_reset has no reason).
		echo "build/sockerr run closed-port router-unreachable --trace --pcap /run/sockerr-vm/evidence --json >/run/sockerr-vm/traced.json"
	} >"$job"
	SMOKE_BOOT_STATUS=0
	(cd "$REPO" && SOCKERR_VM_TIMEOUT=300 scripts/vm/boot "$SMOKE_KERNEL_DIR" "$SMOKE_OUT" "$job") ||
		SMOKE_BOOT_STATUS=$?
	export SMOKE_BOOT_STATUS
}

setup() {
	load ../test_helper/common-setup
}

# The committed results for the guest's kernel: the same release, or else
# the newest committed release of the same series and flavour (Debian moves
# a series on: 6.1.0-56-amd64 follows 6.1.0-50-amd64).
committed_results() {
	local release=$1 series flavour
	if [ -f "$REPO/results/$release.json" ]; then
		echo "$REPO/results/$release.json"
		return
	fi
	series=$(echo "$release" | grep -oE '^[0-9]+\.[0-9]+')
	flavour=${release##*-}
	find "$REPO/results" -name "$series.*-$flavour.json" | sort -V | tail -n 1
}

# The steps of one scenario in a results file, one "family step: result" a
# line; measurements (counts, rates) are left out, and so are the steps the
# scenario marks racy (router-unreachable's ICMP counters): either answer
# its code allows may come in any run, and the suite's own tests assert
# each against its complete set.
steps_of() {
	jq -r --arg s "$2" '.runs[] | select(.scenario == $s) | .family as $f
		| if .status != "ran" then "\($f) \(.status)" else
		  (.steps[] | select((.measured | not) and (.racy | not))
		   | "\($f) \(.name): \(.value // (if .ret < 0 then .errno else null end) // "ok")")
		  end' "$1"
}

@test "vm smoke: the guest booted the kernel that was asked for and ran the job" {
	[ "$SMOKE_BOOT_STATUS" -eq 0 ] || { tail -n 30 "$SMOKE_OUT/console.log"; false; }
	run cat "$SMOKE_OUT/uname"
	assert_output "$(cat "$SMOKE_KERNEL_DIR/release")"
	run jq -r '.runs | length' "$SMOKE_OUT/results.json"
	assert_output 8
	# What make compare records in the results: the package and its version.
	run cat "$SMOKE_KERNEL_DIR/package"
	assert_output --regexp '^linux-image-[^ ]+ [0-9][^ ]*$'
	assert_output --partial "linux-image-$(cat "$SMOKE_KERNEL_DIR/release") "
}

@test "vm smoke: the committed results have the guest's kernel series" {
	run committed_results "$(cat "$SMOKE_KERNEL_DIR/release")"
	assert_output --regexp '\.json$'
}

@test "vm smoke: accept-file-table-full runs in the VM (a disposable kernel) and gives ENFILE" {
	run steps_of "$SMOKE_OUT/results.json" accept-file-table-full
	assert_line "ipv4 accept4: ENFILE"
	assert_line "ipv6 accept4: ENFILE"
	assert_line "ipv4 queue after: still queued"
	assert_line "ipv6 queue after: still queued"
}

@test "vm smoke: every step is the same as in the committed results of that kernel" {
	local committed
	committed=$(committed_results "$(cat "$SMOKE_KERNEL_DIR/release")")
	[ -n "$committed" ]
	for scenario in $SMOKE_SCENARIOS; do
		run diff -u --label "$committed" <(steps_of "$committed" "$scenario") \
			--label "this run" <(steps_of "$SMOKE_OUT/results.json" "$scenario")
		assert_success
	done
}

# "family host event detail" lines of one scenario's kernel events in the guest.
events_of() {
	jq -r --arg s "$1" 'select(.scenario == $s) | .family as $f
		| .evidence.events[] | "\($f) \(.host) \(.event) \(.detail)"' "$SMOKE_OUT/traced.json"
}

@test "vm smoke: --trace on the guest's kernel: closed-port's reset and error report on the client" {
	run jq -r 'select(.scenario == "closed-port") | "\(.family) \(.evidence.trace)"' \
		"$SMOKE_OUT/traced.json"
	assert_output - <<'EOF'
ipv4 recorded
ipv6 recorded
EOF
	run events_of closed-port
	assert_line --regexp '^ipv4 client tcp_receive_reset '
	assert_line --regexp '^ipv6 client tcp_receive_reset '
	assert_line --regexp '^ipv4 client inet_sk_error_report .*ECONNREFUSED'
	assert_line --regexp '^ipv6 client inet_sk_error_report .*ECONNREFUSED'
}

@test "vm smoke: --trace on the guest's kernel: router-unreachable's error report" {
	run events_of router-unreachable
	assert_line --regexp '^ipv4 client inet_sk_error_report .*EHOSTUNREACH'
	assert_line --regexp '^ipv6 client inet_sk_error_report .*ENETUNREACH'
}

@test "vm smoke: --pcap in the guest: tcpdump on this machine reads the RST and the ICMP errors" {
	command -v tcpdump >/dev/null || skip "tcpdump is not installed (make deps installs it)"
	run tcpdump -nn -r "$SMOKE_OUT/evidence/closed-port-ipv4.pcap" 'tcp[tcpflags] & tcp-rst != 0'
	assert_output --partial 'Flags [R.]'
	run tcpdump -nn -r "$SMOKE_OUT/evidence/router-unreachable-ipv4.pcap" icmp
	assert_output --partial 'unreachable'
	run tcpdump -nn -r "$SMOKE_OUT/evidence/router-unreachable-ipv6.pcap" icmp6
	assert_output --partial 'destination unreachable'
}
