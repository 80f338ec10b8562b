#!/usr/bin/env bats
# shellcheck disable=SC2154,SC2030,SC2031 # status, output, stderr (bats run) and json (observe)
# sockerr explain: the narrated walk-through of one run (the errno, the
# packets, the kernel events, the kernel source of the decision, POSIX and
# the handling), --step and its prompts, 80 columns without escapes when
# not on a terminal, every scenario of the catalogue, and the generated
# table of kernel sources (reproducers/kernel_sources.c) against every
# kernel_path.
setup() { load test_helper/common-setup; }

KERNEL_SOURCES=$BATS_TEST_DIRNAME/../reproducers/kernel_sources.c

# The functions a kernel_path names: the rule of scripts/kernel-sources and
# explain.c (a lower-case identifier followed by "(", not a member).
kernel_functions() {
	grep -oP '(?<![\w>.])[a-z_][a-z0-9_]*(?=\()' || true
}

# explain NAME ARGS...: bounded, stdin at end of file.
explain() {
	run --separate-stderr timeout 60 "$SOCKERR" explain "$@" </dev/null
}

# Every line fits 80 columns and no escape byte is written: stdout is no
# terminal here.
plain_80_columns() {
	local long
	long=$(awk 'length > 80 { print FILENAME ":" NR ": " $0 }' <<<"$output")
	[ -z "$long" ] || { echo "lines over 80 columns: $long" >&2; return 1; }
	if grep -q $'\e' <<<"$output"; then
		echo "an escape byte in the output" >&2
		return 1
	fi
}

# says TEXT: the narration says TEXT, wherever its lines were wrapped.
says() {
	local flat
	flat=$(tr -s ' \n' '  ' <<<"$output")
	[[ $flat == *"$1"* ]] || { echo "the narration does not say: $1" >&2; return 1; }
}

# The events part needs tracefs: skip with the run's own reason without it.
need_trace() {
	local why
	why=$(grep -A1 '^No kernel events were recorded' <<<"$output" | tr '\n' ' ' || true)
	if [ -n "$why" ]; then
		skip "no kernel events: $why"
	fi
}

@test "explain closed-port ipv4: ECONNREFUSED, the RST, tcp_reset's source, the handling" {
	explain closed-port -4
	assert_success
	assert_line --partial "connect("
	says "failed with ECONNREFUSED (Connection refused). This is the errno the scenario is about."
	says "client (eth0, 192.0.2.1/24) and the server (eth0, 192.0.2.2/24)"
	assert_line --regexp '^At [0-9.]+ ms server -> client \(eth0\): RST\|ACK$'
	assert_line --regexp '^  tcp_v4_send_reset\(\) +net/ipv4/tcp_ipv4\.c:[0-9]+$'
	assert_line --regexp '^  tcp_reset\(\) +net/ipv4/tcp_input\.c:[0-9]+$'
	says "Linux agrees with POSIX and the connect(2) man page"
	assert_line "How to handle it"
	says "Back off and free resources"
	plain_80_columns
}

@test "explain closed-port ipv6: ECONNREFUSED, the RST, tcp_v6_send_reset's source, the handling" {
	explain closed-port -6
	assert_success
	says "failed with ECONNREFUSED (Connection refused). This is the errno the scenario is about."
	says "client (eth0, 2001:db8:1::1/64) and the server (eth0, 2001:db8:1::2/64)"
	assert_line --regexp '^At [0-9.]+ ms server -> client \(eth0\): RST\|ACK$'
	assert_line --regexp '^  tcp_v6_send_reset\(\) +net/ipv6/tcp_ipv6\.c:[0-9]+$'
	assert_line --regexp '^  tcp_reset\(\) +net/ipv4/tcp_input\.c:[0-9]+$'
	says "Back off and free resources"
	plain_80_columns
}

@test "explain closed-port ipv4: the kernel events name tcp_receive_reset on the client" {
	explain closed-port -4
	assert_success
	need_trace
	assert_line --regexp '^At [0-9.]+ ms on the client tcp_receive_reset: '
	says "A reset arrived for this socket; tcp_reset() sets sk_err."
	assert_line --regexp '^At [0-9.]+ ms on the server tcp_send_reset: '
}

