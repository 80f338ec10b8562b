#!/usr/bin/env bats
# shellcheck disable=SC2154 # status, output, stderr (bats run) and json (observe)
# aborted-socket-destroyed: a connection aborted by an administrator
# (sock_diag SOCK_DESTROY, ss -K): what the blocked connect() and recv()
# return, and what the peer sees.  Expectations are written here.

load ../test_helper/common-setup

# SOCK_DESTROY: a connect() blocked in SYN_SENT and a recv() blocked on an
# established connection both fail with ECONNABORTED.  Only the established
# socket sends an RST (tcp_need_reset()); the peer's recv() then says
# ECONNRESET.  Afterwards the aborted socket reads EOF and writes EPIPE.
check_socket_destroyed() {
	assert_steps aborted-socket-destroyed "$1" - <<'EOF'
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
