#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run) and json (observe)
# forbidden-landlock: a connection forbidden on the client's own host by a
# Landlock policy: what connect() returns, and whether a SYN left.
# Expectations are written here.

load ../test_helper/common-setup

# Landlock (ABI >= 4) forbids connect() to an unlisted port with EACCES
# before any packet; the allowed port and an unrestricted process connect.
check_landlock() {
	# Kernels differ: Landlock itself (landlock_create_ruleset(),
	# security/landlock/syscalls.c, "landlock: Add syscall implementations")
	# arrived in Linux 5.13: before it (5.10) the syscall is ENOSYS and the
	# scenario must skip and say so.
	if kernel_before 5.13; then
		run --separate-stderr "$SOCKERR" run forbidden-landlock "$1" --json
		assert_equal "$status" 4
		assert_equal "$(jq -r .status <<<"$output")" skipped
		assert_regex "$(jq -r .reason <<<"$output")" 'no Landlock \(before Linux 5\.13.*ENOSYS'
		return
	fi
	# Landlock's network rules (LANDLOCK_ACCESS_NET_CONNECT_TCP, ABI 4,
	# security/landlock/net.c) arrived in Linux 6.7. Before that (Debian's
	# 6.1 has ABI 2) the scenario must skip and say why.
	if kernel_before 6.7; then
		run --separate-stderr "$SOCKERR" run forbidden-landlock "$1" --json
		assert_equal "$status" 4
		assert_equal "$(jq -r .status <<<"$output")" skipped
		assert_regex "$(jq -r .reason <<<"$output")" 'Landlock ABI [0-3] < 4'
		return
	fi
	assert_steps forbidden-landlock "$1" - <<'EOF'
Landlock ABI: >= 4 (network rules)
no_new_privs: ok
create_ruleset: ok
add_rule: ok
restrict_self: ok
connect forbidden port: EACCES
forbidden port wire: no SYN sent
connect allowed port: ok
allowed port wire: a SYN sent
connect unrestricted: ok
EOF
	# The errno is labelled as a policy's, not the network's.
	assert_record policy landlock
}

@test "forbidden-landlock ipv4: connect() to a port the ruleset forbids EACCES, no SYN sent; allowed port ok" {
	check_landlock -4
}

@test "forbidden-landlock ipv6: connect() to a port the ruleset forbids EACCES, no SYN sent; allowed port ok" {
	check_landlock -6
}