@test "explain closed-port ipv6: the kernel events name tcp_receive_reset on the client" {
	explain closed-port -6
	assert_success
	need_trace
	assert_line --regexp '^At [0-9.]+ ms on the client tcp_receive_reset: '
	assert_line --regexp '^At [0-9.]+ ms on the server tcp_send_reset: '
}

@test "explain --step with newlines piped in: five prompts between six sections" {
	# shellcheck disable=SC2016 # expanded by the inner shell
	run --separate-stderr bash -c \
		'yes "" | head -n 10 | timeout 60 "$SOCKERR" explain closed-port -4 --step'
	assert_success
	[ "$(grep -c '^\[Enter: next\]$' <<<"$output")" -eq 5 ]
	assert_line "What it reproduces"
	assert_line "How to handle it"
	plain_80_columns
}

@test "explain --step with stdin at end of file goes on without waiting" {
	run --separate-stderr timeout 60 "$SOCKERR" explain closed-port -6 --step </dev/null
	assert_success # timeout(1) would exit 124
	[ "$(grep -c '^\[Enter: next\]$' <<<"$output")" -eq 5 ]
	assert_line "How to handle it"
}

@test "explain forbidden-landlock: the Landlock functions are newer than Linux 6.1" {
	explain forbidden-landlock -4
	# 4: this kernel has no Landlock network rules; the narration still runs
	[ "$status" -eq 0 ] || [ "$status" -eq 4 ]
	assert_line --regexp '^  hook_socket_connect\(\) +not in Linux 6\.1'
	assert_line --regexp '^  __sys_connect_file\(\) +net/socket\.c:[0-9]+$'
}

@test "explain accept-closed-fd: no network, no packets" {
	explain accept-closed-fd
	assert_success
	says "No network is involved"
	says "failed with EBADF (Bad file descriptor)"
	assert_line --regexp '^  __sys_accept4\(\) +net/socket\.c:[0-9]+$'
	plain_80_columns
}

# The whole catalogue, one family at a time (about 45 s each on this
# machine: the timeout scenarios wait out their timers).
explain_catalogue() {
	local flag=$1 family=$2 name failed=''
	local -a names
	mapfile -t names < <("$SOCKERR" list --json |
		jq -r --arg f "$family" '.[] | select(.families | index($f) or index("none")) | .name')
	[ "${#names[@]}" -gt 40 ]
	for name in "${names[@]}"; do
		explain "$name" "$flag"
		if [ "$status" -ne 0 ] && [ "$status" -ne 4 ]; then
			failed+=" $name(exit $status: ${stderr//$'\n'/ })"
			continue
		fi
		local section
		for section in "What it reproduces" "The steps" "What the wire shows" \
			"Where the kernel decides" "What POSIX and the man page say" "How to handle it"; do
			grep -qxF "$section" <<<"$output" || failed+=" $name(no '$section')"
		done
		plain_80_columns || failed+=" $name(width or escape)"
	done
	[ -z "$failed" ] || { echo "failed:$failed" >&2; return 1; }
}

@test "explain runs for every scenario of the catalogue, ipv4" {
	explain_catalogue -4 ipv4
}

@test "explain runs for every scenario of the catalogue, ipv6" {
	explain_catalogue -6 ipv6
}

@test "kernel_sources.c has a row for every function named in a kernel_path" {
	[ -f "$KERNEL_SOURCES" ]
	local missing='' name n=0
	while read -r name; do
		n=$((n + 1))
		grep -qF "{\"$name\"," "$KERNEL_SOURCES" || missing+=" $name()"
	done < <("$SOCKERR" list --json | jq -r '.[].kernel_path // empty' | kernel_functions | sort -u)
	[ "$n" -gt 50 ]
	[ -z "$missing" ] || {
		echo "no row for:$missing (run scripts/kernel-sources > reproducers/kernel_sources.c)" >&2
		return 1
	}
}
