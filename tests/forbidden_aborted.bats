#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run) and json (observe)
# A connection forbidden on the client's own host (a Landlock policy, a
# local nft output drop) and a connection aborted by an administrator
# (sock_diag SOCK_DESTROY, ss -K): what connect(), sendto() and recv()
# return, and what the peer sees.  Expectations are written here.

setup() {
	load test_helper/common-setup
}

# Landlock (ABI >= 4) forbids connect() to an unlisted port with EACCES
# before any packet; the allowed port and an unrestricted process connect.
check_landlock() {
	# Kernels differ: Landlock's network rules (LANDLOCK_ACCESS_NET_CONNECT_TCP,
	# ABI 4, security/landlock/net.c) arrived in Linux 6.7. Before that
	# (Debian's 6.1 has ABI 2) the scenario must skip and say why.
	if kernel_before 6.7; then
		run --separate-stderr "$SOCKERR" run forbidden-landlock "$1" --json
		assert_equal "$status" 4
		assert_equal "$(jq -r .status <<<"$output")" skipped
		assert_regex "$(jq -r .reason <<<"$output")" 'Landlock ABI [0-3] < 4'
		return
	fi
	observe forbidden-landlock "$1"
	assert_output - <<'EOF'
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
	assert_equal "$(jq -r .policy <<<"$json")" landlock
}

@test "forbidden-landlock ipv4: connect() to a port the ruleset forbids EACCES, no SYN sent; allowed port ok" {
	check_landlock -4
}

@test "forbidden-landlock ipv6: connect() to a port the ruleset forbids EACCES, no SYN sent; allowed port ok" {
	check_landlock -6
}

# A local nft output drop: UDP sendto() EPERM at once (counted in
# OutDiscards); TCP connect() is not told (tcp_connect() ignores the
# transmit error) and times out after the SYN retransmission timer
# (TCP_USER_TIMEOUT 500 ms, initial RTO 1 s); without the rule both work.
check_output_drop() {
	observe_outcomes forbidden-output-drop "$1"
	assert_output - <<'EOF'
sendto: EPERM
OutDiscards: +1
connect: ETIMEDOUT
connect waited: for the SYN retransmission timer
TCP OutDiscards: +0
server saw: no connection
sendto without rule: ok
server recv: ok
connect without rule: ok
EOF
	# connect() failed on the timer, not on the first dropped SYN.
	[ "$(step_ms connect)" -ge 900 ]
	run jq -r .posix_expects <<<"$json"
	assert_output --partial ETIMEDOUT
}

@test "forbidden-output-drop ipv4: UDP sendto() EPERM; TCP connect() through the same drop ETIMEDOUT" {
	check_output_drop -4
}

@test "forbidden-output-drop ipv6: UDP sendto() EPERM; TCP connect() through the same drop ETIMEDOUT" {
	check_output_drop -6
}

# SOCK_DESTROY: a connect() blocked in SYN_SENT and a recv() blocked on an
# established connection both fail with ECONNABORTED.  Only the established
# socket sends an RST (tcp_need_reset()); the peer's recv() then says
# ECONNRESET.  Afterwards the aborted socket reads EOF and writes EPIPE.
check_socket_destroyed() {
	observe aborted-socket-destroyed "$1"
	assert_output - <<'EOF'
connect child: asleep in connect
peer sees: SYN
state before: SYN_SENT
destroy SYN_SENT: ok
client RST sent: +0
blocked connect: ECONNABORTED
state after connect: CLOSE
SO_ERROR after connect: 0
recv child: asleep in recv
state before recv: ESTABLISHED
destroy ESTABLISHED: ok
client RST sent: +1
blocked recv: ECONNABORTED
peer sees: RST|ACK
peer recv: ECONNRESET
peer state: CLOSE
state after recv: CLOSE
recv again: ok
send: EPIPE
EOF
	# "recv again" succeeded with 0 bytes: end of file, not data.
	assert_equal "$(jq -r '[.steps[] | select(.name == "recv again")][0].ret' <<<"$json")" 0
	# Exactly one socket destroyed each time.
	run jq -r '[.steps[] | select(.name | startswith("destroy")) | .ret] | join(" ")' <<<"$json"
	assert_output "1 1"
}

@test "aborted-socket-destroyed ipv4: blocked connect() and recv() ECONNABORTED; peer gets an RST only for the established socket" {
	check_socket_destroyed -4
}

@test "aborted-socket-destroyed ipv6: blocked connect() and recv() ECONNABORTED; peer gets an RST only for the established socket" {
	check_socket_destroyed -6
}
