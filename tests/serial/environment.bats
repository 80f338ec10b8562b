#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run) and json (observe)
# Bad input and bad environments: a bad flag value, an unwritable --output,
# /run/netns not writable, no external tools on PATH, a kernel without
# Landlock.  Each gives one clear line on stderr (followed by the usage for
# a usage error) or a reason in the JSON, and the documented exit code:
# 1 broken set-up or environment, 2 usage, 4 every run skipped.  Usage
# errors already in tests/cli.bats (unknown scenario/flag/command, bad
# --timeout, not root) are not repeated here.  Serial: one test mounts over
# /run/netns (in a private mount namespace) and one runs under strace.

setup() {
	load ../test_helper/common-setup
	REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
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

@test "--jobs 0: one line, exit 2" {
	usage_error "sockerr: --jobs takes a number of runs from 1 to 64, not '0'" \
		run closed-port --jobs 0
}

@test "--jobs abc: one line, exit 2" {
	usage_error "sockerr: --jobs takes a number of runs from 1 to 64, not 'abc'" \
		run closed-port --jobs abc
}

@test "--jobs 65: one line, exit 2" {
	usage_error "sockerr: --jobs takes a number of runs from 1 to 64, not '65'" \
		run closed-port --jobs 65
}

@test "list --errno EFOO (not an errno name): one line, exit 2" {
	usage_error "sockerr: --errno takes an errno name, number or message (ECONNRESET, 104, 'Connection reset by peer'), not 'EFOO'" \
		list --errno EFOO
}

@test "run without a scenario name: one line, exit 2" {
	usage_error "sockerr: run needs scenario names or --all" run
}

@test "--output to a path that cannot be written: one line, exit 1, no run" {
	run --separate-stderr "$SOCKERR" run closed-port -4 --output /proc/x.json
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "sockerr: cannot write /proc/x.json: No such file or directory"
}

# The mounts on /run/netns as this (the host's) mount namespace sees them.
netns_dir_mounts() {
	awk '$5 == "/run/netns"' /proc/self/mountinfo
}

@test "/run/netns not writable: one line naming it, exit 1; the host's /run/netns unchanged" {
	mkdir -p /run/netns # what sockerr itself does first
	local before
	before=$(netns_dir_mounts)
	# The read-only tmpfs exists only in unshare's private mount namespace.
	# shellcheck disable=SC2016 # $SOCKERR is expanded by sh -c
	run --separate-stderr unshare -m --propagation private sh -c \
		'mount -t tmpfs -o ro tmpfs /run/netns && exec "$SOCKERR" run closed-port -4'
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "sockerr: /run/netns is not writable (Read-only file system): each run publishes its namespaces there, as ip netns add does"
	assert_equal "$(netns_dir_mounts)" "$before"
	[ -w /run/netns ]
	run "$SOCKERR" run closed-port -4
	assert_success
}

# sockerr runs no external program: topologies are built over rtnetlink
# (libnl-route-3) instead of ip, firewall rules go through libnftables
# instead of nft, and sockets are counted through sock_diag (tcp_diag_count)
# instead of ss.  Checked with strace -f -e trace=execve,execveat: the only
# exec of the whole run is sockerr's own (next test); so an empty PATH
# changes nothing.
@test "no tools on PATH (ip, nft, ss): closed-port and refused-by-firewall (nft rules) run, exit 0" {
	local empty=$BATS_TEST_TMPDIR/empty-path
	mkdir "$empty"
	run --separate-stderr env PATH="$empty" "$SOCKERR" run closed-port refused-by-firewall --json
	assert_success
	assert_equal "$stderr" ""
	json=$output
	run jq -r '"\(.scenario) \(.family) \(.status) \([.steps[] | select(.name == "connect")][0].errno)"' <<<"$json"
	assert_output - <<'EOF'
closed-port ipv4 ran ECONNREFUSED
closed-port ipv6 ran ECONNREFUSED
refused-by-firewall ipv4 ran ECONNREFUSED
refused-by-firewall ipv6 ran ECONNREFUSED
EOF
}

@test "sockerr executes no other program during a run (strace -f: one execve, its own)" {
	command -v strace >/dev/null || skip "strace is not installed"
	local trace=$BATS_TEST_TMPDIR/execs
	# LeakSanitizer cannot work under ptrace: leave it out for the ASan build.
	run --separate-stderr env ASAN_OPTIONS=detect_leaks=0 strace -f -qq -e signal=none \
		-e trace=execve,execveat -o "$trace" "$SOCKERR" run closed-port refused-by-firewall
	assert_success
	run grep -c . "$trace"
	assert_output 1
	run grep -F "execve(\"$SOCKERR\"" "$trace"
	assert_success
}

@test "the evidence runs no other program either: --trace --pcap --svg, --ladder, explain" {
	command -v strace >/dev/null || skip "strace is not installed"
	local trace=$BATS_TEST_TMPDIR/execs dir=$BATS_TEST_TMPDIR/evidence
	run --separate-stderr env ASAN_OPTIONS=detect_leaks=0 strace -f -qq -e signal=none \
		-e trace=execve,execveat -o "$trace" "$SOCKERR" run closed-port router-unreachable -4 \
		--trace --pcap "$dir" --svg "$dir" --ladder
	assert_success
	run grep -c . "$trace"
	assert_output 1
	run --separate-stderr env ASAN_OPTIONS=detect_leaks=0 strace -f -qq -e signal=none \
		-e trace=execve,execveat -o "$trace" "$SOCKERR" explain closed-port
	assert_success
	run grep -c . "$trace"
	assert_output 1
}

# without-syscall (tests/tools/without-syscall.c) makes the named calls fail
# with ENOSYS through seccomp, as on a kernel built without Landlock: the
# ENOSYS is policy, and this tests how sockerr reports it, on any kernel.
without_syscall() {
	local tool=$REPO/build/tools/without-syscall
	[ -x "$tool" ] || make -s -C "$REPO" build/tools/without-syscall >&2
	"$tool" "$@"
}

@test "kernel without Landlock (ENOSYS): forbidden-landlock skipped with the reason, exit 4" {
	run --separate-stderr without_syscall landlock_create_ruleset -- "$SOCKERR" run forbidden-landlock --json
	assert_failure 4
	assert_equal "$stderr" ""
	run jq -r '"\(.family) \(.status): \(.reason)"' <<<"$output"
	assert_output - <<'EOF'
ipv4 skipped: the kernel has no Landlock (before Linux 5.13, or CONFIG_SECURITY_LANDLOCK off): landlock_create_ruleset() ENOSYS
ipv6 skipped: the kernel has no Landlock (before Linux 5.13, or CONFIG_SECURITY_LANDLOCK off): landlock_create_ruleset() ENOSYS
EOF
}

@test "without-syscall filters only the calls named: forbidden-landlock unaffected by perf_event_open" {
	run --separate-stderr without_syscall perf_event_open -- "$SOCKERR" run forbidden-landlock -4 --json
	if kernel_before 6.7; then
		# No Landlock network rules before Linux 6.7 (ABI 4): skipped anyway.
		assert_failure 4
		run jq -r .reason <<<"$output"
		assert_output --partial "Landlock ABI"
	else
		assert_success
		run jq -r '"\(.status) \(.steps[0].name): \(.steps[0].value)"' <<<"$output"
		assert_output "ran Landlock ABI: >= 4 (network rules)"
	fi
}

@test "without-syscall: an unknown system call name is a usage error, exit 2" {
	run without_syscall no_such_call -- true
	assert_failure 2
	assert_line --index 0 "without-syscall: unknown system call 'no_such_call'"
}
